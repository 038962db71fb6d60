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
  /** config.createDate (vSphere 6.7+; null on older vCenters and VMs created before it existed). */
  createdAt: string | null;
  /** 'bios' or 'efi'. */
  firmware: string | null;
  secureBoot: boolean | null;
  cpuReservationMhz: number | null;
  /** -1: unlimited, as vSphere says it. */
  cpuLimitMhz: number | null;
  cpuShares: number | null;
  /** low / normal / high / custom. */
  cpuSharesLevel: string | null;
  memoryReservationMb: number | null;
  memoryLimitMb: number | null;
  memoryShares: number | null;
  memorySharesLevel: string | null;
  cpuHotAdd: boolean | null;
  memoryHotAdd: boolean | null;
  /** `/Resources/Prod/Web`: the pool path below the cluster or host (vApps included). */
  resourcePoolPath: string | null;
  /** The vApp the VM belongs to (the nearest one up its resource pool chain). */
  vapp: string | null;
  consolidationNeeded: boolean | null;
  /** `[datastore] vm/vm.vmx`. */
  vmPathName: string | null;
  diskCount: number | null;
  nicCount: number | null;
  /** Sum of the virtual disks' capacities. */
  diskCapacityBytes: number | null;
  numMonitors: number | null;
  videoRamKb: number | null;
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
  /** hardware.systemInfo.serialNumber (ESXi 6.7+). */
  serialNumber: string | null;
  /** The service tag among hardware.systemInfo.otherIdentifyingInfo. */
  serviceTag: string | null;
  uuid: string | null;
  biosVendor: string | null;
  biosVersion: string | null;
  biosDate: string | null;
  /** Physical NICs. */
  nicCount: number | null;
  /** The VMkernel adapters' IPv4 addresses. */
  vmkernelIps: string | null;
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
  /** VMFS version (e.g. 6.82) or NFS version; null when the vCenter does not say. */
  version: string | null;
  multipleHostAccess: boolean | null;
  /** NFS server:path, or the VMFS extents' disks. */
  address: string | null;
  blockSizeMb: number | null;
  extentCount: number | null;
  vmfsUpgradable: boolean | null;
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
  haAdmissionControl: boolean | null;
  haFailoverLevel: number | null;
  haHostMonitoring: string | null;
  haVmMonitoring: string | null;
  haRestartPriority: string | null;
  haIsolationResponse: string | null;
  drsVmotionRate: number | null;
  /** summary.currentEVCModeKey, e.g. intel-cascadelake; null when EVC is off. */
  evcMode: string | null;
  vsanEnabled: boolean | null;
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
  /** The dvSwitch of a distributed port group; null for a standard one. */
  switch: string | null;
  /** The dvSwitch's uplink port group (not for VMs). */
  uplink: boolean | null;
  numPorts: number | null;
  /** earlyBinding / ephemeral (distributed port groups). */
  portBinding: string | null;
  activeUplinks: string | null;
  standbyUplinks: string | null;
  allowPromiscuous: boolean | null;
  macChanges: boolean | null;
  forgedTransmits: boolean | null;
  teamingPolicy: string | null;
  /** The port group key of a distributed port group. */
  key: string | null;
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
  /** The snapshot's .vmsn file (layoutEx); null when not read. RVTools' "Size MiB (vmsn)". */
  sizeVmsnBytes?: number | null;
  /** .vmsn + .vmem + the delta disks made on top of it (layoutEx). RVTools' "Size MiB (total)". */
  sizeTotalBytes?: number | null;
}

/** A VM's virtual disk (from config.hardware.device); keyed by the VM and the device key. */
export interface DiskRow {
  vcenterId: number;
  vcenter: string;
  /** `<vm moid>/<device key>`: stable while the disk exists. */
  moid: string;
  vmMoid: string;
  vm: string;
  /** The label, e.g. "Hard disk 1". */
  name: string;
  deviceKey: number;
  capacityBytes: number | null;
  /** 'thin', 'thick lazy' or 'thick eager'; null for a raw device mapping or an unknown backing. */
  provisioning: string | null;
  thin: boolean | null;
  eagerlyScrub: boolean | null;
  datastore: string | null;
  fileName: string | null;
  /** The controller's label, e.g. "SCSI controller 0". */
  controller: string | null;
  /** pvscsi, lsilogic, lsilogic-sas, buslogic, nvme, sata, ide. */
  controllerType: string | null;
  busNumber: number | null;
  unitNumber: number | null;
  diskMode: string | null;
  sharing: string | null;
  split: boolean | null;
  writeThrough: boolean | null;
  raw: boolean | null;
  uuid: string | null;
  sharesLevel: string | null;
  shares: number | null;
  reservation: number | null;
  limit: number | null;
}

/** A VM's network adapter, with the IPs the guest reports for its MAC. */
export interface NicRow {
  vcenterId: number;
  vcenter: string;
  moid: string;
  vmMoid: string;
  vm: string;
  /** "Network adapter 1". */
  name: string;
  deviceKey: number;
  /** vmxnet3, e1000e, e1000, pcnet32, vmxnet2, sriov. */
  adapterType: string | null;
  network: string | null;
  /** The dvSwitch (distributed port group) or null. */
  switch: string | null;
  macAddress: string | null;
  /** assigned / generated / manual (the MAC's origin). */
  addressType: string | null;
  connected: boolean | null;
  startConnected: boolean | null;
  ipv4: string | null;
  ipv6: string | null;
}

/** A guest partition (guest.disk), as VMware Tools report it. */
export interface PartitionRow {
  vcenterId: number;
  vcenter: string;
  moid: string;
  vmMoid: string;
  vm: string;
  /** The guest path: "C:\\", "/var". */
  name: string;
  capacityBytes: number | null;
  freeBytes: number | null;
  freePercent: number | null;
  usedPercent: number | null;
  /** The virtual disk the partition lives on (guest.disk[].mappings, vSphere 7+). */
  diskKey: number | null;
}

/** One tag on one object (tagging REST API). */
export interface TagRow {
  vcenterId: number;
  vcenter: string;
  /** `<object moid>/<tag id>`. */
  moid: string;
  tagId: string;
  /** The tag's name. */
  name: string;
  category: string;
  description: string | null;
  /** VirtualMachine, HostSystem, ClusterComputeResource, … */
  objectType: string;
  objectMoid: string;
  /** The tagged object's name. */
  object: string | null;
}

/** A custom attribute value of a VM or host, with the field's name from the CustomFieldsManager. */
export interface CustomValueRow {
  ownerMoid: string;
  key: number;
  name: string;
  value: string | null;
}

export interface HostNicRow {
  hostMoid: string;
  device: string;
  driver: string | null;
  speedMb: number | null;
  duplex: boolean | null;
  mac: string | null;
  pci: string | null;
  /** The standard vSwitch or dvSwitch using it as an uplink. */
  switch: string | null;
  wakeOnLan: boolean | null;
}

export interface HostVmkernelRow {
  hostMoid: string;
  device: string;
  portgroup: string | null;
  mac: string | null;
  dhcp: boolean | null;
  ip: string | null;
  subnetMask: string | null;
  ipv6: string | null;
  mtu: number | null;
}

export interface HostVswitchRow {
  hostMoid: string;
  name: string;
  numPorts: number | null;
  freePorts: number | null;
  mtu: number | null;
  uplinks: string | null;
  allowPromiscuous: boolean | null;
  macChanges: boolean | null;
  forgedTransmits: boolean | null;
  shaping: boolean | null;
  shapingAverage: number | null;
  shapingPeak: number | null;
  shapingBurst: number | null;
  teamingPolicy: string | null;
  reversePolicy: boolean | null;
  notifySwitches: boolean | null;
  rollingOrder: boolean | null;
  offload: boolean | null;
  tso: boolean | null;
  zeroCopyXmit: boolean | null;
}

export interface DvSwitchRow {
  moid: string;
  name: string;
  datacenter: string | null;
  vendor: string | null;
  version: string | null;
  description: string | null;
  createdAt: string | null;
  hostCount: number | null;
  maxPorts: number | null;
  numPorts: number | null;
  vmCount: number | null;
  maxMtu: number | null;
  cdpType: string | null;
  cdpOperation: string | null;
  contact: string | null;
  adminName: string | null;
  uplinks: string | null;
  uuid: string | null;
}

/** A vCenter's tags as last read from its tagging API. */
export interface TagSet {
  categories: { id: string; name: string; description: string | null; cardinality: string | null }[];
  tags: { id: string; categoryId: string; name: string; description: string | null }[];
  /** [object type, object moid, tag id]. */
  attachments: [type: string, moid: string, tagId: string][];
}

export interface LinkRow {
  vcenterId: number;
  a: string;
  b: string;
}

/** One vCenter's complete inventory as collected; rows carry the vCenter's name and id once stored. */
/**
 * The device cache of a VM: its reduced device list (JSON) as read at `changeVersion`. A sync reads
 * a VM's devices only when its config.changeVersion moved (devices are the bulk of a VM's answer).
 */
export interface VmDevicesRow {
  vmMoid: string;
  changeVersion: string;
  devices: string;
  /**
   * 'read': read from the vCenter in this sync (or encoded anew: the key of its rows moved),
   * written even when the stored entry has the same version (it may be in an older format).
   * 'cache': the entry stored at this version, taken from the cache at the start of the sync
   * (nothing to write). Otherwise compared by version.
   */
  origin?: 'read' | 'cache';
  /**
   * Set when the VM's stored disk and NIC rows are kept as they are (the entry's rows' key says
   * nothing they were built from moved): its rows are not in the inventory's `disks` and `nics`,
   * and the store neither compares nor removes the stored ones. How many there are (for counts).
   */
  rowsKept?: { disks: number; nics: number };
}

export interface Inventory {
  datacenters: Omit<DatacenterRow, 'vcenterId' | 'vcenter'>[];
  clusters: Omit<ClusterRow, 'vcenterId' | 'vcenter'>[];
  hosts: Omit<HostRow, 'vcenterId' | 'vcenter'>[];
  datastores: Omit<DatastoreRow, 'vcenterId' | 'vcenter'>[];
  networks: Omit<NetworkRow, 'vcenterId' | 'vcenter'>[];
  vms: Omit<VmRow, 'vcenterId' | 'vcenter'>[];
  snapshots: Omit<SnapshotRow, 'vcenterId' | 'vcenter'>[];
  disks: Omit<DiskRow, 'vcenterId' | 'vcenter'>[];
  nics: Omit<NicRow, 'vcenterId' | 'vcenter'>[];
  partitions: Omit<PartitionRow, 'vcenterId' | 'vcenter'>[];
  vmCustomValues: CustomValueRow[];
  /** Each VM's reduced device list as last read, with the config.changeVersion it was read at. */
  vmDevices: VmDevicesRow[];
  hostCustomValues: CustomValueRow[];
  hostNics: HostNicRow[];
  hostVmkernels: HostVmkernelRow[];
  hostVswitches: HostVswitchRow[];
  dvSwitches: DvSwitchRow[];
  vmDatastores: [vm: string, datastore: string][];
  vmNetworks: [vm: string, network: string][];
  hostDatastores: [host: string, datastore: string][];
  /** Undefined: the tags were not read (the last good ones stay); see `tagsError`. */
  tags?: TagSet;
  /** Why the tagging API could not be read this time. */
  tagsError?: string;
}

export const ENTITIES = [
  'vms',
  'hosts',
  'datastores',
  'clusters',
  'datacenters',
  'networks',
  'snapshots',
  'disks',
  'nics',
  'partitions',
  'tags',
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
    disks: [],
    nics: [],
    partitions: [],
    vmCustomValues: [],
    vmDevices: [],
    hostCustomValues: [],
    hostNics: [],
    hostVmkernels: [],
    hostVswitches: [],
    dvSwitches: [],
    vmDatastores: [],
    vmNetworks: [],
    hostDatastores: [],
  };
}

/** One row of an inventory list (`InventoryRow<'vms'>`: a VM as collected, before it is stored). */
export type InventoryRow<K extends keyof Inventory> =
  NonNullable<Inventory[K]> extends readonly (infer R)[] ? R : never;
