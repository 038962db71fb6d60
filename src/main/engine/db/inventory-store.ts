import type Database from 'better-sqlite3';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Entity, Inventory, TagSet } from '../../../shared/inventory.js';
import type { InventoryDelta } from '../vsphere/live-inventory.js';
import * as schema from './schema.js';
import { DetailStore } from './detail-store.js';
import { TableWriter } from './table-writer.js';
import { deviceCacheOf, type DeviceCache } from '../vsphere/device-cache.js';
import { HistoryRecorder, type ChangeSource } from './history/recorder.js';
import {
  countsOf,
  deltaRemovals,
  deltaSimple,
  ENTITY_TABLES,
  entitySteps,
  LINK_TABLES,
  linkSteps,
  OWN_ENTITIES,
  planSearch,
  recordDelta,
  renameLists,
  SEARCH_SPAN,
  searchBase,
  searchEntries,
  vmSearchExtra,
  type ObjectNames,
  type OwnEntity,
  type SearchEntry,
} from './inventory-tables.js';

export { countsOf, ENTITY_TABLES };

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
    const [vmDs, vmNet, hostDs] = LINK_TABLES.map(
      (t: SQLiteTable) => new TableWriter(sqlite, t, 'INSERT OR IGNORE'),
    );
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
      if (h) recordDelta(h, d);
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
      for (const [kind, moids] of deltaRemovals(d)) {
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
        index('vms', v.row.moid, v.row.name, vmSearchExtra(v.row));
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
      for (const [entity, rows] of deltaSimple(d)) {
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

  private searchIdsOf(vcenterId: number): { ids: Map<string, number>; next: number } {
    let s = this.searchIds.get(vcenterId);
    if (!s) {
      const base = searchBase(vcenterId);
      const ids = new Map<string, number>();
      let next = base;
      for (const r of this.searchRows.all(base, base + SEARCH_SPAN) as {
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
    return deviceCacheOf(
      this.sqlite
        .prepare('SELECT vm_moid, change_version, devices FROM vm_devices WHERE vcenter_id = ?')
        .raw(true)
        .iterate(vcenterId) as IterableIterator<[string, string, string]>,
    );
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
      rec?.noteRenamesOf(renameLists(inv));
      const writers = new Map<SQLiteTable, TableWriter>([
        ...OWN_ENTITIES.map((e) => [ENTITY_TABLES[e], t[e]] as const),
        ...LINK_TABLES.map((table, i) => [table, this.links[i]!] as const),
      ]);
      for (const step of entitySteps(inv))
        written += writers.get(step.table)!.sync(vcenterId, step.rows, rec?.observe(step.table));
      if (first && h && written > 0) h.firstSync(countsOf(inv));
      for (const step of linkSteps(inv)) written += writers.get(step.table)!.sync(vcenterId, step.rows);
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
    const base = searchBase(vcenterId);
    const stored = new Map<number, SearchEntry>();
    for (const r of this.searchRows.all(base, base + SEARCH_SPAN) as (SearchEntry & { id: number })[]) {
      stored.set(r.id, r);
    }
    return planSearch(
      vcenterId,
      stored,
      entries,
      (id) => this.searchDeleteOne.run(id),
      (id, e) => this.searchInsert.run(id, e.name, e.extra, e.entity, vcenterId, e.moid),
    );
  }
}
