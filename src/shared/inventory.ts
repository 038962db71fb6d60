/**
 * Inventory rows as every consumer sees them (CLI JSON, REST, grids, exports): camelCase fields,
 * vSphere's own values for states, null where a vCenter did not say.
 */
export interface VmRow {
  vcenterId: number;
  vcenter: string;
  moid: string;
  name: string;
  datacenter: string | null;
  cluster: string | null;
  host: string | null;
  folder: string | null;
  resourcePool: string | null;
  powerState: 'poweredOn' | 'poweredOff' | 'suspended' | string | null;
  numCpu: number | null;
  coresPerSocket: number | null;
  memoryMb: number | null;
  guestId: string | null;
  guestFullName: string | null;
  guestFullNameReported: string | null;
  guestHostName: string | null;
  ipAddress: string | null;
  ipAddresses: string | null;
  toolsStatus: string | null;
  toolsRunningStatus: string | null;
  toolsVersionStatus: string | null;
  provisionedBytes: number | null;
  usedBytes: number | null;
  datastores: string | null;
  networks: string | null;
  snapshotCount: number;
  oldestSnapshotAt: string | null;
  annotation: string | null;
  template: boolean;
  hardwareVersion: string | null;
  instanceUuid: string | null;
  biosUuid: string | null;
  bootTime: string | null;
  overallStatus: string | null;
  hostMoid: string | null;
}

export interface HostRow {
  vcenterId: number;
  vcenter: string;
  moid: string;
  name: string;
  datacenter: string | null;
  cluster: string | null;
  connectionState: string | null;
  powerState: string | null;
  inMaintenanceMode: boolean | null;
  vendor: string | null;
  model: string | null;
  cpuModel: string | null;
  numCpuSockets: number | null;
  numCpuCores: number | null;
  numCpuThreads: number | null;
  cpuMhz: number | null;
  memoryMb: number | null;
  esxiVersion: string | null;
  esxiBuild: string | null;
  vmCount: number;
  bootTime: string | null;
  overallStatus: string | null;
}

export interface DatastoreRow {
  vcenterId: number;
  vcenter: string;
  moid: string;
  name: string;
  datacenter: string | null;
  type: string | null;
  capacityBytes: number | null;
  freeBytes: number | null;
  provisionedBytes: number | null;
  freePercent: number | null;
  accessible: boolean | null;
  vmCount: number;
  hostCount: number;
  maintenanceMode: string | null;
  url: string | null;
}

export interface ClusterRow {
  vcenterId: number;
  vcenter: string;
  moid: string;
  name: string;
  datacenter: string | null;
  drsEnabled: boolean | null;
  drsBehavior: string | null;
  haEnabled: boolean | null;
  hostCount: number;
  effectiveHostCount: number | null;
  vmCount: number;
  totalCpuMhz: number | null;
  totalCpuCores: number | null;
  totalMemoryBytes: number | null;
  overallStatus: string | null;
}

export interface DatacenterRow {
  vcenterId: number;
  vcenter: string;
  moid: string;
  name: string;
  clusterCount: number;
  hostCount: number;
  vmCount: number;
}

export interface NetworkRow {
  vcenterId: number;
  vcenter: string;
  moid: string;
  name: string;
  datacenter: string | null;
  type: string | null;
  vlanId: string | null;
  vmCount: number;
}

export interface SnapshotRow {
  vcenterId: number;
  vcenter: string;
  moid: string;
  vmMoid: string;
  vm: string;
  name: string;
  description: string | null;
  createdAt: string | null;
  state: string | null;
  parentMoid: string | null;
}

export interface LinkRow {
  vcenterId: number;
  a: string;
  b: string;
}

/** One vCenter's complete inventory as collected; rows carry the vCenter's name and id once stored. */
export interface Inventory {
  datacenters: Omit<DatacenterRow, 'vcenterId' | 'vcenter'>[];
  clusters: Omit<ClusterRow, 'vcenterId' | 'vcenter'>[];
  hosts: Omit<HostRow, 'vcenterId' | 'vcenter'>[];
  datastores: Omit<DatastoreRow, 'vcenterId' | 'vcenter'>[];
  networks: Omit<NetworkRow, 'vcenterId' | 'vcenter'>[];
  vms: Omit<VmRow, 'vcenterId' | 'vcenter'>[];
  snapshots: Omit<SnapshotRow, 'vcenterId' | 'vcenter'>[];
  vmDatastores: [vm: string, datastore: string][];
  vmNetworks: [vm: string, network: string][];
  hostDatastores: [host: string, datastore: string][];
}

export const ENTITIES = [
  'vms',
  'hosts',
  'datastores',
  'clusters',
  'datacenters',
  'networks',
  'snapshots',
] as const;
export type Entity = (typeof ENTITIES)[number];

export type EntityCounts = Record<Entity, number>;

export function emptyInventory(): Inventory {
  return {
    datacenters: [],
    clusters: [],
    hosts: [],
    datastores: [],
    networks: [],
    vms: [],
    snapshots: [],
    vmDatastores: [],
    vmNetworks: [],
    hostDatastores: [],
  };
}
