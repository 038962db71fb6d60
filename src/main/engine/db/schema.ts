import { sql } from 'drizzle-orm';
import {
  sqliteTable,
  text,
  integer,
  real,
  primaryKey,
  index,
  uniqueIndex,
  foreignKey,
  type SQLiteColumn,
} from 'drizzle-orm/sqlite-core';

/** Registered vCenters. Credentials live in the vault, never here. */
export const vcenters = sqliteTable(
  'vcenters',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    url: text('url').notNull(),
    username: text('username').notNull(),
    thumbprint: text('thumbprint'),
    caPem: text('ca_pem'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdAt: text('created_at').notNull(),
    productName: text('product_name'),
    version: text('version'),
    build: text('build'),
    apiVersion: text('api_version'),
    instanceUuid: text('instance_uuid'),
    /**
     * false: the vCenter has its own account (`username` + vault item `vcenter:<id>`). true: it
     * logs in with a shared service account: `service_account_id`, or the default account when
     * that is null. (Deleting an account in use is refused in code, so SET NULL never silently
     * moves a vCenter to the default account.)
     */
    useServiceAccount: integer('use_service_account', { mode: 'boolean' }).notNull().default(false),
    serviceAccountId: integer('service_account_id').references(() => serviceAccounts.id, {
      onDelete: 'set null',
    }),
    /** The source that manages this entry (null: the local list — added in the UI, CLI, REST or an import). */
    sourceId: integer('source_id').references(() => sources.id, { onDelete: 'set null' }),
    /** Set when the vCenter disappeared from its source; its cached data stays until it is removed. */
    retiredAt: text('retired_at'),
    site: text('site'),
    /** JSON array of strings. */
    tags: text('tags'),
    /**
     * Added by a SQL source, or moved to another address by one, and its certificate not pinned or
     * reviewed since: it gets no password (the CMDB does not decide where passwords go) unless its
     * source trusts CA-valid certificates.
     */
    certReviewPending: integer('cert_review_pending', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [uniqueIndex('vcenters_name_uq').on(t.name)],
);

/** Shared accounts many vCenters log in with (the usual enterprise setup); passwords in the vault. */
export const serviceAccounts = sqliteTable(
  'service_accounts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    username: text('username').notNull(),
    isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('service_accounts_name_uq').on(sql`${t.name} COLLATE NOCASE`)],
);

/** Where the vCenter list comes from besides the local list: a SQL table (SQL Server, PostgreSQL). */
export const sources = sqliteTable(
  'sources',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    /** JSON: connection settings, query and column mapping (never the password: vault `source:<id>`). */
    config: text('config').notNull(),
    refreshMinutes: integer('refresh_minutes').notNull().default(60),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdAt: text('created_at').notNull(),
    lastRefreshAt: text('last_refresh_at'),
    lastSuccessAt: text('last_success_at'),
    lastErrorCode: text('last_error_code'),
    lastErrorMessage: text('last_error_message'),
    /** Rows the last good refresh read. */
    lastRowCount: integer('last_row_count'),
  },
  (t) => [uniqueIndex('sources_name_uq').on(sql`${t.name} COLLATE NOCASE`)],
);

/** Per-vCenter sync state; one row per vCenter. */
export const syncState = sqliteTable('sync_state', {
  vcenterId: integer('vcenter_id')
    .primaryKey()
    .references(() => vcenters.id, { onDelete: 'cascade' }),
  status: text('status').notNull().default('idle'),
  startedAt: text('started_at'),
  finishedAt: text('finished_at'),
  durationMs: integer('duration_ms'),
  counts: text('counts'),
  errorCode: text('error_code'),
  errorMessage: text('error_message'),
  lastSuccessAt: text('last_success_at'),
  warnings: text('warnings'),
  /** When the tags (tagging REST API) were last read; they may be older than the inventory. */
  tagsAsOf: text('tags_as_of'),
  /** Why the last read of the tags failed (null: it worked); the tags are then stale. */
  tagsError: text('tags_error'),
});

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

const key = {
  vcenterId: integer('vcenter_id')
    .notNull()
    .references(() => vcenters.id, { onDelete: 'cascade' }),
  moid: text('moid').notNull(),
};

export const datacenters = sqliteTable(
  'datacenters',
  {
    ...key,
    name: text('name').notNull(),
    clusterCount: integer('cluster_count').notNull(),
    hostCount: integer('host_count').notNull(),
    vmCount: integer('vm_count').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.vcenterId, t.moid] }),
    index('datacenters_name').on(sql`${t.name} COLLATE NOCASE`),
  ],
);

export const clusters = sqliteTable(
  'clusters',
  {
    ...key,
    name: text('name').notNull(),
    datacenter: text('datacenter'),
    drsEnabled: integer('drs_enabled', { mode: 'boolean' }),
    drsBehavior: text('drs_behavior'),
    haEnabled: integer('ha_enabled', { mode: 'boolean' }),
    hostCount: integer('host_count').notNull(),
    effectiveHostCount: integer('effective_host_count'),
    vmCount: integer('vm_count').notNull(),
    totalCpuMhz: integer('total_cpu_mhz'),
    totalCpuCores: integer('total_cpu_cores'),
    totalMemoryBytes: integer('total_memory_bytes'),
    overallStatus: text('overall_status'),
    haAdmissionControl: integer('ha_admission_control', { mode: 'boolean' }),
    haFailoverLevel: integer('ha_failover_level'),
    haHostMonitoring: text('ha_host_monitoring'),
    haVmMonitoring: text('ha_vm_monitoring'),
    haRestartPriority: text('ha_restart_priority'),
    haIsolationResponse: text('ha_isolation_response'),
    drsVmotionRate: integer('drs_vmotion_rate'),
    evcMode: text('evc_mode'),
    vsanEnabled: integer('vsan_enabled', { mode: 'boolean' }),
  },
  (t) => [
    primaryKey({ columns: [t.vcenterId, t.moid] }),
    index('clusters_name').on(sql`${t.name} COLLATE NOCASE`),
  ],
);

export const hosts = sqliteTable(
  'hosts',
  {
    ...key,
    name: text('name').notNull(),
    datacenter: text('datacenter'),
    cluster: text('cluster'),
    connectionState: text('connection_state'),
    powerState: text('power_state'),
    inMaintenanceMode: integer('in_maintenance_mode', { mode: 'boolean' }),
    vendor: text('vendor'),
    model: text('model'),
    cpuModel: text('cpu_model'),
    numCpuSockets: integer('num_cpu_sockets'),
    numCpuCores: integer('num_cpu_cores'),
    numCpuThreads: integer('num_cpu_threads'),
    cpuMhz: integer('cpu_mhz'),
    memoryMb: integer('memory_mb'),
    esxiVersion: text('esxi_version'),
    esxiBuild: text('esxi_build'),
    vmCount: integer('vm_count').notNull(),
    bootTime: text('boot_time'),
    overallStatus: text('overall_status'),
    serialNumber: text('serial_number'),
    serviceTag: text('service_tag'),
    uuid: text('uuid'),
    biosVendor: text('bios_vendor'),
    biosVersion: text('bios_version'),
    biosDate: text('bios_date'),
    nicCount: integer('nic_count'),
    vmkernelIps: text('vmkernel_ips'),
  },
  (t) => [
    primaryKey({ columns: [t.vcenterId, t.moid] }),
    index('hosts_name').on(sql`${t.name} COLLATE NOCASE`, t.vcenterId, t.moid),
    index('hosts_cluster').on(sql`${t.cluster} COLLATE NOCASE`),
  ],
);

export const datastores = sqliteTable(
  'datastores',
  {
    ...key,
    name: text('name').notNull(),
    datacenter: text('datacenter'),
    type: text('type'),
    capacityBytes: integer('capacity_bytes'),
    freeBytes: integer('free_bytes'),
    provisionedBytes: integer('provisioned_bytes'),
    freePercent: real('free_percent'),
    accessible: integer('accessible', { mode: 'boolean' }),
    vmCount: integer('vm_count').notNull(),
    hostCount: integer('host_count').notNull(),
    maintenanceMode: text('maintenance_mode'),
    url: text('url'),
    version: text('version'),
    multipleHostAccess: integer('multiple_host_access', { mode: 'boolean' }),
    address: text('address'),
    blockSizeMb: integer('block_size_mb'),
    extentCount: integer('extent_count'),
    vmfsUpgradable: integer('vmfs_upgradable', { mode: 'boolean' }),
  },
  (t) => [
    primaryKey({ columns: [t.vcenterId, t.moid] }),
    index('datastores_name').on(sql`${t.name} COLLATE NOCASE`),
  ],
);

export const networks = sqliteTable(
  'networks',
  {
    ...key,
    name: text('name').notNull(),
    datacenter: text('datacenter'),
    type: text('type'),
    vlanId: text('vlan_id'),
    vmCount: integer('vm_count').notNull(),
    switch: text('switch'),
    uplink: integer('uplink', { mode: 'boolean' }),
    numPorts: integer('num_ports'),
    portBinding: text('port_binding'),
    activeUplinks: text('active_uplinks'),
    standbyUplinks: text('standby_uplinks'),
    allowPromiscuous: integer('allow_promiscuous', { mode: 'boolean' }),
    macChanges: integer('mac_changes', { mode: 'boolean' }),
    forgedTransmits: integer('forged_transmits', { mode: 'boolean' }),
    teamingPolicy: text('teaming_policy'),
    key: text('key'),
  },
  (t) => [
    primaryKey({ columns: [t.vcenterId, t.moid] }),
    index('networks_name').on(sql`${t.name} COLLATE NOCASE`),
  ],
);

export const vms = sqliteTable(
  'vms',
  {
    ...key,
    name: text('name').notNull(),
    datacenter: text('datacenter'),
    cluster: text('cluster'),
    host: text('host'),
    folder: text('folder'),
    resourcePool: text('resource_pool'),
    powerState: text('power_state'),
    numCpu: integer('num_cpu'),
    coresPerSocket: integer('cores_per_socket'),
    memoryMb: integer('memory_mb'),
    guestId: text('guest_id'),
    guestFullName: text('guest_full_name'),
    guestFullNameReported: text('guest_full_name_reported'),
    guestHostName: text('guest_host_name'),
    ipAddress: text('ip_address'),
    ipAddresses: text('ip_addresses'),
    toolsStatus: text('tools_status'),
    toolsRunningStatus: text('tools_running_status'),
    toolsVersionStatus: text('tools_version_status'),
    provisionedBytes: integer('provisioned_bytes'),
    usedBytes: integer('used_bytes'),
    datastores: text('datastores'),
    networks: text('networks'),
    snapshotCount: integer('snapshot_count').notNull(),
    oldestSnapshotAt: text('oldest_snapshot_at'),
    annotation: text('annotation'),
    template: integer('template', { mode: 'boolean' }).notNull(),
    hardwareVersion: text('hardware_version'),
    instanceUuid: text('instance_uuid'),
    biosUuid: text('bios_uuid'),
    bootTime: text('boot_time'),
    overallStatus: text('overall_status'),
    hostMoid: text('host_moid'),
    createdAt: text('created_at'),
    firmware: text('firmware'),
    secureBoot: integer('secure_boot', { mode: 'boolean' }),
    cpuReservationMhz: integer('cpu_reservation_mhz'),
    cpuLimitMhz: integer('cpu_limit_mhz'),
    cpuShares: integer('cpu_shares'),
    cpuSharesLevel: text('cpu_shares_level'),
    memoryReservationMb: integer('memory_reservation_mb'),
    memoryLimitMb: integer('memory_limit_mb'),
    memoryShares: integer('memory_shares'),
    memorySharesLevel: text('memory_shares_level'),
    cpuHotAdd: integer('cpu_hot_add', { mode: 'boolean' }),
    memoryHotAdd: integer('memory_hot_add', { mode: 'boolean' }),
    resourcePoolPath: text('resource_pool_path'),
    vapp: text('vapp'),
    consolidationNeeded: integer('consolidation_needed', { mode: 'boolean' }),
    vmPathName: text('vm_path_name'),
    diskCount: integer('disk_count'),
    nicCount: integer('nic_count'),
    diskCapacityBytes: integer('disk_capacity_bytes'),
    numMonitors: integer('num_monitors'),
    videoRamKb: integer('video_ram_kb'),
  },
  (t) => [
    primaryKey({ columns: [t.vcenterId, t.moid] }),
    // Every index carries the list's tie-breakers (name, vCenter, moid), so a page sorted by its
    // column, or filtered by an equality on it, needs no sort step (`VM_ORDER_INDEXES` in the
    // query planner mirrors this list).
    index('vms_name').on(sql`${t.name} COLLATE NOCASE`, t.vcenterId, t.moid),
    index('vms_cluster').on(
      sql`${t.cluster} COLLATE NOCASE`,
      sql`${t.host} COLLATE NOCASE`,
      sql`${t.name} COLLATE NOCASE`,
      t.vcenterId,
      t.moid,
    ),
    index('vms_host').on(sql`${t.host} COLLATE NOCASE`, sql`${t.name} COLLATE NOCASE`, t.vcenterId, t.moid),
    index('vms_power_state').on(
      sql`${t.powerState} COLLATE NOCASE`,
      sql`${t.name} COLLATE NOCASE`,
      t.vcenterId,
      t.moid,
    ),
    index('vms_guest').on(
      sql`${t.guestFullName} COLLATE NOCASE`,
      sql`${t.name} COLLATE NOCASE`,
      t.vcenterId,
      t.moid,
    ),
    index('vms_memory').on(t.memoryMb, sql`${t.name} COLLATE NOCASE`, t.vcenterId, t.moid),
    index('vms_num_cpu').on(t.numCpu, sql`${t.name} COLLATE NOCASE`, t.vcenterId, t.moid),
    index('vms_ip').on(
      sql`${t.ipAddress} COLLATE NOCASE`,
      sql`${t.name} COLLATE NOCASE`,
      t.vcenterId,
      t.moid,
    ),
  ],
);

export const snapshots = sqliteTable(
  'snapshots',
  {
    ...key,
    vmMoid: text('vm_moid').notNull(),
    vm: text('vm').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: text('created_at'),
    state: text('state'),
    parentMoid: text('parent_moid'),
    sizeVmsnBytes: integer('size_vmsn_bytes'),
    sizeTotalBytes: integer('size_total_bytes'),
  },
  (t) => [primaryKey({ columns: [t.vcenterId, t.moid] }), index('snapshots_vm').on(t.vcenterId, t.vmMoid)],
);

/*
 * Child tables. Each row belongs to one owner row (a VM or a host) through a composite foreign key
 * (vCenter id + owner moid) that cascades, carries a key that is stable while the child exists
 * (a device key, a partition path, a NIC device name), and is replaced with its owner in the
 * per-vCenter transaction. The grid-facing ones (disks, NICs, partitions, tags) also carry a
 * `moid` (owner moid + key) and a `name`, so lists, keyset paging and "row by key" treat them
 * like every other entity.
 */
const vmChild = {
  vcenterId: integer('vcenter_id').notNull(),
  moid: text('moid').notNull(),
  vmMoid: text('vm_moid').notNull(),
  vm: text('vm').notNull(),
  name: text('name').notNull(),
};

/** A VM's child rows (disks, NICs, partitions, custom values) go with it: (vcenter_id, vm_moid) → vms. */
function ofVm(vcenterId: SQLiteColumn, vmMoid: SQLiteColumn) {
  return foreignKey({ columns: [vcenterId, vmMoid], foreignColumns: [vms.vcenterId, vms.moid] }).onDelete(
    'cascade',
  );
}

/** A host's child rows (NICs, VMkernels, vSwitches, custom values) go with it: (vcenter_id, host_moid) → hosts. */
function ofHost(vcenterId: SQLiteColumn, hostMoid: SQLiteColumn) {
  return foreignKey({
    columns: [vcenterId, hostMoid],
    foreignColumns: [hosts.vcenterId, hosts.moid],
  }).onDelete('cascade');
}

export const vmDisks = sqliteTable(
  'vm_disks',
  {
    ...vmChild,
    deviceKey: integer('device_key').notNull(),
    capacityBytes: integer('capacity_bytes'),
    provisioning: text('provisioning'),
    thin: integer('thin', { mode: 'boolean' }),
    eagerlyScrub: integer('eagerly_scrub', { mode: 'boolean' }),
    datastore: text('datastore'),
    fileName: text('file_name'),
    controller: text('controller'),
    controllerType: text('controller_type'),
    busNumber: integer('bus_number'),
    unitNumber: integer('unit_number'),
    diskMode: text('disk_mode'),
    sharing: text('sharing'),
    split: integer('split', { mode: 'boolean' }),
    writeThrough: integer('write_through', { mode: 'boolean' }),
    raw: integer('raw', { mode: 'boolean' }),
    uuid: text('uuid'),
    sharesLevel: text('shares_level'),
    shares: integer('shares'),
    reservation: integer('reservation'),
    limit: integer('io_limit'),
  },
  (t) => [
    primaryKey({ columns: [t.vcenterId, t.moid] }),
    uniqueIndex('vm_disks_owner').on(t.vcenterId, t.vmMoid, t.deviceKey),
    ofVm(t.vcenterId, t.vmMoid),
    index('vm_disks_name').on(sql`${t.name} COLLATE NOCASE`),
  ],
);

export const vmNics = sqliteTable(
  'vm_nics',
  {
    ...vmChild,
    deviceKey: integer('device_key').notNull(),
    adapterType: text('adapter_type'),
    network: text('network'),
    switch: text('switch'),
    macAddress: text('mac_address'),
    addressType: text('address_type'),
    connected: integer('connected', { mode: 'boolean' }),
    startConnected: integer('start_connected', { mode: 'boolean' }),
    ipv4: text('ipv4'),
    ipv6: text('ipv6'),
  },
  (t) => [
    primaryKey({ columns: [t.vcenterId, t.moid] }),
    uniqueIndex('vm_nics_owner').on(t.vcenterId, t.vmMoid, t.deviceKey),
    ofVm(t.vcenterId, t.vmMoid),
    index('vm_nics_name').on(sql`${t.name} COLLATE NOCASE`),
  ],
);

export const vmPartitions = sqliteTable(
  'vm_partitions',
  {
    ...vmChild,
    capacityBytes: integer('capacity_bytes'),
    freeBytes: integer('free_bytes'),
    freePercent: real('free_percent'),
    usedPercent: real('used_percent'),
    diskKey: integer('disk_key'),
  },
  (t) => [
    primaryKey({ columns: [t.vcenterId, t.moid] }),
    index('vm_partitions_owner').on(t.vcenterId, t.vmMoid),
    ofVm(t.vcenterId, t.vmMoid),
    index('vm_partitions_name').on(sql`${t.name} COLLATE NOCASE`),
  ],
);

/**
 * The device cache: a VM's reduced device list (JSON) as read at its config.changeVersion. A sync
 * asks a vCenter for a VM's devices only when that version moved (vm-devices.ts, device-cache.ts).
 */
export const vmDevices = sqliteTable(
  'vm_devices',
  {
    vcenterId: integer('vcenter_id').notNull(),
    vmMoid: text('vm_moid').notNull(),
    changeVersion: text('change_version').notNull(),
    devices: text('devices').notNull(),
  },
  (t) => [primaryKey({ columns: [t.vcenterId, t.vmMoid] }), ofVm(t.vcenterId, t.vmMoid)],
);

/** Custom attribute values (`customValue`), with the field names of the CustomFieldsManager. */
export const vmCustomValues = sqliteTable(
  'vm_custom_values',
  {
    vcenterId: integer('vcenter_id').notNull(),
    vmMoid: text('vm_moid').notNull(),
    key: integer('key').notNull(),
    name: text('name').notNull(),
    value: text('value'),
  },
  (t) => [
    primaryKey({ columns: [t.vcenterId, t.vmMoid, t.key] }),
    ofVm(t.vcenterId, t.vmMoid),
    index('vm_custom_values_name').on(t.vcenterId, sql`${t.name} COLLATE NOCASE`),
  ],
);

export const hostCustomValues = sqliteTable(
  'host_custom_values',
  {
    vcenterId: integer('vcenter_id').notNull(),
    hostMoid: text('host_moid').notNull(),
    key: integer('key').notNull(),
    name: text('name').notNull(),
    value: text('value'),
  },
  (t) => [primaryKey({ columns: [t.vcenterId, t.hostMoid, t.key] }), ofHost(t.vcenterId, t.hostMoid)],
);

/** A host's physical NICs (config.network.pnic). */
export const hostNics = sqliteTable(
  'host_nics',
  {
    vcenterId: integer('vcenter_id').notNull(),
    hostMoid: text('host_moid').notNull(),
    device: text('device').notNull(),
    driver: text('driver'),
    speedMb: integer('speed_mb'),
    duplex: integer('duplex', { mode: 'boolean' }),
    mac: text('mac'),
    pci: text('pci'),
    switch: text('switch'),
    wakeOnLan: integer('wake_on_lan', { mode: 'boolean' }),
  },
  (t) => [primaryKey({ columns: [t.vcenterId, t.hostMoid, t.device] }), ofHost(t.vcenterId, t.hostMoid)],
);

/** A host's VMkernel adapters (config.network.vnic). */
export const hostVmkernels = sqliteTable(
  'host_vmkernels',
  {
    vcenterId: integer('vcenter_id').notNull(),
    hostMoid: text('host_moid').notNull(),
    device: text('device').notNull(),
    portgroup: text('portgroup'),
    mac: text('mac'),
    dhcp: integer('dhcp', { mode: 'boolean' }),
    ip: text('ip'),
    subnetMask: text('subnet_mask'),
    ipv6: text('ipv6'),
    mtu: integer('mtu'),
  },
  (t) => [primaryKey({ columns: [t.vcenterId, t.hostMoid, t.device] }), ofHost(t.vcenterId, t.hostMoid)],
);

/** A host's standard vSwitches (config.network.vswitch). */
export const hostVswitches = sqliteTable(
  'host_vswitches',
  {
    vcenterId: integer('vcenter_id').notNull(),
    hostMoid: text('host_moid').notNull(),
    name: text('name').notNull(),
    numPorts: integer('num_ports'),
    freePorts: integer('free_ports'),
    mtu: integer('mtu'),
    uplinks: text('uplinks'),
    allowPromiscuous: integer('allow_promiscuous', { mode: 'boolean' }),
    macChanges: integer('mac_changes', { mode: 'boolean' }),
    forgedTransmits: integer('forged_transmits', { mode: 'boolean' }),
    shaping: integer('shaping', { mode: 'boolean' }),
    shapingAverage: integer('shaping_average'),
    shapingPeak: integer('shaping_peak'),
    shapingBurst: integer('shaping_burst'),
    teamingPolicy: text('teaming_policy'),
    reversePolicy: integer('reverse_policy', { mode: 'boolean' }),
    notifySwitches: integer('notify_switches', { mode: 'boolean' }),
    rollingOrder: integer('rolling_order', { mode: 'boolean' }),
    offload: integer('offload', { mode: 'boolean' }),
    tso: integer('tso', { mode: 'boolean' }),
    zeroCopyXmit: integer('zero_copy_xmit', { mode: 'boolean' }),
  },
  (t) => [primaryKey({ columns: [t.vcenterId, t.hostMoid, t.name] }), ofHost(t.vcenterId, t.hostMoid)],
);

/** Distributed virtual switches. */
export const dvSwitches = sqliteTable(
  'dv_switches',
  {
    ...key,
    name: text('name').notNull(),
    datacenter: text('datacenter'),
    vendor: text('vendor'),
    version: text('version'),
    description: text('description'),
    createdAt: text('created_at'),
    hostCount: integer('host_count'),
    maxPorts: integer('max_ports'),
    numPorts: integer('num_ports'),
    vmCount: integer('vm_count'),
    maxMtu: integer('max_mtu'),
    cdpType: text('cdp_type'),
    cdpOperation: text('cdp_operation'),
    contact: text('contact'),
    adminName: text('admin_name'),
    uplinks: text('uplinks'),
    uuid: text('uuid'),
  },
  (t) => [primaryKey({ columns: [t.vcenterId, t.moid] })],
);

/** Tag categories and tags of a vCenter (tagging REST API), replaced when they are read. */
export const tagCategories = sqliteTable(
  'tag_categories',
  {
    vcenterId: integer('vcenter_id')
      .notNull()
      .references(() => vcenters.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    cardinality: text('cardinality'),
  },
  (t) => [primaryKey({ columns: [t.vcenterId, t.id] })],
);

export const tagDefs = sqliteTable(
  'tag_defs',
  {
    vcenterId: integer('vcenter_id').notNull(),
    id: text('id').notNull(),
    categoryId: text('category_id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
  },
  (t) => [
    primaryKey({ columns: [t.vcenterId, t.id] }),
    foreignKey({
      columns: [t.vcenterId, t.categoryId],
      foreignColumns: [tagCategories.vcenterId, tagCategories.id],
    }).onDelete('cascade'),
  ],
);

/**
 * A tag on an object: owned by its tag (the object can be of any type, so it is named by type +
 * moid, and its name is kept current when the object's row changes).
 */
export const tagAssignments = sqliteTable(
  'tag_assignments',
  {
    vcenterId: integer('vcenter_id').notNull(),
    moid: text('moid').notNull(),
    tagId: text('tag_id').notNull(),
    name: text('name').notNull(),
    category: text('category').notNull(),
    description: text('description'),
    objectType: text('object_type').notNull(),
    objectMoid: text('object_moid').notNull(),
    object: text('object'),
  },
  (t) => [
    primaryKey({ columns: [t.vcenterId, t.moid] }),
    foreignKey({
      columns: [t.vcenterId, t.tagId],
      foreignColumns: [tagDefs.vcenterId, tagDefs.id],
    }).onDelete('cascade'),
    index('tag_assignments_object').on(t.vcenterId, t.objectMoid),
    index('tag_assignments_tag').on(t.vcenterId, t.tagId),
    index('tag_assignments_name').on(sql`${t.name} COLLATE NOCASE`),
  ],
);

const link = (name: string, a: string, b: string) =>
  sqliteTable(
    name,
    {
      vcenterId: integer('vcenter_id')
        .notNull()
        .references(() => vcenters.id, { onDelete: 'cascade' }),
      a: text(a).notNull(),
      b: text(b).notNull(),
    },
    (t) => [primaryKey({ columns: [t.vcenterId, t.a, t.b] }), index(`${name}_b`).on(t.vcenterId, t.b)],
  );

export const vmDatastores = link('vm_datastores', 'vm_moid', 'datastore_moid');
export const vmNetworks = link('vm_networks', 'vm_moid', 'network_moid');
export const hostDatastores = link('host_datastores', 'host_moid', 'datastore_moid');

/** Accounts for the REST API and the browser UI (server mode); passwords as scrypt hashes. */
export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role').notNull().default('admin'),
    createdAt: text('created_at').notNull(),
    /** In every token as `tv`: raised by a password or role change, which ends the account's tokens. */
    tokenVersion: integer('token_version').notNull().default(0),
  },
  (t) => [uniqueIndex('users_username_uq').on(sql`${t.username} COLLATE NOCASE`)],
);

/** Logged-out tokens, kept until they would have expired anyway. */
export const revokedTokens = sqliteTable('revoked_tokens', {
  jti: text('jti').primaryKey(),
  expiresAt: integer('expires_at').notNull(),
});

/**
 * The change history of the estate: one row per changed field of an object, per object created or
 * removed (its main fields in `new_value` / `old_value` as JSON), and one `first-sync` marker per
 * vCenter seen for the first time. Child rows (disks, NICs, partitions, tags, custom values) are
 * recorded as fields of their owner ("disk 2 capacity"). The vCenter is kept by id and by its name at
 * the time, without a foreign key, so the history outlives a vCenter that is removed.
 */
export const changes = sqliteTable(
  'changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** ISO time: the vCenter's update time when it has one, else when vMiner saw the change. */
    at: text('at').notNull(),
    vcenterId: integer('vcenter_id').notNull(),
    vcenter: text('vcenter').notNull(),
    /** The entity of the object (`vms`, `hosts`, …), as the query plan names it. */
    entity: text('entity').notNull(),
    moid: text('moid').notNull(),
    /** The object's name when the change happened (a rename records both names). */
    objectName: text('object_name'),
    /** `changed` | `created` | `removed` | `first-sync` */
    kind: text('kind').notNull(),
    /** The field (`powerState`, `disk 2 capacityBytes`, …); null for created / removed / first-sync. */
    field: text('field'),
    oldValue: text('old_value'),
    newValue: text('new_value'),
    /** `live` | `sync` */
    source: text('source').notNull(),
  },
  (t) => [
    index('changes_at').on(t.at, t.id),
    index('changes_object').on(t.vcenterId, t.moid, t.at),
    index('changes_field').on(t.field, t.at),
    // "What happened to web-01": the objects that ever had a name, found without a scan.
    index('changes_name').on(sql`${t.objectName} COLLATE NOCASE`),
  ],
);
