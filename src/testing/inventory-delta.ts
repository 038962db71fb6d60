/**
 * A live change built from two readings of one vCenter (test scaffolding): the objects whose rows
 * (or child rows, snapshots, links) differ between `before` and `after`, with their rows as a
 * live session hands them to the store, and the objects gone. Stores applying it to `before`
 * should hold `after`'s rows for those objects.
 */
import type { Inventory } from '../shared/inventory.js';
import type { HostRows, VmRows } from '../main/engine/vsphere/inventory-mapper.js';
import { emptyDelta, type InventoryDelta } from '../main/engine/vsphere/live-inventory.js';

function groupBy<T>(rows: readonly T[], key: (r: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    if (k === null) continue;
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(r);
  }
  return out;
}

function vmRows(inv: Inventory): Map<string, VmRows> {
  const snaps = groupBy(inv.snapshots, (r) => r.vmMoid);
  const ds = groupBy(inv.vmDatastores, (r) => r[0]);
  const nets = groupBy(inv.vmNetworks, (r) => r[0]);
  const disks = groupBy(inv.disks, (r) => r.vmMoid);
  const nics = groupBy(inv.nics, (r) => r.vmMoid);
  const parts = groupBy(inv.partitions, (r) => r.vmMoid);
  const cvs = groupBy(inv.vmCustomValues, (r) => r.ownerMoid);
  const devices = new Map(inv.vmDevices.map((d) => [d.vmMoid, d]));
  return new Map(
    inv.vms.map((row) => [
      row.moid,
      {
        row: row as VmRows['row'],
        snapshots: (snaps.get(row.moid) ?? []) as VmRows['snapshots'],
        datastores: (ds.get(row.moid) ?? []).map((p) => p[1]),
        networks: (nets.get(row.moid) ?? []).map((p) => p[1]),
        disks: (disks.get(row.moid) ?? []) as VmRows['disks'],
        nics: (nics.get(row.moid) ?? []) as VmRows['nics'],
        partitions: (parts.get(row.moid) ?? []) as VmRows['partitions'],
        customValues: cvs.get(row.moid) ?? [],
        deviceCache: devices.get(row.moid) ?? null,
      },
    ]),
  );
}

function hostRows(inv: Inventory): Map<string, HostRows> {
  const ds = groupBy(inv.hostDatastores, (r) => r[0]);
  const cvs = groupBy(inv.hostCustomValues, (r) => r.ownerMoid);
  const nics = groupBy(inv.hostNics, (r) => r.hostMoid);
  const vmk = groupBy(inv.hostVmkernels, (r) => r.hostMoid);
  const vsw = groupBy(inv.hostVswitches, (r) => r.hostMoid);
  return new Map(
    inv.hosts.map((row) => [
      row.moid,
      {
        row: row as HostRows['row'],
        datastores: (ds.get(row.moid) ?? []).map((p) => p[1]),
        customValues: cvs.get(row.moid) ?? [],
        nics: nics.get(row.moid) ?? [],
        vmkernels: vmk.get(row.moid) ?? [],
        vswitches: vsw.get(row.moid) ?? [],
      },
    ]),
  );
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What changed from `before` to `after`, as a live session's delta. */
export function deltaBetween(before: Inventory, after: Inventory): InventoryDelta {
  const d = emptyDelta(true);
  const changedOf = <T extends { row?: unknown }>(
    a: Map<string, T>,
    b: Map<string, T>,
    removed: string[],
  ): T[] => {
    for (const k of a.keys()) if (!b.has(k)) removed.push(k);
    return [...b].filter(([k, v]) => !same(a.get(k), v)).map(([, v]) => v);
  };
  d.vms = changedOf(vmRows(before), vmRows(after), d.removed.vms);
  d.hosts = changedOf(hostRows(before), hostRows(after), d.removed.hosts);
  const simple = <K extends 'clusters' | 'datastores' | 'networks' | 'datacenters' | 'dvSwitches'>(
    kind: K,
  ): Inventory[K] => {
    const a = new Map(before[kind].map((r) => [r.moid, r] as const));
    const b = new Map(after[kind].map((r) => [r.moid, r] as const));
    for (const k of a.keys()) if (!b.has(k)) d.removed[kind].push(k);
    return after[kind].filter((r) => !same(a.get(r.moid), r)) as Inventory[K];
  };
  d.clusters = simple('clusters') as InventoryDelta['clusters'];
  d.datastores = simple('datastores') as InventoryDelta['datastores'];
  d.networks = simple('networks') as InventoryDelta['networks'];
  d.datacenters = simple('datacenters') as InventoryDelta['datacenters'];
  d.dvSwitches = simple('dvSwitches') as InventoryDelta['dvSwitches'];
  return d;
}
