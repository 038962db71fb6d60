/**
 * `vminer db migrate` on the data folder: applies the SQLite cache's pending migrations (the same
 * path every writer takes when it opens the cache: a configuration backup first, then drizzle's
 * migrator), and says which ones it applied.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DataLock } from '../data-lock.js';
import { DB_FILE } from '../data-files.js';
import { appliedMigrations, migrationsFolder, openDatabase } from './database.js';

export interface CacheMigrateResult {
  file: string;
  applied: string[];
  total: number;
  /** The cache did not exist: it was created. */
  created: boolean;
}

function journalTags(): string[] {
  const journal = JSON.parse(
    fs.readFileSync(path.join(migrationsFolder(), 'meta', '_journal.json'), 'utf8'),
  ) as { entries: { tag: string }[] };
  return journal.entries.map((e) => e.tag);
}

/** How many migrations the cache has, read without writing (a damaged file is left to openDatabase). */
function appliedBefore(file: string): number {
  if (!fs.existsSync(file)) return 0;
  try {
    const sqlite = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return appliedMigrations(sqlite);
    } finally {
      sqlite.close();
    }
  } catch {
    return 0;
  }
}

export function migrateCache(dataDir: string, owner = 'vminer db migrate'): CacheMigrateResult {
  const file = path.join(dataDir, DB_FILE);
  const created = !fs.existsSync(file);
  const lock = DataLock.acquire(dataDir, owner);
  try {
    const before = appliedBefore(file);
    const opened = openDatabase(dataDir);
    const after = appliedMigrations(opened.sqlite);
    opened.close();
    const tags = journalTags();
    return { file, applied: tags.slice(before, after), total: after, created };
  } finally {
    lock.release();
  }
}
