// The composition with `electron` mocked: what the real app wires together, checked in plain Node.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC } from '../../shared/ipc.js';
import type { ToEngine } from '../rpc/protocol.js';

const h = vi.hoisted(() => {
  type Listener = (...a: unknown[]) => unknown;
  class Emitter {
    listeners = new Map<string, Listener[]>();
    on(e: string, l: Listener): this {
      this.listeners.set(e, [...(this.listeners.get(e) ?? []), l]);
      return this;
    }
    once(e: string, l: Listener): this {
      return this.on(e, l);
    }
    off(e: string, l: Listener): this {
      this.listeners.set(
        e,
        (this.listeners.get(e) ?? []).filter((x) => x !== l),
      );
      return this;
    }
    emit(e: string, ...a: unknown[]): unknown[] {
      return (this.listeners.get(e) ?? []).map((l) => l(...a));
    }
  }
  const state = {
    windows: [] as InstanceType<typeof FakeWindow>[],
    children: [] as InstanceType<typeof FakeChild>[],
    trays: [] as InstanceType<typeof FakeTray>[],
    notifications: [] as { title: string; body: string }[],
    handlers: new Map<string, Listener>(),
    appEvents: new Emitter(),
    power: new Emitter(),
    quit: 0,
  };
  class FakeWindow extends Emitter {
    static nextId = 1;
    webContents = { id: FakeWindow.nextId++, send: vi.fn() };
    hidden = false;
    constructor(readonly opts: Record<string, unknown>) {
      super();
      state.windows.push(this);
    }
    static getAllWindows = () => state.windows;
    loadFile = vi.fn(async () => {});
    loadURL = vi.fn(async () => {});
    maximize = vi.fn();
    isDestroyed = () => false;
    isMinimized = () => false;
    restore = vi.fn();
    show = vi.fn(() => (this.hidden = false));
    focus = vi.fn();
    hide = vi.fn(() => (this.hidden = true));
    setProgressBar = vi.fn();
    getNormalBounds = () => ({ x: 0, y: 0, width: 1280, height: 800 });
    isMaximized = () => false;
  }
  class FakeChild extends Emitter {
    sent: ToEngine[] = [];
    postMessage(m: ToEngine): void {
      this.sent.push(m);
    }
    kill = vi.fn();
    reply(m: unknown): void {
      this.emit('message', m);
    }
  }
  class FakeTray extends Emitter {
    setImage = vi.fn();
    setToolTip = vi.fn();
    setContextMenu = vi.fn();
    destroy = vi.fn();
    constructor() {
      super();
      state.trays.push(this);
    }
  }
  class FakeNotification extends Emitter {
    static isSupported = () => true;
    constructor(readonly o: { title: string; body: string }) {
      super();
    }
    show(): void {
      state.notifications.push({ title: this.o.title, body: this.o.body });
    }
  }
  return { state, FakeWindow, FakeChild, FakeTray, FakeNotification };
});

vi.mock('electron', () => ({
  app: {
    getVersion: () => '0.1.0',
    getAppPath: () => '/app',
    isPackaged: false,
    getPath: () => os.tmpdir(),
    setLoginItemSettings: vi.fn(),
    on: (e: string, l: (...a: unknown[]) => unknown) => h.state.appEvents.on(e, l),
    quit: () => void h.state.quit++,
  },
  BrowserWindow: h.FakeWindow,
  screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  clipboard: { writeText: vi.fn() },
  dialog: {
    showSaveDialog: vi.fn(),
    showMessageBox: vi.fn(async () => ({ response: 1 })),
    showErrorBox: vi.fn(),
  },
  ipcMain: {
    handle: (ch: string, l: (...a: unknown[]) => unknown) => void h.state.handlers.set(ch, l),
    removeHandler: (ch: string) => void h.state.handlers.delete(ch),
  },
  Menu: { buildFromTemplate: (t: unknown) => ({ template: t }), setApplicationMenu: vi.fn() },
  nativeImage: { createFromPath: (p: string) => ({ path: p }) },
  Notification: h.FakeNotification,
  powerMonitor: { on: (e: string, l: () => void) => h.state.power.on(e, l) },
  shell: { openExternal: vi.fn(), showItemInFolder: vi.fn(), openPath: vi.fn(async () => '') },
  Tray: h.FakeTray,
  utilityProcess: {
    fork: vi.fn(() => {
      const c = new h.FakeChild();
      h.state.children.push(c);
      return c;
    }),
  },
}));

vi.mock('electron-store', () => ({
  default: class {
    private data: Record<string, unknown>;
    constructor(o: { defaults: Record<string, unknown> }) {
      this.data = structuredClone(o.defaults);
    }
    get(k: string): unknown {
      return this.data[k];
    }
    set(k: string, v: unknown): void {
      this.data[k] = v;
    }
  },
}));

const { startDesktopApp } = await import('./desktop-app.js');

let dataDir: string;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-shell-'));
  startDesktopApp({ dataDir });
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const win = () => h.state.windows[0]!;
const child = () => h.state.children[0]!;
const trusted = () => ({
  sender: { id: win().webContents.id },
  senderFrame: { url: pathToFileURL(path.join(__dirname, '../renderer/index.html')).href, parent: null },
});

describe('the desktop app, composed (electron mocked)', () => {
  it('opens one window with the secure preferences and the CommonJS preload', () => {
    expect(h.state.windows).toHaveLength(1);
    const prefs = win().opts['webPreferences'] as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
    });
    expect(String(prefs['preload'])).toMatch(/preload[\\/]index\.cjs$/);
    expect(prefs['additionalArguments']).toEqual(['--vminer-version=0.1.0']);
  });

  it('starts the engine in a utility process and tells it where the data is', () => {
    expect(child().sent[0]).toEqual({ kind: 'init', config: { dataDir, version: '0.1.0' } });
  });

  it('registers exactly the generic call channel and the desktop channel', () => {
    expect([...h.state.handlers.keys()].sort()).toEqual([IPC.call, IPC.desktop].sort());
  });

  it('relays a call from the window to the engine and back', async () => {
    child().reply({ kind: 'ready', dataDir, logFile: path.join(dataDir, 'logs', 'vminer.log') });
    await tick();
    const answer = h.state.handlers.get(IPC.call)!(trusted(), 'stats.get', {}) as Promise<unknown>;
    await tick();
    const call = child().sent.find((m) => m.kind === 'call' && m.name === 'stats.get') as Extract<
      ToEngine,
      { kind: 'call' }
    >;
    child().reply({ kind: 'result', id: call.id, outcome: { ok: true, value: { totals: { vms: 1 } } } });
    expect(await answer).toEqual({ ok: true, value: { totals: { vms: 1 } } });
    const refused = await (h.state.handlers.get(IPC.call)!(
      { ...trusted(), senderFrame: { url: 'https://evil.example/', parent: null } },
      'stats.get',
      {},
    ) as Promise<unknown>);
    expect(refused).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  });

  it('forwards engine events to the window and shows sync state in the tray', () => {
    const payload = { vcenterId: 1, vcenter: 'vc01', phase: 'started', status: 'syncing' };
    child().reply({ kind: 'event', name: 'sync:progress', payload });
    expect(win().webContents.send).toHaveBeenCalledWith(IPC.event, 'sync:progress', payload);
    expect(h.state.trays[0]!.setImage.mock.calls.at(-1)![0]).toEqual({
      path: path.join('/app/resources/tray/syncing.png'),
    });
  });

  it('passes REST warnings on to the window and as a notification', () => {
    child().reply({
      kind: 'notice',
      level: 'warning',
      message: 'The REST listener is bound to 0.0.0.0:8000',
    });
    expect(win().webContents.send).toHaveBeenCalledWith(IPC.desktopEvent, 'shell:notice', {
      level: 'warning',
      message: 'The REST listener is bound to 0.0.0.0:8000',
    });
    expect(h.state.notifications.at(-1)!.body).toMatch(/0\.0\.0\.0/);
  });

  it('hides to the tray on close, saying so the first time only', () => {
    const before = h.state.notifications.length;
    const close = () => {
      const e = { preventDefault: vi.fn() };
      win().emit('close', e);
      return e.preventDefault.mock.calls.length;
    };
    expect(close()).toBe(1);
    expect(win().hidden).toBe(true);
    expect(close()).toBe(1);
    expect(h.state.notifications.slice(before).map((n) => n.title)).toEqual(['vMiner is still running']);
  });

  it('tells the engine about a resume from sleep', () => {
    h.state.power.emit('resume');
    expect(child().sent.at(-1)).toMatchObject({ kind: 'control', op: 'resume' });
  });

  it('quits by shutting the engine down first', async () => {
    const e = { preventDefault: vi.fn() };
    h.state.appEvents.emit('before-quit', e);
    expect(e.preventDefault).toHaveBeenCalled();
    const ctl = child().sent.at(-1) as Extract<ToEngine, { kind: 'control' }>;
    expect(ctl).toMatchObject({ kind: 'control', op: 'shutdown' });
    expect(h.state.quit).toBe(0);
    child().reply({ kind: 'result', id: ctl.id, outcome: { ok: true, value: null } });
    await tick();
    await tick();
    expect(h.state.quit).toBe(1);
    expect(h.state.trays[0]!.destroy).toHaveBeenCalled();
    // The second before-quit (from app.quit) goes through; the window now really closes.
    const again = { preventDefault: vi.fn() };
    h.state.appEvents.emit('before-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
    const close = { preventDefault: vi.fn() };
    win().emit('close', close);
    expect(close.preventDefault).not.toHaveBeenCalled();
  });
});
