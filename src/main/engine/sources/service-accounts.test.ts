import { openTestEngine } from '../../../testing/engine.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VminerError } from '../../../shared/errors.js';
import { CONTRACT } from '../../../shared/contract.js';
import { createHandlers } from '../api.js';
import { Engine } from '../engine.js';
import type { CollectOptions } from '../vsphere/collect.js';

let dataDir: string;
let engine: Engine;
let seen: { url: string; user: string; password: string }[];

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-accounts-'));
  seen = [];
  engine = await openTestEngine(dataDir, {
    // The real sync engine runs; only the vSphere read is replaced, to see which login it was given.
    collect: async (o: CollectOptions) => {
      seen.push({ url: o.url, user: o.user, password: o.password });
      throw new VminerError('REFUSED', `${o.url}: refused (test)`);
    },
  });
});

afterEach(() => {
  engine.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const call = async <K extends keyof typeof CONTRACT>(name: K, args: unknown): Promise<unknown> => {
  const h = createHandlers(engine)[name] as (a: unknown) => Promise<unknown>;
  return h((CONTRACT[name].args as { parse(v: unknown): unknown }).parse(args));
};

describe('service accounts', () => {
  it('a default account serves many vCenters, a per-vCenter override wins, and an own account still works', async () => {
    await call('accounts.add', { name: 'corp', username: 'svc-ro@corp', password: 'Default#Pw1' });
    const other = (await call('accounts.add', {
      name: 'lab',
      username: 'svc-lab@vsphere.local',
      password: 'Lab#Pw2',
    })) as { id: number; isDefault: boolean };
    expect(other.isDefault).toBe(false);

    await call('vcenters.add', { name: 'vc1', url: 'vc1.test', credential: { kind: 'service' } });
    await call('vcenters.add', { name: 'vc2', url: 'vc2.test', credential: { kind: 'service' } });
    await call('vcenters.add', {
      name: 'vc3',
      url: 'vc3.test',
      credential: { kind: 'service', accountId: other.id },
    });
    await call('vcenters.add', { name: 'vc4', url: 'vc4.test', username: 'me', password: 'Own#Pw3' });

    const list = engine.vcenters.list();
    expect(list.map((v) => [v.name, v.username, v.credential])).toEqual([
      ['vc1', 'svc-ro@corp', { kind: 'service', accountId: null, account: 'corp' }],
      ['vc2', 'svc-ro@corp', { kind: 'service', accountId: null, account: 'corp' }],
      ['vc3', 'svc-lab@vsphere.local', { kind: 'service', accountId: other.id, account: 'lab' }],
      ['vc4', 'me', { kind: 'own' }],
    ]);
    const accounts = (await call('accounts.list', {})) as { name: string; usedBy: number }[];
    expect(accounts.map((a) => [a.name, a.usedBy])).toEqual([
      ['corp', 2],
      ['lab', 1],
    ]);

    await engine.sync.sync();
    const byHost = new Map(seen.map((s) => [new URL(s.url).hostname, `${s.user}/${s.password}`]));
    expect(Object.fromEntries(byHost)).toEqual({
      'vc1.test': 'svc-ro@corp/Default#Pw1',
      'vc2.test': 'svc-ro@corp/Default#Pw1',
      'vc3.test': 'svc-lab@vsphere.local/Lab#Pw2',
      'vc4.test': 'me/Own#Pw3',
    });

    // Changing the default moves every vCenter that names no account, and only those.
    await call('accounts.update', { id: other.id, isDefault: true });
    await call('accounts.update', { id: 1, password: 'Rotated#Pw4' });
    const vc2 = engine.vcenters.findByName('vc2')!;
    await call('vcenters.update', { id: vc2.id, credential: { kind: 'service', accountId: 1 } });
    seen = [];
    await engine.sync.sync();
    expect(Object.fromEntries(seen.map((s) => [new URL(s.url).hostname, `${s.user}/${s.password}`]))).toEqual(
      {
        'vc1.test': 'svc-lab@vsphere.local/Lab#Pw2',
        'vc2.test': 'svc-ro@corp/Rotated#Pw4',
        'vc3.test': 'svc-lab@vsphere.local/Lab#Pw2',
        'vc4.test': 'me/Own#Pw3',
      },
    );
  });

  it('refuses to remove an account in use, and names a missing default clearly', async () => {
    await call('vcenters.add', { name: 'vc1', url: 'vc1.test', credential: { kind: 'service' } });
    await engine.sync.sync();
    const failed = engine.vcenters.list()[0]!.sync;
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('LOGIN_FAILED');
    expect(failed.error?.message).toMatch(/default service account, but none is set/);
    expect(seen).toEqual([]);

    const a = (await call('accounts.add', { name: 'corp', username: 'u', password: 'Pw#12345' })) as {
      id: number;
      isDefault: boolean;
    };
    expect(a.isDefault).toBe(true);
    await expect(call('accounts.remove', { id: a.id })).rejects.toThrow(/used by 1 vCenter/);
    expect(engine.vault.get(`account:${a.id}`)).toBe('Pw#12345');

    const vc = engine.vcenters.findByName('vc1')!;
    await expect(call('vcenters.update', { id: vc.id, credential: { kind: 'own' } })).rejects.toThrow(
      /own username and password/,
    );
    await call('vcenters.update', {
      id: vc.id,
      credential: { kind: 'own' },
      username: 'x',
      password: 'Own#999',
    });
    await call('accounts.remove', { id: a.id });
    expect(engine.vault.get(`account:${a.id}`)).toBeUndefined();
    expect(engine.accounts.list()).toEqual([]);
  });

  it('validates the add request: a service-account vCenter takes no password of its own', () => {
    const parse = (v: unknown) => CONTRACT['vcenters.add'].args.safeParse(v).success;
    expect(parse({ name: 'a', url: 'a', credential: { kind: 'service' } })).toBe(true);
    expect(parse({ name: 'a', url: 'a', credential: { kind: 'service' }, password: 'x' })).toBe(false);
    expect(parse({ name: 'a', url: 'a' })).toBe(false);
    expect(parse({ name: 'a', url: 'a', username: 'u', password: 'p' })).toBe(true);
  });
});
