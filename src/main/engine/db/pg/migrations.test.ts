// The committed PostgreSQL migrations create exactly the derived schema in a real PostgreSQL: a
// table, column or index added to schema.ts without `drizzle-kit generate --config
// drizzle.pg.config.ts` fails here. `migratePostgres` is idempotent and its failures say what to do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { is, SQL, StringChunk } from 'drizzle-orm';
import { getTableConfig, IndexedColumn, PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../testing/net.js';
import {
  findPostgresBin,
  startPostgres,
  type RunningPostgres,
  connectAdmin,
  createTeamDatabase,
  pgUrl,
} from '../../../../testing/postgres.js';
import { pgTarget } from '../../team/pg-connection.js';
import { openDatabase } from '../database.js';
import { migratePostgres, pgJournal } from './migrate.js';
import { derivedTables, searchIndex } from './schema.js';
import { teamTables } from './team-tables.js';
import { ensureLeaderTable } from '../../team/leader-table.js';

const PW = 'Schema-Pw-1';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';
let server: RunningPostgres;
let admin: pg.Client;
const urlOf = (db: string, user = server.user) => pgUrl(server, db, user);
const connect = (database: string): Promise<pg.Client> => connectAdmin(server, database);

/** An index part as PostgreSQL prints it in pg_indexes.indexdef, without quotes or spaces. */
function part(p: unknown): string {
  if (is(p, IndexedColumn) || is(p, PgColumn)) {
    const config = (p as IndexedColumn).indexConfig;
    return `${p.name}${config?.opClass ?? ''}${config?.nulls === 'first' ? ' NULLS FIRST' : ''}`;
  }
  if (is(p, SQL))
    return p.queryChunks
      .map((c) => (is(c, StringChunk) ? c.value.join('') : is(c, PgColumn) ? c.name : ''))
      .join('');
  throw new Error('unexpected index part');
}
const squash = (s: string) => s.replace(/["\s]/g, '').toLowerCase();

function expectedIndexes(t: PgTable): string[] {
  const cfg = getTableConfig(t);
  return cfg.indexes.map(
    (i) =>
      `${i.config.name} ${i.config.unique ? 'unique ' : ''}${i.config.method ?? 'btree'} (${squash(i.config.columns.map(part).join(','))})`,
  );
}

describe.skipIf(NO_PG !== '')(`the PostgreSQL migrations${NO_PG}`, { timeout: 60_000 }, () => {
  beforeAll(async () => {
    server = await startPostgres(PW);
    admin = await connect('postgres');
    await createTeamDatabase(admin, 'vminer');
  });
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });

  it('apply once, then report nothing to do', async () => {
    const target = pgTarget(urlOf('vminer'), { password: PW });
    const first = await migratePostgres(target);
    expect(first.applied).toEqual(pgJournal().map((m) => m.tag));
    expect(first.applied[0]).toBe('0000_extensions');
    expect(first.warnings).toEqual([]);
    const again = await migratePostgres(target);
    expect(again.applied).toEqual([]);
    expect(again.total).toBe(first.applied.length);
  });

  it('create every derived table, column (type, NOT NULL), key and index, and nothing else', async () => {
    const db = await connect('vminer');
    try {
      const tables = [...[...derivedTables.values()].map((d) => d.table), searchIndex, ...teamTables];
      const cols = await db.query<{
        table_name: string;
        column_name: string;
        type: string;
        is_nullable: string;
      }>(
        `SELECT table_name, column_name, format_type(a.atttypid, a.atttypmod) AS type, is_nullable
           FROM information_schema.columns c
           JOIN pg_attribute a ON a.attrelid = format('public.%I', c.table_name)::regclass AND a.attname = c.column_name
          WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
      );
      const actualCols = cols.rows.map(
        (r) =>
          `${r.table_name}.${r.column_name} ${r.type.replace(' with time zone', 'tz').replace(/^timestamp\((\d)\)tz$/, 'timestamptz($1)')}${r.is_nullable === 'NO' ? ' not null' : ''}`,
      );
      const expectedCols = tables
        .flatMap((t) => {
          const cfg = getTableConfig(t);
          const pkCols = new Set(cfg.primaryKeys.flatMap((k) => k.columns.map((c) => c.name)));
          return cfg.columns.map((c) => {
            const type = c
              .getSQLType()
              .replace(/^timestamp ?\((\d)\) with time zone$/, 'timestamptz($1)')
              .replace(/^timestamp with time zone$/, 'timestamptz');
            return `${cfg.name}.${c.name} ${type}${c.notNull || c.primary || pkCols.has(c.name) ? ' not null' : ''}`;
          });
        })
        .sort();
      expect([...actualCols].sort()).toEqual(expectedCols);

      const idx = await db.query<{ tablename: string; indexname: string; indexdef: string }>(
        `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%\\_pk' ORDER BY 1, 2`,
      );
      const actualIdx = idx.rows.map((r) => {
        const m = /^CREATE (UNIQUE )?INDEX \S+ ON \S+ USING (\w+) \((.*)\)$/.exec(r.indexdef)!;
        return `${r.tablename}: ${r.indexname} ${m[1] ? 'unique ' : ''}${m[2]} (${squash(m[3]!)})`;
      });
      const expectedIdx = tables
        .flatMap((t) => expectedIndexes(t).map((i) => `${getTableConfig(t).name}: ${i}`))
        .concat(
          // Single-column primary keys are named <table>_pkey by PostgreSQL.
          tables.flatMap((t) => {
            const cfg = getTableConfig(t);
            const pk = cfg.columns.filter((c) => c.primary);
            return pk.length
              ? [`${cfg.name}: ${cfg.name}_pkey unique btree (${pk.map((c) => c.name).join(',')})`]
              : [];
          }),
        )
        .sort();
      expect(actualIdx.sort()).toEqual(expectedIdx);

      const fks = await db.query<{ def: string; tbl: string }>(
        `SELECT conrelid::regclass::text AS tbl, pg_get_constraintdef(oid) AS def FROM pg_constraint
          WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1, 2`,
      );
      const expectedFks = tables
        .flatMap((t) => {
          const cfg = getTableConfig(t);
          return cfg.foreignKeys.map((f) => {
            const r = f.reference();
            const del =
              f.onDelete && f.onDelete !== 'no action' ? ` ON DELETE ${f.onDelete.toUpperCase()}` : '';
            return `${cfg.name}: FOREIGN KEY (${r.columns.map((c) => c.name).join(', ')}) REFERENCES ${getTableConfig(r.foreignTable).name}(${r.foreignColumns.map((c) => c.name).join(', ')})${del}`;
          });
        })
        .sort();
      expect(fks.rows.map((r) => `${r.tbl}: ${r.def}`).sort()).toEqual(expectedFks);

      const ext = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'`);
      expect(ext.rowCount).toBe(1);
    } finally {
      await db.end();
    }
  });

  it('match the SQLite cache table for table, column for column, index for index', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-pgschema-'));
    const db = await connect('vminer');
    const lite = openDatabase(dir);
    try {
      const liteTables = (
        lite.sqlite
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' AND name NOT LIKE 'search_index_%'",
          )
          .pluck()
          .all() as string[]
      ).sort();
      const teamOnly = new Set<string>(teamTables.map((t) => getTableConfig(t).name));
      const pgTables = (
        await db.query<{ t: string }>(
          `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'`,
        )
      ).rows
        .map((r) => r.t)
        .filter((t) => !teamOnly.has(t))
        .sort();
      expect(pgTables).toEqual(liteTables);
      for (const t of liteTables) {
        const liteCols = (
          lite.sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[]
        ).filter((c) => !(t === 'search_index' && c === 'rowid'));
        const pgCols = (
          await db.query<{ c: string }>(
            `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
            [t],
          )
        ).rows.map((r) => r.c);
        expect(
          pgCols.filter((c) => !(t === 'search_index' && c === 'id')),
          t,
        ).toEqual(liteCols);
        if (t === 'search_index') continue;
        const liteIdx = (
          lite.sqlite
            .prepare(`SELECT name FROM pragma_index_list(?) WHERE origin = 'c'`)
            .pluck()
            .all(t) as string[]
        ).sort();
        const pgIdx = (
          await db.query<{ i: string }>(
            `SELECT indexname AS i FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1 AND indexname NOT LIKE '%\\_pk' AND indexname NOT LIKE '%\\_pkey'`,
            [t],
          )
        ).rows
          .map((r) => r.i)
          .sort();
        expect(pgIdx, t).toEqual(liteIdx);
      }
    } finally {
      lite.close();
      await db.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fail with what to do: wrong password, nothing listening, no database, no right to create pg_trgm', async () => {
    await expect(migratePostgres(pgTarget(urlOf('vminer'), { password: 'wrong' }))).rejects.toMatchObject({
      code: 'LOGIN_FAILED',
      message: expect.stringMatching(/refused the password of "vminer_admin".*PGPASSWORD/),
    });
    const closed = await freePort();
    await expect(
      migratePostgres(pgTarget(`postgres://u@127.0.0.1:${closed}/db`, { password: 'x' })),
    ).rejects.toMatchObject({
      code: 'REFUSED',
      message: expect.stringMatching(/nothing answers at 127\.0\.0\.1:\d+/),
    });
    await expect(migratePostgres(pgTarget(urlOf('nosuchdb'), { password: PW }))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/database "nosuchdb" does not exist.*CREATE DATABASE/),
    });
    // A role that may connect but not create in its database (the extension, the migrations' schema).
    await admin.query(`CREATE ROLE plain LOGIN PASSWORD 'plain-pw'`);
    await createTeamDatabase(admin, 'plaindb');
    const plain = pgTarget(urlOf('plaindb', 'plain'), { password: 'plain-pw' });
    await expect(migratePostgres(plain)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: expect.stringMatching(
        /"plain" may not create objects in "plaindb".*pg_trgm.*GRANT CREATE ON DATABASE "plaindb" TO "plain"/,
      ),
    });
    // Nothing half-done: no migration recorded, no table created.
    const check = await connect('plaindb');
    try {
      const r = await check.query(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema IN ('public', 'drizzle')`,
      );
      expect(r.rows[0]).toEqual({ n: 0 });
      // Once the owner lets it create, it goes through.
      await admin.query(`ALTER DATABASE plaindb OWNER TO plain`);
      await check.query(`ALTER SCHEMA public OWNER TO plain`);
      const done = await migratePostgres(plain);
      expect(done.applied).toHaveLength(pgJournal().length);
    } finally {
      await check.end();
    }
  });

  it('warn when the database sorts text by a locale (answers would differ from SQLite)', async () => {
    const hasLocale = (await admin.query(`SELECT 1 FROM pg_collation WHERE collname = 'en_US.utf8'`))
      .rowCount;
    await admin.query(
      hasLocale
        ? `CREATE DATABASE localedb TEMPLATE template0 LC_COLLATE 'en_US.utf8' LC_CTYPE 'en_US.utf8'`
        : `CREATE DATABASE localedb TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LC_COLLATE 'C' LC_CTYPE 'C'`,
    );
    const r = await migratePostgres(pgTarget(urlOf('localedb'), { password: PW }));
    expect(r.warnings.join('\n')).toMatch(
      hasLocale
        ? /sorts text by the collation "en_US\.utf8".*LC_COLLATE 'C'/
        : /sorts text by an ICU locale.*LC_COLLATE 'C'/,
    );
  });

  it("the elector's run-time team_leader is the migration's: a database it used first migrates, the same table", async () => {
    await admin.query(`CREATE DATABASE electedfirst TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`);
    const early = await connect('electedfirst');
    const migrated = await connect('vminer');
    try {
      await ensureLeaderTable(early, 1);
      await migratePostgres(pgTarget(urlOf('electedfirst'), { password: PW }));
      const shape = async (c: pg.Client) =>
        (
          await c.query<{ d: string }>(
            `SELECT column_name || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || is_nullable AS d
               FROM information_schema.columns c
               JOIN pg_attribute a ON a.attrelid = 'public.team_leader'::regclass AND a.attname = c.column_name
              WHERE table_name = 'team_leader' ORDER BY ordinal_position`,
          )
        ).rows.map((r) => r.d);
      const columns = await shape(migrated);
      expect(columns).toHaveLength(9);
      expect(await shape(early)).toEqual(columns);
    } finally {
      await early.end();
      await migrated.end();
    }
  });
});
