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

export interface PyInventory {
  vms: PyVm[];
  hosts: PyHost[];
  datastores: PyDatastore[];
  clusters: PyCluster[];
  vmDetails: PyVmDetails[];
  datastoreDetails: PyDatastoreDetails[];
  hostDetails: PyHostDetails[];
  networks: PyNetwork[];
  datacenters: { name: string }[];
}

/** Reads a simulator with pyvmomi, independently of vMiner's own client. */
export async function readWithPyvmomi(url: string, user: string, password: string): Promise<PyInventory> {
  const { stdout } = await run(DEBIAN_PYTHON, [SCRIPT, url, user, password], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout) as PyInventory;
}
