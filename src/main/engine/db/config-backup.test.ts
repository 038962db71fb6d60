import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../engine.js';
import { BACKUP_DIR, listBackups, writeConfigBackup } from './config-backup.js';
import { openDatabase } from './database.js';

let dataDir: string;
const restore: (() => void)[] = [];

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-backup-'));
});

afterEach(() => {
  for (const r of restore.splice(0)) r();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const open = (): Promise<Engine> =>
  Engine.open({ dataDir, owner: 'test', vaultBackend: 'file', onWarning: () => undefined });
const files = (): string[] => fs.readdirSync(path.join(dataDir, BACKUP_DIR)).sort();
const vcentersIn = (file: string): string[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT name FROM vcenters ORDER BY name').pluck().all() as string[];
  } finally {
    db.close();
  }
};

describe('configuration backups', () => {
  it("an engine writes today's backup when it opens, and the latest when the configuration changed", async () => {
    const engine = await open();
    const today = `config-daily-${new Date().toISOString().slice(0, 10)}.db`;
    expect(files()).toEqual([today, 'config-latest.db']);
    engine.vcenters.add({ name: 'vc01', url: 'vc01.corp', username: 'u', thumbprint: null, caPem: null });
    engine.close();
    const latest = path.join(dataDir, BACKUP_DIR, 'config-latest.db');
    expect(vcentersIn(latest)).toEqual(['vc01']);
    // Only what a person typed: no inventory, no sync state.
    const db = new Database(latest, { readonly: true });
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    db.close();
    expect(tables).toEqual([
      'backup_info',
      'revoked_tokens',
      'service_accounts',
      'settings',
      'sources',
      'users',
      'vcenters',
    ]);
    expect(fs.statSync(latest).mode & 0o777).toBe(0o600);
    expect(
      listBackups(dataDir)
        .map((b) => b.reason)
        .sort(),
    ).toEqual(['daily', 'latest']);
  });

  it('keeps 7 daily and 3 pre-migration backups', () => {
    const db = openDatabase(dataDir);
    for (let d = 1; d <= 9; d++)
      writeConfigBackup(db.sqlite, dataDir, 'daily', new Date(Date.UTC(2026, 0, d, 3)));
    for (let h = 1; h <= 4; h++)
      writeConfigBackup(db.sqlite, dataDir, 'pre-migration', new Date(Date.UTC(2026, 0, 9, h)));
    db.close();
    expect(files()).toEqual([
      'config-daily-2026-01-03.db',
      'config-daily-2026-01-04.db',
      'config-daily-2026-01-05.db',
      'config-daily-2026-01-06.db',
      'config-daily-2026-01-07.db',
      'config-daily-2026-01-08.db',
      'config-daily-2026-01-09.db',
      'config-pre-migration-20260109T020000Z.db',
      'config-pre-migration-20260109T030000Z.db',
      'config-pre-migration-20260109T040000Z.db',
    ]);
  });

  it('backs the configuration up before a database upgrade', async () => {
    const engine = await open();
    engine.vcenters.add({
      name: 'vc-before-upgrade',
      url: 'vc.corp',
      username: 'u',
      thumbprint: null,
      caPem: null,
    });
    engine.close();
    // A vMiner with one more migration than this cache has.
    const migrations = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-migrations-'));
    restore.push(() => fs.rmSync(migrations, { recursive: true, force: true }));
    fs.cpSync(path.resolve('drizzle'), migrations, { recursive: true });
    const journalFile = path.join(migrations, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as {
      entries: { idx: number; when: number; tag: string }[];
    };
    const last = journal.entries[journal.entries.length - 1]!;
    journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1000, tag: '9999_test_upgrade' });
    fs.writeFileSync(journalFile, JSON.stringify(journal));
    fs.writeFileSync(
      path.join(migrations, '9999_test_upgrade.sql'),
      'CREATE TABLE upgrade_probe (x integer);',
    );
    const before = process.env['VMINER_MIGRATIONS_DIR'];
    process.env['VMINER_MIGRATIONS_DIR'] = migrations;
    restore.push(() => {
      if (before === undefined) delete process.env['VMINER_MIGRATIONS_DIR'];
      else process.env['VMINER_MIGRATIONS_DIR'] = before;
    });
    const db = openDatabase(dataDir);
    const upgraded = db.sqlite.prepare("SELECT 1 FROM sqlite_master WHERE name = 'upgrade_probe'").get();
    db.close();
    expect(upgraded).toBeTruthy();
    const pre = listBackups(dataDir).filter((b) => b.reason === 'pre-migration');
    expect(pre).toHaveLength(1);
    expect(pre[0]!.migrations).toBe(journal.entries.length - 1);
    expect(vcentersIn(pre[0]!.file)).toEqual(['vc-before-upgrade']);
  });
});
