// `vminer db copy`'s engine: a cache synced from a vCenter simulator lands in a real PostgreSQL row
// for row (same values after the type mapping), all or nothing, and bad input is refused by name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestEngine } from '../../../../testing/engine.js';
import {
  findPostgresBin,
  startPostgres,
  type RunningPostgres,
  connectAdmin,
  createTeamDatabase,
  serverTarget,
} from '../../../../testing/postgres.js';
import { startSimulator, stopAll } from '../../../../testing/vcsim.js';
import { pgTarget } from '../../team/pg-connection.js';
import { DB_FILE } from '../../data-files.js';
import { copyPlan, copyToPostgres } from './copy.js';
import { migratePostgres } from './migrate.js';

const PW = 'Copy-Pw-1';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';
let server: RunningPostgres;
let admin: pg.Client;
let dataDir: string;
const dirs: string[] = [];
let dbs = 0;

const int8 = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const connect = (database: string): Promise<pg.Client> => connectAdmin(server, database, { types: int8 });

/** A fresh database with the C locale; migrated unless asked otherwise. */
async function database(migrated = true): Promise<{ name: string; target: ReturnType<typeof pgTarget> }> {
  const name = `copy${++dbs}`;
  await createTeamDatabase(admin, name);
  const target = serverTarget(server, name);
  if (migrated) await migratePostgres(target);
  return { name, target };
}

/** A value as both sides should agree on it: booleans as 0/1 (SQLite's own form). */
const norm = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
const key = (row: unknown[]) => JSON.stringify(row.map(norm));

describe.skipIf(NO_PG !== '')(`db copy into a real PostgreSQL${NO_PG}`, { timeout: 180_000 }, () => {
  beforeAll(async () => {
    server = await startPostgres(PW);
    admin = await connect('postgres');
    const sim = await startSimulator({
      seed: 7,
      vms: 14,
      clusters: 2,
      hostsPerCluster: 2,
      datastores: 2,
      portgroups: 2,
      user: 'copy-ro',
      password: 'copy-secret',
    });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-copy-'));
    dirs.push(dataDir);
    const e = await openTestEngine(dataDir);
    const vc = e.vcenters.add({
      name: 'vc-copy',
      url: sim.url,
      username: 'copy-ro',
      thumbprint: sim.thumbprintSha256,
      caPem: null,
    });
    await e.setPassword(vc.id, 'copy-secret');
    expect((await e.sync.sync()).results[0]!.status).toBe('ok');
    // Configuration the sync does not write: a service account, a user, a revoked token.
    const s = e.database.sqlite;
    s.prepare(
      `INSERT INTO service_accounts (name, username, is_default, created_at) VALUES ('corp', 'svc@corp', 1, '2026-01-02T03:04:05.000Z')`,
    ).run();
    s.prepare(
      `INSERT INTO users (username, password_hash, role, created_at, token_version) VALUES ('ops', 'scrypt$x', 'viewer', '2026-01-02T03:04:05.000Z', 3)`,
    ).run();
    s.prepare(`INSERT INTO revoked_tokens (jti, expires_at) VALUES ('j1', 4102444800)`).run();
    await e.shutdown();
    e.close();
    await sim.stop();
  });
  afterAll(async () => {
    await stopAll();
    await admin?.end();
    await server?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('copies every table row for row, with the counts per table, and moves the id sequences on', async () => {
    const { name, target } = await database();
    const seen: string[] = [];
    const r = await copyToPostgres({ from: `sqlite:${dataDir}`, target, onTable: (t) => seen.push(t) });
    const plan = copyPlan();
    expect(r.tables.map((t) => t.table)).toEqual(plan.map((t) => t.table));
    expect(seen).toEqual(plan.map((t) => t.table));
    const lite = new Database(path.join(dataDir, DB_FILE), { readonly: true });
    const db = await connect(name);
    try {
      for (const t of plan) {
        const liteRows = (
          lite
            .prepare(
              `SELECT ${t.columns.map((c) => (c.sqlite === 'rowid' ? 'rowid' : `"${c.sqlite}"`)).join(', ')} FROM "${t.from}"`,
            )
            .raw(true)
            .all() as unknown[][]
        )
          .map(key)
          .sort();
        const pgRows = (
          await db.query({
            text: `SELECT ${t.columns.map((c) => `"${c.pg}"`).join(', ')} FROM "${t.table}"`,
            rowMode: 'array',
          })
        ).rows
          .map((row: unknown[]) => key(row))
          .sort();
        expect(pgRows, t.table).toEqual(liteRows);
        expect(r.tables.find((x) => x.table === t.table)!.rows, t.table).toBe(liteRows.length);
      }
      const rows = Object.fromEntries(r.tables.map((t) => [t.table, t.rows]));
      for (const t of [
        'vcenters',
        'vms',
        'hosts',
        'clusters',
        'datastores',
        'networks',
        'vm_disks',
        'vm_nics',
        'changes',
        'search_index',
        'sync_state',
        'service_accounts',
        'users',
        'revoked_tokens',
      ])
        expect(rows[t], t).toBeGreaterThan(0);
      // Analyzed at once: the planner knows the copied tables before autovacuum gets to them.
      const unanalyzed = await db.query<{ relname: string }>(
        `SELECT relname FROM pg_stat_user_tables WHERE relname = ANY($1) AND last_analyze IS NULL`,
        [plan.map((t) => t.table)],
      );
      expect(unanalyzed.rows.map((x) => x.relname)).toEqual([]);
      // Booleans are booleans, sizes bigints read back whole.
      const vm = (await db.query(`SELECT template, provisioned_bytes FROM vms LIMIT 1`)).rows[0] as {
        template: unknown;
        provisioned_bytes: unknown;
      };
      expect(typeof vm.template).toBe('boolean');
      // The identity sequences continue after the copied ids.
      const maxId = (await db.query<{ m: number }>(`SELECT max(id) AS m FROM changes`)).rows[0]!.m;
      const next = await db.query<{ id: number }>(
        `INSERT INTO changes (at, vcenter_id, vcenter, entity, moid, kind, source) VALUES ('2026-01-01', 1, 'vc', 'vms', 'vm-1', 'created', 'sync') RETURNING id`,
      );
      expect(next.rows[0]!.id).toBe(maxId + 1);
      const acct = await db.query<{ id: number }>(
        `INSERT INTO service_accounts (name, username, created_at) VALUES ('x', 'y', 'z') RETURNING id`,
      );
      expect(acct.rows[0]!.id).toBe(2);
      // Case-insensitive uniqueness holds as in SQLite (lower() index for COLLATE NOCASE).
      await expect(
        db.query(`INSERT INTO users (username, password_hash, created_at) VALUES ('OPS', 'h', 'z')`),
      ).rejects.toThrow(/users_username_uq/);
    } finally {
      lite.close();
      await db.end();
    }
  });

  it('refuses a target that holds data unless --replace, which gives the same copy', async () => {
    const { name, target } = await database();
    const first = await copyToPostgres({ from: `sqlite:${path.join(dataDir, DB_FILE)}`, target });
    await expect(copyToPostgres({ from: `sqlite:${dataDir}`, target })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/already holds data \(.*vcenters.*\): add --replace/),
    });
    const again = await copyToPostgres({ from: `sqlite:${dataDir}`, target, replace: true });
    expect(again.replaced).toBe(true);
    expect(again.tables).toEqual(first.tables);
    const db = await connect(name);
    try {
      // RESTART IDENTITY, then the copied ids: the sequence again follows them.
      const r = await db.query<{ id: number }>(
        `INSERT INTO users (username, password_hash, created_at) VALUES ('new', 'h', 'z') RETURNING id`,
      );
      expect(r.rows[0]!.id).toBe(2);
    } finally {
      await db.end();
    }
  });

  it('keeps nothing when a row fails half-way (one transaction)', async () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-copy-bad-'));
    dirs.push(bad);
    fs.copyFileSync(path.join(dataDir, DB_FILE), path.join(bad, DB_FILE));
    const s = new Database(path.join(bad, DB_FILE));
    // PostgreSQL's text cannot hold NUL; SQLite's can. The changes table comes late in the plan.
    s.prepare(`UPDATE changes SET new_value = ? WHERE id = (SELECT max(id) FROM changes)`).run('a\u0000b');
    s.close();
    const { name, target } = await database();
    await expect(copyToPostgres({ from: `sqlite:${bad}`, target })).rejects.toMatchObject({
      code: 'QUERY_FAILED',
      message: expect.stringMatching(/copying changes \(rows \d+–\d+\) failed: .*nothing was kept/),
    });
    const db = await connect(name);
    try {
      for (const t of ['vcenters', 'vms', 'changes'])
        expect((await db.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0], t).toEqual({ n: 0 });
    } finally {
      await db.end();
    }
  });

  it('refuses a missing file, a file that is not a vMiner cache, and a target that is not migrated', async () => {
    const { target } = await database();
    await expect(copyToPostgres({ from: `sqlite:/nonexistent/vminer`, target })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/no vMiner cache at \/nonexistent\/vminer/),
    });
    await expect(copyToPostgres({ from: dataDir, target })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/--from takes sqlite:PATH/),
    });
    const junk = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-copy-junk-'));
    dirs.push(junk);
    fs.writeFileSync(
      path.join(junk, 'notes.txt'),
      'just some text, long enough to have a header of 100 bytes '.repeat(4),
    );
    await expect(
      copyToPostgres({ from: `sqlite:${path.join(junk, 'notes.txt')}`, target }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/notes\.txt is not a vMiner cache/),
    });
    const other = new Database(path.join(junk, 'other.db'));
    other.exec('CREATE TABLE t (x)');
    other.close();
    await expect(
      copyToPostgres({ from: `sqlite:${path.join(junk, 'other.db')}`, target }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/other\.db is a SQLite database but not a vMiner cache/),
    });
    const bare = await database(false);
    await expect(copyToPostgres({ from: `sqlite:${dataDir}`, target: bare.target })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(
        /is not migrated \(\d+ migration\(s\) missing\): run `vminer db migrate --database postgres:\/\//,
      ),
    });
  });
});
