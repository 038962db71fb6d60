/**
 * The field catalog: which fields each entity has, their type and unit. Questions, grids, REST
 * filters and exports all name fields from here; the planner maps them to SQL columns.
 */
import { own } from './own.js';
export type FieldType = 'text' | 'number' | 'boolean' | 'date' | 'list';
export type FieldUnit = 'mb' | 'bytes' | 'percent' | 'mhz' | 'days';

export interface FieldDef {
  type: FieldType;
  label: string;
  unit?: FieldUnit;
}

const f = (type: FieldType, label: string, unit?: FieldUnit): FieldDef =>
  unit ? { type, label, unit } : { type, label };

const common = {
  vcenter: f('text', 'vCenter'),
  name: f('text', 'Name'),
};

export const FIELDS = {
  vms: {
    ...common,
    datacenter: f('text', 'Datacenter'),
    cluster: f('text', 'Cluster'),
    host: f('text', 'Host'),
    folder: f('text', 'Folder'),
    resourcePool: f('text', 'Resource pool'),
    powerState: f('text', 'Power state'),
    numCpu: f('number', 'vCPUs'),
    coresPerSocket: f('number', 'Cores per socket'),
    memoryMb: f('number', 'Memory', 'mb'),
    guestId: f('text', 'Guest ID'),
    guestFullName: f('text', 'Guest OS'),
    guestFullNameReported: f('text', 'Guest OS (reported)'),
    guestHostName: f('text', 'Guest host name'),
    ipAddress: f('text', 'IP address'),
    ipAddresses: f('list', 'All IPs'),
    toolsStatus: f('text', 'Tools status'),
    toolsRunningStatus: f('text', 'Tools running'),
    toolsVersionStatus: f('text', 'Tools version'),
    provisionedBytes: f('number', 'Provisioned', 'bytes'),
    usedBytes: f('number', 'Used storage', 'bytes'),
    datastores: f('list', 'Datastores'),
    networks: f('list', 'Networks'),
    snapshotCount: f('number', 'Snapshots'),
    oldestSnapshotAt: f('date', 'Oldest snapshot'),
    annotation: f('text', 'Notes'),
    template: f('boolean', 'Template'),
    hardwareVersion: f('text', 'HW version'),
    instanceUuid: f('text', 'Instance UUID'),
    biosUuid: f('text', 'BIOS UUID'),
    bootTime: f('date', 'Boot time'),
    overallStatus: f('text', 'Status'),
  },
  hosts: {
    ...common,
    datacenter: f('text', 'Datacenter'),
    cluster: f('text', 'Cluster'),
    connectionState: f('text', 'Connection'),
    powerState: f('text', 'Power state'),
    inMaintenanceMode: f('boolean', 'Maintenance mode'),
    vendor: f('text', 'Vendor'),
    model: f('text', 'Model'),
    cpuModel: f('text', 'CPU model'),
    numCpuSockets: f('number', 'Sockets'),
    numCpuCores: f('number', 'Cores'),
    numCpuThreads: f('number', 'Threads'),
    cpuMhz: f('number', 'CPU MHz', 'mhz'),
    memoryMb: f('number', 'Memory', 'mb'),
    esxiVersion: f('text', 'ESXi version'),
    esxiBuild: f('text', 'ESXi build'),
    vmCount: f('number', 'VMs'),
    bootTime: f('date', 'Boot time'),
    overallStatus: f('text', 'Status'),
  },
  datastores: {
    ...common,
    datacenter: f('text', 'Datacenter'),
    type: f('text', 'Type'),
    capacityBytes: f('number', 'Capacity', 'bytes'),
    usedBytes: f('number', 'Used', 'bytes'),
    freeBytes: f('number', 'Free', 'bytes'),
    provisionedBytes: f('number', 'Provisioned', 'bytes'),
    freePercent: f('number', 'Free %', 'percent'),
    accessible: f('boolean', 'Accessible'),
    vmCount: f('number', 'VMs'),
    hostCount: f('number', 'Hosts'),
    maintenanceMode: f('text', 'Maintenance'),
    url: f('text', 'URL'),
  },
  clusters: {
    ...common,
    datacenter: f('text', 'Datacenter'),
    drsEnabled: f('boolean', 'DRS'),
    drsBehavior: f('text', 'DRS behavior'),
    haEnabled: f('boolean', 'HA'),
    hostCount: f('number', 'Hosts'),
    effectiveHostCount: f('number', 'Effective hosts'),
    vmCount: f('number', 'VMs'),
    totalCpuMhz: f('number', 'Total CPU', 'mhz'),
    totalCpuCores: f('number', 'Total cores'),
    totalMemoryBytes: f('number', 'Total memory', 'bytes'),
    overallStatus: f('text', 'Status'),
  },
  datacenters: {
    ...common,
    clusterCount: f('number', 'Clusters'),
    hostCount: f('number', 'Hosts'),
    vmCount: f('number', 'VMs'),
  },
  networks: {
    ...common,
    datacenter: f('text', 'Datacenter'),
    type: f('text', 'Type'),
    vlanId: f('text', 'VLAN'),
    vmCount: f('number', 'VMs'),
  },
  snapshots: {
    ...common,
    vm: f('text', 'VM'),
    description: f('text', 'Description'),
    createdAt: f('date', 'Created'),
    ageDays: f('number', 'Age', 'days'),
    state: f('text', 'Power state at snapshot'),
  },
  vcenters: {
    name: f('text', 'Name'),
    url: f('text', 'URL'),
    version: f('text', 'Version'),
    status: f('text', 'Sync status'),
    lastSuccessAt: f('date', 'Last good sync'),
    vmCount: f('number', 'VMs'),
    hostCount: f('number', 'Hosts'),
  },
} as const satisfies Record<string, Record<string, FieldDef>>;

export type QueryEntity = keyof typeof FIELDS;
export const QUERY_ENTITIES = Object.keys(FIELDS) as QueryEntity[];

export function fieldDef(entity: QueryEntity, field: string): FieldDef | undefined {
  return own(FIELDS[entity] as Record<string, FieldDef>, field);
}

const LABEL: Record<QueryEntity, string> = {
  vms: 'VM',
  hosts: 'host',
  datastores: 'datastore',
  clusters: 'cluster',
  datacenters: 'datacenter',
  networks: 'network',
  snapshots: 'snapshot',
  vcenters: 'vCenter',
};

export function entityLabel(e: QueryEntity, plural = true): string {
  const l = LABEL[e];
  return plural ? (l === 'VM' ? 'VMs' : `${l}s`) : l;
}

/** Columns a result shows by default, per entity (every field is still available). */
export const DEFAULT_COLUMNS: Record<QueryEntity, string[]> = {
  vms: [
    'vcenter',
    'name',
    'cluster',
    'host',
    'powerState',
    'numCpu',
    'memoryMb',
    'ipAddress',
    'guestFullName',
  ],
  hosts: [
    'vcenter',
    'name',
    'cluster',
    'connectionState',
    'inMaintenanceMode',
    'esxiVersion',
    'esxiBuild',
    'model',
    'numCpuCores',
    'memoryMb',
    'vmCount',
  ],
  datastores: [
    'vcenter',
    'name',
    'type',
    'capacityBytes',
    'usedBytes',
    'provisionedBytes',
    'freeBytes',
    'freePercent',
    'vmCount',
  ],
  clusters: ['vcenter', 'datacenter', 'name', 'hostCount', 'vmCount', 'drsEnabled', 'haEnabled'],
  datacenters: ['vcenter', 'name', 'clusterCount', 'hostCount', 'vmCount'],
  networks: ['vcenter', 'datacenter', 'name', 'type', 'vlanId', 'vmCount'],
  snapshots: ['vcenter', 'vm', 'name', 'createdAt', 'ageDays', 'description'],
  vcenters: ['name', 'url', 'version', 'status', 'lastSuccessAt', 'vmCount', 'hostCount'],
};
