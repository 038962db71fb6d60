/**
 * What the change history records, table by table: the one place that decides which stored
 * columns are history and which are noise (docs/change-history.md explains the rules).
 *
 * - An entity table's rows are objects: created / removed rows (their main fields as JSON) and
 *   one `changed` row per changed column.
 * - A child table's rows are recorded as fields of their owner ("disk 2 capacityBytes"); a child
 *   row that comes or goes is one `changed` row on its label ("disk 3": null → its fields).
 * - `ignore` lists the columns that are never recorded, each with its reason.
 * - `derived` lists the denormalised name columns (a VM's host name): the object they name is
 *   recorded itself, so a change that only follows that object's rename is not recorded again.
 */
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as schema from '../schema.js';

/** The entities of the history (the query plan's names, plus dvSwitches and the vCenter marker). */
export type HistoryEntity =
  | 'vms'
  | 'hosts'
  | 'clusters'
  | 'datastores'
  | 'networks'
  | 'datacenters'
  | 'snapshots'
  | 'dvswitches'
  | 'vcenters';

export interface TrackedTable {
  table: SQLiteTable;
  /** The entity of the object a row is (entity tables) or belongs to (child tables). */
  entity: HistoryEntity;
  /**
   * A child table: the property holding its owner's moid, the label of a row as a field prefix,
   * and (tags only) the owner's entity when it varies by row.
   */
  child?: {
    ownerProp: string;
    label: (row: Readonly<Record<string, unknown>>) => string;
    ownerEntity?: (row: Readonly<Record<string, unknown>>) => HistoryEntity | null;
  };
  /**
   * The row belongs to another object that it is removed and created with (a snapshot to its VM):
   * a row that comes or goes with that owner is not recorded on its own.
   */
  parentProp?: string;
  /** Never recorded, with the reason. Key columns (vcenter_id, moid, the child's key) never are. */
  ignore: Readonly<Record<string, string>>;
  /** Name columns of other objects, by the entity whose rename changes them. */
  derived?: Readonly<Record<string, HistoryEntity>>;
  /** Only the row's arrival and departure are history, never a change of its columns. */
  presenceOnly?: boolean;
}

const COUNT =
  'a count derived from other objects (the objects that come, go or move are recorded themselves)';
const OWNER_NAME = "the owner's name, recorded on the owner (a rename is one row there)";
const CHILD_NAME = 'the label the field is named by';

/** "Hard disk 2" → "disk 2"; "Network adapter 1" → "nic 1"; any other label as it is. */
function numbered(prefix: string, label: unknown, key: unknown): string {
  const m = /(\d+)\s*$/.exec(typeof label === 'string' ? label : '');
  return `${prefix} ${m ? m[1]! : String(key)}`;
}

const TAG_OWNERS: Readonly<Record<string, HistoryEntity>> = {
  VirtualMachine: 'vms',
  HostSystem: 'hosts',
  ClusterComputeResource: 'clusters',
  Datastore: 'datastores',
  Network: 'networks',
  DistributedVirtualPortgroup: 'networks',
  OpaqueNetwork: 'networks',
  Datacenter: 'datacenters',
  VmwareDistributedVirtualSwitch: 'dvswitches',
  DistributedVirtualSwitch: 'dvswitches',
};

export const TRACKED_TABLES: readonly TrackedTable[] = [
  {
    table: schema.vms,
    entity: 'vms',
    ignore: {
      hostMoid: 'the move is recorded once, on `host` (by name)',
      usedBytes: 'grows with every guest write',
      provisionedBytes: 'moves with thin disks and snapshot files',
      snapshotCount: 'snapshots are recorded as objects of their own',
      oldestSnapshotAt: 'snapshots are recorded as objects of their own',
      diskCount: 'disks are recorded as fields of the VM ("disk 2 …")',
      nicCount: 'NICs are recorded as fields of the VM ("nic 1 …")',
      diskCapacityBytes: 'the sum of the disks, each recorded',
    },
    derived: {
      datacenter: 'datacenters',
      cluster: 'clusters',
      host: 'hosts',
      datastores: 'datastores',
      networks: 'networks',
    },
  },
  {
    table: schema.hosts,
    entity: 'hosts',
    ignore: {
      vmCount: COUNT,
      nicCount: 'physical NICs are recorded as fields of the host ("pnic vmnic0 …")',
      vmkernelIps: 'VMkernel adapters are recorded as fields of the host ("vmkernel vmk0 ip")',
    },
    derived: { datacenter: 'datacenters', cluster: 'clusters' },
  },
  {
    table: schema.clusters,
    entity: 'clusters',
    ignore: {
      hostCount: COUNT,
      effectiveHostCount: COUNT,
      vmCount: COUNT,
      totalCpuMhz: "the sum of its hosts' capacity (hosts joining or leaving are recorded)",
      totalCpuCores: "the sum of its hosts' capacity (hosts joining or leaving are recorded)",
      totalMemoryBytes: "the sum of its hosts' capacity (hosts joining or leaving are recorded)",
    },
    derived: { datacenter: 'datacenters' },
  },
  {
    table: schema.datastores,
    entity: 'datastores',
    ignore: {
      freeBytes: 'free space moves with every write',
      freePercent: 'free space moves with every write',
      provisionedBytes: 'moves with thin disks and snapshot files',
      vmCount: COUNT,
      hostCount: COUNT,
    },
    derived: { datacenter: 'datacenters' },
  },
  {
    table: schema.networks,
    entity: 'networks',
    ignore: { vmCount: COUNT },
    derived: { datacenter: 'datacenters', switch: 'dvswitches' },
  },
  {
    table: schema.datacenters,
    entity: 'datacenters',
    ignore: { clusterCount: COUNT, hostCount: COUNT, vmCount: COUNT },
  },
  {
    table: schema.snapshots,
    entity: 'snapshots',
    parentProp: 'vmMoid',
    ignore: {
      vmMoid: 'a snapshot never changes VM',
      vm: OWNER_NAME,
      sizeVmsnBytes: 'file sizes grow while the VM runs',
      sizeTotalBytes: 'file sizes grow while the VM runs',
    },
  },
  {
    table: schema.dvSwitches,
    entity: 'dvswitches',
    ignore: { hostCount: COUNT, vmCount: COUNT, numPorts: 'ports are allocated as VMs connect' },
    derived: { datacenter: 'datacenters' },
  },
  {
    table: schema.vmDisks,
    entity: 'vms',
    child: { ownerProp: 'vmMoid', label: (r) => numbered('disk', r['name'], r['deviceKey']) },
    ignore: { vm: OWNER_NAME, name: CHILD_NAME, deviceKey: 'part of the key' },
    derived: { datastore: 'datastores' },
  },
  {
    table: schema.vmNics,
    entity: 'vms',
    child: { ownerProp: 'vmMoid', label: (r) => numbered('nic', r['name'], r['deviceKey']) },
    ignore: {
      vm: OWNER_NAME,
      name: CHILD_NAME,
      deviceKey: 'part of the key',
      ipv4: "the VM's ipAddresses records the same addresses",
      ipv6: "the VM's ipAddresses records the same addresses",
    },
    derived: { network: 'networks', switch: 'dvswitches' },
  },
  {
    table: schema.vmPartitions,
    entity: 'vms',
    child: { ownerProp: 'vmMoid', label: (r) => `partition ${String(r['name'])}` },
    ignore: {
      vm: OWNER_NAME,
      name: CHILD_NAME,
      freeBytes: 'free space moves with every write',
      freePercent: 'free space moves with every write',
      usedPercent: 'free space moves with every write',
    },
  },
  {
    table: schema.vmCustomValues,
    entity: 'vms',
    child: { ownerProp: 'vmMoid', label: (r) => `attribute ${String(r['name'])}` },
    ignore: { name: 'the attribute definition (a rename of it is not a change of the VM)' },
  },
  {
    table: schema.hostCustomValues,
    entity: 'hosts',
    child: { ownerProp: 'hostMoid', label: (r) => `attribute ${String(r['name'])}` },
    ignore: { name: 'the attribute definition (a rename of it is not a change of the host)' },
  },
  {
    table: schema.hostNics,
    entity: 'hosts',
    child: { ownerProp: 'hostMoid', label: (r) => `pnic ${String(r['device'])}` },
    ignore: {},
  },
  {
    table: schema.hostVmkernels,
    entity: 'hosts',
    child: { ownerProp: 'hostMoid', label: (r) => `vmkernel ${String(r['device'])}` },
    ignore: {},
    derived: { portgroup: 'networks' },
  },
  {
    table: schema.hostVswitches,
    entity: 'hosts',
    child: { ownerProp: 'hostMoid', label: (r) => `vswitch ${String(r['name'])}` },
    ignore: { freePorts: 'ports are taken and freed as VMs power on and off' },
  },
  {
    table: schema.tagAssignments,
    entity: 'vms',
    child: {
      ownerProp: 'objectMoid',
      label: (r) => `tag ${String(r['name'])}`,
      ownerEntity: (r) => TAG_OWNERS[String(r['objectType'])] ?? null,
    },
    presenceOnly: true,
    ignore: {
      object: OWNER_NAME,
      name: 'the tag definition (a renamed tag is not a change of the object)',
      category: 'the tag definition',
      description: 'the tag definition',
    },
  },
];

/** Tables deliberately not recorded, with the reason (kept here so the decision is in one list). */
export const UNTRACKED_TABLES: Readonly<Record<string, string>> = {
  vm_devices: "a cache of the VMs' device lists; disks and NICs are recorded from their own tables",
  vm_datastores: "links; the VM's `datastores` column records the same by name",
  vm_networks: "links; the VM's `networks` column records the same by name",
  host_datastores: 'links between hosts and datastores; mounts show in the datastore host counts',
  tag_categories: 'definitions; what matters is which objects carry a tag (tag_assignments)',
  tag_defs: 'definitions; what matters is which objects carry a tag (tag_assignments)',
};
