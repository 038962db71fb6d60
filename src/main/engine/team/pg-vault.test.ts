// The team vault on a real PostgreSQL: encrypted at rest with VMINER_SECRET_KEY, shared by several
// instances without lost writes, and every wrong set-up refused with what to do, the row untouched.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  findPostgresBin,
  startPostgres,
  type RunningPostgres,
  connectAdmin,
  createTeamDatabase,
  serverTarget,
} from '../../../testing/postgres.js';
import { migratePostgres } from '../db/pg/migrate.js';
import { pgTarget, type PgTarget } from './pg-connection.js';
import { PgCredentialVault } from './pg-vault.js';

const PW = 'Vault-Pw-1';
const RAW = 'a'.repeat(16) + 'b'.repeat(16) + 'c'.repeat(16) + '0123456789abcdef';
const PASSPHRASE = 'correct horse battery staple';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';
let server: RunningPostgres;
let admin: pg.Client;
let dbs = 0;
const open: PgCredentialVault[] = [];

async function database(migrated = true): Promise<{ name: string; target: PgTarget }> {
  const name = `vault${++dbs}`;
  await createTeamDatabase(admin, name);
  const target = serverTarget(server, name);
  if (migrated) await migratePostgres(target);
  return { name, target };
}

async function vault(target: PgTarget, key: string, refreshMs = 0): Promise<PgCredentialVault> {
  const v = await PgCredentialVault.open({ target, env: { VMINER_SECRET_KEY: key }, refreshMs });
  open.push(v);
  return v;
}

async function rowOf(name: string): Promise<{ content: string; version: string } | undefined> {
  const c = await connectAdmin(server, name);
  try {
    return (await c.query<{ content: string; version: string }>('SELECT content, version FROM vault'))
      .rows[0];
  } finally {
    await c.end();
  }
}

describe.skipIf(NO_PG !== '')(`the team vault on PostgreSQL${NO_PG}`, { timeout: 60_000 }, () => {
  beforeAll(async () => {
    server = await startPostgres(PW);
    admin = await connectAdmin(server);
  });
  afterAll(async () => {
    for (const v of open) await v.close().catch(() => undefined);
    await admin?.end();
    await server?.stop();
  });

  it('stores secrets encrypted: the row never holds them in clear, another instance reads them', async () => {
    const { name, target } = await database();
    const a = await vault(target, RAW);
    expect(a.list()).toEqual([]);
    await a.set('vcenter:1', 'Pa55-w0rd-vc-01');
    await a.set('database:x', 'db-secret-ZZ');
    expect(a.get('vcenter:1')).toBe('Pa55-w0rd-vc-01');
    const row = await rowOf(name);
    expect(row?.content).toContain('"cipher":"aes-256-gcm"');
    expect(row?.content).not.toContain('Pa55-w0rd-vc-01');
    expect(row?.content).not.toContain('db-secret-ZZ');
    expect(row?.content).not.toContain(Buffer.from('Pa55-w0rd-vc-01').toString('base64'));
    expect(row?.version).toBe('3');

    const b = await vault(target, RAW);
    expect(b.list()).toEqual(['database:x', 'vcenter:1']);
    expect(b.get('database:x')).toBe('db-secret-ZZ');
    expect(await b.delete('database:x')).toBe(true);
    expect(await b.delete('database:x')).toBe(false);
    // a still has it until it looks again; refresh() picks the change up.
    expect(a.get('database:x')).toBe('db-secret-ZZ');
    await a.refresh();
    expect(a.get('database:x')).toBeUndefined();
    expect(a.list()).toEqual(['vcenter:1']);
  });

  it('loses no write when instances write at once', async () => {
    const { target } = await database();
    const [a, b, c] = [await vault(target, RAW), await vault(target, RAW), await vault(target, RAW)];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => [a, b, c][i % 3]!.set(`vcenter:${i}`, `secret-${i}`)),
    );
    const d = await vault(target, RAW);
    expect(d.list()).toHaveLength(30);
    for (let i = 0; i < 30; i++) expect(d.get(`vcenter:${i}`)).toBe(`secret-${i}`);
    // Each writer saw everything stored before its last write, and catches up on the rest.
    await Promise.all([a.refresh(), b.refresh(), c.refresh()]);
    for (const v of [a, b, c]) expect(v.list()).toEqual(d.list());
  });

  it('notices another instance’s writes by itself', async () => {
    const { target } = await database();
    const a = await vault(target, RAW, 50);
    const b = await vault(target, RAW);
    await b.set('source:7', 'from-b');
    await vi.waitFor(() => expect(a.get('source:7')).toBe('from-b'), { timeout: 5000, interval: 25 });
  });

  it('works from a passphrase: the salt travels in the row, so every instance derives the same key', async () => {
    const { name, target } = await database();
    const a = await vault(target, PASSPHRASE);
    await a.set('vcenter:9', 'pp-secret');
    expect((await rowOf(name))?.content).toMatch(/"kdf":\{"name":"scrypt"/);
    const b = await vault(target, PASSPHRASE);
    expect(b.get('vcenter:9')).toBe('pp-secret');
  });

  it('refuses a missing, short, different or other-kind key, and leaves the row as it was', async () => {
    const { name, target } = await database();
    const a = await vault(target, RAW);
    await a.set('vcenter:1', 'keep-me');
    const before = await rowOf(name);

    await expect(PgCredentialVault.open({ target, env: {} })).rejects.toMatchObject({
      code: 'VAULT_KEY_MISSING',
      message: expect.stringMatching(/VMINER_SECRET_KEY, which is not set.*same value/),
    });
    await expect(
      PgCredentialVault.open({ target, env: { VMINER_SECRET_KEY: 'short' } }),
    ).rejects.toMatchObject({
      code: 'VAULT_KEY_INVALID',
    });
    await expect(
      PgCredentialVault.open({ target, env: { VMINER_SECRET_KEY: 'f'.repeat(64) }, refreshMs: 0 }),
    ).rejects.toMatchObject({
      code: 'VAULT_KEY_MISMATCH',
      message: expect.stringMatching(/not the key it was encrypted with.*not modified/),
    });
    await expect(
      PgCredentialVault.open({ target, env: { VMINER_SECRET_KEY: PASSPHRASE }, refreshMs: 0 }),
    ).rejects.toMatchObject({
      code: 'VAULT_KEY_MISMATCH',
      message: expect.stringMatching(/is a passphrase, but the vault was created with a raw key/),
    });
    expect(await rowOf(name)).toEqual(before);
    expect((await vault(target, RAW)).get('vcenter:1')).toBe('keep-me');
  });

  it('says to migrate when the database has no vault table, and names a wrong password', async () => {
    const { target } = await database(false);
    await expect(
      PgCredentialVault.open({ target, env: { VMINER_SECRET_KEY: RAW }, refreshMs: 0 }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/no vault table.*vminer db migrate/),
    });
    const wrong = pgTarget(target.display, { password: 'wrong' });
    await expect(
      PgCredentialVault.open({ target: wrong, env: { VMINER_SECRET_KEY: RAW }, refreshMs: 0 }),
    ).rejects.toMatchObject({ code: 'LOGIN_FAILED' });
  });

  it('validates ids and secrets like the file vault', async () => {
    const { target } = await database();
    const a = await vault(target, RAW);
    await expect(a.set('', 'x')).rejects.toThrow(RangeError);
    await expect(a.set('vcenter:1', 'x'.repeat(64 * 1024 + 1))).rejects.toThrow(/longer than/);
    await expect(a.set('vcenter:1', '\ud800')).rejects.toThrow(/surrogate/);
    expect(a.list()).toEqual([]);
  });
});
