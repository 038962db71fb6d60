/**
 * `vminer db repair` on the ways a cache gets damaged: what a person typed comes back (from the
 * damaged file where it can be read, else from the newest backup), with the same ids, so the
 * vault's passwords still match; the damaged file is kept aside.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../api.js';
import { Engine } from '../engine.js';
import { DB_FILE, openDatabase } from './database.js';
import { generateInventory } from '../../../testing/generate-inventory.js';
import { insertChanges, randomChanges } from '../../../testing/changes-seed.js';
import { checkDatabase } from './health.js';
import { repairCache } from './repair.js';

let dataDir: string;
/** Change-history rows seeded: more than one of repair's read ranges. */
const HISTORY_ROWS = 12_000;
/** The history as stored before the damage: count, min(id), max(id). */
let historyBefore: number[];

const open = (): Promise<Engine> =>
  Engine.open({ dataDir, owner: 'test', vaultBackend: 'file', onWarning: () => undefined });

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-repair-'));
  const engine = await open();
  const h = createHandlers(engine);
  await h['accounts.add']({ name: 'corp', username: 'svc@corp', password: 'Acc0unt#pw', isDefault: true });
  for (let i = 1; i <= 40; i++) {
    const vc = engine.vcenters.add({
      name: `vc-${String(i).padStart(2, '0')}`,
      url: `vc-${i}.corp`,
      username: i % 2 ? `own-${i}` : '',
      useServiceAccount: i % 2 === 0,
      thumbprint: null,
      caPem: null,
      site: `site-${i % 3}`,
    });
    if (i % 2) await engine.setPassword(vc.id, `pw-of-${i}`);
    engine.store.replace(
      vc.id,
      generateInventory({ seed: i, vcenterIndex: i, vms: 60, hosts: 3, datastores: 2 }),
    );
  }
  await h['users.add']({ username: 'alice', password: 'alice password 1', role: 'viewer' });
  engine.settings.update({ syncWorkers: 7 });
  // A change history: it cannot be read again from any vCenter.
  insertChanges(
    engine.database.sqlite,
    randomChanges({
      n: HISTORY_ROWS,
      now: new Date('2026-11-30T12:00:00Z'),
      days: 30,
      seed: 5,
      vcenters: 1,
      objects: 50,
    }),
  );
  engine.close(); // writes config-latest.db
  // Typed after the last backup: only the damaged file knows it.
  const db = openDatabase(dataDir);
  db.db.$client
    .prepare(
      "INSERT INTO vcenters (name, url, username, created_at) VALUES ('vc-after-backup', 'https://after.corp/sdk', 'u', '2026-01-01')",
    )
    .run();
  db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  historyBefore = db.sqlite.prepare('SELECT count(*), min(id), max(id) FROM changes').raw().get() as number[];
  db.close();
});

afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const file = (): string => path.join(dataDir, DB_FILE);

function garblePage(table: string): void {
  const db = new Database(file(), { readonly: true });
  const root = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(table) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const fd = fs.openSync(file(), 'r+');
  fs.writeSync(fd, Buffer.alloc(size, 0x5a), 0, size, (root - 1) * size);
  fs.closeSync(fd);
}

/** Overwrites the n-th leaf page of a table's b-tree (found through dbstat), leaving its root whole. */
function garbleLeaf(table: string, n: number): void {
  const db = new Database(file(), { readonly: true });
  const pages = db
    .prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno")
    .pluck()
    .all(table) as number[];
  const size = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const page = pages[n]!;
  const fd = fs.openSync(file(), 'r+');
  fs.writeSync(fd, Buffer.alloc(size, 0x5a), 0, size, (page - 1) * size);
  fs.closeSync(fd);
}

async function afterRepair(): Promise<{ names: string[]; engine: Engine }> {
  const engine = await open();
  return { names: engine.vcenters.list().map((v) => v.name), engine };
}

describe('vminer db repair', () => {
  it('refuses to rebuild a sound cache unless forced', () => {
    expect(() => repairCache(dataDir)).toThrow(/passed SQLite's integrity check: nothing to repair/);
    expect(fs.readdirSync(dataDir).filter((f) => f.includes('damaged'))).toEqual([]);
  });

  it('inventory pages damaged: the whole configuration comes from the damaged file, the backup is not needed', async () => {
    garblePage('vms');
    const report = repairCache(dataDir);
    expect(report.problems.length).toBeGreaterThan(0);
    expect(report.tables.every((t) => t.complete && t.fromBackup === 0)).toBe(true);
    expect(report.keptAs[0]).toMatch(/vminer\.db\.damaged-\d{8}T\d{6}Z$/);
    expect(fs.existsSync(report.keptAs[0]!)).toBe(true);
    const { names, engine } = await afterRepair();
    try {
      expect(names).toHaveLength(41);
      expect(names).toContain('vc-after-backup');
      const vc7 = engine.vcenters.findByName('vc-07')!;
      // Same id: the vault's password for it still matches.
      expect(engine.credentialsFor(vc7)).toEqual({ user: 'own-7', password: 'pw-of-7' });
      expect(engine.credentialsFor(engine.vcenters.findByName('vc-08')!)).toEqual({
        user: 'svc@corp',
        password: 'Acc0unt#pw',
      });
      expect(engine.settings.get().syncWorkers).toBe(7);
      expect((await createHandlers(engine)['users.list']({})).map((u) => u.username)).toContain('alice');
      // The inventory is read again by a sync; every vCenter starts from "not synced".
      expect(engine.database.sqlite.prepare('SELECT count(*) FROM vms').pluck().get()).toBe(0);
      expect(new Set(engine.vcenters.list().map((v) => v.sync.status))).toEqual(new Set(['idle']));
      expect(checkDatabase(engine.database.sqlite, 'integrity')).toEqual([]);
      // The change history is kept whole, with its ids.
      expect(historyBefore[0]).toBeGreaterThanOrEqual(HISTORY_ROWS);
      expect(report.history).toEqual({ rows: historyBefore[0], complete: true });
      expect(
        engine.database.sqlite.prepare('SELECT count(*), min(id), max(id) FROM changes').raw().get(),
      ).toEqual(historyBefore);
    } finally {
      engine.close();
    }
  });

  it('the change history damaged: every range that still reads is kept, the loss is said', async () => {
    garbleLeaf('changes', 2);
    const report = repairCache(dataDir);
    expect(report.history.complete).toBe(false);
    expect(report.history.rows).toBeGreaterThan(historyBefore[0]! / 2);
    expect(report.history.rows).toBeLessThan(historyBefore[0]!);
    expect(report.notes.join('\n')).toMatch(/change history could be read only in part: [\d,]+ rows kept/);
    const { names, engine } = await afterRepair();
    try {
      expect(names).toHaveLength(41);
      expect(engine.database.sqlite.prepare('SELECT count(*) FROM changes').pluck().get()).toBe(
        report.history.rows,
      );
      expect(checkDatabase(engine.database.sqlite, 'integrity')).toEqual([]);
    } finally {
      engine.close();
    }
  });

  it('the vCenter table damaged: its rows come from the backup, what was typed after it is named lost', async () => {
    garblePage('vcenters');
    const report = repairCache(dataDir);
    const vc = report.tables.find((t) => t.table === 'vcenters')!;
    expect(vc).toMatchObject({ complete: false, fromBackup: 40 });
    expect(report.backup?.reason).toBe('latest');
    const { names, engine } = await afterRepair();
    try {
      expect(names).toHaveLength(40);
      expect(names).not.toContain('vc-after-backup');
      expect(engine.credentialsFor(engine.vcenters.findByName('vc-13')!)).toEqual({
        user: 'own-13',
        password: 'pw-of-13',
      });
    } finally {
      engine.close();
    }
  });

  it.each([
    ['overwritten with JSON', () => fs.writeFileSync(file(), '{"vms": []}')],
    ['cut in half', () => fs.truncateSync(file(), Math.floor(fs.statSync(file()).size / 2))],
  ])('%s: everything that cannot be read comes from the backup', async (_name, damage) => {
    damage();
    const report = repairCache(dataDir);
    expect(report.problems[0]).toMatch(/not an SQLite database|cut short/);
    const { names, engine } = await afterRepair();
    try {
      expect(names.filter((n) => n.startsWith('vc-') && n !== 'vc-after-backup')).toHaveLength(40);
      expect(engine.accounts.list().map((a) => a.name)).toEqual(['corp']);
      expect(engine.settings.get().syncWorkers).toBe(7);
    } finally {
      engine.close();
    }
  });

  it('says so, and changes nothing, when neither the file nor a backup can give anything', () => {
    fs.rmSync(path.join(dataDir, 'backups'), { recursive: true });
    fs.writeFileSync(file(), 'garbage');
    expect(() => repairCache(dataDir)).toThrow(
      /nothing of .* can be read and there is no configuration backup/,
    );
    expect(fs.readFileSync(file(), 'utf8')).toBe('garbage');
  });
});
