/**
 * Migration 0009 (RVTools depth) keeps an existing cache: a cache written by the schema before it
 * opens with its vCenters, rows and sync state intact, the new columns empty until the next sync,
 * and the child tables ready (with their foreign keys).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE, migrationsFolder, openDatabase } from './database.js';

const dirs: string[] = [];
const tmp = (prefix: string): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterEach(() => {
  delete process.env['VMINER_MIGRATIONS_DIR'];
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The migrations folder as it was before `tag` (a copy without it and what follows). */
function migrationsBefore(tag: string): string {
  const src = migrationsFolder();
  const dst = tmp('vminer-migrations-');
  fs.cpSync(src, dst, { recursive: true });
  const journalFile = path.join(dst, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  const cut = journal.entries.findIndex((e) => e.tag === tag);
  expect(cut).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, cut);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dst;
}

describe('migration 0009 (RVTools depth)', () => {
  it('keeps the vCenters, inventory rows and sync state of a cache written before it', () => {
    const dataDir = tmp('vminer-mig-');
    process.env['VMINER_MIGRATIONS_DIR'] = migrationsBefore('0009_rvtools_depth');
    const old = openDatabase(dataDir);
    const cols = (t: string): string[] =>
      (old.sqlite.pragma(`table_info("${t}")`) as { name: string }[]).map((c) => c.name);
    expect(cols('vms')).not.toContain('created_at');
    expect(
      old.sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'vm_disks'").get(),
    ).toBeUndefined();
    old.sqlite
      .prepare(
        "INSERT INTO vcenters (id, name, url, username, created_at) VALUES (1, 'vc01', 'https://vc01/sdk', 'ro', '2026-01-01')",
      )
      .run();
    old.sqlite
      .prepare(
        "INSERT INTO vms (vcenter_id, moid, name, power_state, memory_mb, snapshot_count, template) VALUES (1, 'vm-1', 'web-01', 'poweredOn', 4096, 0, 0)",
      )
      .run();
    old.sqlite
      .prepare(
        "INSERT INTO sync_state (vcenter_id, status, last_success_at) VALUES (1, 'ok', '2026-01-02T00:00:00.000Z')",
      )
      .run();
    old.close();

    delete process.env['VMINER_MIGRATIONS_DIR'];
    const db = openDatabase(dataDir);
    try {
      expect(
        db.sqlite.prepare('SELECT name, power_state, memory_mb, created_at, disk_count FROM vms').all(),
      ).toEqual([
        { name: 'web-01', power_state: 'poweredOn', memory_mb: 4096, created_at: null, disk_count: null },
      ]);
      expect(
        db.sqlite.prepare('SELECT status, last_success_at, tags_as_of, tags_error FROM sync_state').get(),
      ).toEqual({
        status: 'ok',
        last_success_at: '2026-01-02T00:00:00.000Z',
        tags_as_of: null,
        tags_error: null,
      });
      for (const t of [
        'vm_disks',
        'vm_nics',
        'vm_partitions',
        'vm_custom_values',
        'tag_assignments',
        'host_nics',
      ])
        expect(db.sqlite.prepare(`SELECT count(*) AS n FROM "${t}"`).get(), t).toEqual({ n: 0 });
      // The child tables hang off their owner: a disk of the kept VM is accepted, one of a VM
      // that does not exist is refused.
      db.sqlite
        .prepare(
          "INSERT INTO vm_disks (vcenter_id, moid, vm_moid, vm, name, device_key) VALUES (1, 'vm-1/2000', 'vm-1', 'web-01', 'Hard disk 1', 2000)",
        )
        .run();
      expect(() =>
        db.sqlite
          .prepare(
            "INSERT INTO vm_disks (vcenter_id, moid, vm_moid, vm, name, device_key) VALUES (1, 'vm-9/2000', 'vm-9', 'x', 'Hard disk 1', 2000)",
          )
          .run(),
      ).toThrow(/FOREIGN KEY/);
      expect(fs.existsSync(path.join(dataDir, DB_FILE))).toBe(true);
    } finally {
      db.close();
    }
  });
});
