import type Database from 'better-sqlite3';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Entity, EntityCounts, Inventory, TagSet } from '../../../shared/inventory.js';
import type { InventoryDelta } from '../vsphere/live-inventory.js';
import * as schema from './schema.js';
import { DetailStore, inserter, type ObjectNames } from './detail-store.js';

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

/**
 * Replaces one vCenter's inventory in a single transaction: readers see the old snapshot or the
 * new one, never half of each, and a failed write leaves the old one in place.
 */
export class InventoryStore {
  private readonly insert: Record<OwnEntity, (row: Record<string, unknown>) => void>;
  private readonly upsert: Record<OwnEntity, (row: Record<string, unknown>) => void>;
  private readonly deleteRow: Record<OwnEntity, Database.Statement>;
  private readonly details: DetailStore;
  private readonly deleteByVm: Database.Statement[];
  private readonly deleteHostLinks: Database.Statement;
  private readonly searchRows: Database.Statement;
  private readonly searchDeleteOne: Database.Statement;
  /** Per vCenter (loaded on its first live change): search rowid by `entity:moid`, and the next free rowid. */
  private readonly searchIds = new Map<number, { ids: Map<string, number>; next: number }>();
  private readonly links: ((row: Record<string, unknown>) => void)[];
  private readonly deletes: Database.Statement[];
  private readonly searchInsert: Database.Statement;
  private readonly searchDelete: Database.Statement;

  constructor(private readonly sqlite: Database.Database) {
    const own = OWN_ENTITIES.map((e) => [e, ENTITY_TABLES[e]] as const);
    this.details = new DetailStore(sqlite);
    this.insert = Object.fromEntries(own.map(([e, t]) => [e, inserter(sqlite, t)])) as Record<
      OwnEntity,
      (row: Record<string, unknown>) => void
    >;
    // A vCenter may list the same link twice (e.g. a VM with two NICs on one portgroup).
    this.links = LINK_TABLES.map((t) => inserter(sqlite, t, 'INSERT OR IGNORE'));
    this.deletes = [...own.map(([, t]) => t), ...LINK_TABLES].map((t) =>
      sqlite.prepare(`DELETE FROM "${getTableConfig(t).name}" WHERE vcenter_id = ?`),
    );
    // Search rows carry rowid = vcenterId * 2^32 + n, so one vCenter's rows go by a rowid range
    // instead of a scan of the whole full-text table.
    this.searchDelete = sqlite.prepare('DELETE FROM search_index WHERE rowid BETWEEN ? AND ?');
    this.searchInsert = sqlite.prepare(
      'INSERT INTO search_index (rowid, name, extra, entity, vcenter_id, moid) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.upsert = Object.fromEntries(
      own.map(([e, t]) => [e, inserter(sqlite, t, 'INSERT OR REPLACE')]),
    ) as Record<OwnEntity, (row: Record<string, unknown>) => void>;
    this.deleteRow = Object.fromEntries(
      own.map(([e, t]) => [
        e,
        sqlite.prepare(`DELETE FROM "${getTableConfig(t).name}" WHERE vcenter_id = ? AND moid = ?`),
      ]),
    ) as Record<OwnEntity, Database.Statement>;
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
      'SELECT rowid AS id, entity, moid FROM search_index WHERE rowid BETWEEN ? AND ?',
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
          this.deleteRow[entity].run(vcenterId, moid);
          details.removed(vcenterId, moid);
          unindex(entity, moid);
          if (entity === 'vms') for (const s of this.deleteByVm) s.run(vcenterId, moid);
          if (entity === 'hosts') this.deleteHostLinks.run(vcenterId, moid);
        }
      }
      for (const v of d.vms) {
        details.clearVm(vcenterId, v.row.moid);
        this.upsert.vms({ ...v.row, vcenterId });
        for (const s of this.deleteByVm) s.run(vcenterId, v.row.moid);
        for (const snap of v.snapshots) this.upsert.snapshots({ ...snap, vcenterId });
        for (const b of v.datastores) vmDs!({ vcenterId, a: v.row.moid, b });
        for (const b of v.networks) vmNet!({ vcenterId, a: v.row.moid, b });
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
        this.upsert.hosts({ ...h.row, vcenterId });
        this.deleteHostLinks.run(vcenterId, h.row.moid);
        for (const b of h.datastores) hostDs!({ vcenterId, a: h.row.moid, b });
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
          this.upsert[entity]({ ...r, vcenterId });
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
   * A fresh read of a vCenter's tags (a live session re-reads them on a timer): replaced in one
   * short transaction, with `alongside` (the sync state's tags "as of").
   */
  replaceTags(vcenterId: number, tags: TagSet, names: ObjectNames, alongside?: () => void): void {
    this.sqlite
      .transaction(() => {
        this.details.replaceTags(vcenterId, tags, names);
        alongside?.();
      })
      .immediate();
  }

  /** Drops what the store remembers about a vCenter (after it was removed). */
  forget(vcenterId: number): void {
    this.searchIds.delete(vcenterId);
  }

  /**
   * `alongside` runs in the same transaction (the vCenter's sync state): the new rows and the
   * state that describes them ("as of", counts) are written together or not at all.
   */
  replace(vcenterId: number, inv: Inventory, alongside?: () => void): void {
    this.searchIds.delete(vcenterId);
    const tx = this.sqlite.transaction(() => {
      this.details.clear(vcenterId);
      for (const d of this.deletes) d.run(vcenterId);
      const base = vcenterId * 2 ** 32;
      this.searchDelete.run(base, base + 2 ** 32 - 1);
      for (const [entity, rows] of Object.entries({
        vms: inv.vms,
        hosts: inv.hosts,
        datastores: inv.datastores,
        clusters: inv.clusters,
        datacenters: inv.datacenters,
        networks: inv.networks,
        snapshots: inv.snapshots,
      }) as [OwnEntity, Record<string, unknown>[]][]) {
        const ins = this.insert[entity];
        for (const row of rows) ins({ ...row, vcenterId });
      }
      const [vmDs, vmNet, hostDs] = this.links;
      for (const [a, b] of inv.vmDatastores) vmDs!({ vcenterId, a, b });
      for (const [a, b] of inv.vmNetworks) vmNet!({ vcenterId, a, b });
      for (const [a, b] of inv.hostDatastores) hostDs!({ vcenterId, a, b });
      this.details.writeAll(vcenterId, inv);
      // What "where is …" searches: names everywhere, plus a VM's guest host name and IPs.
      let rowid = base;
      const idx = (name: string, extra: string, entity: Entity, moid: string): void => {
        this.searchInsert.run(++rowid, name, extra, entity, vcenterId, moid);
      };
      for (const v of inv.vms)
        idx(v.name, [v.guestHostName, v.ipAddresses].filter(Boolean).join(' '), 'vms', v.moid);
      for (const h of inv.hosts) idx(h.name, '', 'hosts', h.moid);
      for (const d of inv.datastores) idx(d.name, '', 'datastores', d.moid);
      for (const c of inv.clusters) idx(c.name, '', 'clusters', c.moid);
      for (const n of inv.networks) idx(n.name, '', 'networks', n.moid);
      for (const d of inv.datacenters) idx(d.name, '', 'datacenters', d.moid);
      alongside?.();
    });
    tx.immediate();
  }
}
