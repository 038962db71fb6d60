import { describe, expect, it, vi } from 'vitest';
import { ApiError, apiFromBridge, IPC } from '../shared/ipc.js';
import { createBridge, versionFromArgv, type IpcRendererLike } from './bridge.js';

function fakeIpc(answers: Record<string, unknown>) {
  const listeners = new Map<string, (e: unknown, ...a: unknown[]) => void>();
  const invoked: unknown[][] = [];
  const ipc: IpcRendererLike = {
    invoke: vi.fn(async (channel: string, ...args: unknown[]) => {
      invoked.push([channel, ...args]);
      return answers[String(args[0])];
    }),
    on: (channel, l) => listeners.set(channel, l),
  };
  return { ipc, invoked, emit: (channel: string, ...a: unknown[]) => listeners.get(channel)!({}, ...a) };
}

const versions = { app: '1', electron: '2', chrome: '3', node: '4' };

describe('preload bridge (window.vminer)', () => {
  it('calls the contract over one channel and unwraps the outcome', async () => {
    const f = fakeIpc({
      'stats.get': { ok: true, value: { totals: {} } },
      'vcenters.get': { ok: false, error: { code: 'NOT_FOUND', message: 'no vCenter with id 9' } },
    });
    const b = createBridge(f.ipc, versions);
    expect(await b.call('stats.get', {})).toEqual({ totals: {} });
    expect(f.invoked[0]).toEqual([IPC.call, 'stats.get', {}]);
    await expect(b.call('vcenters.get', { id: 9 })).rejects.toThrow('no vCenter with id 9');
    expect(await b.invoke('vcenters.get', { id: 9 })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'no vCenter with id 9' },
    });
    const api = apiFromBridge(b);
    const err = await api.call('vcenters.get', { id: 9 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('NOT_FOUND');
  });

  it('fans engine events out to subscribers, ignores unknown names, and unsubscribes', () => {
    const f = fakeIpc({});
    const b = createBridge(f.ipc, versions);
    const got: unknown[] = [];
    const off = b.on('inventory:changed', (p) => got.push(p));
    f.emit(IPC.event, 'inventory:changed', { vcenterIds: [1] });
    f.emit(IPC.event, 'secret:event', { x: 1 });
    off();
    f.emit(IPC.event, 'inventory:changed', { vcenterIds: [2] });
    expect(got).toEqual([{ vcenterIds: [1] }]);
    expect(() => b.on('nope' as 'inventory:changed', () => {})).toThrow(/unknown event/);
  });

  it('reaches the desktop services and their events', async () => {
    const f = fakeIpc({ getPreferences: { ok: true, value: { closeToTray: true, startAtLogin: false } } });
    const b = createBridge(f.ipc, versions);
    expect(await b.desktop.getPreferences()).toEqual({ closeToTray: true, startAtLogin: false });
    expect(f.invoked[0]).toEqual([IPC.desktop, 'getPreferences', undefined]);
    const seen: unknown[] = [];
    b.desktop.on('export:progress', (p) => seen.push(p));
    f.emit(IPC.desktopEvent, 'export:progress', { id: 'a', phase: 'writing', path: '/x.csv', format: 'csv' });
    expect(seen).toHaveLength(1);
    expect(b.versions).toBe(versions);
  });

  it('reads the app version from the renderer argv', () => {
    expect(versionFromArgv(['x', '--vminer-version=0.1.0'])).toBe('0.1.0');
    expect(versionFromArgv([])).toBe('unknown');
  });
});
