import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, real, primaryKey, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
  },
  (t) => [primaryKey({ columns: [t.vcenterId, t.moid] }), index('snapshots_vm').on(t.vcenterId, t.vmMoid)],
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
