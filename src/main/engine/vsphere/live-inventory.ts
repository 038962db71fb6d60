import type { EntityCounts, Inventory, InventoryRow } from '../../../shared/inventory.js';
import {
  compactProp,
  InventoryMapper,
  NETWORK_TYPES,
  type HostRows,
  type VmRows,
} from './inventory-mapper.js';
import type { ObjectContent } from './property-collector.js';
import { pathsFor, type ObjectUpdate } from './property-filter.js';
import { DEVICE_PATH, POLLED_PATHS, PROPERTY_PATHS } from './properties.js';
import { MoRef, type XValue } from './xml.js';

type Row<K extends keyof Inventory> = InventoryRow<K>;

/** Rows a batch of changes touched: upsert these, delete those. */
export interface InventoryDelta {
  vms: VmRows[];
  hosts: HostRows[];
  clusters: Row<'clusters'>[];
  datastores: Row<'datastores'>[];
  networks: Row<'networks'>[];
  datacenters: Row<'datacenters'>[];
  dvSwitches: Row<'dvSwitches'>[];
  removed: {
    vms: string[];
    hosts: string[];
    clusters: string[];
    datastores: string[];
    networks: string[];
    datacenters: string[];
    dvSwitches: string[];
  };

  /** Object counts changed (something entered or left). */
  countsChanged: boolean;
}

/** A delta that touches nothing (yet). */
export function emptyDelta(countsChanged = false): InventoryDelta {
  return {
    vms: [],
    hosts: [],
    clusters: [],
    datastores: [],
    networks: [],
    datacenters: [],
    dvSwitches: [],
    removed: {
      vms: [],
      hosts: [],
      clusters: [],
      datastores: [],
      networks: [],
      datacenters: [],
      dvSwitches: [],
    },
    countsChanged,
  };
}

export function deltaSize(d: InventoryDelta): number {
  return (
    d.vms.length +
    d.hosts.length +
    d.clusters.length +
    d.datastores.length +
    d.networks.length +
    d.datacenters.length +
    d.dvSwitches.length +
    Object.values(d.removed).reduce((n, r) => n + r.length, 0)
  );
}

const DVS_TYPES = ['VmwareDistributedVirtualSwitch', 'DistributedVirtualSwitch'];
const ROW_TYPES = new Set(['VirtualMachine', 'HostSystem', 'Datastore', ...NETWORK_TYPES, ...DVS_TYPES]);
/** Types whose rename or move changes the rows of the objects beneath or using them. */
const NAMED_BY_OTHERS = new Set(['HostSystem', 'ClusterComputeResource', 'Datastore', ...NETWORK_TYPES]);
/**
 * Types whose rename or move changes many rows: the datacenter or folder path, a VM's resource
 * pool path or vApp, the switch names on port groups, NICs and host uplinks.
 */
const STRUCTURAL = new Set(['Datacenter', 'Folder', 'ResourcePool', 'VirtualApp', ...DVS_TYPES]);
/** Host paths whose change changes other rows (a standard port group's VLAN, a dvSwitch's uplinks). */
const HOST_PATHS_SHOWN_ELSEWHERE = new Set(['config.network.portgroup']);

/**
 * A vCenter's objects as the live stream last described them (the same property sets a full sync
 * reads), plus which rows a batch of updates touched. A VM row shows its host's, cluster's,
 * datastores' and networks' names: renaming one of those marks the VMs that show it; cluster and
 * datacenter rows (few, with counts over many objects) are recomputed and compared.
 */
export class LiveInventory extends InventoryMapper {
  private readonly dirty = new Set<string>();
  private readonly removed = new Map<string, MoRef>();
  /** Objects renamed, moved, added or removed whose names other rows show. */
  private readonly renamed = new Set<string>();
  private structural = false;
  private countsDirty = false;
  private entered = false;
  private clusterRows = new Map<string, string>();
  private datacenterRows = new Map<string, string>();
  private readonly snapshotCounts = new Map<string, number>();
  private networksDirty = false;
  /** Per VM: [disks, NICs, partitions], for the counts the sync state shows. */
  private readonly childCounts = new Map<string, [number, number, number]>();
  /** Tag assignments as last read (the tags are read apart from the stream). */
  tagCount = 0;
  /** VMs whose snapshot tree changed: their snapshot sizes are re-read (layoutEx is not streamed). */
  private readonly snapshotChanged = new Map<string, MoRef>();

  /** The VMs whose snapshot tree changed since the last call. */
  takeSnapshotChanges(): MoRef[] {
    const out = [...this.snapshotChanged.values()];
    this.snapshotChanged.clear();
    return out;
  }

  /** `paths`: what the filter asks for (the full-sync paths minus any the vCenter rejected). */
  constructor(private readonly paths: Record<string, string[]> = PROPERTY_PATHS) {
    super();
  }

  /**
   * Applies one update. Returns false when the update could not be applied exactly (a partial
   * change below a requested path): the caller re-reads that object and hands it to `refresh`.
   */
  apply(u: ObjectUpdate): boolean {
    const key = u.ref.key;
    if (u.kind === 'leave') {
      const o = this.objects.get(key);
      this.objects.delete(key);
      this.dirty.delete(key);
      this.removed.set(key, u.ref);
      this.noteStructure(u.ref.type, key, true);
      if (o && u.ref.type === 'VirtualMachine') this.countsDirty = true;
      return true;
    }
    let o = this.objects.get(key);
    const isNew = o === undefined;
    if (!o) {
      o = { ref: u.ref, props: new Map<string, XValue>() };
      this.objects.set(key, o);
      this.removed.delete(key);
      // Its devices are not streamed: they come from the cache or are read after this batch.
      if (u.ref.type === 'VirtualMachine') this.devicesWanted.set(key, u.ref);
    }
    let exact = true;
    const known = pathsFor(u.ref.type, this.paths);
    for (const c of u.changes) {
      if (u.ref.type === 'VirtualMachine' && (c.name === 'snapshot' || c.name.startsWith('snapshot.')))
        this.snapshotChanged.set(key, u.ref);
      // A reconfigured VM: its devices (not streamed) are read again.
      if (u.ref.type === 'VirtualMachine' && c.name === 'config.changeVersion') {
        o.props.delete(DEVICE_PATH);
        this.devicesWanted.set(key, u.ref);
      }
      if (known.includes(c.name) && c.op !== 'add') {
        if (c.op === 'assign' && c.val !== undefined) o.props.set(c.name, compactProp(c.name, c.val));
        else o.props.delete(c.name);
        if (c.name === 'name' || c.name === 'parent') this.noteStructure(u.ref.type, key, false);
        if (u.ref.type === 'HostSystem' && HOST_PATHS_SHOWN_ELSEWHERE.has(c.name)) this.networksDirty = true;
        if (c.name === 'key' || c.name === 'config.distributedVirtualSwitch') this.resetLookups();
        if (c.name === 'config' && DVS_TYPES.includes(u.ref.type)) this.structural = true;
        if (c.name === 'runtime.host' || (c.name === 'parent' && u.ref.type === 'HostSystem'))
          this.countsDirty = true;
      } else exact = false;
    }
    for (const m of u.missing) o.props.delete(m);
    if (isNew || u.kind === 'enter') {
      this.noteStructure(u.ref.type, key, true);
      this.entered = true;
    }
    this.dirty.add(key);
    return exact;
  }

  /**
   * A polled path's value (POLLED_PATHS: read apart from the stream, see properties.ts). Applied,
   * and the object marked changed, only when it differs from the value held; returns whether it did.
   */
  applyPolled(ref: MoRef, path: string, val: XValue | undefined): boolean {
    const o = this.objects.get(ref.key);
    if (!o) return false;
    const prev = o.props.get(path);
    const next = val === undefined ? undefined : compactProp(path, val);
    if (
      prev === next ||
      (prev !== undefined && next !== undefined && JSON.stringify(prev) === JSON.stringify(next))
    )
      return false;
    if (next === undefined) o.props.delete(path);
    else o.props.set(path, next);
    this.dirty.add(ref.key);
    return true;
  }

  /** Replaces an object with a fresh read of all its paths (after a partial update). */
  refresh(o: ObjectContent): void {
    const prev = this.objects.get(o.ref.key);
    // The polled paths are not re-read with it: the values held stay until the next poll.
    for (const p of POLLED_PATHS[o.ref.type] ?? []) {
      const held = prev?.props.get(p);
      if (held !== undefined && !o.props.has(p)) o.props.set(p, held);
    }
    const moved =
      !prev ||
      prev.props.get('name') !== o.props.get('name') ||
      !sameRef(prev.props.get('parent'), o.props.get('parent')) ||
      !sameRef(prev.props.get('runtime.host'), o.props.get('runtime.host'));
    this.add(o);
    if (moved) {
      this.noteStructure(o.ref.type, o.ref.key, true);
      this.countsDirty = true;
    }
    if (o.ref.type === 'HostSystem') this.networksDirty = true;
    if (o.ref.type === 'DistributedVirtualPortgroup') this.resetLookups();
    this.dirty.add(o.ref.key);
  }

  /** A changed VM or host carries a custom value of a field not known yet (a field added since). */
  get unknownCustomField(): boolean {
    for (const k of this.dirty) {
      const o = this.objects.get(k);
      if (
        o &&
        (o.ref.type === 'VirtualMachine' || o.ref.type === 'HostSystem') &&
        this.hasUnknownCustomField(o)
      )
        return true;
    }
    return false;
  }

  private noteStructure(type: string, key: string, membership: boolean): void {
    if (STRUCTURAL.has(type)) this.structural = true;
    if (type === 'DistributedVirtualPortgroup') this.resetLookups();
    if (NAMED_BY_OTHERS.has(type)) this.renamed.add(key);
    if (
      membership &&
      (type === 'VirtualMachine' || type === 'HostSystem' || type === 'ClusterComputeResource')
    )
      this.countsDirty = true;
    if (type === 'ClusterComputeResource' || type === 'Datacenter') this.countsDirty = true;
  }

  /** True when updates were applied since the last `takeDelta()`. */
  get pending(): boolean {
    return this.dirty.size > 0 || this.removed.size > 0;
  }

  /** The full inventory (after a full load); also the baseline later deltas compare against. */
  buildAll(): Inventory {
    // Written by the store's replace: the unchanged VMs' disk and NIC rows are kept, not rebuilt.
    const inv = this.build({ keepUnchangedDeviceRows: true });
    this.clearPending();
    this.clusterRows = new Map(inv.clusters.map((r) => [r.moid, JSON.stringify(r)]));
    this.datacenterRows = new Map(inv.datacenters.map((r) => [r.moid, JSON.stringify(r)]));
    this.snapshotCounts.clear();
    for (const v of inv.vms) if (v.snapshotCount > 0) this.snapshotCounts.set(v.moid, v.snapshotCount);
    this.childCounts.clear();
    const add = (moid: string, i: 0 | 1 | 2): void => {
      const c = this.childCounts.get(moid) ?? [0, 0, 0];
      c[i]++;
      this.childCounts.set(moid, c);
    };
    for (const d of inv.disks) add(d.vmMoid, 0);
    for (const n of inv.nics) add(n.vmMoid, 1);
    for (const e of inv.vmDevices) {
      if (!e.rowsKept) continue;
      const c = this.childCounts.get(e.vmMoid) ?? [0, 0, 0];
      c[0] += e.rowsKept.disks;
      c[1] += e.rowsKept.nics;
      this.childCounts.set(e.vmMoid, c);
    }
    for (const p of inv.partitions) add(p.vmMoid, 2);
    return inv;
  }

  private clearPending(): void {
    this.dirty.clear();
    this.removed.clear();
    this.renamed.clear();
    this.structural = false;
    this.countsDirty = false;
    this.entered = false;
    this.networksDirty = false;
  }

  counts(): EntityCounts {
    const c: EntityCounts = {
      vms: 0,
      hosts: 0,
      datastores: 0,
      clusters: 0,
      datacenters: 0,
      networks: 0,
      snapshots: 0,
      disks: 0,
      nics: 0,
      partitions: 0,
      tags: this.tagCount,
    };
    for (const o of this.objects.values()) {
      const t = o.ref.type;
      if (t === 'VirtualMachine') c.vms++;
      else if (t === 'HostSystem') c.hosts++;
      else if (t === 'Datastore') c.datastores++;
      else if (t === 'ClusterComputeResource') c.clusters++;
      else if (t === 'Datacenter') c.datacenters++;
      else if (NETWORK_TYPES.includes(t)) c.networks++;
    }
    for (const n of this.snapshotCounts.values()) c.snapshots += n;
    for (const [disks, nics, partitions] of this.childCounts.values()) {
      c.disks += disks;
      c.nics += nics;
      c.partitions += partitions;
    }
    return c;
  }

  /** The rows the updates since the last call touched. */
  takeDelta(): InventoryDelta {
    const delta = emptyDelta(this.entered || this.removed.size > 0);
    const targets = new Set<string>();
    if (this.structural) {
      this.resetLookups();
      for (const o of this.objects.values()) if (ROW_TYPES.has(o.ref.type)) targets.add(o.ref.key);
    } else {
      for (const k of this.dirty) targets.add(k);
      if (this.renamed.size > 0) this.expandRenames(targets);
      if (this.networksDirty)
        for (const o of this.objects.values()) if (o.ref.type === 'Network') targets.add(o.ref.key);
    }
    for (const key of targets) {
      const o = this.objects.get(key);
      if (!o) continue;
      const t = o.ref.type;
      if (t === 'VirtualMachine') {
        const r = this.vmRow(o);
        delta.vms.push(r);
        if (r.snapshots.length > 0) this.snapshotCounts.set(o.ref.value, r.snapshots.length);
        else this.snapshotCounts.delete(o.ref.value);
        const before = this.childCounts.get(o.ref.value);
        const now: [number, number, number] = [r.disks.length, r.nics.length, r.partitions.length];
        if (!before || before.some((n, i) => n !== now[i])) delta.countsChanged = true;
        this.childCounts.set(o.ref.value, now);
      } else if (t === 'HostSystem') delta.hosts.push(this.hostRow(o));
      else if (t === 'Datastore') delta.datastores.push(this.datastoreRow(o));
      else if (NETWORK_TYPES.includes(t)) delta.networks.push(this.networkRow(o));
      else if (DVS_TYPES.includes(t)) delta.dvSwitches.push(this.dvSwitchRow(o));
    }
    for (const r of this.removed.values()) {
      const t = r.type;
      if (t === 'VirtualMachine') {
        delta.removed.vms.push(r.value);
        this.snapshotCounts.delete(r.value);
        this.childCounts.delete(r.value);
      } else if (t === 'HostSystem') delta.removed.hosts.push(r.value);
      else if (t === 'Datastore') delta.removed.datastores.push(r.value);
      else if (NETWORK_TYPES.includes(t)) delta.removed.networks.push(r.value);
      else if (DVS_TYPES.includes(t)) delta.removed.dvSwitches.push(r.value);
    }
    const clustersTouched = [...this.dirty, ...this.removed.keys()].some(
      (k) => k.startsWith('ClusterComputeResource:') || k.startsWith('Datacenter:'),
    );
    if (this.countsDirty || this.structural || clustersTouched) this.diffSmallTables(delta);
    this.clearPending();
    return delta;
  }

  /** Marks the rows that show the name of a renamed, moved, added or removed object. */
  private expandRenames(targets: Set<string>): void {
    const hosts = new Set<string>();
    for (const k of this.renamed) if (k.startsWith('HostSystem:')) hosts.add(k);
    const clusters = [...this.renamed].filter((k) => k.startsWith('ClusterComputeResource:'));
    if (clusters.length > 0) {
      for (const o of this.objects.values()) {
        if (o.ref.type !== 'HostSystem') continue;
        const parent = o.props.get('parent');
        if (parent instanceof MoRef && clusters.includes(parent.key)) {
          targets.add(o.ref.key);
          hosts.add(o.ref.key);
        }
      }
    }
    for (const o of this.objects.values()) {
      if (o.ref.type !== 'VirtualMachine') continue;
      const p = o.props;
      const host = p.get('runtime.host');
      if (
        (host instanceof MoRef && hosts.has(host.key)) ||
        listHas(p.get('datastore'), this.renamed) ||
        listHas(p.get('network'), this.renamed)
      )
        targets.add(o.ref.key);
    }
  }

  /** Clusters and datacenters carry counts over many objects: recompute them, keep the changed. */
  private diffSmallTables(delta: InventoryDelta): void {
    const clusterVms = this.clusterVmCounts();
    const nextClusters = new Map<string, string>();
    for (const o of this.byType('ClusterComputeResource')) {
      const row = this.clusterRow(o, clusterVms.get(o.ref.value) ?? 0);
      const json = JSON.stringify(row);
      nextClusters.set(row.moid, json);
      if (this.clusterRows.get(row.moid) !== json) delta.clusters.push(row);
    }
    for (const moid of this.clusterRows.keys())
      if (!nextClusters.has(moid)) delta.removed.clusters.push(moid);
    this.clusterRows = nextClusters;

    const dcCounts = this.datacenterCounts();
    const nextDcs = new Map<string, string>();
    for (const o of this.byType('Datacenter')) {
      const row = this.datacenterRow(o, dcCounts);
      const json = JSON.stringify(row);
      nextDcs.set(row.moid, json);
      if (this.datacenterRows.get(row.moid) !== json) delta.datacenters.push(row);
    }
    for (const moid of this.datacenterRows.keys())
      if (!nextDcs.has(moid)) delta.removed.datacenters.push(moid);
    this.datacenterRows = nextDcs;
  }
}

function sameRef(a: XValue | undefined, b: XValue | undefined): boolean {
  if (a instanceof MoRef && b instanceof MoRef) return a.key === b.key;
  return a === b;
}

function listHas(v: XValue | undefined, keys: Set<string>): boolean {
  if (v instanceof MoRef) return keys.has(v.key);
  if (!Array.isArray(v)) return false;
  for (const x of v) if (x instanceof MoRef && keys.has(x.key)) return true;
  return false;
}
