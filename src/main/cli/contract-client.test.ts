// The CLI is a thin client of the contract (issue 13, item 5): its writes go through the handlers —
// the same validation as over REST and IPC, then the after-write step — and `sync` covers exactly
// the vCenters the handlers would. The command actions run in-process on a real data folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTRACT, type RequestArgs, type RequestName } from '../../shared/contract.js';
import { createHandlers } from '../engine/api.js';
import { Engine } from '../engine/engine.js';
import { makeDefault } from './actions/account.js';
import { sync } from './actions/sync.js';
import { add } from './actions/vcenter.js';

const KEY = 'ab'.repeat(32);
let dir: string;
let savedKey: string | undefined;

async function withTestEngine(
  fn: (
    call: <K extends RequestName>(n: K, a: RequestArgs<K>) => Promise<unknown>,
    e: Engine,
  ) => Promise<void>,
): Promise<void> {
  const engine = await Engine.open({
    dataDir: dir,
    owner: 'test',
    vaultBackend: 'env',
    onWarning: () => undefined,
  });
  try {
    const h = createHandlers(engine);
    await fn(async (name, args) => {
      const handler = h[name] as (a: unknown) => Promise<unknown>;
      return handler(CONTRACT[name].args.parse(args));
    }, engine);
  } finally {
    engine.close();
  }
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-cli-contract-'));
  savedKey = process.env['VMINER_SECRET_KEY'];
  process.env['VMINER_SECRET_KEY'] = KEY;
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  await withTestEngine(async (call) => {
    await call('accounts.add', { name: 'corp', username: 'svc-ro@corp', password: 'Pw#corp1' });
    await call('accounts.add', { name: 'lab', username: 'svc-lab@corp', password: 'Pw#lab22' });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  if (savedKey === undefined) delete process.env['VMINER_SECRET_KEY'];
  else process.env['VMINER_SECRET_KEY'] = savedKey;
  process.exitCode = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the CLI writes through the contract handlers', () => {
  it('account default: the handler, then the after-write step', async () => {
    const after = vi.spyOn(Engine.prototype, 'reconfigured');
    await makeDefault('lab', { dataDir: dir });
    expect(after).toHaveBeenCalled();
    await withTestEngine(async (_call, engine) => {
      expect(engine.accounts.list().find((a) => a.isDefault)?.name).toBe('lab');
    });
  });

  it('vcenter add: the contract checks what it is given, as over REST; a saved vCenter is followed by the after-write step', async () => {
    const after = vi.spyOn(Engine.prototype, 'reconfigured');
    const opts = {
      dataDir: dir,
      url: 'https://vc1.corp.example/sdk',
      serviceAccount: true as const,
      skipCheck: true,
      thumbprint: 'AB'.repeat(32),
    };
    // REST refuses a site of 101 characters: so does the CLI now, with the same words.
    await expect(add('vc1', { ...opts, site: 'x'.repeat(101) })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/^vcenters\.add: site: /),
    });
    expect(after).not.toHaveBeenCalled();
    await add('vc1', { ...opts, site: 'Zurich', tags: 'prod, eu' });
    expect(after).toHaveBeenCalled();
    await withTestEngine(async (_call, engine) => {
      expect(engine.vcenters.list()).toMatchObject([
        {
          name: 'vc1',
          site: 'Zurich',
          tags: ['prod', 'eu'],
          credential: { kind: 'service', accountId: null },
        },
      ]);
    });
  });
});

describe('vminer sync', () => {
  it('counts what the handlers sync: retired vCenters are not "vCenters to sync"', async () => {
    await withTestEngine(async (call, engine) => {
      await call('vcenters.add', {
        name: 'gone',
        url: 'https://127.0.0.1:9/sdk',
        credential: { kind: 'service' },
        thumbprint: 'CD'.repeat(32),
      });
      engine.database.sqlite.prepare(`UPDATE vcenters SET retired_at = '2026-01-01T00:00:00Z'`).run();
      expect(engine.syncableIds()).toEqual([]);
    });
    await expect(sync([], { dataDir: dir })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/no vCenters to sync/),
    });
  });
});
