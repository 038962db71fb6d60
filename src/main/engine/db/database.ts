import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { VminerError } from '../../../shared/errors.js';
import { writeConfigBackup } from './config-backup.js';
import {
  checkDatabase,
  damagedError,
  headerProblem,
  isCorruptionError,
  summarizeProblems,
} from './health.js';
import { DB_FILE } from '../data-files.js';
import { ensurePrivateDir, ensurePrivateFile } from '../private-files.js';
import * as schema from './schema.js';

/** The drizzle view of the cache, with the better-sqlite3 connection under it (`$client`). */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

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

/** Migrations this vMiner ships (drizzle/meta/_journal.json). */
export function journalEntries(): number {
  const journal = JSON.parse(
    fs.readFileSync(path.join(migrationsFolder(), 'meta', '_journal.json'), 'utf8'),
  ) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/**
 * Database upgrades this cache has applied. Only a missing migrations table means "none": any
 * other failure (a damaged file) is thrown, never taken for an old cache.
 */
export function appliedMigrations(sqlite: Database.Database): number {
  const table = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!table) return 0;
  // count(hash) reads the table's own pages (count(*) would make do with its index).
  return (sqlite.prepare('SELECT count(hash) AS n FROM __drizzle_migrations').get() as { n: number }).n;
}

/** Migrations in `drizzle/` this database has not applied yet. */
export function pendingMigrations(sqlite: Database.Database): number {
  return Math.max(0, journalEntries() - appliedMigrations(sqlite));
}

export interface OpenOptions {
  readonly?: boolean;
  /**
   * `quick`: run SQLite's quick_check after opening (about 0.6 s for a 150 MB cache) and refuse a
   * damaged cache. Long-running engines (serve, the desktop app) ask for it; every open checks
   * the header and the schema anyway.
   */
  check?: 'quick';
}

/**
 * Opens the cache. Writers apply pending migrations (after a backup of the configuration);
 * readers open read-only and never block the writer (WAL), so `list` and `stats` work while a
 * sync runs. A damaged file fails with DB_DAMAGED and the way to repair it.
 */
export function openDatabase(dataDir: string, opts: OpenOptions = {}): OpenedDatabase {
  const file = path.join(dataDir, DB_FILE);
  if (opts.readonly && !fs.existsSync(file)) {
    throw new VminerError(
      'NOT_FOUND',
      `no vMiner data in ${dataDir} yet (add a vCenter and run \`vminer sync\`)`,
    );
  }
  const bad = headerProblem(file);
  if (bad) throw damagedError(file, bad);
  if (!opts.readonly) fs.mkdirSync(dataDir, { recursive: true });
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
    });
  } catch (err) {
    if (isCorruptionError(err)) throw damagedError(file, (err as Error).message, err);
    throw new VminerError('INTERNAL', `cannot open ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    if (!opts.readonly) {
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
    }
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = drizzle(sqlite, { schema });
    // Reads the schema and the migrations table: a file damaged near its start fails here.
    const applied = appliedMigrations(sqlite);
    const pending = Math.max(0, journalEntries() - applied);
    if (opts.readonly) {
      // A reader cannot migrate: an older cache (after an upgrade) would fail later on a missing
      // column with SQLite's words; say what to do instead.
      if (pending > 0) {
        throw new VminerError(
          'LOCKED',
          `the cache in ${dataDir} was written by an older vMiner and needs ${pending} database upgrade(s); any writing command (\`vminer sync\`, \`vminer serve\`, the desktop app) applies them`,
        );
      }
    } else {
      // Nothing a person typed is lost to an upgrade gone wrong.
      if (pending > 0 && applied > 0) writeConfigBackup(sqlite, dataDir, 'pre-migration');
      try {
        migrate(db, { migrationsFolder: migrationsFolder() });
      } catch (err) {
        if (isCorruptionError(err)) throw err;
        throw new VminerError('INTERNAL', `cannot migrate ${file}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    if (opts.check === 'quick') {
      const problems = checkDatabase(sqlite, 'quick');
      if (problems.length) throw damagedError(file, `SQLite's check found ${summarizeProblems(problems)}`);
    }
    return {
      sqlite,
      db,
      file,
      close: () => {
        if (sqlite.open) sqlite.close();
      },
    };
  } catch (err) {
    sqlite.close();
    if (isCorruptionError(err)) throw damagedError(file, (err as Error).message, err);
    throw err;
  }
}
