import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'e2e',
  'pyvmomi',
  'read_inventory.py',
);
/** Debian's python has pyvmomi (python3-pyvmomi); a pyenv `python3` on PATH may not. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export interface PyVm {
  name: string;
  host: string | null;
  cluster: string | null;
  datacenter: string | null;
  powerState: string | null;
  numCpu: number | null;
  memoryMb: number | null;
  guestFullName: string | null;
  ipAddress: string | null;
  toolsStatus: string | null;
  annotation: string;
  instanceUuid: string | null;
  template: boolean;
  snapshotCount: number;
  datastores: string[];
  networks: string[];
}

export interface PyHost {
  name: string;
  cluster: string | null;
  datacenter: string | null;
  connectionState: string;
  inMaintenanceMode: boolean;
  numCpuCores: number | null;
  memoryMb: number | null;
  vmCount: number;
}

export interface PyDatastore {
  name: string;
  type: string | null;
  capacityBytes: number | null;
  freeBytes: number | null;
  vmCount: number;
}

export interface PyCluster {
  name: string;
  datacenter: string | null;
  hostCount: number;
  vmCount: number;
  drsEnabled: boolean;
  haEnabled: boolean;
}

/** More of a VM, kept apart from `PyVm` (which the sync test compares field for field). */
export interface PyVmDetails {
  name: string;
  guestId: string | null;
  toolsRunningStatus: string | null;
  toolsVersionStatus2: string | null;
  /** guest.net[].ipAddress, in order, without duplicates. */
  ipAddresses: string[];
  /** Every snapshot's createTime (ISO, with offset), the whole tree. */
  snapshotCreateTimes: (string | null)[];
  /** runtime.bootTime (ISO), null when powered off. */
  bootTime: string | null;
  /** summary.storage.committed / uncommitted (bytes). */
  committedBytes: number | null;
  uncommittedBytes: number | null;
  /** guest.guestFullName, as VMware Tools report it. */
  guestFullNameReported: string | null;
}

/** More of a host, kept apart from `PyHost` (which the sync test compares field for field). */
export interface PyHostDetails {
  name: string;
  bootTime: string | null;
  esxiVersion: string | null;
}

export interface PyDatastoreDetails {
  name: string;
  datacenter: string | null;
  accessible: boolean;
}

export interface PyNetwork {
  name: string;
  datacenter: string | null;
  vmCount: number;
}

/** The RVTools-depth reading (e2e/pyvmomi/read_inventory.py, read_depth and read_tags). */
export interface PyDisk {
  vm: string;
  key: number;
  label: string | null;
  capacityBytes: number | null;
  provisioning: 'thin' | 'thick lazy' | 'thick eager';
  fileName: string | null;
  diskMode: string | null;
  controllerType: string | null;
  busNumber: number | null;
  unitNumber: number | null;
}

export interface PyNic {
  vm: string;
  key: number;
  adapterType: string;
  network: string | null;
  switch: string | null;
  macAddress: string | null;
  connected: boolean | null;
  ipv4: string[];
}

export interface PyPartition {
  vm: string;
  path: string;
  capacityBytes: number;
  freeBytes: number;
}

export interface PyVmDepth {
  name: string;
  createdAt: string | null;
  firmware: string | null;
  secureBoot: boolean | null;
  cpuReservationMhz: number | null;
  cpuLimitMhz: number | null;
  cpuSharesLevel: string | null;
  memoryReservationMb: number | null;
  cpuHotAdd: boolean | null;
  memoryHotAdd: boolean | null;
  consolidationNeeded: boolean | null;
  vmPathName: string | null;
  resourcePoolPath: string | null;
  vapp: string | null;
  customValues: Record<string, string>;
}

export interface PyHostDepth {
  name: string;
  vendor: string | null;
  model: string | null;
  serialNumber: string | null;
  biosVersion: string | null;
  nics: { device: string; mac: string | null; driver: string | null; speedMb: number | null }[];
  vmkernelIps: string[];
  vswitches: string[];
  customValues: Record<string, string>;
}

export interface PyTagAssignment {
  objectType: string;
  object: string | null;
  category: string;
  tag: string;
}

/** RVTools' vSnapshot sizes from layoutEx, per snapshot (moid). */
export interface PySnapshotSize {
  vm: string;
  moid: string;
  vmsnBytes: number | null;
  totalBytes: number | null;
}

export interface PyInventory {
  snapshotSizes: PySnapshotSize[];
  disks: PyDisk[];
  nics: PyNic[];
  partitions: PyPartition[];
  vmDepth: PyVmDepth[];
  hostDepth: PyHostDepth[];
  clusterDepth: { name: string; haAdmissionControl: boolean | null; drsBehavior: string | null }[];
  dvSwitches: { name: string; version: string | null }[];
  customFields: string[];
  tags: { error: string | null; assignments: PyTagAssignment[] };
  vms: PyVm[];
  hosts: PyHost[];
  datastores: PyDatastore[];
  clusters: PyCluster[];
  vmDetails: PyVmDetails[];
  datastoreDetails: PyDatastoreDetails[];
  hostDetails: PyHostDetails[];
  networks: PyNetwork[];
  datacenters: { name: string }[];
  /** moid and name of each VM, host and cluster. */
  moids: Record<'vms' | 'hosts' | 'clusters', { moid: string; name: string }[]>;
}

/** Reads a simulator with pyvmomi, independently of vMiner's own client. */
export async function readWithPyvmomi(url: string, user: string, password: string): Promise<PyInventory> {
  const { stdout } = await run(DEBIAN_PYTHON, [SCRIPT, url, user, password], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout) as PyInventory;
}
