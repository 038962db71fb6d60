/**
 * The property paths vMiner reads, per managed object type. Explicit lists (never "all"): they
 * bound what a vCenter sends, and are what the reference pyvmomi benchmark collects too. A live
 * property filter streams changes of exactly these paths, so none of them may be a value that
 * changes constantly (quick stats); uptime is derived from runtime.bootTime instead.
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
  ],
  Datastore: ['name', 'parent', 'summary', 'vm', 'host'],
  Network: ['name', 'parent', 'vm'],
  DistributedVirtualPortgroup: ['config.defaultPortConfig'],
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
    'config.guestId',
    'config.guestFullName',
    'config.annotation',
    'config.template',
    'config.version',
    'config.instanceUuid',
    'config.uuid',
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
  ],
};

/** Types the container view is asked for; subtypes (clusters, portgroups) come with them. */
export const VIEW_TYPES = [
  'Folder',
  'Datacenter',
  'ResourcePool',
  'ComputeResource',
  'HostSystem',
  'Datastore',
  'Network',
  'VirtualMachine',
];
