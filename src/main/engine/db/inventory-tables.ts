/**
 * What both inventory stores (SQLite's InventoryStore, PostgreSQL's PgInventoryStore) write for an
 * inventory, with no SQL: the tables in the order a full sync writes them and the rows each gets,
 * the search entries and how stored ones are renumbered, and how a live change is compared with the
 * stored rows for the change history. Each store runs these with its own driver.
 */
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Entity, EntityCounts, Inventory, TagSet, VmDevicesRow } from '../../../shared/inventory.js';
import type { HostRows, VmRows } from '../vsphere/inventory-mapper.js';
import type { InventoryDelta } from '../vsphere/live-inventory.js';
import type { HistoryWrite } from './history/recorder.js';
import type { KeptOwners } from './table-shape.js';
import * as schema from './schema.js';

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

export const LINK_TABLES = [schema.vmDatastores, schema.vmNetworks, schema.hostDatastores] as const;

/** A VM's child rows (removed with it; a live change rewrites them). */
export const VM_CHILDREN = [
  schema.vmDisks,
  schema.vmNics,
  schema.vmPartitions,
  schema.vmCustomValues,
  schema.vmDevices,
] as const;
export const HOST_CHILDREN = [
  schema.hostNics,
  schema.hostVmkernels,
  schema.hostVswitches,
  schema.hostCustomValues,
] as const;

/** Tables whose lists may name a row twice (the first one counts): INSERT OR IGNORE in SQLite. */
export const IGNORES_DUPLICATES: ReadonlySet<SQLiteTable> = new Set<SQLiteTable>([
  ...LINK_TABLES,
  schema.hostNics,
  schema.hostVmkernels,
  schema.hostVswitches,
  schema.tagCategories,
  schema.tagDefs,
  schema.tagAssignments,
]);

export function countsOf(inv: Inventory): EntityCounts {
  let keptDisks = 0;
  let keptNics = 0;
  for (const d of inv.vmDevices) {
    if (!d.rowsKept) continue;
    keptDisks += d.rowsKept.disks;
    keptNics += d.rowsKept.nics;
  }
  return {
    vms: inv.vms.length,
    hosts: inv.hosts.length,
    datastores: inv.datastores.length,
    clusters: inv.clusters.length,
    datacenters: inv.datacenters.length,
    networks: inv.networks.length,
    snapshots: inv.snapshots.length,
    disks: inv.disks.length + keptDisks,
    nics: inv.nics.length + keptNics,
    partitions: inv.partitions.length,
    tags: inv.tags?.attachments.length ?? 0,
  };
}

/** Entities the stores write as objects; the child rows (disks, NICs, …) and tags come after. */
export const OWN_ENTITIES = [
  'vms',
  'hosts',
  'datastores',
  'clusters',
  'datacenters',
  'networks',
  'snapshots',
] as const satisfies readonly Entity[];
export type OwnEntity = (typeof OWN_ENTITIES)[number];

type Rows = readonly Record<string, unknown>[];
/** The row types are interfaces; the stores read them by property name. */
const asRows = (xs: readonly object[]): Rows => xs as Rows;

/** One table of a full sync: its rows, and whether the change history observes it. */
export interface SyncStep {
  table: SQLiteTable;
  rows: Rows;
  observed: boolean;
  /** Owners (`vmMoid`) whose stored rows stay as they are: not compared, not removed. */
  keep?: KeptOwners;
}

/** The VMs whose stored disk and NIC rows a full sync keeps (their rows are not in `inv`). */
export function keptDeviceRows(inv: Inventory): KeptOwners | undefined {
  const moids = new Set<string>();
  for (const d of inv.vmDevices) if (d.rowsKept) moids.add(d.vmMoid);
  return moids.size > 0 ? { prop: 'vmMoid', moids } : undefined;
}

/** The object tables, in the order a full sync writes them (all observed). */
export function entitySteps(inv: Inventory): SyncStep[] {
  return OWN_ENTITIES.map((e) => ({ table: ENTITY_TABLES[e], rows: asRows(inv[e]), observed: true }));
}

/** The link tables (vm_datastores, vm_networks, host_datastores; not history). */
export function linkSteps(inv: Inventory): SyncStep[] {
  const pairs = (list: [string, string][]): Rows => list.map(([a, b]) => ({ a, b }));
  return [
    { table: schema.vmDatastores, rows: pairs(inv.vmDatastores), observed: false },
    { table: schema.vmNetworks, rows: pairs(inv.vmNetworks), observed: false },
    { table: schema.hostDatastores, rows: pairs(inv.hostDatastores), observed: false },
  ];
}

/**
 * The child tables and dvSwitches, after their owners (a removed VM's or host's children went
 * with it). The device cache (vm_devices) is written apart, by version.
 */
export function childSteps(inv: Inventory): SyncStep[] {
  const keep = keptDeviceRows(inv);
  return [
    { table: schema.vmDisks, rows: asRows(inv.disks), observed: true, ...(keep ? { keep } : {}) },
    { table: schema.vmNics, rows: asRows(inv.nics), observed: true, ...(keep ? { keep } : {}) },
    { table: schema.vmPartitions, rows: asRows(inv.partitions), observed: true },
    {
      table: schema.vmCustomValues,
      rows: inv.vmCustomValues.map((r) => ({ ...r, vmMoid: r.ownerMoid })),
      observed: true,
    },
    {
      table: schema.hostCustomValues,
      rows: inv.hostCustomValues.map((r) => ({ ...r, hostMoid: r.ownerMoid })),
      observed: true,
    },
    { table: schema.hostNics, rows: asRows(inv.hostNics), observed: true },
    { table: schema.hostVmkernels, rows: asRows(inv.hostVmkernels), observed: true },
    { table: schema.hostVswitches, rows: asRows(inv.hostVswitches), observed: true },
    { table: schema.dvSwitches, rows: asRows(inv.dvSwitches), observed: true },
  ];
}

/** moid → name of every object of a vCenter that can carry a tag. */
export type ObjectNames = (moid: string) => string | null;

export function inventoryNames(inv: Inventory): ObjectNames {
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
  return (moid) => names.get(moid) ?? null;
}

/**
 * A vCenter's categories, tags and assignments (object names resolved now), in that order:
 * a category that is gone takes its tags and their assignments with it (cascade); a new tag finds
 * its category in place. Only the assignments are history.
 */
export function tagSteps(tags: TagSet, names: ObjectNames): SyncStep[] {
  const categories = new Map<string, string>();
  for (const c of tags.categories) categories.set(c.id, c.name);
  const defs = new Map<string, { name: string; category: string; description: string | null }>();
  const tagRows: typeof tags.tags = [];
  for (const t of tags.tags) {
    const category = categories.get(t.categoryId);
    if (category === undefined) continue; // a tag whose category was removed meanwhile
    defs.set(t.id, { name: t.name, category, description: t.description });
    tagRows.push(t);
  }
  const assignments: Record<string, unknown>[] = [];
  for (const [objectType, objectMoid, tagId] of tags.attachments) {
    const def = defs.get(tagId);
    if (!def) continue;
    assignments.push({
      moid: `${objectMoid}/${tagId}`,
      tagId,
      name: def.name,
      category: def.category,
      description: def.description,
      objectType,
      objectMoid,
      object: names(objectMoid),
    });
  }
  return [
    { table: schema.tagCategories, rows: asRows(tags.categories), observed: false },
    { table: schema.tagDefs, rows: asRows(tagRows), observed: false },
    { table: schema.tagAssignments, rows: assignments, observed: true },
  ];
}

/** The names other rows carry, by history entity, as `inv` has them (renames are noted from these). */
export function renameLists(inv: {
  hosts: readonly { moid: string; name: string }[];
  clusters: readonly { moid: string; name: string }[];
  datacenters: readonly { moid: string; name: string }[];
  datastores: readonly { moid: string; name: string }[];
  networks: readonly { moid: string; name: string }[];
  dvSwitches: readonly { moid: string; name: string }[];
}): Parameters<HistoryWrite['noteRenamesOf']>[0] {
  return {
    hosts: inv.hosts,
    clusters: inv.clusters,
    datacenters: inv.datacenters,
    datastores: inv.datastores,
    networks: inv.networks,
    dvswitches: inv.dvSwitches,
  };
}

/** What "where is …" searches, per object: names everywhere, plus a VM's guest host name and IPs. */
export interface SearchEntry {
  name: string;
  extra: string;
  entity: Entity;
  moid: string;
}

/** A VM's search extra: its guest host name and IPs. */
/**
 * Whether a sync writes a VM's device-cache entry (both stores): always when none is stored; never
 * for an entry taken from the cache at its version (it is what is stored); always for one read from
 * the vCenter this time (the stored one may be of an older format the reader could not use);
 * otherwise when the stored version (`storedVersion`, asked only then) differs.
 */
export function writesDevices(
  had: boolean,
  r: VmDevicesRow,
  storedVersion: () => string | undefined,
): boolean {
  if (!had) return true;
  if (r.origin === 'cache') return false;
  if (r.origin === 'read') return true;
  return storedVersion() !== r.changeVersion;
}

export const vmSearchExtra = (v: { guestHostName: string | null; ipAddresses: string | null }): string =>
  [v.guestHostName, v.ipAddresses].filter(Boolean).join(' ');

export function searchEntries(inv: Inventory): SearchEntry[] {
  const out: SearchEntry[] = [];
  for (const v of inv.vms) out.push({ name: v.name, extra: vmSearchExtra(v), entity: 'vms', moid: v.moid });
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

/** A vCenter's search ids: vcenterId × 2^32 + n, so one vCenter's rows go by a range. */
export const searchBase = (vcenterId: number): number => vcenterId * 2 ** 32;
export const SEARCH_SPAN = 2 ** 32 - 1;

/**
 * The search rows of a vCenter, numbered as a rewrite numbers them (base + 1, 2, … in entry
 * order): an entry already stored under its number with the same values stays. Tells `put` of
 * each row to (re)write, after `drop` of the stored rows to delete first (a changed one among them).
 */
export function planSearch(
  vcenterId: number,
  stored: Map<number, SearchEntry>,
  entries: readonly SearchEntry[],
  drop: (id: number) => void,
  put: (id: number, e: SearchEntry) => void,
): number {
  let written = 0;
  let id = searchBase(vcenterId);
  for (const e of entries) {
    const old = stored.get(++id);
    if (old !== undefined) {
      stored.delete(id);
      if (old.name === e.name && old.extra === e.extra && old.entity === e.entity && old.moid === e.moid)
        continue;
      drop(id);
    }
    put(id, e);
    written++;
  }
  for (const gone of stored.keys()) {
    drop(gone);
    written++;
  }
  return written;
}

/** A live change's removals, by the kind of object (dvSwitches apart from the entities). */
export function deltaRemovals(d: InventoryDelta): [OwnEntity | 'dvSwitches', string[]][] {
  return Object.entries(d.removed) as [OwnEntity | 'dvSwitches', string[]][];
}

/** A live change's objects without children, by entity. */
export function deltaSimple(d: InventoryDelta): [OwnEntity, { moid: string; name: string }[]][] {
  return [
    ['clusters', d.clusters],
    ['datastores', d.datastores],
    ['networks', d.networks],
    ['datacenters', d.datacenters],
  ];
}

/** Before a live change of a VM is written: its child rows compared with the stored ones. */
function diffVm(h: HistoryWrite, v: VmRows): void {
  const moid = v.row.moid;
  const col = (t: SQLiteTable): string => h.columnOf(t, 'vmMoid');
  h.diff(schema.vmDisks, col(schema.vmDisks), moid, asRows(v.disks));
  h.diff(schema.vmNics, col(schema.vmNics), moid, asRows(v.nics));
  h.diff(schema.vmPartitions, col(schema.vmPartitions), moid, asRows(v.partitions));
  h.diff(
    schema.vmCustomValues,
    col(schema.vmCustomValues),
    moid,
    v.customValues.map((r) => ({ ...r, vmMoid: moid })),
  );
}

/** Before a live change of a host is written: its child rows compared with the stored ones. */
function diffHost(h: HistoryWrite, host: HostRows): void {
  const moid = host.row.moid;
  const col = (t: SQLiteTable): string => h.columnOf(t, 'hostMoid');
  h.diff(
    schema.hostCustomValues,
    col(schema.hostCustomValues),
    moid,
    host.customValues.map((r) => ({ ...r, hostMoid: moid })),
  );
  h.diff(schema.hostNics, col(schema.hostNics), moid, asRows(host.nics));
  h.diff(schema.hostVmkernels, col(schema.hostVmkernels), moid, asRows(host.vmkernels));
  h.diff(schema.hostVswitches, col(schema.hostVswitches), moid, asRows(host.vswitches));
}

/**
 * A live change compared with the rows it replaces, before they are written: what is removed,
 * created or changed, child rows as fields of their owner.
 */
export function recordDelta(h: HistoryWrite, d: InventoryDelta): void {
  h.noteRenamesOf(renameLists({ ...d, hosts: d.hosts.map((x) => x.row) }));
  for (const [kind, moids] of deltaRemovals(d)) {
    const table = kind === 'dvSwitches' ? schema.dvSwitches : ENTITY_TABLES[kind];
    for (const moid of moids) h.removedObject(table, moid);
  }
  for (const v of d.vms) {
    h.diff(schema.vms, 'moid', v.row.moid, [v.row]);
    h.diff(schema.snapshots, 'vm_moid', v.row.moid, v.snapshots);
    diffVm(h, v);
  }
  for (const host of d.hosts) {
    h.diff(schema.hosts, 'moid', host.row.moid, [host.row]);
    diffHost(h, host);
  }
  for (const sw of d.dvSwitches) h.diff(schema.dvSwitches, 'moid', sw.moid, [{ ...sw }]);
  for (const [entity, rows] of deltaSimple(d))
    for (const r of rows) h.diff(ENTITY_TABLES[entity], 'moid', r.moid, [r]);
}
