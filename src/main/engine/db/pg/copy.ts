/**
 * `vminer db copy --from sqlite:PATH --to postgres://…`: moves a desktop cache to a team server's
 * migrated PostgreSQL database. Every table of schema.ts (configuration, inventory, child tables,
 * change history, users) and the search index are copied in batches inside one PostgreSQL
 * transaction, read from one SQLite read transaction (a consistent snapshot, even beside a running
 * engine): all or nothing. Row counts are compared before the commit. Secrets are not in the
 * cache (they live in the vault), so none are copied.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig as pgTableConfig } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { VminerError } from '../../../../shared/errors.js';
import type { PgTarget } from '../../team/pg-connection.js';
import { DB_FILE } from '../../data-files.js';
import { appliedMigrations, journalEntries, pendingMigrations } from '../database.js';
import { headerProblem } from '../health.js';
import { connectPg, pgError } from './connect.js';
import { requireMigrated } from './migrate.js';
import { derivedTables } from './schema.js';
import type { PgType } from './type-map.js';

/** PostgreSQL takes at most 65535 parameters per statement. */
const MAX_PARAMS = 60_000;
const MAX_BATCH_ROWS = 1_000;

export interface CopyTable {
  /** PostgreSQL table name. */
  table: string;
  /** SQLite table name, and how its rows are read (search_index's rowid becomes id). */
  from: string;
  columns: { sqlite: string; pg: string; type: PgType }[];
  /** Identity column whose sequence must move past the copied ids. */
  identity?: string;
}

/** The tables to copy, parents before children (the foreign keys hold at every insert). */
export function copyPlan(): CopyTable[] {
  const plan = new Map<string, CopyTable>();
  const parents = new Map<string, string[]>();
  for (const d of derivedTables.values()) {
    const cfg = pgTableConfig(d.table);
    parents.set(
      d.name,
      cfg.foreignKeys.map((f) => pgTableConfig(f.reference().foreignTable).name).filter((n) => n !== d.name),
    );
    const identity = Object.values(getTableColumns(d.table)).find((c) => c.generatedIdentity)?.name;
    plan.set(d.name, {
      table: d.name,
      from: d.name,
      columns: cfg.columns.map((c) => ({ sqlite: c.name, pg: c.name, type: d.types[c.name]! })),
      ...(identity ? { identity } : {}),
    });
  }
  const ordered: CopyTable[] = [];
  const seen = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (seen.has(name)) return;
    if (path.includes(name)) throw new Error(`foreign keys form a cycle: ${[...path, name].join(' → ')}`);
    for (const p of parents.get(name) ?? []) visit(p, [...path, name]);
    seen.add(name);
    ordered.push(plan.get(name)!);
  };
  for (const name of [...plan.keys()].sort()) visit(name, []);
  ordered.push({
    table: 'search_index',
    from: 'search_index',
    columns: [
      { sqlite: 'rowid', pg: 'id', type: 'bigint' },
      { sqlite: 'name', pg: 'name', type: 'text' },
      { sqlite: 'extra', pg: 'extra', type: 'text' },
      { sqlite: 'entity', pg: 'entity', type: 'text' },
      { sqlite: 'vcenter_id', pg: 'vcenter_id', type: 'integer' },
      { sqlite: 'moid', pg: 'moid', type: 'text' },
    ],
  });
  return ordered;
}

/** A SQLite value as the PostgreSQL column takes it (type-map.ts). */
export function toPg(value: unknown, type: PgType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'boolean':
      return value !== 0 && value !== 0n && value !== '0';
    case 'timestamptz(0)':
      return new Date(Number(value) * 1000);
    case 'timestamptz(3)':
      return new Date(Number(value));
    default:
      return value;
  }
}

/** `sqlite:PATH` (a data folder or its vminer.db) → the cache file. */
export function sqliteSource(from: string): string {
  const m = /^sqlite:(.+)$/.exec(from);
  if (!m)
    throw new VminerError(
      'INVALID_INPUT',
      `--from takes sqlite:PATH (a data folder or its ${DB_FILE}), not "${from}"`,
    );
  // The shell does not expand ~ after "sqlite:".
  const p = path.resolve(m[1]!.replace(/^~(?=$|[\\/])/, os.homedir()));
  const file = fs.existsSync(p) && fs.statSync(p).isDirectory() ? path.join(p, DB_FILE) : p;
  if (!fs.existsSync(file))
    throw new VminerError(
      'NOT_FOUND',
      `no vMiner cache at ${file}${file === p ? '' : ` (the folder has no ${DB_FILE})`}`,
    );
  return file;
}

function openSource(file: string): Database.Database {
  const bad = headerProblem(file);
  if (bad) throw new VminerError('INVALID_INPUT', `${file} is not a vMiner cache (${bad})`);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new VminerError('INVALID_INPUT', `${file} is not a vMiner cache (${(err as Error).message})`, {
      cause: err,
    });
  }
  try {
    const has = (name: string) =>
      sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    if (!has('vcenters') || !has('__drizzle_migrations'))
      throw new VminerError(
        'INVALID_INPUT',
        `${file} is a SQLite database but not a vMiner cache (no vcenters table or migration record)`,
      );
    const pending = pendingMigrations(sqlite);
    if (pending > 0)
      throw new VminerError(
        'INVALID_INPUT',
        `${file} was written by an older vMiner (${pending} database upgrade(s) missing): upgrade it first with \`vminer db migrate --data-dir ${path.dirname(file)}\`, then copy again`,
      );
    // A newer cache may have columns this vMiner does not know: they would be dropped silently.
    if (appliedMigrations(sqlite) > journalEntries())
      throw new VminerError(
        'INVALID_INPUT',
        `${file} was written by a newer vMiner: copy it with that version (or newer)`,
      );
  } catch (err) {
    sqlite.close();
    if (err instanceof VminerError) throw err;
    throw new VminerError(
      'INVALID_INPUT',
      `${file} cannot be read as a vMiner cache: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  return sqlite;
}

export interface CopyResult {
  from: string;
  to: string;
  replaced: boolean;
  tables: { table: string; rows: number }[];
}

export interface CopyOptions {
  from: string;
  target: PgTarget;
  replace?: boolean;
  /** Reports each table when it is done. */
  onTable?: (table: string, rows: number) => void;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function countRows(client: pg.Client, table: string): Promise<number> {
  const r = await client.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${q(table)}`);
  return Number(r.rows[0]!.n);
}

export async function copyToPostgres(opts: CopyOptions): Promise<CopyResult> {
  const file = sqliteSource(opts.from);
  const sqlite = openSource(file);
  const plan = copyPlan();
  let client: pg.Client | undefined;
  try {
    client = await connectPg(opts.target, 'copy');
    await requireMigrated(client, opts.target);
    await client.query('BEGIN');
    // Nobody writes these tables meanwhile (a serve on the same database waits for the commit).
    await client.query(`LOCK TABLE ${plan.map((t) => q(t.table)).join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
    const filled: string[] = [];
    for (const t of plan) {
      const r = await client.query(`SELECT 1 FROM ${q(t.table)} LIMIT 1`);
      if (r.rowCount) filled.push(t.table);
    }
    if (filled.length > 0 && !opts.replace)
      throw new VminerError(
        'INVALID_INPUT',
        `${opts.target.display} already holds data (${filled.slice(0, 5).join(', ')}${filled.length > 5 ? ', …' : ''}): add --replace to overwrite it with the copy`,
      );
    if (opts.replace)
      await client.query(`TRUNCATE ${plan.map((t) => q(t.table)).join(', ')} RESTART IDENTITY`);

    // One read transaction: every table is read from the same snapshot of the cache.
    sqlite.prepare('BEGIN').run();
    const tables: CopyResult['tables'] = [];
    try {
      for (const t of plan) {
        const rows = await copyTable(sqlite, client, t);
        const expected =
          (sqlite
            .prepare(`SELECT count(*) FROM ${q(t.from)}`)
            .pluck()
            .get() as number) ?? 0;
        const landed = await countRows(client, t.table);
        if (landed !== expected || rows !== expected)
          throw new VminerError(
            'INTERNAL',
            `${t.table}: ${expected} rows in the cache, ${landed} in PostgreSQL after the copy; nothing was kept`,
          );
        if (t.identity)
          await client.query(
            `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(max(${q(t.identity)}), 0) + 1, false) FROM ${q(t.table)}`,
            [t.table, t.identity],
          );
        tables.push({ table: t.table, rows: landed });
        opts.onTable?.(t.table, landed);
      }
    } finally {
      sqlite.prepare('COMMIT').run();
    }
    await client.query('COMMIT');
    // Fresh statistics now: until autovacuum gets to a table filled in one go, the planner guesses
    // (at 100k VMs a filtered, sorted list page took 170 ms instead of 8 ms by a wrong plan). Only
    // the owner may analyze; a table it may not is skipped with a notice, and autovacuum does it.
    // The copy is committed by now: a failure here (a dropped connection) leaves that to autovacuum.
    await client.query(`ANALYZE ${plan.map((t) => q(t.table)).join(', ')}`).catch(() => undefined);
    return {
      from: file,
      to: opts.target.display,
      replaced: opts.replace === true && filled.length > 0,
      tables,
    };
  } catch (err) {
    await client?.query('ROLLBACK').catch(() => undefined);
    throw pgError(err, opts.target);
  } finally {
    sqlite.close();
    await client?.end().catch(() => undefined);
  }
}

async function copyTable(sqlite: Database.Database, client: pg.Client, t: CopyTable): Promise<number> {
  const cols = t.columns;
  const batch = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMS / cols.length)));
  const select = sqlite
    .prepare(
      `SELECT ${cols.map((c) => (c.sqlite === 'rowid' ? 'rowid' : q(c.sqlite))).join(', ')} FROM ${q(t.from)}`,
    )
    .raw(true);
  const head = `INSERT INTO ${q(t.table)} (${cols.map((c) => q(c.pg)).join(', ')}) VALUES `;
  let values: unknown[] = [];
  let rows = 0;
  let pending = 0;
  const flush = async () => {
    if (pending === 0) return;
    const tuples: string[] = [];
    for (let r = 0; r < pending; r++)
      tuples.push(`(${cols.map((_, i) => `$${r * cols.length + i + 1}`).join(', ')})`);
    try {
      await client.query(head + tuples.join(', '), values);
    } catch (err) {
      const e = err as { message?: string };
      throw new VminerError(
        'QUERY_FAILED',
        `copying ${t.table} (rows ${rows - pending + 1}–${rows}) failed: ${e.message ?? String(err)}; nothing was kept`,
        { cause: err },
      );
    }
    values = [];
    pending = 0;
  };
  for (const row of select.iterate() as Iterable<unknown[]>) {
    for (let i = 0; i < cols.length; i++) values.push(toPg(row[i], cols[i]!.type));
    pending++;
    rows++;
    if (pending >= batch) await flush();
  }
  await flush();
  return rows;
}
