/**
 * `vminer db migrate --database postgres://…`: applies the PostgreSQL migrations (drizzle-pg/,
 * generated from the tables derived from schema.ts) with drizzle's node-postgres migrator, in one
 * transaction, under an advisory lock so two instances starting at once do not both migrate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { VminerError } from '../../../../shared/errors.js';
import type { PgTarget } from '../../team/pg-connection.js';
import { connectPg, pgError } from './connect.js';

/** Where drizzle's migrator keeps what it applied (its defaults). */
const MIGRATIONS_TABLE = 'drizzle.__drizzle_migrations';
/** The advisory lock key pair for migrating (namespace shared with the leader election). */
const LOCK = [1986883186, 1] as const;

export interface PgMigration {
  tag: string;
  when: number;
}

/** Finds drizzle-pg/ from the source tree, the built CLI or a packaged app. */
export function pgMigrationsFolder(): string {
  const override = process.env['VMINER_PG_MIGRATIONS_DIR'];
  if (override) return override;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'drizzle-pg');
    if (fs.existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new VminerError(
    'INTERNAL',
    'the PostgreSQL migrations (drizzle-pg/) are missing from this installation',
  );
}

export function pgJournal(folder = pgMigrationsFolder()): PgMigration[] {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: PgMigration[];
  };
  return journal.entries.map((e) => ({ tag: e.tag, when: e.when }));
}

/** The creation time of the newest migration applied, or null when none was (no migrations table). */
export async function lastAppliedMigration(client: pg.Client): Promise<number | null> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [MIGRATIONS_TABLE]);
  if (!exists.rows[0]?.t) return null;
  const r = await client.query<{ at: number | null }>(
    `SELECT max(created_at) AS at FROM ${MIGRATIONS_TABLE}`,
  );
  return r.rows[0]?.at ?? null;
}

/** The migrations not applied yet, as drizzle's migrator decides (newer than the newest applied). */
export async function pendingPgMigrations(client: pg.Client, journal = pgJournal()): Promise<PgMigration[]> {
  const last = await lastAppliedMigration(client);
  return journal.filter((m) => last === null || Number(last) < m.when);
}

export interface PgMigrateResult {
  database: string;
  applied: string[];
  /** Migrations the database has in all. */
  total: number;
  /** Settings of the database that make answers differ from SQLite's (its collation). */
  warnings: string[];
}

export async function collationWarnings(client: pg.Client): Promise<string[]> {
  // datlocprovider (PostgreSQL 15+; 'i' = ICU) read through jsonb, so older servers answer too.
  const r = await client.query<{ collate: string; ctype: string; db: string; provider: string | null }>(
    `SELECT datcollate AS collate, datctype AS ctype, datname AS db, to_jsonb(d) ->> 'datlocprovider' AS provider
       FROM pg_database d WHERE datname = current_database()`,
  );
  const row = r.rows[0];
  if (!row) return [];
  const icu = row.provider === 'i';
  if (!icu && ['C', 'POSIX'].includes(row.collate) && ['C', 'POSIX', 'C.UTF-8'].includes(row.ctype))
    return [];
  return [
    `the database "${row.db}" sorts text by ${icu ? 'an ICU locale' : `the collation "${row.collate}" (character type "${row.ctype}")`}: lists will not sort names exactly like the desktop app's SQLite cache (which compares bytes, and folds ASCII letters only). For identical answers create the database with TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'.`,
  ];
}

export async function migratePostgres(
  target: PgTarget,
  folder = pgMigrationsFolder(),
): Promise<PgMigrateResult> {
  const journal = pgJournal(folder);
  const client = await connectPg(target, 'migrate');
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [...LOCK]);
    try {
      const pending = await pendingPgMigrations(client, journal);
      if (pending.length > 0) await migrate(drizzle({ client }), { migrationsFolder: folder });
      return {
        database: target.display,
        applied: pending.map((m) => m.tag),
        total: journal.length,
        warnings: await collationWarnings(client),
      };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [...LOCK]).catch(() => undefined);
    }
  } catch (err) {
    throw pgError(err, target);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Refuses a database that lacks some of this vMiner's migrations (copy, and later serve). */
export async function requireMigrated(client: pg.Client, target: PgTarget): Promise<void> {
  const pending = await pendingPgMigrations(client);
  if (pending.length > 0)
    throw new VminerError(
      'INVALID_INPUT',
      `${target.display} is not migrated (${pending.length} migration(s) missing): run \`vminer db migrate --database ${target.display}\` first`,
    );
}
