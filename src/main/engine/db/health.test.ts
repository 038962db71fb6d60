/**
 * A damaged cache is called damaged, with the way out — never "written by an older vMiner".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHttpError } from '../rest/http-errors.js';
import { DB_FILE, openDatabase } from './database.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { checkDatabase } from './health.js';

let pristine: string;
let work: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-health-'));
  pristine = path.join(work, 'pristine');
  const db = openDatabase(pristine);
  populateCache(db, { vcenters: 3, vmsTotal: 3000, hostsTotal: 30, datastoresTotal: 10, seed: 9 });
  db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A copy of the pristine cache with `damage` done to its file. */
function damaged(name: string, damage: (file: string) => void): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(pristine, DB_FILE), path.join(dir, DB_FILE));
  damage(path.join(dir, DB_FILE));
  return dir;
}

/** Overwrites `bytes` of `file` at `offset` with garbage. */
function garble(file: string, offset: number, bytes: number): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(bytes, 0x5a), 0, bytes, offset);
  fs.closeSync(fd);
}

/** Overwrites the root page of `table`: nothing of it can be read any more. */
function garbleTable(file: string, table: string): void {
  const db = new Database(file, { readonly: true });
  const root = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(table) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  garble(file, (root - 1) * pageSize, pageSize);
}

/** 64 KB of garbage in the middle of the file (inventory pages). */
const garbleMiddle = (file: string): void =>
  garble(file, Math.floor(fs.statSync(file).size / 2 / 4096) * 4096, 65_536);

const opening = (dir: string, opts: Parameters<typeof openDatabase>[1]): unknown => {
  try {
    openDatabase(dir, opts).close();
    return undefined;
  } catch (err) {
    return err;
  }
};

describe('opening a damaged cache', () => {
  it.each([
    [
      'overwritten with JSON',
      (f: string) => fs.writeFileSync(f, '{"vms": []}'),
      /it is not an SQLite database \(it starts with "\{"vms": \[\]\}"\)/,
    ],
    [
      'cut in half',
      (f: string) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2)),
      /it was cut short: the file holds .* of the .* its header describes/,
    ],
    [
      'garbage over the migrations table',
      (f: string) => garbleTable(f, '__drizzle_migrations'),
      /damaged: database disk image is malformed/,
    ],
  ])('%s: DB_DAMAGED with the repair hint, for readers and writers', (name, damage, reason) => {
    const dir = damaged(name.replace(/\W+/g, '-'), damage);
    for (const readonly of [true, false]) {
      const err = opening(dir, { readonly });
      expect(err, `readonly ${readonly}`).toMatchObject({
        code: 'DB_DAMAGED',
        message: expect.stringMatching(reason),
      });
      expect((err as Error).message).toMatch(/run `vminer db repair`/);
      expect((err as Error).message).not.toMatch(/older vMiner|upgrade/);
    }
  });

  it('64 KB of garbage mid-file: the quick check at open finds it', () => {
    const dir = damaged('middle', garbleMiddle);
    expect(opening(dir, { readonly: true })).toBeUndefined();
    const found = opening(dir, { readonly: true, check: 'quick' });
    expect(found).toMatchObject({
      code: 'DB_DAMAGED',
      message: expect.stringMatching(/SQLite's check found /),
    });
    const db = openDatabase(dir, { readonly: true });
    expect(checkDatabase(db.sqlite, 'integrity').length).toBeGreaterThan(0);
    // A request that reads the damaged pages answers 503 DB_DAMAGED with the way out, not a bare 500.
    // (Which inventory table the garbage lands in depends on the file's layout: read them all.)
    let err: unknown;
    const tables = db.sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    for (const t of tables) {
      try {
        db.sqlite.prepare(`SELECT * FROM "${t}"`).all();
      } catch (e) {
        err = e;
        break;
      }
    }
    db.close();
    expect(toHttpError(err)).toMatchObject({
      status: 503,
      body: { error: { code: 'DB_DAMAGED', message: expect.stringMatching(/vminer db repair/) } },
    });
  });

  it('a sound cache passes both checks', () => {
    const db = openDatabase(pristine, { readonly: true, check: 'quick' });
    expect(checkDatabase(db.sqlite, 'integrity')).toEqual([]);
    db.close();
  });
});
