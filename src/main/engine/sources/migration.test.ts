import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsFolder, openDatabase } from '../db/database.js';
import { VcenterRepo } from '../db/vcenter-repo.js';

let dir: string | undefined;

afterEach(() => {
  delete process.env['VMINER_MIGRATIONS_DIR'];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('migration 0005 (sources)', () => {
  it('upgrades a cache written before it: existing vCenters keep their own login, local, not retired', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-mig-'));
    // The migrations as they were before 0005.
    const old = path.join(dir, 'drizzle-0004');
    fs.cpSync(migrationsFolder(), old, { recursive: true });
    const journalFile = path.join(old, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    // (Later migrations go too: drizzle applies only what is newer than the last one applied.)
    const all = journal.entries.length;
    journal.entries = journal.entries.filter((e) => e.tag < '0005');
    const upgrades = all - journal.entries.length;
    fs.writeFileSync(journalFile, JSON.stringify(journal));
    const data = path.join(dir, 'data');
    process.env['VMINER_MIGRATIONS_DIR'] = old;
    const before = openDatabase(data);
    before.sqlite
      .prepare(`INSERT INTO vcenters (name, url, username, enabled, created_at) VALUES (?, ?, ?, 1, ?)`)
      .run('vc-old', 'https://vc-old.corp/sdk', 'admin@vsphere.local', '2026-01-01T00:00:00.000Z');
    expect(() => before.sqlite.prepare('SELECT use_service_account FROM vcenters').all()).toThrow(
      /no such column/,
    );
    before.close();

    delete process.env['VMINER_MIGRATIONS_DIR'];
    // A reader cannot upgrade it, and says so instead of failing on a missing column later.
    expect(() => openDatabase(data, { readonly: true })).toThrow(
      new RegExp(
        `written by an older vMiner and needs ${upgrades} database upgrade\\(s\\); any writing command`,
      ),
    );
    const after = openDatabase(data);
    try {
      const [v] = new VcenterRepo(after.db).list();
      expect(v).toMatchObject({
        name: 'vc-old',
        username: 'admin@vsphere.local',
        credential: { kind: 'own' },
        source: null,
        retiredAt: null,
        site: null,
        tags: [],
      });
      expect(v!.sync.status).toBe('idle');
    } finally {
      after.close();
    }
  });
});

describe('migration 0008 (certificate review before a password)', () => {
  it('holds back the password of a vCenter a source added that never synced; synced and local ones keep working', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-mig-'));
    const old = path.join(dir, 'drizzle-0007');
    fs.cpSync(migrationsFolder(), old, { recursive: true });
    const journalFile = path.join(old, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < '0008');
    fs.writeFileSync(journalFile, JSON.stringify(journal));
    const data = path.join(dir, 'data');
    process.env['VMINER_MIGRATIONS_DIR'] = old;
    const before = openDatabase(data);
    const s = before.sqlite;
    s.prepare(
      `INSERT INTO sources (id, name, kind, config, created_at) VALUES (1, 'cmdb', 'mssql', '{}', '2026-01-01')`,
    ).run();
    const add = s.prepare(
      `INSERT INTO vcenters (name, url, username, enabled, created_at, source_id, thumbprint) VALUES (?, ?, '', 1, '2026-01-01', ?, ?)`,
    );
    const fresh = add.run('fresh', 'https://fresh.corp/sdk', 1, null).lastInsertRowid;
    const synced = add.run('synced', 'https://synced.corp/sdk', 1, null).lastInsertRowid;
    add.run('pinned', 'https://pinned.corp/sdk', 1, 'AA:BB');
    add.run('local', 'https://local.corp/sdk', null, null);
    s.prepare(
      `INSERT INTO sync_state (vcenter_id, status, last_success_at) VALUES (?, 'ok', '2026-01-02')`,
    ).run(synced);
    s.prepare(`INSERT INTO sync_state (vcenter_id, status) VALUES (?, 'failed')`).run(fresh);
    before.close();

    delete process.env['VMINER_MIGRATIONS_DIR'];
    const after = openDatabase(data);
    try {
      const held = new VcenterRepo(after.db).list().map((v) => [v.name, v.awaitingCertReview]);
      expect(held).toEqual([
        ['fresh', true],
        ['local', false],
        ['pinned', false],
        ['synced', false],
      ]);
    } finally {
      after.close();
    }
  });
});
