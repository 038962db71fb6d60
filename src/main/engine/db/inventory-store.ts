import type Database from 'better-sqlite3';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { getTableColumns } from 'drizzle-orm';
import type { Entity, EntityCounts, Inventory } from '../../../shared/inventory.js';
import * as schema from './schema.js';

type Bindable = string | number | bigint | null;

/** Insert statement and row encoder generated from the drizzle table: the schema is stated once. */
function inserter(sqlite: Database.Database, table: SQLiteTable, verb = 'INSERT') {
  const cfg = getTableConfig(table);
  const cols = Object.entries(getTableColumns(table)).map(([prop, col]) => ({ prop, name: col.name }));
  const stmt = sqlite.prepare(
    `${verb} INTO "${cfg.name}" (${cols.map((c) => `"${c.name}"`).join(',')}) VALUES (${cols.map(() => '?').join(',')})`,
  );
  return (row: Record<string, unknown>): void => {
    const values: Bindable[] = cols.map(({ prop }) => {
      const v = row[prop];
      if (v === undefined || v === null) return null;
      if (typeof v === 'boolean') return v ? 1 : 0;
      return v as Bindable;
    });
    stmt.run(values);
  };
}

export const ENTITY_TABLES: Record<Entity, SQLiteTable> = {
  vms: schema.vms,
  hosts: schema.hosts,
  datastores: schema.datastores,
  clusters: schema.clusters,
  datacenters: schema.datacenters,
  networks: schema.networks,
  snapshots: schema.snapshots,
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
  };
}

/**
 * Replaces one vCenter's inventory in a single transaction: readers see the old snapshot or the
 * new one, never half of each, and a failed write leaves the old one in place.
 */
export class InventoryStore {
  private readonly insert: Record<Entity, (row: Record<string, unknown>) => void>;
  private readonly links: ((row: Record<string, unknown>) => void)[];
  private readonly deletes: Database.Statement[];
  private readonly searchInsert: Database.Statement;
  private readonly searchDelete: Database.Statement;

  constructor(private readonly sqlite: Database.Database) {
    this.insert = Object.fromEntries(
      Object.entries(ENTITY_TABLES).map(([e, t]) => [e, inserter(sqlite, t)]),
    ) as Record<Entity, (row: Record<string, unknown>) => void>;
    // A vCenter may list the same link twice (e.g. a VM with two NICs on one portgroup).
    this.links = LINK_TABLES.map((t) => inserter(sqlite, t, 'INSERT OR IGNORE'));
    this.deletes = [...Object.values(ENTITY_TABLES), ...LINK_TABLES].map((t) =>
      sqlite.prepare(`DELETE FROM "${getTableConfig(t).name}" WHERE vcenter_id = ?`),
    );
    // Search rows carry rowid = vcenterId * 2^32 + n, so one vCenter's rows go by a rowid range
    // instead of a scan of the whole full-text table.
    this.searchDelete = sqlite.prepare('DELETE FROM search_index WHERE rowid BETWEEN ? AND ?');
    this.searchInsert = sqlite.prepare(
      'INSERT INTO search_index (rowid, name, extra, entity, vcenter_id, moid) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  replace(vcenterId: number, inv: Inventory): void {
    const tx = this.sqlite.transaction(() => {
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
      }) as [Entity, Record<string, unknown>[]][]) {
        const ins = this.insert[entity];
        for (const row of rows) ins({ ...row, vcenterId });
      }
      const [vmDs, vmNet, hostDs] = this.links;
      for (const [a, b] of inv.vmDatastores) vmDs!({ vcenterId, a, b });
      for (const [a, b] of inv.vmNetworks) vmNet!({ vcenterId, a, b });
      for (const [a, b] of inv.hostDatastores) hostDs!({ vcenterId, a, b });
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
    });
    tx.immediate();
  }
}
