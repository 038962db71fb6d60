import { describe, expect, it, vi } from 'vitest';
import { IPC } from '../../shared/ipc.js';
import { appMenu, type MenuActions } from './menu.js';
import {
  openExternalChecked,
  registerDesktopServices,
  runDesktopOp,
  showInFolderChecked,
  type DesktopServices,
} from './desktop-ipc.js';
import { buildDiagnostics, recentErrors, scrub, scrubValue } from './diagnostics.js';
import type { EngineCaller } from './process-supervisor.js';
import type { IpcEventLike } from './security.js';
import type { MenuItemSpec } from './tray.js';

function services(): DesktopServices & Record<string, ReturnType<typeof vi.fn>> {
  return {
    saveExport: vi.fn(async () => null),
    showInFolder: vi.fn(async () => {}),
    openExternal: vi.fn(async () => {}),
    openLogsFolder: vi.fn(async () => {}),
    copyDiagnostics: vi.fn(async () => {}),
    getPreferences: vi.fn(async () => ({ closeToTray: true, startAtLogin: false })),
    setPreferences: vi.fn(async () => ({ closeToTray: false, startAtLogin: false })),
  };
}

describe('desktop services over IPC', () => {
  it('validates each argument with its schema before running the service', async () => {
    const s = services();
    expect(await runDesktopOp(s, 'getPreferences', undefined)).toEqual({
      ok: true,
      value: { closeToTray: true, startAtLogin: false },
    });
    expect(await runDesktopOp(s, 'saveExport', { entity: 'vms', suggestedName: 'x' })).toEqual({
      ok: true,
      value: null,
    });
    const bad = await Promise.all([
      runDesktopOp(s, 'saveExport', { entity: 'users' }),
      runDesktopOp(s, 'setPreferences', { closeToTray: 'no' }),
      runDesktopOp(s, 'setPreferences', { evil: true }),
      runDesktopOp(s, 'openExternal', 42),
      runDesktopOp(s, 'showInFolder', ''),
      runDesktopOp(s, 'openLogsFolder', { path: '/' }),
      runDesktopOp(s, 'runShell', 'rm -rf /'),
      runDesktopOp(s, 'toString', undefined),
    ]);
    expect(bad.map((o) => !o.ok && o.error.code)).toEqual(Array(8).fill('INVALID_INPUT'));
    expect(s.setPreferences).not.toHaveBeenCalled();
    expect(s.openExternal).not.toHaveBeenCalled();
  });

  it('keeps the error code of a failing service', async () => {
    const s = { ...services(), openExternal: (u: string) => openExternalChecked(u, async () => {}) };
    expect(await runDesktopOp(s, 'openExternal', 'file:///etc/passwd')).toMatchObject({
      ok: false,
      error: { code: 'PERMISSION_DENIED' },
    });
  });

  it('answers only our own frame', async () => {
    let handler: ((e: IpcEventLike, ...a: unknown[]) => unknown) | undefined;
    const s = services();
    registerDesktopServices({
      ipcMain: { handle: (ch, l) => (expect(ch).toBe(IPC.desktop), (handler = l)), removeHandler: () => {} },
      isTrusted: (e) => e.sender.id === 1,
      services: s,
    });
    const ev = (id: number): IpcEventLike => ({ sender: { id }, senderFrame: null });
    expect(await handler!(ev(2), 'copyDiagnostics')).toMatchObject({
      ok: false,
      error: { code: 'PERMISSION_DENIED' },
    });
    expect(s.copyDiagnostics).not.toHaveBeenCalled();
    expect(await handler!(ev(1), 'copyDiagnostics')).toEqual({ ok: true, value: null });
  });

  it('opens only http(s) links and shows only files vMiner exported', async () => {
    const open = vi.fn(async () => {});
    await openExternalChecked('https://vc01.corp/ui', open);
    await expect(openExternalChecked('javascript:alert(1)', open)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    expect(open.mock.calls).toEqual([['https://vc01.corp/ui']]);
    const show = vi.fn();
    await showInFolderChecked('/tmp/a.csv', new Set(['/tmp/a.csv']), show);
    await expect(showInFolderChecked('/etc/shadow', new Set(['/tmp/a.csv']), show)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    expect(show.mock.calls).toEqual([['/tmp/a.csv']]);
  });
});

describe('diagnostics bundle', () => {
  const log = [
    JSON.stringify({ t: '1', level: 'info', module: 'sync', msg: 'ok' }),
    JSON.stringify({
      t: '2',
      level: 'error',
      module: 'sync',
      msg: 'login failed for svc-ro@corp.local',
      token: 'abc',
    }),
    'not json at all "level":"warn" Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig',
  ].join('\n');

  it('keeps warnings and errors only, newest last', () => {
    const r = recentErrors(log);
    expect(r).toHaveLength(2);
    expect(recentErrors(log, 1)).toHaveLength(1);
  });

  it('masks account names, tokens, cookies and the home folder', async () => {
    const engine: EngineCaller = {
      call: async (name) =>
        (name === 'settings.get'
          ? { ok: true, value: { syncWorkers: 10, rest: { enabled: false } } }
          : {
              ok: true,
              value: [
                {
                  id: 1,
                  name: 'vc01',
                  url: 'https://vc01.corp/sdk',
                  username: 'svc-ro@corp.local',
                  enabled: true,
                  version: '8.0.3',
                  thumbprint: 'AA:BB',
                  hasCustomCa: false,
                  sync: {
                    status: 'failed',
                    finishedAt: 'x',
                    lastSuccessAt: null,
                    error: { code: 'LOGIN_FAILED', message: 'vc01: login failed' },
                    warnings: [],
                  },
                },
              ],
            }) as never,
    };
    const text = await buildDiagnostics({
      engine,
      engineState: () => ({ state: 'ready' }),
      versions: { app: '0.1.0', electron: '41', chrome: '1', node: '24' },
      platform: { os: 'linux', release: '6', arch: 'x64' },
      prefs: { closeToTray: true, startAtLogin: false },
      logFile: '/home/ops/.config/vMiner/logs/vminer.log',
      readLog: async () =>
        log + '\n' + JSON.stringify({ level: 'warn', msg: 'cookie vmware_soap_session="52a1b2c3"' }),
      homeDir: '/home/ops',
    });
    const bundle = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(bundle)).toEqual([
      'generatedAt',
      'versions',
      'platform',
      'engine',
      'shellPreferences',
      'settings',
      'vcenters',
      'recentErrors',
    ]);
    expect(text).not.toContain('svc-ro@corp.local');
    expect(text).not.toContain('"abc"');
    expect(text).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    expect(text).not.toContain('52a1b2c3');
    expect(text).not.toContain('/home/ops');
    expect(text).toContain('vc01: login failed');
    expect(text).toContain('"pinnedThumbprint": true');
  });

  it('masks secret-looking keys at any depth, keeping flags', () => {
    expect(
      scrubValue(
        { a: { password: 'hunter2', access_token: 'x.y.z', name: 'a', hasPassword: true } },
        [],
        '/h',
      ),
    ).toEqual({ a: { password: '***', access_token: '***', name: 'a', hasPassword: true } });
    expect(scrub('Authorization: Bearer abcdefghijkl', [], '/h')).toBe('Authorization: Bearer ***');
  });
});

describe('application menu', () => {
  const actions = (doctor?: MenuActions['runDoctor']): MenuActions => ({
    navigate: vi.fn(),
    exportEstate: vi.fn(),
    exportRvtools: vi.fn(),
    syncNow: vi.fn(),
    openLogsFolder: vi.fn(),
    copyDiagnostics: vi.fn(),
    runDoctor: doctor,
    showDoctor: vi.fn(),
    about: vi.fn(),
  });
  const help = (m: MenuItemSpec[]): MenuItemSpec[] => m.find((i) => i.label === 'Help')!.submenu!;

  it('has a Help menu with logs, diagnostics and the doctor (disabled until it exists)', () => {
    const a = actions();
    const h = help(appMenu({ platform: 'linux', devTools: false, actions: a }));
    expect(h.filter((i) => i.id).map((i) => [i.label, i.enabled ?? true])).toEqual([
      ['Open logs folder', true],
      ['Copy diagnostics bundle', true],
      ['Run doctor checks (not in this build)', false],
    ]);
    h[0]!.click!();
    h[1]!.click!();
    expect(a.openLogsFolder).toHaveBeenCalledOnce();
    expect(a.copyDiagnostics).toHaveBeenCalledOnce();
  });

  it('runs the doctor when one is provided, and shows dev tools only in development', () => {
    const doctor = vi.fn(async () => ({ checks: [], ok: true }));
    const a = actions(doctor);
    const m = appMenu({ platform: 'darwin', devTools: false, actions: a });
    const item = help(m).find((i) => i.id === 'doctor')!;
    expect(item.enabled ?? true).toBe(true);
    item.click!();
    expect(a.showDoctor).toHaveBeenCalledWith(doctor);
    expect(JSON.stringify(m)).not.toContain('toggleDevTools');
    expect(JSON.stringify(appMenu({ platform: 'win32', devTools: true, actions: a }))).toContain(
      'toggleDevTools',
    );
    expect(m[0]!.label).toBe('vMiner');
  });
});
