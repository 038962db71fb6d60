// `vminer db migrate` and `vminer db copy` as installed: the built CLI against a real PostgreSQL and
// a cache on disk — what they print, their exit codes, and that the password never rides in the URL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../engine/db/database.js';
import { runBuiltCli } from '../../testing/built-cli.js';
import { populateCache } from '../../testing/generate-inventory.js';
import {
  findPostgresBin,
  startPostgres,
  type RunningPostgres,
  connectAdmin,
  createTeamDatabase,
  pgUrl,
} from '../../testing/postgres.js';
import { EXIT } from './exit-codes.js';

const PW = 'Cli-Pg-Pw-1';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';
let server: RunningPostgres;
let admin: pg.Client;
let dir: string;
const url = (db: string) => pgUrl(server, db);
const vminer = (args: string[], env: Record<string, string> = { PGPASSWORD: PW }, input?: string) =>
  runBuiltCli(args, {
    env: { VMINER_DATABASE_URL: '', PGPASSWORD: '', ...env },
    ...(input ? { input } : {}),
  });

describe.skipIf(NO_PG !== '')(`vminer db migrate / db copy${NO_PG}`, { timeout: 120_000 }, () => {
  beforeAll(async () => {
    server = await startPostgres(PW);
    admin = await connectAdmin(server);
    for (const db of ['team', 'team2']) await createTeamDatabase(admin, db);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-db-pg-cli-'));
    const db = openDatabase(dir);
    populateCache(db, { vcenters: 2, vmsTotal: 40, hostsTotal: 4, datastoresTotal: 2, seed: 9 });
    db.close();
  });
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('migrate prints what it applied, then that nothing is left; VMINER_DATABASE_URL works as --database', () => {
    const first = vminer(['db', 'migrate', '--database', url('team')]);
    expect(first.code, first.stderr).toBe(EXIT.ok);
    expect(first.stdout).toMatch(
      /^Applied 5 migration\(s\) to postgres:\/\/vminer_admin@127\.0\.0\.1:\d+\/team:\n {2}0000_extensions\n {2}0001_schema\n {2}0002_nulls_first_indexes\n {2}0003_vault\n {2}0004_team_leader\n$/,
    );
    const again = vminer(['db', 'migrate', '--json'], { PGPASSWORD: PW, VMINER_DATABASE_URL: url('team') });
    expect(again.code, again.stderr).toBe(EXIT.ok);
    expect(JSON.parse(again.stdout)).toMatchObject({ applied: [], total: 5, warnings: [] });
  });

  it('migrate on the data folder applies the SQLite migrations (none left on a fresh cache)', () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-db-pg-cli-fresh-'));
    try {
      const r = vminer(['db', 'migrate', '--data-dir', fresh, '--json'], {});
      expect(r.code, r.stderr).toBe(EXIT.ok);
      const out = JSON.parse(r.stdout) as { applied: string[]; total: number };
      expect(out.applied[0]).toBe('0000_init');
      expect(out.applied).toHaveLength(out.total);
      const again = vminer(['db', 'migrate', '--data-dir', fresh], {});
      expect(again.stdout).toMatch(
        /vminer\.db is up to date \(\d+ migrations applied before\); nothing to do\./,
      );
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('copy prints the rows per table, says the passwords stayed behind, and refuses a second copy without --replace', () => {
    const r = vminer(['db', 'copy', '--from', `sqlite:${dir}`, '--to', url('team')]);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^Copied .*vminer\.db to postgres:\/\/vminer_admin@127\.0\.0\.1:\d+\/team:\n/);
    expect(r.stdout).toMatch(/\nvms\s+40\n/);
    expect(r.stdout).toMatch(/rows in \d+ tables; every count matches the cache\./);
    expect(r.stdout).toMatch(/Passwords .* were not copied: they stay in this machine's vault/);
    const twice = vminer(['db', 'copy', '--from', `sqlite:${dir}`, '--to', url('team'), '--json']);
    expect(twice.code).toBe(EXIT.failed);
    expect(JSON.parse(twice.stdout)).toEqual({
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/already holds data .*add --replace/) },
    });
    const replaced = vminer([
      'db',
      'copy',
      '--from',
      `sqlite:${dir}`,
      '--to',
      url('team'),
      '--replace',
      '--json',
    ]);
    expect(replaced.code, replaced.stderr).toBe(EXIT.ok);
    const out = JSON.parse(replaced.stdout) as {
      replaced: boolean;
      secretsCopied: boolean;
      tables: { table: string; rows: number }[];
    };
    expect(out).toMatchObject({ replaced: true, secretsCopied: false });
    expect(out.tables.find((t) => t.table === 'vms')!.rows).toBe(40);
  });

  it('copy --with-passwords moves the vCenter passwords into the team vault, encrypted with VMINER_SECRET_KEY', async () => {
    const desk = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-db-pg-desk-'));
    try {
      const db = openDatabase(desk);
      populateCache(db, { vcenters: 2, vmsTotal: 10, hostsTotal: 2, datastoresTotal: 1, seed: 4 });
      db.close();
      // The desktop's vault has its own key file; the team vault's key comes from VMINER_SECRET_KEY.
      const { CredentialVault } = await import('../engine/secrets/index.js');
      const deskVault = await CredentialVault.open({
        dataDir: desk,
        backend: 'file',
        onWarning: () => undefined,
      });
      await deskVault.set('vcenter:1', 'Vc-One-Pw!');
      await deskVault.set('vcenter:2', 'Vc-Two-Pw!');
      await deskVault.set('rest:jwt-secret', 'desktop-signing-secret');
      await createTeamDatabase(admin, 'team3');
      expect(vminer(['db', 'migrate', '--database', url('team3')]).code).toBe(EXIT.ok);
      const noKey = vminer([
        'db',
        'copy',
        '--from',
        `sqlite:${desk}`,
        '--to',
        url('team3'),
        '--with-passwords',
      ]);
      expect(noKey.code).toBe(EXIT.failed);
      expect(noKey.stderr).toMatch(/VMINER_SECRET_KEY, which is not set/);
      const key = 'd'.repeat(64);
      const r = vminer(
        ['db', 'copy', '--from', `sqlite:${desk}`, '--to', url('team3'), '--with-passwords', '--json'],
        {
          PGPASSWORD: PW,
          VMINER_SECRET_KEY: key,
        },
      );
      expect(r.code, r.stderr).toBe(EXIT.ok);
      expect(JSON.parse(r.stdout)).toMatchObject({ secretsCopied: true, passwords: 2 });
      const { pgTarget } = await import('../engine/team/pg-connection.js');
      const { PgCredentialVault } = await import('../engine/team/pg-vault.js');
      const team = await PgCredentialVault.open({
        target: pgTarget(url('team3'), { password: PW }),
        env: { VMINER_SECRET_KEY: key },
        refreshMs: 0,
      });
      try {
        expect(team.list()).toEqual(['vcenter:1', 'vcenter:2']);
        expect(team.get('vcenter:2')).toBe('Vc-Two-Pw!');
      } finally {
        await team.close();
      }
      const c = await connectAdmin(server, 'team3');
      const stored = (await c.query<{ content: string }>('SELECT content FROM vault')).rows[0]!.content;
      await c.end();
      expect(stored).not.toContain('Vc-One-Pw!');
    } finally {
      fs.rmSync(desk, { recursive: true, force: true });
    }
  });

  it('takes the password from the vault when PGPASSWORD is not set (vminer db password)', () => {
    const vaultDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-db-pg-vault-'));
    const env = { VMINER_SECRET_KEY: 'c'.repeat(64) };
    try {
      const before = vminer(['db', 'migrate', '--database', url('team'), '--data-dir', vaultDir], env);
      expect(before.code).toBe(EXIT.failed);
      expect(before.stderr).toMatch(
        /asks for the password of "vminer_admin" and none was found: set PGPASSWORD, store it with `vminer db password --database postgres:/,
      );
      const stored = vminer(
        ['db', 'password', '--database', url('team'), '--password-stdin', '--data-dir', vaultDir],
        env,
        `${PW}\n`,
      );
      expect(stored.code, stored.stderr).toBe(EXIT.ok);
      expect(stored.stdout).toMatch(
        /^Stored the password of postgres:\/\/vminer_admin@127\.0\.0\.1:\d+\/team in the vault/,
      );
      expect(fs.readFileSync(path.join(vaultDir, 'credentials.vault'), 'utf8')).not.toContain(PW);
      const after = vminer(['db', 'migrate', '--database', url('team'), '--data-dir', vaultDir], env);
      expect(after.code, after.stderr).toBe(EXIT.ok);
      expect(after.stdout).toMatch(/is up to date/);
      const removed = vminer(
        ['db', 'password', '--database', url('team'), '--remove', '--data-dir', vaultDir],
        env,
      );
      expect(removed.stdout).toMatch(/^Removed the password of /);
    } finally {
      fs.rmSync(vaultDir, { recursive: true, force: true });
    }
  });

  it('fails with the documented exit codes and actionable words', () => {
    const noPw = vminer(['db', 'migrate', '--database', url('team2')], { PGPASSWORD: 'wrong' });
    expect(noPw.code).toBe(EXIT.failed);
    expect(noPw.stderr).toMatch(
      /^error: PostgreSQL refused the password of "vminer_admin" at postgres:\/\/.*PGPASSWORD/,
    );
    const inUrl = vminer(['db', 'migrate', '--database', `postgres://u:secret@127.0.0.1/db`]);
    expect(inUrl.code).toBe(EXIT.failed);
    expect(inUrl.stderr).toMatch(
      /the database URL holds a password: remove it from the URL and set PGPASSWORD/,
    );
    const notMigrated = vminer(['db', 'copy', '--from', `sqlite:${dir}`, '--to', url('team2'), '--json']);
    expect(notMigrated.code).toBe(EXIT.failed);
    expect(JSON.parse(notMigrated.stdout).error.message).toMatch(
      /is not migrated .*vminer db migrate --database/,
    );
    const noTarget = vminer(['db', 'copy', '--from', `sqlite:${dir}`]);
    expect(noTarget.code).toBe(EXIT.failed);
    expect(noTarget.stderr).toMatch(/say where to copy to: --to postgres:\/\//);
    const noFrom = vminer(['db', 'copy', '--to', url('team')]);
    expect(noFrom.code).toBe(EXIT.usage);
    expect(noFrom.stderr).toMatch(/--from <sqlite:path>/);
  });
});
