import { describe, expect, it } from 'vitest';
import type { Handlers } from './contract.js';
import { checkCall, dispatch, type Transport } from './dispatch.js';

/** Handlers that answer their own name, or throw what a test gives them. */
function handlers(thrown?: unknown): Handlers {
  return new Proxy({} as Handlers, {
    get: (_t, name) => async () => {
      if (thrown) throw thrown;
      return String(name);
    },
  });
}

const TRANSPORTS: Transport[] = ['http', 'ipc', 'local'];

describe('checkCall: the one set of checks for every transport', () => {
  it('refuses unknown names alike everywhere, including Object.prototype’s', () => {
    for (const transport of TRANSPORTS)
      for (const name of ['fs.readFile', 'constructor', '__proto__', 42, undefined]) {
        const r = checkCall(name, {}, { role: 'admin', transport });
        expect(r.ok === false && r.error.code, `${transport} ${String(name)}`).toBe('NOT_FOUND');
      }
  });

  it('calls that take local paths are made only locally', () => {
    const args = { path: '/tmp/x.csv', format: 'csv', entity: 'vms' };
    for (const transport of ['http', 'ipc'] as const) {
      const r = checkCall('export.toFile', args, { role: 'admin', transport });
      expect(r.ok === false && r.error.code).toBe('NOT_FOUND');
    }
    expect(checkCall('export.toFile', args, { role: 'admin', transport: 'local' }).ok).toBe(true);
  });

  it('roles: a viewer may read, never an admin call', () => {
    const viewer = { role: 'viewer', transport: 'http' } as const;
    expect(checkCall('query.ask', { question: 'count vms' }, viewer).ok).toBe(true);
    for (const [name, args] of [
      ['vcenters.probe', { url: 'https://x' }],
      ['sync.start', {}],
      ['engine.info', {}],
    ] as const) {
      const r = checkCall(name, args, viewer);
      expect(r.ok === false && r.error).toEqual({
        code: 'PERMISSION_DENIED',
        message: `${name} needs an admin account`,
      });
    }
  });

  it('argument errors have one wording', () => {
    const r = checkCall('vcenters.get', { id: -1 }, { role: 'admin', transport: 'ipc' });
    expect(r.ok === false && r.error.code).toBe('INVALID_INPUT');
    expect(r.ok === false && r.error.message).toMatch(/^vcenters\.get: id: /);
  });
});

describe('dispatch', () => {
  it('runs the handler with parsed arguments', async () => {
    expect(await dispatch(handlers(), 'stats.get', undefined, { role: 'viewer', transport: 'http' })).toEqual(
      {
        ok: true,
        value: 'stats.get',
      },
    );
  });

  it('a vault failure keeps its code on every transport (it was INTERNAL over IPC)', async () => {
    const vaultError = Object.assign(new Error('the vault file cannot be written: disk full'), {
      code: 'VAULT_IO',
    });
    for (const transport of TRANSPORTS) {
      const r = await dispatch(handlers(vaultError), 'vcenters.list', {}, { role: 'admin', transport });
      expect(r).toEqual({
        ok: false,
        error: { code: 'VAULT_IO', message: 'the vault file cannot be written: disk full' },
      });
    }
  });

  it('a thrown error without one of our codes is INTERNAL', async () => {
    const r = await dispatch(
      handlers(new TypeError('x is undefined')),
      'vcenters.list',
      {},
      { role: 'admin', transport: 'ipc' },
    );
    expect(r.ok === false && r.error.code).toBe('INTERNAL');
  });
});
