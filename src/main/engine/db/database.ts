import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { VminerError } from '../../../shared/errors.js';
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

export const DB_FILE = 'vminer.db';

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
  if (!opts.readonly) fs.mkdirSync(dataDir, { recursive: true });
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
  if (!opts.readonly) {
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
