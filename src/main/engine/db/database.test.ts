import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { InventoryStore } from './inventory-store.js';
import { listEntity } from './inventory-read.js';
import { VcenterRepo } from './vcenter-repo.js';
import { emptyInventory, type Inventory } from '../../../shared/inventory.js';
import { NO_VM_DEPTH } from '../../../testing/generate-depth.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-db-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const vm = (moid: string, name: string): Inventory['vms'][number] => ({
  moid,
  name,
  datacenter: 'DC',
  cluster: 'C1',
  host: 'esx01',
  folder: '/',
  resourcePool: 'Resources',
  powerState: 'poweredOn',
  numCpu: 2,
  coresPerSocket: 1,
  memoryMb: 4096,
  guestId: null,
  guestFullName: null,
  guestFullNameReported: null,
  guestHostName: null,
  ipAddress: null,
  ipAddresses: null,
  toolsStatus: null,
  toolsRunningStatus: null,
  toolsVersionStatus: null,
  provisionedBytes: null,
  usedBytes: null,
  datastores: null,
  networks: null,
  snapshotCount: 0,
  oldestSnapshotAt: null,
  annotation: null,
  template: false,
  hardwareVersion: null,
  instanceUuid: null,
  biosUuid: null,
  bootTime: null,
  overallStatus: null,
  hostMoid: null,
  ...NO_VM_DEPTH,
});

const inventory = (vms: Inventory['vms']): Inventory => ({
  ...emptyInventory(),
  vms,
  vmDatastores: vms.map((v) => [v.moid, 'ds-1']),
});

describe('database', () => {
  it('migrates an empty folder, then reopens an existing database without losing data', () => {
    const dir = tmp();
    const a = openDatabase(dir);
    expect(a.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    const repo = new VcenterRepo(a.db);
    const vc = repo.add({
      name: 'vc1',
      url: 'https://vc1/sdk',
      username: 'u',
      thumbprint: null,
      caPem: null,
    });
    new InventoryStore(a.sqlite).replace(vc.id, inventory([vm('vm-1', 'web01')]));
    a.close();
    const b = openDatabase(dir);
    expect(listEntity(b.db, 'vms').map((r) => [r['vcenter'], r['name']])).toEqual([['vc1', 'web01']]);
    const applied = b.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
    expect(applied.n).toBeGreaterThan(0);
    b.close();
  });

  it('replaces one vCenter atomically and leaves the old data when the write fails', () => {
    const dir = tmp();
    const { db, sqlite, close } = openDatabase(dir);
    const repo = new VcenterRepo(db);
    const vc1 = repo.add({
      name: 'vc1',
      url: 'https://vc1/sdk',
      username: 'u',
      thumbprint: null,
      caPem: null,
    });
    const vc2 = repo.add({
      name: 'vc2',
      url: 'https://vc2/sdk',
      username: 'u',
      thumbprint: null,
      caPem: null,
    });
    const store = new InventoryStore(sqlite);
    store.replace(vc1.id, inventory([vm('vm-1', 'a'), vm('vm-2', 'b')]));
    store.replace(vc2.id, inventory([vm('vm-1', 'c')]));
    // Two rows with one key: the transaction fails and rolls back.
    expect(() => store.replace(vc1.id, inventory([vm('vm-9', 'x'), vm('vm-9', 'y')]))).toThrow();
    expect(listEntity(db, 'vms').map((r) => r['name'])).toEqual(['a', 'b', 'c']);
    store.replace(vc1.id, inventory([vm('vm-3', 'z')]));
    expect(listEntity(db, 'vms').map((r) => r['name'])).toEqual(['z', 'c']);
    // Removing a vCenter removes its rows with it.
    repo.remove(vc2.id);
    expect(listEntity(db, 'vms').map((r) => r['name'])).toEqual(['z']);
    close();
  });

  it('read-only opening of a folder without data explains what to do', () => {
    expect(() => openDatabase(tmp(), { readonly: true })).toThrow(/vminer sync/);
  });
});
