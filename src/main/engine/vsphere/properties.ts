/**
 * The property paths vMiner reads, per managed object type. Explicit lists (never "all"): they
 * bound what a vCenter sends, and are what the reference pyvmomi benchmark collects too. A live
 * property filter streams changes of these paths (all but POLLED_PATHS), so none of them may be a
 * value that changes constantly (quick stats); uptime is derived from runtime.bootTime instead.
 */
export const PROPERTY_PATHS: Record<string, string[]> = {
  Folder: ['name', 'parent'],
  Datacenter: ['name', 'parent'],
  ResourcePool: ['name', 'parent'],
  // Not the whole summary: a cluster's summary carries usage quick stats that change every few
  // seconds, which a live filter would stream for nothing.
  ComputeResource: [
    'name',
    'parent',
    'host',
    'summary.totalCpu',
    'summary.numCpuCores',
    'summary.totalMemory',
    'summary.numEffectiveHosts',
    'summary.overallStatus',
    'configurationEx',
  ],
  // A cluster's summary (ClusterComputeResourceSummary) has the EVC mode; a standalone host's
  // ComputeResource summary has not, so it is asked for clusters only.
  ClusterComputeResource: ['summary.currentEVCModeKey'],
  HostSystem: [
    'name',
    'parent',
    'runtime.connectionState',
    'runtime.powerState',
    'runtime.inMaintenanceMode',
    'runtime.bootTime',
    'summary.hardware',
    'summary.config.product',
    'vm',
    'datastore',
    'overallStatus',
    // Depth (RVTools vHost, vNIC, vSwitch): hardware identity and the network configuration.
    'hardware.systemInfo',
    'hardware.biosInfo',
    'config.network.pnic',
    'config.network.vnic',
    'config.network.vswitch',
    'config.network.portgroup',
    'customValue',
  ],
  // `info` gives the VMFS/NFS version, block size and extents (it also repeats the free space,
  // which `summary` already streams when it changes).
  Datastore: ['name', 'parent', 'summary', 'info', 'vm', 'host'],
  Network: ['name', 'parent', 'vm'],
  DistributedVirtualPortgroup: [
    'key',
    'config.defaultPortConfig',
    'config.distributedVirtualSwitch',
    'config.numPorts',
    'config.type',
    'config.uplink',
  ],
  // Few and stable: the whole summary and config (product, ports, uplinks, discovery protocol).
  DistributedVirtualSwitch: ['name', 'parent', 'summary', 'config'],
  VirtualMachine: [
    'name',
    'parent',
    'resourcePool',
    'runtime.powerState',
    'runtime.host',
    'runtime.bootTime',
    'config.hardware.numCPU',
    'config.hardware.numCoresPerSocket',
    'config.hardware.memoryMB',
    'config.guestId', // VERSIONED_VM_PATHS
    'config.guestFullName', // VERSIONED_VM_PATHS
    'config.annotation',
    'config.template',
    'config.version', // VERSIONED_VM_PATHS
    'config.instanceUuid', // VERSIONED_VM_PATHS
    'config.uuid', // VERSIONED_VM_PATHS
    'guest.guestFullName',
    'guest.hostName',
    'guest.ipAddress',
    'guest.net',
    'guest.toolsStatus',
    'guest.toolsRunningStatus',
    'guest.toolsVersionStatus2',
    'summary.storage.committed',
    'summary.storage.uncommitted',
    'datastore',
    'network',
    'snapshot',
    'overallStatus',
    // Depth (RVTools vInfo, vCPU, vMemory, vDisk, vNetwork, vPartition, vTools). The device list
    // is the bulk of a VM and rarely changes: it is read apart (DEVICE_PATHS), only for VMs whose
    // config.changeVersion moved since the cache last read it (device-cache.ts).
    'config.changeVersion',
    'guest.disk',
    // VERSIONED_VM_PATHS: streamed by a live filter, read apart with the devices by a full read.
    'config.createDate',
    'config.firmware',
    'config.bootOptions.efiSecureBootEnabled',
    'config.cpuAllocation',
    'config.memoryAllocation',
    'config.cpuHotAddEnabled',
    'config.memoryHotAddEnabled',
    'runtime.consolidationNeeded',
    'summary.config.vmPathName',
    'customValue',
  ],
};

/**
 * Paths the full sync reads but a live filter does not stream: a VM's partitions (`guest.disk`).
 * Their sizes rarely change, but VMware Tools report each partition's free space, which drifts
 * all the time on a busy guest: streamed, every log rotation would be an update. A live session
 * reads them whole on its load and then every `polledEveryMs` (LiveOptions), and writes only the
 * VMs whose partitions differ.
 */
export const POLLED_PATHS: Record<string, string[]> = { VirtualMachine: ['guest.disk'] };

/** What a live filter streams: PROPERTY_PATHS without POLLED_PATHS. */
export function livePaths(): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(PROPERTY_PATHS).map(([t, p]) => {
      const polled = POLLED_PATHS[t] ?? [];
      return [t, p.filter((x) => !polled.includes(x))];
    }),
  );
}

/**
 * A VM's devices, reduced to disks, NICs, their controllers and the video card as they are read
 * (vm-devices.ts): read per VM when its config.changeVersion differs from the cached one.
 */
export const DEVICE_PATH = 'config.hardware.device';

/**
 * Configuration paths that only a reconfiguration (or an upgrade) changes, and vCenter moves
 * `config.changeVersion` on with every change of a VM's configuration ("each change to the
 * configuration updates this value", VirtualMachineConfigInfo). A full read takes them, like the
 * device list, from the device cache when the version did not move, and reads them with the
 * devices when it did: ~200 bytes of envelope per path and VM that the vCenter no longer writes
 * and vMiner no longer parses on every refresh. A live filter streams them (PROPERTY_PATHS).
 * The CPU, memory, annotation and template flag, which people change most, are read every time.
 */
export const VERSIONED_VM_PATHS = [
  'config.guestId',
  'config.guestFullName',
  'config.version',
  'config.instanceUuid',
  'config.uuid',
  'config.createDate',
  'config.firmware',
  'config.bootOptions.efiSecureBootEnabled',
  'config.cpuAllocation',
  'config.memoryAllocation',
  'config.cpuHotAddEnabled',
  'config.memoryHotAddEnabled',
];

/** What is read apart for a VM whose config.changeVersion moved: its devices and VERSIONED_VM_PATHS. */
export const DEVICE_PATHS: Record<string, string[]> = {
  VirtualMachine: [DEVICE_PATH, ...VERSIONED_VM_PATHS],
};

/** What a full read asks of every object: PROPERTY_PATHS without VERSIONED_VM_PATHS. */
export function fullReadPaths(): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(PROPERTY_PATHS).map(([t, p]) => [
      t,
      t === 'VirtualMachine' ? p.filter((x) => !VERSIONED_VM_PATHS.includes(x)) : [...p],
    ]),
  );
}

/** The managed object whose `field` property names the custom attributes (`customValue` keys). */
export const CUSTOM_FIELD_PATHS = ['field'];

/** Types the container view is asked for; subtypes (clusters, portgroups) come with them. */
export const VIEW_TYPES = [
  'Folder',
  'Datacenter',
  'ResourcePool',
  'ComputeResource',
  'HostSystem',
  'Datastore',
  'Network',
  'DistributedVirtualSwitch',
  'VirtualMachine',
];
