/**
 * A sync keeps an unchanged VM's stored disk and NIC rows without building them (its device-cache
 * entry holds the key of what they were built from: `deviceRowsKey`). These tests change, one at a
 * time, every input of those rows that does not move a VM's config.changeVersion — the guest's IPs
 * (guest.net), a datastore's name, a port group's name and switch, a standard network's name, the
 * VM's name — and check, in both stores (SQLite and a real PostgreSQL), that the stored rows after
 * the next sync are exactly those a build without the cache gives, that the change history saw the
 * change, and that an unchanged sync keeps every VM's rows and writes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../shared/inventory.js';
import {
  findPostgresBin,
  migratedDatabase,
  startPostgres,
  superuserConfig,
  type RunningPostgres,
} from '../../../testing/postgres.js';
import type { DeviceCache } from '../vsphere/device-cache.js';
import { InventoryMapper } from '../vsphere/inventory-mapper.js';
import type { ObjectContent } from '../vsphere/property-collector.js';
import { DEVICE_PATH } from '../vsphere/properties.js';
import { MoRef, type XValue } from '../vsphere/xml.js';
import { openDatabase, type OpenedDatabase } from './database.js';
import { InventoryStore } from './inventory-store.js';
import { pgTypes } from './pg/connect.js';
import { copyToPostgres } from './pg/copy.js';
import { PgInventoryStore } from './pg/inventory-store-pg.js';
import * as schema from './schema.js';
import { shapeOf } from './table-shape.js';
import { VcenterRepo } from './vcenter-repo.js';

const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

/** A small estate: two VMs on one datastore, NICs on a distributed port group and a standard network. */
class Estate {
  readonly names = new Map<string, string>([
    ['Datastore:datastore-1', 'ds-01'],
    ['Network:network-1', 'VM Network'],
    ['DistributedVirtualPortgroup:dvportgroup-1', 'VLAN-10'],
    ['VmwareDistributedVirtualSwitch:dvs-1', 'dvs-01'],
    ['VirtualMachine:vm-1', 'web-01'],
    ['VirtualMachine:vm-2', 'db-01'],
  ]);
  readonly ips = new Map<string, string[]>([
    ['vm-1', ['10.0.0.11', 'fe80::11']],
    ['vm-2', ['10.0.0.12']],
  ]);
  /** config.changeVersion per VM (moved by a reconfiguration only). */
  readonly versions = new Map<string, string>([
    ['vm-1', '2026-01-01T00:00:00.000001Z'],
    ['vm-2', '2026-01-01T00:00:00.000002Z'],
  ]);

  private mac(vm: string, n: number): string {
    return `00:50:56:AA:0${vm.slice(-1)}:0${n}`;
  }

  /** The reduced device list of a VM (as `reduceDevices` keeps it). */
  devices(vm: string): XValue {
    return [
      { _type: 'ParaVirtualSCSIController', key: '1000', label: 'SCSI controller 0', busNumber: '0' },
      {
        _type: 'VirtualDisk',
        key: '2000',
        label: 'Hard disk 1',
        controllerKey: '1000',
        unitNumber: '0',
        capacityInBytes: '10737418240',
        backing: {
          _type: 'VirtualDiskFlatVer2BackingInfo',
          fileName: `[ds-01] ${vm}/${vm}.vmdk`,
          datastore: new MoRef('Datastore', 'datastore-1'),
          diskMode: 'persistent',
          thinProvisioned: 'true',
        },
      },
      {
        _type: 'VirtualVmxnet3',
        key: '4000',
        label: 'Network adapter 1',
        macAddress: this.mac(vm, 1),
        connectable: { connected: 'true', startConnected: 'true' },
        backing: {
          _type: 'VirtualEthernetCardDistributedVirtualPortBackingInfo',
          port: { portgroupKey: 'dvportgroup-1', switchUuid: '50 00 00' },
        },
      },
      {
        _type: 'VirtualE1000e',
        key: '4001',
        label: 'Network adapter 2',
        macAddress: this.mac(vm, 2),
        backing: {
          _type: 'VirtualEthernetCardNetworkBackingInfo',
          network: new MoRef('Network', 'network-1'),
          deviceName: 'VM Network',
        },
      },
      {
        _type: 'VirtualMachineVideoCard',
        key: '500',
        label: 'Video card',
        numDisplays: '1',
        videoRamSizeInKB: '4096',
      },
    ];
  }

  /** What a full read returns (a VM without its devices and VERSIONED_VM_PATHS: they are read apart). */
  objects(): ObjectContent[] {
    const o = (type: string, value: string, props: [string, XValue][]): ObjectContent => ({
      ref: new MoRef(type, value),
      props: new Map<string, XValue>([['name', this.names.get(`${type}:${value}`)!], ...props]),
    });
    return [
      o('Datastore', 'datastore-1', []),
      o('Network', 'network-1', []),
      o('VmwareDistributedVirtualSwitch', 'dvs-1', []),
      o('DistributedVirtualPortgroup', 'dvportgroup-1', [
        ['key', 'dvportgroup-1'],
        ['config.distributedVirtualSwitch', new MoRef('VmwareDistributedVirtualSwitch', 'dvs-1')],
      ]),
      ...['vm-1', 'vm-2'].map((vm) =>
        o('VirtualMachine', vm, [
          ['config.changeVersion', this.versions.get(vm)!],
          ['runtime.powerState', 'poweredOn'],
          ['guest.net', [{ macAddress: this.mac(vm, 1).toLowerCase(), ipAddress: this.ips.get(vm)! }]],
        ]),
      ),
    ];
  }

  /** A sync's reading: the devices from `cache` where it has them at the VM's version, else read. */
  read(cache: DeviceCache | undefined): Inventory {
    const m = new InventoryMapper();
    for (const o of this.objects()) m.add(o);
    // As fillDevices does.
    for (const ref of m.takeDevicesWanted()) {
      const version = m.changeVersionOf(ref.key);
      const json = version !== null ? cache?.get(ref.value, version) : undefined;
      if (json === undefined || !m.setDevicesJson(ref.key, json))
        m.setDevicesRead(
          ref.key,
          new Map<string, XValue>([
            [DEVICE_PATH, this.devices(ref.value)],
            ['config.firmware', 'efi'],
          ]),
        );
    }
    return m.build({ keepUnchangedDeviceRows: true });
  }

  /** The rows a build without any cache gives (the reference). */
  truth(): Inventory {
    const m = new InventoryMapper();
    for (const o of this.objects()) m.add(o);
    for (const ref of m.takeDevicesWanted())
      m.setDevicesRead(
        ref.key,
        new Map<string, XValue>([
          [DEVICE_PATH, this.devices(ref.value)],
          ['config.firmware', 'efi'],
        ]),
      );
    return m.build();
  }
}

/** One store under test: SQLite's or PostgreSQL's. */
interface Store {
  replace(inv: Inventory): Promise<number>;
  deviceCache(): Promise<DeviceCache>;
  /** A table's rows of the vCenter, values in column order (booleans as 0/1), sorted. */
  rows(table: SQLiteTable): Promise<unknown[][]>;
  changes(): Promise<string[]>;
}

const canon = (rows: unknown[][]): unknown[][] =>
  rows
    .map((r) => r.map((v) => (typeof v === 'boolean' ? Number(v) : v)))
    .sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : 1));

function run(name: string, open: () => Promise<{ store: Store; vcenterId: number }>): void {
  describe(name, { timeout: 120_000 }, () => {
    let store: Store;
    let vcenterId: number;
    const estate = new Estate();
    beforeAll(async () => {
      ({ store, vcenterId } = await open());
    });

    const built = (table: SQLiteTable, rows: readonly object[]): unknown[][] =>
      canon(
        rows.map((r) =>
          shapeOf(table)
            .fill(vcenterId, r as Record<string, unknown>)
            .slice(),
        ),
      );

    /** A sync; then the stored disk and NIC rows must be those of a build without the cache. */
    async function sync(): Promise<Inventory> {
      const inv = estate.read(await store.deviceCache());
      await store.replace(inv);
      const truth = estate.truth();
      expect(await store.rows(schema.vmDisks)).toEqual(built(schema.vmDisks, truth.disks));
      expect(await store.rows(schema.vmNics)).toEqual(built(schema.vmNics, truth.nics));
      expect(await store.rows(schema.vms)).toEqual(built(schema.vms, truth.vms));
      return inv;
    }
    const rebuilt = (inv: Inventory): string[] =>
      inv.vmDevices.filter((d) => d.rowsKept === undefined).map((d) => d.vmMoid);

    it('a first sync builds every row; an unchanged one keeps them all and writes nothing', async () => {
      const first = await sync();
      expect(rebuilt(first)).toEqual(['vm-1', 'vm-2']);
      expect(first.nics.find((n) => n.moid === 'vm-1/4000')).toMatchObject({
        network: 'VLAN-10',
        switch: 'dvs-01',
        ipv4: '10.0.0.11',
        ipv6: 'fe80::11',
      });
      const again = estate.read(await store.deviceCache());
      expect(rebuilt(again)).toEqual([]);
      expect(again.disks).toEqual([]);
      expect(again.vms.map((v) => [v.diskCount, v.nicCount, v.diskCapacityBytes, v.numMonitors])).toEqual([
        [1, 2, 10737418240, 1],
        [1, 2, 10737418240, 1],
      ]);
      const changes = (await store.changes()).length;
      expect(await store.replace(again)).toBe(0);
      expect((await store.changes()).length).toBe(changes);
      await sync();
    });

    it("the guest's IPs changed (guest.net): that VM's NIC rows are built again", async () => {
      estate.ips.set('vm-1', ['10.0.0.99']);
      const inv = await sync();
      expect(rebuilt(inv)).toEqual(['vm-1']);
      expect((await store.rows(schema.vmNics)).flat()).toContain('10.0.0.99');
      expect((await store.changes()).join()).toContain('10.0.0.99');
      expect(rebuilt(estate.read(await store.deviceCache()))).toEqual([]);
    });

    it('a datastore renamed: the disks on it show the new name', async () => {
      estate.names.set('Datastore:datastore-1', 'ds-01-gold');
      expect(rebuilt(await sync())).toEqual(['vm-1', 'vm-2']);
      expect((await store.rows(schema.vmDisks)).flat()).toContain('ds-01-gold');
      expect(rebuilt(estate.read(await store.deviceCache()))).toEqual([]);
    });

    it('a port group renamed, its switch renamed, a standard network renamed: the NICs follow', async () => {
      estate.names.set('DistributedVirtualPortgroup:dvportgroup-1', 'VLAN-10-web');
      expect(rebuilt(await sync())).toEqual(['vm-1', 'vm-2']);
      estate.names.set('VmwareDistributedVirtualSwitch:dvs-1', 'dvs-02');
      expect(rebuilt(await sync())).toEqual(['vm-1', 'vm-2']);
      estate.names.set('Network:network-1', 'VM Network 2');
      expect(rebuilt(await sync())).toEqual(['vm-1', 'vm-2']);
      const nics = (await store.rows(schema.vmNics)).flat();
      for (const s of ['VLAN-10-web', 'dvs-02', 'VM Network 2']) expect(nics).toContain(s);
    });

    it("a VM renamed: its rows carry its new name; a reconfigured VM's devices are read again", async () => {
      estate.names.set('VirtualMachine:vm-2', 'db-01-old');
      expect(rebuilt(await sync())).toEqual(['vm-2']);
      expect((await store.rows(schema.vmDisks)).flat()).toContain('db-01-old');
      estate.versions.set('vm-1', '2026-02-01T00:00:00.000001Z');
      const inv = await sync();
      expect(rebuilt(inv)).toEqual(['vm-1']);
      expect(inv.vmDevices.find((d) => d.vmMoid === 'vm-1')?.origin).toBe('read');
      expect(rebuilt(estate.read(await store.deviceCache()))).toEqual([]);
    });
  });
}

const dirs: string[] = [];
const dbs: OpenedDatabase[] = [];
afterAll(() => {
  for (const d of dbs.splice(0)) d.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function sqliteCache(): { db: OpenedDatabase; vcenterId: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-device-rows-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  dbs.push(db);
  const vcenterId = new VcenterRepo(db.db).add({
    name: 'vc-rows',
    url: 'https://vc-rows/sdk',
    username: 'u',
    thumbprint: null,
    caPem: null,
  }).id;
  return { db, vcenterId };
}

run('Unchanged VMs keep their disk and NIC rows: SQLite', async () => {
  const { db, vcenterId } = sqliteCache();
  const s = new InventoryStore(db.sqlite);
  const store: Store = {
    replace: (inv) => Promise.resolve(s.replace(vcenterId, inv)),
    deviceCache: () => Promise.resolve(s.deviceCache(vcenterId)),
    rows: (table) => {
      const shape = shapeOf(table);
      return Promise.resolve(
        canon(
          db.sqlite
            .prepare(`SELECT ${shape.columnList} FROM "${shape.tableName}" WHERE vcenter_id = ?`)
            .raw(true)
            .all(vcenterId) as unknown[][],
        ),
      );
    },
    changes: () =>
      Promise.resolve(
        (db.sqlite.prepare('SELECT * FROM changes ORDER BY id').all() as object[]).map((r) =>
          JSON.stringify(r),
        ),
      ),
  };
  return { store, vcenterId };
});

let server: RunningPostgres | undefined;
let admin: pg.Client | undefined;
let pool: pg.Pool | undefined;
afterAll(async () => {
  await pool?.end();
  await admin?.end();
  await server?.stop();
});

if (!NO_PG)
  run(`Unchanged VMs keep their disk and NIC rows: PostgreSQL${NO_PG}`, async () => {
    server = await startPostgres('Rows-Pw-1');
    admin = new pg.Client(superuserConfig(server, 'postgres'));
    await admin.connect();
    const target = await migratedDatabase(server, admin, 'rows');
    const { db, vcenterId } = sqliteCache();
    await copyToPostgres({ from: `sqlite:${db.sqlite.name}`, target });
    pool = new pg.Pool({ ...superuserConfig(server, 'rows'), max: 2 });
    const term = 3;
    await pool.query(
      `INSERT INTO team_leader (id, instance, host, pid, backend_pid, term, acquired_at, renewed_at)
       VALUES ('vminer', 'test', 'here', 1, 1, $1, now(), now())`,
      [term],
    );
    const s = new PgInventoryStore(pool, { fence: () => ({ election: 'vminer', term }) });
    const p = pool;
    const store: Store = {
      replace: (inv) => s.replace(vcenterId, inv),
      deviceCache: () => s.deviceCache(vcenterId),
      rows: async (table) => {
        const shape = shapeOf(table);
        const res = await p.query<unknown[]>({
          text: `SELECT ${shape.columnList} FROM "${shape.tableName}" WHERE vcenter_id = $1`,
          values: [vcenterId],
          rowMode: 'array',
          types: pgTypes,
        });
        return canon(res.rows);
      },
      changes: async () =>
        (await p.query<object>({ text: 'SELECT * FROM changes ORDER BY id', types: pgTypes })).rows.map((r) =>
          JSON.stringify(r),
        ),
    };
    return { store, vcenterId };
  });
