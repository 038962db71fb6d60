import type Database from 'better-sqlite3';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Entity, EntityCounts, Inventory, TagSet } from '../../../shared/inventory.js';
import type { InventoryDelta } from '../vsphere/live-inventory.js';
import * as schema from './schema.js';
import { DetailStore, type ObjectNames } from './detail-store.js';
import { TableWriter } from './table-writer.js';
import type { DeviceCache } from '../vsphere/device-cache.js';
import { HistoryRecorder, type ChangeSource, type HistoryWrite } from './history/recorder.js';
import type { HistoryEntity } from './history/tracked-tables.js';

export const ENTITY_TABLES: Record<Entity, SQLiteTable> = {
  vms: schema.vms,
  hosts: schema.hosts,
  datastores: schema.datastores,
  clusters: schema.clusters,
  datacenters: schema.datacenters,
  networks: schema.networks,
  snapshots: schema.snapshots,
  disks: schema.vmDisks,
  nics: schema.vmNics,
  partitions: schema.vmPartitions,
  tags: schema.tagAssignments,
};

const LINK_TABLES = [schema.vmDatastores, schema.vmNetworks, schema.hostDatastores];

export function countsOf(inv: Inventory): EntityCounts {
  return {
    vms: inv.vms.length,
    hosts: inv.hosts.length,
    datastores: inv.datastores.length,
    clusters: inv.clusters.length,
    datacenters: inv.datacenters.length,
    networks: inv.networks.length,
    snapshots: inv.snapshots.length,
    disks: inv.disks.length,
    nics: inv.nics.length,
    partitions: inv.partitions.length,
    tags: inv.tags?.attachments.length ?? 0,
  };
}

/** Entities this store writes itself; the child rows (disks, NICs, …) and tags go through `DetailStore`. */
const OWN_ENTITIES = [
  'vms',
  'hosts',
  'datastores',
  'clusters',
  'datacenters',
  'networks',
  'snapshots',
] as const satisfies readonly Entity[];
type OwnEntity = (typeof OWN_ENTITIES)[number];

/** What "where is …" searches, per object: names everywhere, plus a VM's guest host name and IPs. */
interface SearchEntry {
  name: string;
  extra: string;
  entity: Entity;
  moid: string;
}

function searchEntries(inv: Inventory): SearchEntry[] {
  const out: SearchEntry[] = [];
  for (const v of inv.vms) {
    const extra = [v.guestHostName, v.ipAddresses].filter(Boolean).join(' ');
    out.push({ name: v.name, extra, entity: 'vms', moid: v.moid });
  }
  const plain = [
    ['hosts', inv.hosts],
    ['datastores', inv.datastores],
    ['clusters', inv.clusters],
    ['networks', inv.networks],
    ['datacenters', inv.datacenters],
  ] as [Entity, { name: string; moid: string }[]][];
  for (const [entity, rows] of plain)
    for (const r of rows) out.push({ name: r.name, extra: '', entity, moid: r.moid });
  return out;
}

/**
 * Writes one vCenter's inventory in a single transaction: readers see the old snapshot or the
 * new one, never half of each, and a failed write leaves the old one in place.
 */
export class InventoryStore {
  private readonly tables: Record<OwnEntity, TableWriter>;
  private readonly details: DetailStore;
  /** vm_datastores, vm_networks, host_datastores: a vCenter may list the same link twice. */
  private readonly links: [TableWriter, TableWriter, TableWriter];
  private readonly deleteByVm: Database.Statement[];
  private readonly deleteHostLinks: Database.Statement;
  private readonly searchRows: Database.Statement;
  private readonly searchDeleteOne: Database.Statement;
  private readonly searchInsert: Database.Statement;
  /** Per vCenter (loaded on its first live change): search rowid by `entity:moid`, and the next free rowid. */
  private readonly searchIds = new Map<number, { ids: Map<string, number>; next: number }>();
  /** Records what each write changes (the change history), in the write's transaction. */
  readonly history: HistoryRecorder;

  constructor(private readonly sqlite: Database.Database) {
    this.history = new HistoryRecorder(sqlite);
    this.tables = Object.fromEntries(
      OWN_ENTITIES.map((e) => [e, new TableWriter(sqlite, ENTITY_TABLES[e])]),
    ) as Record<OwnEntity, TableWriter>;
    this.details = new DetailStore(sqlite);
    const [vmDs, vmNet, hostDs] = LINK_TABLES.map((t) => new TableWriter(sqlite, t, 'INSERT OR IGNORE'));
    this.links = [vmDs!, vmNet!, hostDs!];
    // Search rows carry rowid = vcenterId * 2^32 + n, so one vCenter's rows go by a rowid range
    // instead of a scan of the whole full-text table.
    this.searchInsert = sqlite.prepare(
      'INSERT INTO search_index (rowid, name, extra, entity, vcenter_id, moid) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.deleteByVm = [
      sqlite.prepare('DELETE FROM snapshots WHERE vcenter_id = ? AND vm_moid = ?'),
      sqlite.prepare(
        `DELETE FROM "${getTableConfig(schema.vmDatastores).name}" WHERE vcenter_id = ? AND vm_moid = ?`,
      ),
      sqlite.prepare(
        `DELETE FROM "${getTableConfig(schema.vmNetworks).name}" WHERE vcenter_id = ? AND vm_moid = ?`,
      ),
    ];
    this.deleteHostLinks = sqlite.prepare(
      `DELETE FROM "${getTableConfig(schema.hostDatastores).name}" WHERE vcenter_id = ? AND host_moid = ?`,
    );
    this.searchRows = sqlite.prepare(
      'SELECT rowid AS id, name, extra, entity, moid FROM search_index WHERE rowid BETWEEN ? AND ?',
    );
    this.searchDeleteOne = sqlite.prepare('DELETE FROM search_index WHERE rowid = ?');
  }

  /**
   * Applies the rows a live change touched, in one short transaction: upserts, deletes, a VM's
   * snapshots and links replaced, search entries kept in step; `alongside` (the sync state) in
   * the same transaction.
   */
  applyDelta(vcenterId: number, d: InventoryDelta, alongside?: () => void): void {
    const tx = this.sqlite.transaction(() => {
      const h = this.history.begin(vcenterId, 'live');
      if (h) this.recordDelta(h, d);
      const search = this.searchIdsOf(vcenterId);
      const index = (entity: Entity, moid: string, name: string, extra: string): void => {
        const k = `${entity}:${moid}`;
        const old = search.ids.get(k);
        if (old !== undefined) this.searchDeleteOne.run(old);
        const id = old ?? ++search.next;
        this.searchInsert.run(id, name, extra, entity, vcenterId, moid);
        search.ids.set(k, id);
      };
      const unindex = (entity: Entity, moid: string): void => {
        const k = `${entity}:${moid}`;
        const old = search.ids.get(k);
        if (old !== undefined) this.searchDeleteOne.run(old);
        search.ids.delete(k);
      };
      const [vmDs, vmNet, hostDs] = this.links;
      const details = this.details;
      for (const [kind, moids] of Object.entries(d.removed) as [OwnEntity | 'dvSwitches', string[]][]) {
        for (const moid of moids) {
          if (kind === 'dvSwitches') {
            details.dvSwitchRemoved(vcenterId, moid);
            continue;
          }
          const entity = kind;
          if (entity === 'vms') details.clearVm(vcenterId, moid);
          if (entity === 'hosts') details.clearHost(vcenterId, moid);
          this.tables[entity].deleteKey(vcenterId, moid);
          details.removed(vcenterId, moid);
          unindex(entity, moid);
          if (entity === 'vms') for (const s of this.deleteByVm) s.run(vcenterId, moid);
          if (entity === 'hosts') this.deleteHostLinks.run(vcenterId, moid);
        }
      }
      for (const v of d.vms) {
        // Its child rows go first, so the row's replace has nothing to cascade; then they come back.
        details.clearVm(vcenterId, v.row.moid);
        this.tables.vms.upsert(vcenterId, v.row);
        for (const s of this.deleteByVm) s.run(vcenterId, v.row.moid);
        for (const snap of v.snapshots) this.tables.snapshots.upsert(vcenterId, snap);
        for (const b of v.datastores) vmDs.insert(vcenterId, { a: v.row.moid, b });
        for (const b of v.networks) vmNet.insert(vcenterId, { a: v.row.moid, b });
        details.vmChanged(vcenterId, v);
        index(
          'vms',
          v.row.moid,
          v.row.name,
          [v.row.guestHostName, v.row.ipAddresses].filter(Boolean).join(' '),
        );
      }
      for (const h of d.hosts) {
        details.clearHost(vcenterId, h.row.moid);
        this.tables.hosts.upsert(vcenterId, h.row);
        this.deleteHostLinks.run(vcenterId, h.row.moid);
        for (const b of h.datastores) hostDs.insert(vcenterId, { a: h.row.moid, b });
        details.hostChanged(vcenterId, h);
        index('hosts', h.row.moid, h.row.name, '');
      }
      for (const sw of d.dvSwitches) {
        details.dvSwitchChanged(vcenterId, { ...sw });
        details.renamed(vcenterId, sw.moid, sw.name);
      }
      const simple = [
        ['clusters', d.clusters],
        ['datastores', d.datastores],
        ['networks', d.networks],
        ['datacenters', d.datacenters],
      ] as [OwnEntity, { moid: string; name: string }[]][];
      for (const [entity, rows] of simple) {
        for (const r of rows) {
          this.tables[entity].upsert(vcenterId, r);
          details.renamed(vcenterId, r.moid, r.name);
          index(entity, r.moid, r.name, '');
        }
      }
      alongside?.();
    });
    try {
      tx.immediate();
    } catch (err) {
      // The rowid map may be ahead of the rolled-back table: reload it next time.
      this.searchIds.delete(vcenterId);
      throw err;
    }
  }

  /** Names that other rows carry (a VM's host, cluster, …), by the entity that owns them. */
  private renameSources(): [HistoryEntity, TableWriter][] {
    const t = this.tables;
    return [
      ['hosts', t.hosts],
      ['clusters', t.clusters],
      ['datacenters', t.datacenters],
      ['datastores', t.datastores],
      ['networks', t.networks],
      ['dvswitches', this.details.dvSwitchWriter()],
    ];
  }

  /**
   * A live change compared with the rows it replaces, before they are written: what is removed,
   * created or changed, child rows as fields of their owner.
   */
  private recordDelta(h: HistoryWrite, d: InventoryDelta): void {
    const t = this.tables;
    const lists: Record<string, readonly { moid: string; name: string }[]> = {
      hosts: d.hosts.map((x) => x.row),
      clusters: d.clusters,
      datacenters: d.datacenters,
      datastores: d.datastores,
      networks: d.networks,
      dvswitches: d.dvSwitches,
    };
    for (const [entity, writer] of this.renameSources()) {
      const rows = lists[entity] ?? [];
      if (rows.length > 0) h.noteRenames(entity, this.history.storedNames(writer, h.vcenterId), rows);
    }
    for (const [kind, moids] of Object.entries(d.removed) as [OwnEntity | 'dvSwitches', string[]][]) {
      for (const moid of moids) {
        if (kind === 'dvSwitches') this.details.dvSwitchGone(h, moid);
        else h.removedObject(t[kind], ENTITY_TABLES[kind], moid);
      }
    }
    for (const v of d.vms) {
      h.diff(t.vms, schema.vms, 'moid', v.row.moid, [v.row]);
      h.diff(t.snapshots, schema.snapshots, 'vm_moid', v.row.moid, v.snapshots);
      this.details.diffVm(h, v);
    }
    for (const host of d.hosts) {
      h.diff(t.hosts, schema.hosts, 'moid', host.row.moid, [host.row]);
      this.details.diffHost(h, host);
    }
    for (const sw of d.dvSwitches) this.details.diffDvSwitch(h, { ...sw });
    const simple = [
      ['clusters', d.clusters],
      ['datastores', d.datastores],
      ['networks', d.networks],
      ['datacenters', d.datacenters],
    ] as [OwnEntity, { moid: string }[]][];
    for (const [entity, rows] of simple)
      for (const r of rows) h.diff(t[entity], ENTITY_TABLES[entity], 'moid', r.moid, [r]);
  }

  private searchIdsOf(vcenterId: number): { ids: Map<string, number>; next: number } {
    let s = this.searchIds.get(vcenterId);
    if (!s) {
      const base = vcenterId * 2 ** 32;
      const ids = new Map<string, number>();
      let next = base;
      for (const r of this.searchRows.all(base, base + 2 ** 32 - 1) as {
        id: number;
        entity: string;
        moid: string;
      }[]) {
        ids.set(`${r.entity}:${r.moid}`, r.id);
        if (r.id > next) next = r.id;
      }
      s = { ids, next };
      this.searchIds.set(vcenterId, s);
    }
    return s;
  }

  /**
   * A fresh read of a vCenter's tags (a live session re-reads them on a timer): written in one
   * short transaction (only what differs), with `alongside` (the sync state's tags "as of").
   */
  replaceTags(vcenterId: number, tags: TagSet, names: ObjectNames, alongside?: () => void): number {
    let written = 0;
    this.sqlite
      .transaction(() => {
        written = this.details.syncTags(vcenterId, tags, names, this.history.begin(vcenterId, 'live'));
        alongside?.();
      })
      .immediate();
    return written;
  }

  /**
   * The devices stored for a vCenter's VMs, by VM and config.changeVersion (collect reads the
   * devices of the other VMs). Read in one pass: a refresh of an unchanged estate takes every
   * VM's list from here, and one statement per VM cost several times more (each finds its row and
   * its overflow pages on its own).
   */
  deviceCache(vcenterId: number): DeviceCache {
    const stored = new Map<string, { version: string; devices: string }>();
    for (const [moid, version, devices] of this.sqlite
      .prepare('SELECT vm_moid, change_version, devices FROM vm_devices WHERE vcenter_id = ?')
      .raw(true)
      .iterate(vcenterId) as IterableIterator<[string, string, string]>)
      stored.set(moid, { version, devices });
    return {
      get: (vmMoid, changeVersion) => {
        const s = stored.get(vmMoid);
        return s !== undefined && s.version === changeVersion ? s.devices : undefined;
      },
    };
  }

  /** The VMs of a vCenter that had snapshots when it was last written (moids). */
  snapshotVms(vcenterId: number): string[] {
    return this.sqlite
      .prepare('SELECT DISTINCT vm_moid FROM snapshots WHERE vcenter_id = ?')
      .pluck()
      .all(vcenterId) as string[];
  }

  /** Drops what the store remembers about a vCenter (after it was removed). */
  forget(vcenterId: number): void {
    this.searchIds.delete(vcenterId);
    this.history.forget(vcenterId);
  }

  /**
   * Makes the stored inventory of a vCenter exactly `inv`, writing only what differs from what is
   * stored: a re-sync of an unchanged vCenter writes no row (and so no index or full-text page),
   * which is most of what a sync used to spend in SQLite. The result is the same as deleting the
   * vCenter's rows and inserting `inv`, search rowids included. Returns the rows written.
   *
   * `alongside` runs in the same transaction (the vCenter's sync state): the new rows and the
   * state that describes them ("as of", counts) are written together or not at all.
   */
  replace(vcenterId: number, inv: Inventory, alongside?: () => void, source: ChangeSource = 'sync'): number {
    this.searchIds.delete(vcenterId);
    let written = 0;
    const tx = this.sqlite.transaction(() => {
      const t = this.tables;
      // A vCenter whose cache is empty is seen for the first time: one marker, not a row per object.
      const first = this.history.enabled && this.history.isEmpty(vcenterId);
      const h = this.history.begin(vcenterId, source);
      const rec = first ? undefined : h;
      if (rec) {
        const lists: Record<string, readonly { moid: string; name: string }[]> = {
          hosts: inv.hosts,
          clusters: inv.clusters,
          datacenters: inv.datacenters,
          datastores: inv.datastores,
          networks: inv.networks,
          dvswitches: inv.dvSwitches,
        };
        for (const [entity, writer] of this.renameSources())
          rec.noteRenames(entity, this.history.storedNames(writer, vcenterId), lists[entity] ?? []);
      }
      const o = (table: SQLiteTable) => rec?.observe(table);
      written += t.vms.sync(vcenterId, inv.vms, o(schema.vms));
      written += t.hosts.sync(vcenterId, inv.hosts, o(schema.hosts));
      written += t.datastores.sync(vcenterId, inv.datastores, o(schema.datastores));
      written += t.clusters.sync(vcenterId, inv.clusters, o(schema.clusters));
      written += t.datacenters.sync(vcenterId, inv.datacenters, o(schema.datacenters));
      written += t.networks.sync(vcenterId, inv.networks, o(schema.networks));
      written += t.snapshots.sync(vcenterId, inv.snapshots, o(schema.snapshots));
      if (first && h && written > 0) h.firstSync(countsOf(inv));
      const [vmDs, vmNet, hostDs] = this.links;
      const pairs = (list: [string, string][]): { a: string; b: string }[] =>
        list.map(([a, b]) => ({ a, b }));
      written += vmDs.sync(vcenterId, pairs(inv.vmDatastores));
      written += vmNet.sync(vcenterId, pairs(inv.vmNetworks));
      written += hostDs.sync(vcenterId, pairs(inv.hostDatastores));
      // After their owners: a removed VM's or host's child rows went with it (cascade).
      written += this.details.syncAll(vcenterId, inv, rec);
      written += this.syncSearch(vcenterId, searchEntries(inv));
      alongside?.();
    });
    tx.immediate();
    return written;
  }

  /**
   * The search rows of a vCenter, numbered as a rewrite numbers them (base + 1, 2, … in entry
   * order): an entry already stored under its number with the same values stays.
   */
  private syncSearch(vcenterId: number, entries: SearchEntry[]): number {
    const base = vcenterId * 2 ** 32;
    const stored = new Map<number, SearchEntry>();
    for (const r of this.searchRows.all(base, base + 2 ** 32 - 1) as (SearchEntry & { id: number })[]) {
      stored.set(r.id, r);
    }
    let written = 0;
    let rowid = base;
    for (const e of entries) {
      const id = ++rowid;
      const old = stored.get(id);
      if (old !== undefined) {
        stored.delete(id);
        if (old.name === e.name && old.extra === e.extra && old.entity === e.entity && old.moid === e.moid)
          continue;
        this.searchDeleteOne.run(id);
      }
      this.searchInsert.run(id, e.name, e.extra, e.entity, vcenterId, e.moid);
      written++;
    }
    for (const id of stored.keys()) {
      this.searchDeleteOne.run(id);
      written++;
    }
    return written;
  }
}
