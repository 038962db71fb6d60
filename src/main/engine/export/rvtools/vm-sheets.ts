/**
 * The VM sheets of the RVTools layout (vInfo, vCPU, vMemory, vDisk, vPartition, vNetwork,
 * vSnapshot, vTools): RVTools' headers in RVTools' order, each with its source in vMiner's cache.
 * Custom attributes follow "Annotation", one column each, as RVTools shows them.
 */
import {
  bool,
  col,
  computed,
  date,
  empty,
  empties,
  mib,
  num,
  SDK_COLUMNS,
  WHY,
  type RvColumn,
  type SqlRow,
} from './columns.js';

/** A parsed JSON column of a row (custom attributes, networks), cached on the row. */
export function json<T>(row: SqlRow, field: string, fallback: T): T {
  const v = row[field];
  if (typeof v !== 'string') return fallback;
  // Parsed once per row: the exporter clears `__cache` for each row it reuses the object for.
  const cache = (row['__cache'] ??= {}) as Record<string, unknown>;
  if (cache[field] === undefined) cache[field] = JSON.parse(v) as T;
  return cache[field] as T;
}

/** One column per custom attribute name (RVTools puts them after "Annotation"). */
export function attributeColumns(attributes: readonly string[]): RvColumn[] {
  return attributes.map((name) =>
    computed(
      name,
      'text',
      `custom attribute "${name}" (customValue, named by the CustomFieldsManager)`,
      // The exporter puts the row owner's attribute values on the row as `__attrs`.
      (r) => (r['__attrs'] as Record<string, string | null> | null | undefined)?.[name] ?? null,
    ),
  );
}

/** The VM columns every VM sheet starts with. */
export const VM_LEAD: RvColumn[] = [
  col('VM', 'name', 'name'),
  col('Powerstate', 'power_state', 'runtime.powerState (poweredOn, poweredOff, suspended)'),
  bool('Template', 'template', 'config.template'),
  empty('SRM Placeholder', WHY.srm),
];

/**
 * What every VM sheet ends with: the annotation, the custom attributes (`attributes` are the
 * names, in column order), the placement, OS and ids, and the vCenter.
 */
export function vmTrail(
  attributes: readonly string[],
  opts: { folder: boolean; vmRef?: boolean; vmFields?: string },
): RvColumn[] {
  const p = opts.vmFields ?? '';
  return [
    col('Annotation', `${p}annotation`, 'config.annotation'),
    ...attributeColumns(attributes),
    col('Datacenter', `${p}datacenter`, 'the datacenter above the VM'),
    col('Cluster', `${p}cluster`, 'the cluster of the VM’s host'),
    col('Host', `${p}host`, 'runtime.host (its name)'),
    ...(opts.folder
      ? [col('Folder', `${p}folder`, 'the VM folder path below the datacenter’s vm folder')]
      : []),
    col('OS according to the configuration file', `${p}guest_full_name`, 'config.guestFullName'),
    col('OS according to the VMware Tools', `${p}guest_full_name_reported`, 'guest.guestFullName'),
    ...(opts.vmRef ? [empty('VMRef', WHY.notRead)] : []),
    col('VM ID', `${p}moid`, 'the VM’s managed object id'),
    col('VM UUID', `${p}instance_uuid`, 'config.instanceUuid'),
    ...SDK_COLUMNS,
  ];
}

const NETWORKS = Array.from({ length: 8 }, (_, i) =>
  computed(`Network #${i + 1}`, 'text', `the network of NIC ${i + 1} (in device key order)`, (r) => {
    const nets = json<(string | null)[]>(r, 'nets', []);
    return nets[i] ?? null;
  }),
);

export function vInfo(attributes: readonly string[]): RvColumn[] {
  return [
    ...VM_LEAD,
    empty('Config status', 'configStatus is not read (Status in vMiner is overallStatus)'),
    col('DNS Name', 'guest_host_name', 'guest.hostName'),
    empty('Connection state', WHY.notRead),
    empty('Guest state', WHY.notRead),
    empty('Heartbeat', WHY.quickStats),
    bool('Consolidation Needed', 'consolidation_needed', 'runtime.consolidationNeeded'),
    date('PowerOn', 'boot_time', 'runtime.bootTime'),
    ...empties(['Suspended To Memory', 'Suspend time', 'Suspend Interval'], WHY.notRead),
    date('Creation date', 'created_at', 'config.createDate'),
    empty('Change Version', WHY.notRead),
    num('CPUs', 'num_cpu', 'config.hardware.numCPU'),
    empty('Overall Cpu Readiness', WHY.quickStats),
    num('Memory', 'memory_mb', 'config.hardware.memoryMB (MiB)'),
    empty('Active Memory', WHY.quickStats),
    num('NICs', 'nic_count', 'the network adapters in config.hardware.device'),
    num('Disks', 'disk_count', 'the virtual disks in config.hardware.device'),
    mib('Total disk capacity MiB', 'disk_capacity_bytes', 'the sum of the virtual disks’ capacities'),
    ...empties(
      [
        'Fixed Passthru HotPlug',
        'min Required EVC Mode Key',
        'Latency Sensitivity',
        'Op Notification Timeout',
      ],
      WHY.notRead,
    ),
    empty('EnableUUID', 'advanced settings (extraConfig) are not read'),
    empty('CBT', WHY.notRead),
    col('Primary IP Address', 'ip_address', 'guest.ipAddress'),
    ...NETWORKS,
    num('Num Monitors', 'num_monitors', 'the video card’s numDisplays'),
    num('Video Ram KiB', 'video_ram_kb', 'the video card’s videoRamSizeInKB'),
    col(
      'Resource pool',
      'resource_pool_path',
      'the resource pool path below the cluster or host (/Resources/…)',
    ),
    empty('Folder ID', 'the folder’s managed object id is not kept (its path is)'),
    col('Folder', 'folder', 'the VM folder path below the datacenter’s vm folder'),
    col('vApp', 'vapp', 'the nearest vApp up the resource pool chain'),
    ...empties(
      [
        'DAS protection',
        'FT State',
        'FT Role',
        'FT Latency',
        'FT Bandwidth',
        'FT Sec. Latency',
        'Vm Failover In Progress',
      ],
      WHY.notRead,
    ),
    mib('Provisioned MiB', 'provisioned_bytes', 'summary.storage.committed + uncommitted'),
    mib('In Use MiB', 'used_bytes', 'summary.storage.committed'),
    empty('Unshared MiB', WHY.notRead),
    ...empties(
      ['HA Restart Priority', 'HA Isolation Response', 'HA VM Monitoring'],
      'per-VM HA overrides are not read',
    ),
    empty('Cluster rule(s)', 'cluster rules are not read'),
    empty('Cluster rule name(s)', 'cluster rules are not read'),
    empty('Boot Required', WHY.notRead),
    ...empties(
      ['Boot delay', 'Boot retry delay', 'Boot retry enabled', 'Boot BIOS setup'],
      'boot options other than secure boot are not read',
    ),
    empty('Reboot PowerOff', WHY.notRead),
    bool('EFI Secure boot', 'secure_boot', 'config.bootOptions.efiSecureBootEnabled'),
    col('Firmware', 'firmware', 'config.firmware (bios, efi)'),
    col('HW version', 'hardware_version', 'config.version (vmx-NN)'),
    ...empties(['HW upgrade status', 'HW upgrade policy', 'HW target'], WHY.notRead),
    col('Path', 'vm_path_name', 'summary.config.vmPathName'),
    ...empties(['Log directory', 'Snapshot directory', 'Suspend directory'], WHY.notRead),
    col('Annotation', 'annotation', 'config.annotation'),
    ...attributeColumns(attributes),
    col('Datacenter', 'datacenter', 'the datacenter above the VM'),
    col('Cluster', 'cluster', 'the cluster of the VM’s host'),
    col('Host', 'host', 'runtime.host (its name)'),
    col('OS according to the configuration file', 'guest_full_name', 'config.guestFullName'),
    col('OS according to the VMware Tools', 'guest_full_name_reported', 'guest.guestFullName'),
    empty('Customization Info', WHY.notRead),
    empty('Guest Detailed Data', WHY.notRead),
    col('VM ID', 'moid', 'the VM’s managed object id'),
    col('SMBIOS UUID', 'bios_uuid', 'config.uuid'),
    col('VM UUID', 'instance_uuid', 'config.instanceUuid'),
    empty('VI SDK Server type', 'the API type is not kept'),
    col('VI SDK API Version', 'vc_api', 'the vCenter’s about.apiVersion'),
    ...SDK_COLUMNS,
  ];
}

export function vCpu(attributes: readonly string[]): RvColumn[] {
  return [
    ...VM_LEAD,
    num('CPUs', 'num_cpu', 'config.hardware.numCPU'),
    computed('Sockets', 'number', 'numCPU ÷ numCoresPerSocket', (r) =>
      typeof r['num_cpu'] === 'number' &&
      typeof r['cores_per_socket'] === 'number' &&
      r['cores_per_socket'] > 0
        ? Math.round((r['num_cpu'] as number) / (r['cores_per_socket'] as number))
        : null,
    ),
    num('Cores p/s', 'cores_per_socket', 'config.hardware.numCoresPerSocket'),
    empty('Max', WHY.quickStats),
    empty('Overall', WHY.quickStats),
    col('Level', 'cpu_shares_level', 'config.cpuAllocation.shares.level'),
    num('Shares', 'cpu_shares', 'config.cpuAllocation.shares.shares'),
    num('Reservation', 'cpu_reservation_mhz', 'config.cpuAllocation.reservation (MHz)'),
    empty('Entitlement', WHY.quickStats),
    empty('DRS Entitlement', WHY.quickStats),
    num('Limit', 'cpu_limit_mhz', 'config.cpuAllocation.limit (MHz; -1 unlimited)'),
    bool('Hot Add', 'cpu_hot_add', 'config.cpuHotAddEnabled'),
    empty('Hot Remove', WHY.notRead),
    empty('Numa Hotadd Exposed', WHY.notRead),
    ...vmTrail(attributes, { folder: true }),
  ];
}

export function vMemory(attributes: readonly string[]): RvColumn[] {
  return [
    ...VM_LEAD,
    num('Size MiB', 'memory_mb', 'config.hardware.memoryMB'),
    empty('Memory Reservation Locked To Max', WHY.notRead),
    ...empties(
      [
        'Overhead',
        'Max',
        'Consumed',
        'Consumed Overhead',
        'Private',
        'Shared',
        'Swapped',
        'Ballooned',
        'Active',
        'Entitlement',
        'DRS Entitlement',
      ],
      WHY.quickStats,
    ),
    col('Level', 'memory_shares_level', 'config.memoryAllocation.shares.level'),
    num('Shares', 'memory_shares', 'config.memoryAllocation.shares.shares'),
    num('Reservation', 'memory_reservation_mb', 'config.memoryAllocation.reservation (MiB)'),
    num('Limit', 'memory_limit_mb', 'config.memoryAllocation.limit (MiB; -1 unlimited)'),
    bool('Hot Add', 'memory_hot_add', 'config.memoryHotAddEnabled'),
    ...vmTrail(attributes, { folder: true }),
  ];
}

/** Columns of the VM a child row (disk, NIC, partition, snapshot) belongs to: SQL aliases `vm_*`. */
const OF_VM = 'vm_';

const CHILD_LEAD: RvColumn[] = [
  col('VM', 'vm_name', 'the VM’s name'),
  col('Powerstate', 'vm_power_state', 'the VM’s runtime.powerState'),
  bool('Template', 'vm_template', 'the VM’s config.template'),
  empty('SRM Placeholder', WHY.srm),
];

export function vDisk(attributes: readonly string[]): RvColumn[] {
  return [
    ...CHILD_LEAD,
    col('Disk', 'name', 'the disk’s label (deviceInfo.label)'),
    num('Disk Key', 'device_key', 'the disk’s device key'),
    col('Disk UUID', 'uuid', 'backing.uuid'),
    col('Disk Path', 'file_name', 'backing.fileName'),
    mib('Capacity MiB', 'capacity_bytes', 'capacityInBytes (or capacityInKB × 1024)'),
    bool('Raw', 'raw', 'a raw device mapping backing'),
    col('Disk Mode', 'disk_mode', 'backing.diskMode'),
    col('Sharing mode', 'sharing', 'backing.sharing'),
    bool('Thin', 'thin', 'backing.thinProvisioned'),
    bool('Eagerly Scrub', 'eagerly_scrub', 'backing.eagerlyScrub'),
    bool('Split', 'split', 'backing.split'),
    bool('Write Through', 'write_through', 'backing.writeThrough'),
    col('Level', 'shares_level', 'storageIOAllocation.shares.level'),
    num('Shares', 'shares', 'storageIOAllocation.shares.shares'),
    num('Reservation', 'reservation', 'storageIOAllocation.reservation (IOPS)'),
    num('Limit', 'io_limit', 'storageIOAllocation.limit (IOPS; -1 unlimited)'),
    col('Controller', 'controller', 'the controller’s label'),
    col('Label', 'name', 'the disk’s label (deviceInfo.label)'),
    computed('SCSI Unit #', 'text', 'bus:unit on a SCSI controller', (r) =>
      r['bus_number'] !== null &&
      r['unit_number'] !== null &&
      /scsi|lsilogic|buslogic/i.test(String(r['controller_type']))
        ? `${String(r['bus_number'])}:${String(r['unit_number'])}`
        : null,
    ),
    num('Unit #', 'unit_number', 'unitNumber on its controller'),
    empty('Shared Bus', 'the controller’s bus sharing is not kept'),
    col('Path', 'vm_vm_path_name', 'the VM’s summary.config.vmPathName'),
    empty('Raw LUN ID', WHY.notRead),
    empty('Raw Comp. Mode', WHY.notRead),
    empty('Internal Sort Column', 'RVTools’ own sort key'),
    ...vmTrail(attributes, { folder: true, vmFields: OF_VM }),
  ];
}

export function vPartition(attributes: readonly string[]): RvColumn[] {
  return [
    ...CHILD_LEAD,
    num('Disk Key', 'disk_key', 'guest.disk[].mappings[0].key (vSphere 7 and later)'),
    col('Disk', 'name', 'guest.disk[].diskPath'),
    mib('Capacity MiB', 'capacity_bytes', 'guest.disk[].capacity'),
    computed('Consumed MiB', 'number', 'capacity − freeSpace (bytes ÷ 1,048,576, rounded)', (r) =>
      typeof r['capacity_bytes'] === 'number' && typeof r['free_bytes'] === 'number'
        ? Math.round(((r['capacity_bytes'] as number) - (r['free_bytes'] as number)) / 1048576)
        : null,
    ),
    mib('Free MiB', 'free_bytes', 'guest.disk[].freeSpace'),
    num('Free %', 'free_percent', 'freeSpace ÷ capacity × 100 (one decimal)'),
    empty('Internal Sort Column', 'RVTools’ own sort key'),
    ...vmTrail(attributes, { folder: true, vmFields: OF_VM }),
  ];
}

/** RVTools names an adapter by its vSphere class without "Virtual". */
const ADAPTERS: Record<string, string> = {
  vmxnet3: 'Vmxnet3',
  vmxnet3vrdma: 'Vmxnet3Vrdma',
  e1000e: 'E1000E',
  e1000: 'E1000',
  pcnet32: 'PCNet32',
  vmxnet2: 'Vmxnet2',
  vmxnet: 'Vmxnet',
  sriov: 'SriovEthernetCard',
};

export function vNetwork(attributes: readonly string[]): RvColumn[] {
  return [
    ...CHILD_LEAD,
    col('NIC label', 'name', 'the adapter’s label'),
    computed('Adapter', 'text', 'the adapter’s class (Vmxnet3, E1000E, …)', (r) =>
      typeof r['adapter_type'] === 'string' ? (ADAPTERS[r['adapter_type']] ?? r['adapter_type']) : null,
    ),
    col('Network', 'network', 'the backing’s network or distributed port group name'),
    col('Switch', 'switch', 'the distributed switch of the port group'),
    bool('Connected', 'connected', 'connectable.connected'),
    bool('Starts Connected', 'start_connected', 'connectable.startConnected'),
    col('Mac Address', 'mac_address', 'macAddress'),
    col('Type', 'address_type', 'addressType (assigned, generated, manual)'),
    col('IPv4 Address', 'ipv4', 'guest.net IPs reported for this MAC (IPv4)'),
    col('IPv6 Address', 'ipv6', 'guest.net IPs reported for this MAC (IPv6)'),
    empty('Direct Path IO', WHY.notRead),
    empty('Internal Sort Column', 'RVTools’ own sort key'),
    ...vmTrail(attributes, { folder: true, vmFields: OF_VM }),
  ];
}

export function vSnapshot(attributes: readonly string[]): RvColumn[] {
  return [
    col('VM', 'vm_name', 'the VM’s name'),
    col('Powerstate', 'vm_power_state', 'the VM’s runtime.powerState'),
    col('Name', 'name', 'snapshot.name'),
    col('Description', 'description', 'snapshot.description'),
    date('Date / time', 'created_at', 'snapshot.createTime'),
    empty('Filename', 'snapshot files are not read'),
    mib('Size MiB (vmsn)', 'size_vmsn_bytes', 'the snapshot’s .vmsn file in layoutEx.file'),
    mib(
      'Size MiB (total)',
      'size_total_bytes',
      'the .vmsn, the .vmem and the delta disks made on top of the snapshot (layoutEx.file, layoutEx.snapshot, layoutEx.disk)',
    ),
    empty('Quiesced', WHY.notRead),
    col('State', 'state', 'the power state recorded with the snapshot'),
    ...vmTrail(attributes, { folder: true, vmFields: OF_VM }),
  ];
}

export function vTools(attributes: readonly string[]): RvColumn[] {
  return [
    ...VM_LEAD,
    col('VM Version', 'hardware_version', 'config.version'),
    col('Tools', 'tools_status', 'guest.toolsStatus'),
    ...empties(
      ['Tools Version', 'Required Version', 'Upgradeable', 'Upgrade Policy', 'Sync time', 'App status'],
      WHY.notRead,
    ),
    empty('Heartbeat status', WHY.quickStats),
    ...empties(
      ['Kernel Crash state', 'Operation Ready', 'State change support', 'Interactive Guest'],
      WHY.notRead,
    ),
    ...vmTrail(attributes, { folder: true, vmRef: true }),
  ];
}
