import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { VminerError } from '../../../shared/errors.js';
import { DB_FILE } from '../data-files.js';
import { ensurePrivateDir, ensurePrivateFile } from '../private-files.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface OpenedDatabase {
  sqlite: Database.Database;
  db: Db;
  file: string;
  close(): void;
}

/** Finds the drizzle migrations folder from the source tree, the built CLI or a packaged app. */
export function migrationsFolder(): string {
  const override = process.env['VMINER_MIGRATIONS_DIR'];
  if (override) return override;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'drizzle');
    if (fs.existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new VminerError('INTERNAL', 'the database migrations (drizzle/) are missing from this installation');
}

export { DB_FILE };

/** Migrations in `drizzle/` this database has not applied yet. */
export function pendingMigrations(sqlite: Database.Database): number {
  const journal = JSON.parse(
    fs.readFileSync(path.join(migrationsFolder(), 'meta', '_journal.json'), 'utf8'),
  ) as {
    entries: unknown[];
  };
  let applied = 0;
  try {
    applied = (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
  } catch {
    /* no migrations table: nothing applied */
  }
  return Math.max(0, journal.entries.length - applied);
}

/**
 * Opens the cache. Writers apply pending migrations; readers open read-only and never block the
 * writer (WAL), so `list` and `stats` work while a sync runs.
 */
export function openDatabase(
  dataDir: string,
  opts: { readonly?: boolean; nativeBinding?: string } = {},
): OpenedDatabase {
  const file = path.join(dataDir, DB_FILE);
  if (opts.readonly && !fs.existsSync(file)) {
    throw new VminerError(
      'NOT_FOUND',
      `no vMiner data in ${dataDir} yet (add a vCenter and run \`vminer sync\`)`,
    );
  }
  if (!opts.readonly) {
    ensurePrivateDir(dataDir);
    // SQLite creates a new database 0644 and gives its -wal and -shm files the database's mode:
    // created 0600 here, all three stay private.
    ensurePrivateFile(file);
  }
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    });
  } catch (err) {
    throw new VminerError('INTERNAL', `cannot open ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (!opts.readonly) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
  }
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  if (opts.readonly) {
    // A reader cannot migrate: an older cache (after an upgrade) would fail later on a missing
    // column with SQLite's words; say what to do instead.
    const pending = pendingMigrations(sqlite);
    if (pending > 0) {
      sqlite.close();
      throw new VminerError(
        'LOCKED',
        `the cache in ${dataDir} was written by an older vMiner and needs ${pending} database upgrade(s); any writing command (\`vminer sync\`, \`vminer serve\`, the desktop app) applies them`,
      );
    }
  } else {
    try {
      migrate(db, { migrationsFolder: migrationsFolder() });
    } catch (err) {
      sqlite.close();
      throw new VminerError('INTERNAL', `cannot migrate ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  return {
    sqlite,
    db,
    file,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}
