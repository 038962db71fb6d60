import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../shared/inventory.js';
import { generateInventory } from '../../../testing/generate-inventory.js';
import { mulberry32 } from '../../../testing/random.js';
import { openDatabase, type OpenedDatabase } from './database.js';
import { ENTITY_TABLES, InventoryStore } from './inventory-store.js';
import * as schema from './schema.js';
import { VcenterRepo } from './vcenter-repo.js';

const LINKS: [keyof Inventory, SQLiteTable][] = [
  ['vmDatastores', schema.vmDatastores],
  ['vmNetworks', schema.vmNetworks],
  ['hostDatastores', schema.hostDatastores],
];
const OWN = ['vms', 'hosts', 'datastores', 'clusters', 'datacenters', 'networks', 'snapshots'] as const;

/** The child rows of a full read (issue 16), as the old delete-and-insert wrote them. */
function childRows(inv: Inventory): [SQLiteTable, string, Record<string, unknown>[]][] {
  const names = new Map<string, string>();
  for (const rows of [
    inv.vms,
    inv.hosts,
    inv.clusters,
    inv.datastores,
    inv.networks,
    inv.datacenters,
    inv.dvSwitches,
  ])
    for (const r of rows) names.set(r.moid, r.name);
  const tags = inv.tags ?? { categories: [], tags: [], attachments: [] };
  const categories = new Map(tags.categories.map((c) => [c.id, c.name]));
  const defs = new Map(
    tags.tags
      .filter((t) => categories.has(t.categoryId))
      .map((t) => [t.id, { ...t, category: categories.get(t.categoryId)! }]),
  );
  return [
    [schema.vmDisks, 'INSERT', inv.disks as unknown as Record<string, unknown>[]],
    [schema.vmNics, 'INSERT', inv.nics as unknown as Record<string, unknown>[]],
    [schema.vmPartitions, 'INSERT', inv.partitions as unknown as Record<string, unknown>[]],
    [schema.vmCustomValues, 'INSERT', inv.vmCustomValues.map((r) => ({ ...r, vmMoid: r.ownerMoid }))],
    [schema.hostCustomValues, 'INSERT', inv.hostCustomValues.map((r) => ({ ...r, hostMoid: r.ownerMoid }))],
    [schema.hostNics, 'INSERT OR IGNORE', inv.hostNics as unknown as Record<string, unknown>[]],
    [schema.hostVmkernels, 'INSERT OR IGNORE', inv.hostVmkernels as unknown as Record<string, unknown>[]],
    [schema.hostVswitches, 'INSERT OR IGNORE', inv.hostVswitches as unknown as Record<string, unknown>[]],
    [schema.dvSwitches, 'INSERT', inv.dvSwitches as unknown as Record<string, unknown>[]],
    [schema.tagCategories, 'INSERT OR IGNORE', tags.categories],
    [schema.tagDefs, 'INSERT OR IGNORE', [...defs.values()]],
    [
      schema.tagAssignments,
      'INSERT OR IGNORE',
      tags.attachments.flatMap(([objectType, objectMoid, tagId]) => {
        const d = defs.get(tagId);
        return d
          ? [
              {
                moid: `${objectMoid}/${tagId}`,
                tagId,
                name: d.name,
                category: d.category,
                description: d.description,
                objectType,
                objectMoid,
                object: names.get(objectMoid) ?? null,
              },
            ]
          : [];
      }),
    ],
  ];
}

const CHILD_TABLES = childRows({
  ...generateInventory({ seed: 1, vcenterIndex: 0, vms: 1, hosts: 1, datastores: 1 }),
}).map(([t]) => t);
const TABLES = [...OWN.map((e) => ENTITY_TABLES[e]), ...LINKS.map(([, t]) => t), ...CHILD_TABLES];

const opened: OpenedDatabase[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function cache(): { db: OpenedDatabase; vc: (name: string) => number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-store-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  opened.push(db);
  const repo = new VcenterRepo(db.db);
  const vc = (name: string): number =>
    repo.add({ name, url: `https://${name}/sdk`, username: 'u', thumbprint: null, caPem: null }).id;
  return { db, vc };
}

/** What a sync used to do, kept as the reference: delete the vCenter's rows, insert `inv`. */
function rewrite(sqlite: Database.Database, vcenterId: number, inv: Inventory): void {
  const insert = (table: SQLiteTable, verb: string, row: Record<string, unknown>): void => {
    const cols = Object.entries(getTableColumns(table));
    sqlite
      .prepare(
        `${verb} INTO "${getTableConfig(table).name}" (${cols.map(([, c]) => `"${c.name}"`).join(',')}) ` +
          `VALUES (${cols.map(() => '?').join(',')})`,
      )
      .run(
        cols.map(([p]) => {
          const v = p === 'vcenterId' ? vcenterId : row[p];
          return v === undefined || v === null ? null : typeof v === 'boolean' ? Number(v) : v;
        }),
      );
  };
  sqlite.transaction(() => {
    for (const t of TABLES)
      sqlite.prepare(`DELETE FROM "${getTableConfig(t).name}" WHERE vcenter_id = ?`).run(vcenterId);
    const base = vcenterId * 2 ** 32;
    sqlite.prepare('DELETE FROM search_index WHERE rowid BETWEEN ? AND ?').run(base, base + 2 ** 32 - 1);
    for (const entity of OWN) {
      for (const row of inv[entity]) insert(ENTITY_TABLES[entity], 'INSERT', row);
    }
    for (const [table, verb, rows] of childRows(inv)) for (const row of rows) insert(table, verb, row);
    for (const [key, table] of LINKS) {
      for (const [a, b] of inv[key] as [string, string][]) insert(table, 'INSERT OR IGNORE', { a, b });
    }
    let rowid = base;
    const idx = sqlite.prepare(
      'INSERT INTO search_index (rowid, name, extra, entity, vcenter_id, moid) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const v of inv.vms)
      idx.run(
        ++rowid,
        v.name,
        [v.guestHostName, v.ipAddresses].filter(Boolean).join(' '),
        'vms',
        vcenterId,
        v.moid,
      );
    for (const entity of ['hosts', 'datastores', 'clusters', 'networks', 'datacenters'] as const) {
      for (const r of inv[entity]) idx.run(++rowid, r.name, '', entity, vcenterId, r.moid);
    }
  })();
}

/** Every inventory row of every vCenter, search rows with their rowids, in a fixed order. */
function dump(sqlite: Database.Database): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    const name = getTableConfig(t).name;
    out[name] = sqlite.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2, 3`).raw(true).all();
  }
  out['search_index'] = sqlite
    .prepare('SELECT rowid, name, extra, entity, vcenter_id, moid FROM search_index ORDER BY rowid')
    .raw(true)
    .all();
  return out;
}

const changes = (sqlite: Database.Database): number =>
  (sqlite.prepare('SELECT total_changes() AS n').get() as { n: number }).n;

/** The next sync's view of a vCenter: some VMs changed, gone, added, links moved. */
function mutate(inv: Inventory, rnd: () => number, round: number): Inventory {
  const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(rnd() * xs.length)];
  const next = structuredClone(inv);
  for (const v of next.vms) {
    const r = rnd();
    if (r < 0.05) v.powerState = v.powerState === 'poweredOn' ? 'poweredOff' : 'poweredOn';
    else if (r < 0.08) v.memoryMb = (v.memoryMb ?? 1024) * 2;
    else if (r < 0.1) v.ipAddresses = null;
    else if (r < 0.12) v.name = `${v.name}-renamed`;
    else if (r < 0.13) v.template = !v.template;
  }
  next.vms = next.vms.filter(() => rnd() > 0.03);
  const kept = new Set(next.vms.map((v) => v.moid));
  next.snapshots = next.snapshots.filter((s) => kept.has(s.vmMoid));
  next.vmDatastores = next.vmDatastores.filter(([a]) => kept.has(a));
  next.vmNetworks = next.vmNetworks.filter(([a]) => kept.has(a));
  // Child rows: those of removed VMs go; a disk grows, a NIC is removed, a partition fills up.
  next.disks = next.disks.filter((d) => kept.has(d.vmMoid));
  next.nics = next.nics.filter((d) => kept.has(d.vmMoid) && rnd() > 0.02);
  next.partitions = next.partitions.filter((d) => kept.has(d.vmMoid));
  next.vmCustomValues = next.vmCustomValues.filter((d) => kept.has(d.ownerMoid));
  const disk = pick(next.disks);
  if (disk) disk.capacityBytes = (disk.capacityBytes ?? 0) + 1024 ** 3;
  const part = pick(next.partitions);
  if (part) part.freeBytes = 0;
  const cv = pick(next.vmCustomValues);
  if (cv) cv.value = `${cv.value ?? ''}-changed`;
  // Tags: one detached, a category renamed (its tags' assignments carry the new name).
  if (next.tags) {
    next.tags.attachments.splice(Math.floor(rnd() * next.tags.attachments.length), 1);
    const cat = pick(next.tags.categories);
    if (cat && round % 2 === 1) cat.name = `${cat.name}-${round}`;
  }
  const donor = pick(inv.vms);
  if (donor) {
    // New VMs in the middle of the list: every search row after them moves up a number.
    const added = [1, 2, 3].map((i) => ({
      ...donor,
      moid: `vm-new-${round}-${i}`,
      name: `new-${round}-${i}`,
    }));
    next.vms.splice(Math.floor(next.vms.length / 2), 0, ...added);
    for (const a of added) {
      next.vmDatastores.push([a.moid, 'ds-1'], [a.moid, 'ds-1']); // listed twice: stored once
      next.vmNetworks.push([a.moid, 'net-1']);
    }
  }
  const host = pick(next.hosts);
  if (host) host.inMaintenanceMode = !host.inMaintenanceMode;
  if (next.hostDatastores.length > 0) next.hostDatastores.pop();
  const ds = pick(next.datastores);
  if (ds) ds.freeBytes = (ds.freeBytes ?? 0) + 1;
  return next;
}

describe('InventoryStore.replace', () => {
  it('stores exactly what deleting and re-inserting stores, search rowids included, sync after sync', () => {
    const mine = cache();
    const ref = cache();
    const store = new InventoryStore(mine.db.sqlite);
    const ids = [mine.vc('vc1'), mine.vc('vc2')];
    expect([ref.vc('vc1'), ref.vc('vc2')]).toEqual(ids);
    const rnd = mulberry32(7);
    let inv = generateInventory({
      seed: 3,
      vcenterIndex: 0,
      vms: 400,
      hosts: 12,
      datastores: 6,
      now: 1.7e12,
    });
    const other = generateInventory({
      seed: 4,
      vcenterIndex: 1,
      vms: 50,
      hosts: 3,
      datastores: 2,
      now: 1.7e12,
    });
    store.replace(ids[1]!, other);
    rewrite(ref.db.sqlite, ids[1]!, other);
    for (let round = 0; round < 6; round++) {
      store.replace(ids[0]!, inv);
      rewrite(ref.db.sqlite, ids[0]!, inv);
      expect(dump(mine.db.sqlite), `round ${round}`).toEqual(dump(ref.db.sqlite));
      inv = mutate(inv, rnd, round);
    }
    // Emptied, then filled again.
    const empty = {
      ...inv,
      vms: [],
      snapshots: [],
      vmDatastores: [],
      vmNetworks: [],
      disks: [],
      nics: [],
      partitions: [],
      vmCustomValues: [],
    };
    for (const next of [empty, inv]) {
      store.replace(ids[0]!, next);
      rewrite(ref.db.sqlite, ids[0]!, next);
      expect(dump(mine.db.sqlite)).toEqual(dump(ref.db.sqlite));
    }
  });

  it('writes nothing when the vCenter did not change', () => {
    const { db, vc } = cache();
    const store = new InventoryStore(db.sqlite);
    const id = vc('vc1');
    const inv = generateInventory({
      seed: 5,
      vcenterIndex: 0,
      vms: 300,
      hosts: 8,
      datastores: 4,
      now: 1.7e12,
    });
    store.replace(id, inv);
    const before = changes(db.sqlite);
    const written = store.replace(id, structuredClone(inv));
    // Not a row of any table, the full-text index included, was written or deleted.
    expect(changes(db.sqlite) - before).toBe(0);
    expect(written).toBe(0);
    const next = structuredClone(inv);
    next.vms[10]!.powerState = 'suspended';
    const mark = changes(db.sqlite);
    expect(store.replace(id, next)).toBe(1);
    // The row, and its change history row.
    expect(changes(db.sqlite) - mark).toBe(2);
    // The child tables (issue 16) are held to the same rule: there is something in them, an
    // unchanged re-sync leaves them alone, and one grown disk is one row written.
    for (const t of [
      'vm_disks',
      'vm_nics',
      'vm_partitions',
      'vm_custom_values',
      'host_nics',
      'tag_assignments',
    ])
      expect(
        (db.sqlite.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n,
        t,
      ).toBeGreaterThan(0);
    expect(store.replace(id, structuredClone(next))).toBe(0);
    const grown = structuredClone(next);
    grown.disks[3]!.capacityBytes = (grown.disks[3]!.capacityBytes ?? 0) + 1;
    const mark2 = changes(db.sqlite);
    expect(store.replace(id, grown)).toBe(1);
    expect(changes(db.sqlite) - mark2).toBe(2);
  });
});
