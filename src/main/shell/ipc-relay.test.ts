import { describe, expect, it, vi } from 'vitest';
import { CONTRACT, type RequestName } from '../../shared/contract.js';
import { IPC, type CallOutcome } from '../../shared/ipc.js';
import type { EngineCaller } from './process-supervisor.js';
import { IPC_REQUESTS, ipcAllowed, registerContractRelay, relayCall, type IpcMainLike } from './ipc-relay.js';
import type { IpcEventLike } from './security.js';

/** The smallest valid arguments of every entry (a new contract entry without one fails to compile). */
const MINIMAL: { [K in RequestName]: unknown } = {
  'vcenters.list': {},
  'vcenters.get': { id: 1 },
  'vcenters.probe': { url: 'vc01.corp' },
  'vcenters.add': { name: 'a', url: 'vc01', username: 'u', password: 'p' },
  'vcenters.update': { id: 1 },
  'vcenters.remove': { id: 1 },
  'sync.start': {},
  'sync.cancel': {},
  'query.ask': { question: 'vms' },
  'inventory.list': { entity: 'vms' },
  'inventory.details': { entity: 'vms', vcenterId: 1, moid: 'vm-1' },
  'changes.list': { since: '24h' },
  'stats.get': {},
  'settings.get': {},
  'settings.update': {},
  'scheduler.state': {},
  'live.status': {},
  'scheduler.start': {},
  'scheduler.stop': {},
  'scheduler.configure': {},
  'users.list': {},
  'users.add': { username: 'u', password: 'p', role: 'viewer' },
  'users.setPassword': { username: 'u', password: 'p' },
  'users.setRole': { username: 'u', role: 'viewer' },
  'users.remove': { username: 'u' },
  'engine.info': {},
  'accounts.list': {},
  'accounts.add': { name: 'svc', username: 'u', password: 'p' },
  'accounts.update': { id: 1 },
  'accounts.remove': { id: 1 },
  'import.preview': { content: 'name,host\nvc1,vc1.corp' },
  'import.apply': { content: 'name,host\nvc1,vc1.corp' },
  'import.previewFile': { path: '/tmp/list.csv' },
  'import.applyFile': { path: '/tmp/list.csv' },
  'sources.list': {},
  'sources.add': {
    name: 'cmdb',
    kind: 'mssql',
    connection: { server: 'db', database: 'cmdb', user: 'u' },
    password: 'p',
  },
  'sources.update': { id: 1 },
  'sources.remove': { id: 1 },
  'sources.test': { id: 1 },
  'sources.refresh': { id: 1 },
  'certs.review': {},
  'certs.trust': { items: [{ vcenterId: 1, thumbprint: 'AA' }] },
  'doctor.run': {},
  'export.toFile': { path: '/tmp/x.csv', format: 'csv', entity: 'vms' },
};

function recordingEngine(): EngineCaller & { calls: { name: string; args: unknown }[] } {
  const calls: { name: string; args: unknown }[] = [];
  return {
    calls,
    call: async (name, args) => {
      calls.push({ name, args });
      return { ok: true, value: name } as CallOutcome<never>;
    },
  };
}

describe('relayCall', () => {
  it('relays every contract entry allowed over IPC, with the parsed arguments', async () => {
    const engine = recordingEngine();
    for (const name of IPC_REQUESTS) {
      expect(await relayCall(engine, name, MINIMAL[name])).toEqual({ ok: true, value: name });
    }
    expect(engine.calls.map((c) => c.name)).toEqual(IPC_REQUESTS);
    // zod defaults applied before the engine sees the call.
    expect(engine.calls.find((c) => c.name === 'inventory.list')!.args).toEqual({
      entity: 'vms',
      limit: 100,
    });
  });

  it('allows exactly the entries HTTP may carry (no local paths)', () => {
    for (const name of Object.keys(CONTRACT) as RequestName[])
      expect(ipcAllowed(name)).toBe(CONTRACT[name].http);
    expect(IPC_REQUESTS).not.toContain('export.toFile');
    expect(IPC_REQUESTS).not.toContain('import.applyFile');
    expect(IPC_REQUESTS).not.toContain('doctor.run');
    expect(IPC_REQUESTS.length).toBe(Object.values(CONTRACT).filter((e) => e.http).length);
  });

  it('refuses local-path entries, unknown names and bad arguments without calling the engine', async () => {
    const engine = recordingEngine();
    const outcomes = await Promise.all([
      relayCall(engine, 'export.toFile', MINIMAL['export.toFile']),
      relayCall(engine, 'constructor', {}),
      relayCall(engine, '__proto__', {}),
      relayCall(engine, 42, {}),
      relayCall(engine, 'vcenters.get', { id: -1 }),
      relayCall(engine, 'vcenters.get', { id: '1; DROP TABLE vms' }),
      relayCall(engine, 'inventory.list', { entity: 'passwords' }),
      relayCall(engine, 'query.ask', { question: 'x'.repeat(5000) }),
      relayCall(engine, 'vcenters.add', { name: 'a', url: 'b', username: 'c' }),
    ]);
    expect(engine.calls).toEqual([]);
    // The same codes as over REST: a call the window cannot make does not exist for it.
    expect(outcomes.map((o) => !o.ok && o.error.code)).toEqual([
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
      'NOT_FOUND',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'INVALID_INPUT',
      'INVALID_INPUT',
    ]);
    const missing = outcomes.at(-1)!;
    expect(!missing.ok && missing.error.message).toMatch(/^vcenters\.add: password/);
  });
});

describe('registerContractRelay', () => {
  it('registers one handler for every call and refuses untrusted senders', async () => {
    const handlers = new Map<string, (e: IpcEventLike, ...a: unknown[]) => unknown>();
    const ipcMain: IpcMainLike = {
      handle: vi.fn((ch, l) => void handlers.set(ch, l)),
      removeHandler: vi.fn((ch) => void handlers.delete(ch)),
    };
    const engine = recordingEngine();
    const refused = vi.fn();
    const off = registerContractRelay({
      ipcMain,
      isTrusted: (e) => e.sender.id === 1,
      engine,
      refused,
    });
    expect([...handlers.keys()]).toEqual([IPC.call]);
    const ev = (id: number): IpcEventLike => ({
      sender: { id },
      senderFrame: { url: 'file:///x', parent: null },
    });
    expect(await handlers.get(IPC.call)!(ev(1), 'stats.get', {})).toEqual({ ok: true, value: 'stats.get' });
    expect(await handlers.get(IPC.call)!(ev(2), 'stats.get', {})).toMatchObject({
      ok: false,
      error: { code: 'PERMISSION_DENIED' },
    });
    expect(refused).toHaveBeenCalledOnce();
    expect(engine.calls).toHaveLength(1);
    off();
    expect(handlers.size).toBe(0);
  });
});
