/**
 * RVTools depth against real simulators, judged against an independent pyvmomi reading: a VM's
 * disks, NICs (with the guest's IPs per MAC), partitions, creation date, firmware, reservations,
 * hot-add, resource pool path and vApp, custom attributes by name; a host's identity and network;
 * the tags of the tagging REST API. A vCenter whose tagging API fails still syncs, keeps its last
 * good tags and marks them stale with the reason.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestEngine } from '../../../testing/engine.js';
import { readWithPyvmomi, type PyInventory } from '../../../testing/pyvmomi.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import type { Engine } from '../engine.js';
import { collectInventory } from '../vsphere/collect.js';
import { VsphereOps } from '../../../testing/vsphere-ops.js';
import { waitUntil } from '../../../testing/wait.js';
import { MoRef } from '../vsphere/xml.js';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as schema from '../db/schema.js';
import { shapeOf } from '../db/table-shape.js';
import { decodeCacheEntry, encodeEntryHead } from '../vsphere/device-cache.js';

const USER = 'depth-ro@vsphere.local';
const PASSWORD = 'depth-Secret-1';
const SIM = {
  seed: 11,
  vms: 60,
  clusters: 2,
  hostsPerCluster: 2,
  namePrefix: 'dp',
  user: USER,
  password: PASSWORD,
};

let dataDir: string;
let tlsDir: string;
let engine: Engine;
let sim: RunningSimulator;
let ref: PyInventory;
let vcId: number;

type Row = Record<string, unknown>;
const all = (sql: string, ...params: unknown[]): Row[] =>
  engine.database.sqlite.prepare(sql).all(...params) as Row[];

beforeAll(async () => {
  tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-depth-tls-'));
  sim = await startSimulator({ ...SIM, tlsDir });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-depth-'));
  engine = await openTestEngine(dataDir);
  const vc = engine.vcenters.add({
    name: 'vc-depth',
    url: sim.url,
    username: USER,
    thumbprint: sim.thumbprintSha256,
    caPem: null,
  });
  vcId = vc.id;
  await engine.setPassword(vcId, PASSWORD);
  ref = await readWithPyvmomi(sim.url, USER, PASSWORD);
  const summary = await engine.sync.sync([vcId]);
  expect(summary.results[0]).toMatchObject({ status: 'ok', error: null });
}, 120_000);

afterAll(async () => {
  engine?.close();
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(tlsDir, { recursive: true, force: true });
});

describe('RVTools depth of a sync', () => {
  it("stores every VM's disks as pyvmomi reads them from the device list", () => {
    const got = all(
      `SELECT vm, device_key AS key, name AS label, capacity_bytes AS capacityBytes, provisioning,
         file_name AS fileName, disk_mode AS diskMode, controller_type AS controllerType,
         bus_number AS busNumber, unit_number AS unitNumber
       FROM vm_disks WHERE vcenter_id = ? ORDER BY vm, device_key`,
      vcId,
    );
    expect(ref.disks.length).toBeGreaterThan(SIM.vms);
    expect(got).toEqual(ref.disks);
    // The seeded inventory has every kind of provisioning.
    expect(new Set(got.map((d) => d['provisioning']))).toEqual(
      new Set(['thin', 'thick lazy', 'thick eager']),
    );
  });

  it("stores every NIC with its network, switch and the guest's IPs for its MAC", () => {
    const got = all(
      `SELECT vm, device_key AS key, adapter_type AS adapterType, network, switch, mac_address AS macAddress,
         connected, ipv4 FROM vm_nics WHERE vcenter_id = ? ORDER BY vm, device_key`,
      vcId,
    ).map((n) => ({
      ...n,
      connected: n['connected'] === null ? null : n['connected'] === 1,
      ipv4: n['ipv4'] ? String(n['ipv4']).split(', ').sort() : [],
    }));
    expect(got).toEqual(ref.nics);
    expect(got.some((n) => (n['ipv4'] as string[]).length > 0)).toBe(true);
  });

  it('stores the guest partitions with their capacity and free space', () => {
    const got = all(
      `SELECT vm, name AS path, capacity_bytes AS capacityBytes, free_bytes AS freeBytes
       FROM vm_partitions WHERE vcenter_id = ? ORDER BY vm, name`,
      vcId,
    );
    expect(ref.partitions.length).toBeGreaterThan(0);
    expect(got).toEqual(ref.partitions);
    const full = all(
      'SELECT used_percent AS used FROM vm_partitions WHERE vcenter_id = ? AND used_percent > 90',
      vcId,
    );
    expect(full.length).toBeGreaterThan(0);
  });

  it('stores creation date, firmware, reservations, hot-add, pool path, vApp and custom attributes per VM', () => {
    const vms = new Map(
      all('SELECT * FROM vms WHERE vcenter_id = ?', vcId).map((v) => [String(v['name']), v]),
    );
    const attrs = new Map<string, Record<string, string>>();
    for (const a of all(
      `SELECT v.name AS vm, c.name, c.value FROM vm_custom_values c JOIN vms v
         ON v.vcenter_id = c.vcenter_id AND v.moid = c.vm_moid WHERE c.vcenter_id = ?`,
      vcId,
    )) {
      const m = attrs.get(String(a['vm'])) ?? {};
      m[String(a['name'])] = String(a['value']);
      attrs.set(String(a['vm']), m);
    }
    const bool = (v: unknown): boolean | null => (v === null ? null : v === 1);
    for (const want of ref.vmDepth) {
      const v = vms.get(want.name)!;
      expect(v, want.name).toBeDefined();
      expect({
        name: want.name,
        createdAt: v['created_at'],
        firmware: v['firmware'],
        secureBoot: bool(v['secure_boot']),
        cpuReservationMhz: v['cpu_reservation_mhz'],
        cpuLimitMhz: v['cpu_limit_mhz'],
        cpuSharesLevel: v['cpu_shares_level'],
        memoryReservationMb: v['memory_reservation_mb'],
        cpuHotAdd: bool(v['cpu_hot_add']),
        memoryHotAdd: bool(v['memory_hot_add']),
        consolidationNeeded: bool(v['consolidation_needed']),
        vmPathName: v['vm_path_name'],
        resourcePoolPath: v['resource_pool_path'],
        vapp: v['vapp'],
        customValues: attrs.get(want.name) ?? {},
      }).toEqual({ ...want, createdAt: want.createdAt && new Date(want.createdAt).toISOString() });
      expect(v['disk_count'], want.name).toBe(ref.disks.filter((d) => d.vm === want.name).length);
      expect(v['nic_count'], want.name).toBe(ref.nics.filter((n) => n.vm === want.name).length);
    }
    expect(ref.vmDepth.some((v) => v.vapp !== null)).toBe(true);
    expect(ref.vmDepth.some((v) => v.firmware === 'efi')).toBe(true);
    expect(ref.customFields).toEqual(expect.arrayContaining(['owner', 'cost-center']));
  });

  it("stores the hosts' identity, physical NICs, VMkernel IPs, vSwitches and custom attributes", () => {
    for (const want of ref.hostDepth) {
      const [h] = all('SELECT * FROM hosts WHERE vcenter_id = ? AND name = ?', vcId, want.name);
      expect(h, want.name).toBeDefined();
      const moid = h!['moid'];
      const nics = all(
        'SELECT device, mac, driver, speed_mb AS speedMb FROM host_nics WHERE vcenter_id = ? AND host_moid = ? ORDER BY device',
        vcId,
        moid,
      );
      const vmk = all('SELECT ip FROM host_vmkernels WHERE vcenter_id = ? AND host_moid = ?', vcId, moid);
      const sw = all(
        'SELECT name FROM host_vswitches WHERE vcenter_id = ? AND host_moid = ? ORDER BY name',
        vcId,
        moid,
      );
      const cv = all(
        'SELECT name, value FROM host_custom_values WHERE vcenter_id = ? AND host_moid = ?',
        vcId,
        moid,
      );
      expect({
        name: want.name,
        vendor: h!['vendor'],
        model: h!['model'],
        serialNumber: h!['serial_number'],
        biosVersion: h!['bios_version'],
        nics,
        vmkernelIps: vmk.map((v) => v['ip']),
        vswitches: sw.map((v) => v['name']),
        customValues: Object.fromEntries(cv.map((c) => [c['name'], c['value']])),
      }).toEqual(want);
    }
  });

  it('stores the tags of the tagging REST API with the names of the objects they are on', () => {
    expect(ref.tags.error).toBeNull();
    const got = all(
      `SELECT object_type AS objectType, object, category, name AS tag FROM tag_assignments
       WHERE vcenter_id = ? ORDER BY object_type, object, category, name`,
      vcId,
    );
    expect(ref.tags.assignments.length).toBeGreaterThan(10);
    expect(got).toEqual(ref.tags.assignments);
    const state = engine.vcenters.list().find((v) => v.id === vcId)!.sync;
    expect(state.tags).toMatchObject({ error: null, stale: false });
    expect(state.tags.asOf).not.toBeNull();
    expect(state.counts?.tags).toBe(ref.tags.assignments.length);
  });

  it('a vCenter whose tagging API fails still syncs, keeps its last good tags and marks them stale with the reason', async () => {
    const before = all('SELECT moid FROM tag_assignments WHERE vcenter_id = ? ORDER BY moid', vcId);
    const asOf = engine.vcenters.list().find((v) => v.id === vcId)!.sync.tags.asOf;
    await sim.stop();
    // The same vCenter (port, certificate, inventory) with its vAPI endpoint down.
    sim = await startSimulator({ ...SIM, tlsDir, port: sim.port, noTagging: true });
    const summary = await engine.sync.sync([vcId]);
    expect(summary.results[0]).toMatchObject({ status: 'ok', error: null });
    expect(summary.results[0]!.warnings.join('\n')).toMatch(
      /tags could not be read \(NOT_FOUND: .*tagging API.*stale/,
    );
    const state = engine.vcenters.list().find((v) => v.id === vcId)!.sync;
    expect(state.tags.stale).toBe(true);
    expect(state.tags.error).toMatch(/^NOT_FOUND: .*no tagging API/);
    expect(state.tags.asOf).toBe(asOf);
    expect(all('SELECT moid FROM tag_assignments WHERE vcenter_id = ? ORDER BY moid', vcId)).toEqual(before);
    // The inventory itself was read: the disks are there.
    expect(all('SELECT count(*) AS n FROM vm_disks WHERE vcenter_id = ?', vcId)[0]!['n']).toBe(
      ref.disks.length,
    );
  });

  it("stores each snapshot's size as RVTools shows it: the .vmsn, and with its memory and delta disks", () => {
    const got = all(
      `SELECT vm, moid, size_vmsn_bytes AS vmsnBytes, size_total_bytes AS totalBytes FROM snapshots
       WHERE vcenter_id = ? ORDER BY vm, moid`,
      vcId,
    );
    expect(ref.snapshotSizes.length).toBeGreaterThan(5);
    expect(got).toEqual([...ref.snapshotSizes].sort((a, b) => (a.vm + a.moid < b.vm + b.moid ? -1 : 1)));
    // Delta disks and memory files count in the total.
    expect(ref.snapshotSizes.every((s) => s.totalBytes! > s.vmsnBytes!)).toBe(true);
  });

  it('reads snapshot sizes beside the main retrieval for the VMs the cache knows with snapshots, the others after it', async () => {
    const collect = (snapshotVms?: string[]): ReturnType<typeof collectInventory> =>
      collectInventory({
        url: sim.url,
        user: USER,
        password: PASSWORD,
        trust: { kind: 'thumbprint', sha256: sim.thumbprintSha256 },
        tags: false,
        devices: engine.store.deviceCache(vcId),
        ...(snapshotVms ? { snapshotVms } : {}),
      });
    const sizes = (r: Awaited<ReturnType<typeof collectInventory>>): unknown[] =>
      r.inventory.snapshots.map((s) => [s.moid, s.sizeVmsnBytes, s.sizeTotalBytes]).sort();
    const plain = await collect();
    expect(plain.snapshotSizesAside).toBe(0);
    const withSnapshots = [...new Set(plain.inventory.snapshots.map((s) => s.vmMoid))];
    expect(withSnapshots.length).toBeGreaterThan(2);
    expect(sizes(plain).every((s) => (s as unknown[])[1] !== null)).toBe(true);
    // The cache knows half of them, a VM without snapshots (since deleted, say) and a VM gone.
    const known = withSnapshots.slice(0, Math.ceil(withSnapshots.length / 2));
    const without = plain.inventory.vms.find((v) => !withSnapshots.includes(v.moid))!.moid;
    const hinted = await collect([...known, without, 'vm-gone-404']);
    expect(hinted.snapshotSizesAside).toBe(known.length);
    expect(sizes(hinted)).toEqual(sizes(plain));
  });

  it('reads the devices only of VMs whose config.changeVersion moved since the cache read them', async () => {
    const collect = (): ReturnType<typeof collectInventory> =>
      collectInventory({
        url: sim.url,
        user: USER,
        password: PASSWORD,
        trust: { kind: 'thumbprint', sha256: sim.thumbprintSha256 },
        tags: false,
        devices: engine.store.deviceCache(vcId),
      });
    const cached = all('SELECT vm_moid AS moid FROM vm_devices WHERE vcenter_id = ? ORDER BY vm_moid', vcId);
    expect(cached).toHaveLength(SIM.vms);
    const again = await collect();
    expect(again.devicesRead).toBe(0);
    const disks = (inv: typeof again.inventory) =>
      inv.disks.map((d) => [d.vmMoid, d.deviceKey, d.capacityBytes, d.fileName]).sort();
    const stored = all(
      'SELECT vm_moid, device_key, capacity_bytes, file_name FROM vm_disks WHERE vcenter_id = ?',
      vcId,
    ).map((r) => Object.values(r));
    // Nothing moved: every VM's stored disk and NIC rows are kept (not built), and counted.
    expect(again.inventory.vmDevices.every((d) => d.rowsKept !== undefined)).toBe(true);
    expect(again.inventory.disks).toEqual([]);
    expect(again.inventory.nics).toEqual([]);
    expect(again.inventory.vmDevices.reduce((n, d) => n + d.rowsKept!.disks, 0)).toBe(stored.length);
    // One VM reconfigured (its version moved): only its devices are read, and they come out the same.
    const moid = String(cached[0]!['moid']);
    engine.database.sqlite
      .prepare("UPDATE vm_devices SET change_version = 'older' WHERE vcenter_id = ? AND vm_moid = ?")
      .run(vcId, moid);
    const one = await collect();
    expect(one.devicesRead).toBe(1);
    expect(one.inventory.vmDevices.filter((d) => !d.rowsKept).map((d) => d.vmMoid)).toEqual([moid]);
    expect(disks(one.inventory)).toEqual(stored.filter((r) => r[0] === moid).sort());
    // A full sync leaves the cache as it found it when nothing changed, and repairs the version.
    await engine.sync.sync([vcId]);
    expect(
      all('SELECT change_version FROM vm_devices WHERE vcenter_id = ? AND vm_moid = ?', vcId, moid)[0],
    ).not.toEqual({ change_version: 'older' });
  });

  it('takes the configuration read with the devices from the cache while config.changeVersion stays, and reads it again when it moves', async () => {
    const collect = (): ReturnType<typeof collectInventory> =>
      collectInventory({
        url: sim.url,
        user: USER,
        password: PASSWORD,
        trust: { kind: 'thumbprint', sha256: sim.thumbprintSha256 },
        tags: false,
        devices: engine.store.deviceCache(vcId),
      });
    const [vm] = all(
      'SELECT moid, firmware, cpu_hot_add FROM vms WHERE vcenter_id = ? AND firmware IS NOT NULL LIMIT 1',
      vcId,
    );
    const moid = String(vm!['moid']);
    const stored = (): { devices: string; version: string } =>
      engine.database.sqlite
        .prepare(
          'SELECT devices, change_version AS version FROM vm_devices WHERE vcenter_id = ? AND vm_moid = ?',
        )
        .get(vcId, moid) as { devices: string; version: string };
    const setEntry = (devices: string, version: string): void => {
      engine.database.sqlite
        .prepare('UPDATE vm_devices SET devices = ?, change_version = ? WHERE vcenter_id = ? AND vm_moid = ?')
        .run(devices, version, vcId, moid);
    };
    const { devices: json, version } = stored();
    const entry = decodeCacheEntry(json)!;
    const config = entry.head.config;
    expect(config['config.firmware']).toBe(vm!['firmware']);
    const devices = JSON.parse(entry.devicesJson) as unknown[];
    const withConfig = (c: typeof config): string =>
      `${encodeEntryHead(c, entry.head.rows)}\n${entry.devicesJson}`;
    const rowOf = (r: Awaited<ReturnType<typeof collect>>) => r.inventory.vms.find((v) => v.moid === moid)!;
    const disksOf = (r: Awaited<ReturnType<typeof collect>>) =>
      r.inventory.disks
        .filter((d) => d.vmMoid === moid)
        .map((d) => [d.deviceKey, d.capacityBytes, d.fileName]);
    const storedDisks = all(
      'SELECT device_key, capacity_bytes, file_name FROM vm_disks WHERE vcenter_id = ? AND vm_moid = ? ORDER BY device_key',
      vcId,
      moid,
    ).map((r) => Object.values(r));
    expect(storedDisks.length).toBeGreaterThan(0);
    const truth = await collect();
    // An entry that says otherwise at the VM's version is what a refresh shows: it read nothing.
    setEntry(withConfig({ ...config, 'config.firmware': 'from-the-cache' }), version);
    const cached = await collect();
    expect(cached.devicesRead).toBe(0);
    expect(rowOf(cached).firmware).toBe('from-the-cache');
    expect(rowOf(cached).cpuHotAdd).toBe(rowOf(truth).cpuHotAdd);
    // The version moved: the devices and the configuration are read from the vCenter again.
    setEntry(withConfig({ ...config, 'config.firmware': 'from-the-cache' }), 'older');
    const moved = await collect();
    expect(moved.devicesRead).toBe(1);
    expect(rowOf(moved)).toEqual(rowOf(truth));
    // An entry of the format before the head (one JSON object) is used, its rows built again.
    setEntry(JSON.stringify({ devices, config }), version);
    const whole = await collect();
    expect(whole.devicesRead).toBe(0);
    expect(rowOf(whole)).toEqual(rowOf(truth));
    expect(disksOf(whole)).toEqual(storedDisks);
    expect(whole.inventory.vmDevices.find((d) => d.vmMoid === moid)).toMatchObject({ origin: 'read' });
    // An entry of the format before that (the device list alone) is read again, and a sync rewrites it.
    setEntry(JSON.stringify(devices), version);
    const older = await collect();
    expect(older.devicesRead).toBe(1);
    expect(rowOf(older)).toEqual(rowOf(truth));
    expect(disksOf(older)).toEqual(storedDisks);
    await engine.sync.sync([vcId]);
    expect(stored().devices).toBe(json);
    const after = await collect();
    expect(after.devicesRead).toBe(0);
    expect(after.inventory.vmDevices.find((d) => d.vmMoid === moid)?.rowsKept).toBeDefined();
  });

  it('a VM reconfigured on the vCenter (reservation, hot-add, guest OS) shows its new configuration after the next sync', async () => {
    const ops = await VsphereOps.connect(sim.url, USER, PASSWORD, sim.thumbprintSha256);
    try {
      const [vm] = all(
        'SELECT moid, cpu_reservation_mhz AS r, memory_hot_add AS h FROM vms WHERE vcenter_id = ? AND template = 0 LIMIT 1',
        vcId,
      );
      const moid = String(vm!['moid']);
      const ref = new MoRef('VirtualMachine', moid);
      const version = await ops.property(ref, 'config.changeVersion');
      const reservation = Number(vm!['r'] ?? 0) + 123;
      await ops.reconfigure(moid, {
        cpuReservationMhz: reservation,
        memoryHotAdd: vm!['h'] !== 1,
        guestId: 'freebsd64Guest',
      });
      // vCenter moves config.changeVersion with every configuration change (so does the test bed).
      await waitUntil(async () => (await ops.property(ref, 'config.changeVersion')) !== version, {
        what: 'config.changeVersion to move',
      });
      const summary = await engine.sync.sync([vcId]);
      expect(summary.results[0]).toMatchObject({ status: 'ok' });
      expect(
        all(
          'SELECT cpu_reservation_mhz AS r, memory_hot_add AS h, guest_id AS g FROM vms WHERE vcenter_id = ? AND moid = ?',
          vcId,
          moid,
        ),
      ).toEqual([{ r: reservation, h: vm!['h'] === 1 ? 0 : 1, g: 'freebsd64Guest' }]);
    } finally {
      await ops.close();
    }
  });

  it('keeps no stale disk or NIC row: a disk added through the API and a VM renamed show after the next sync (renamed datastores, port groups and new guest IPs: device-rows.test.ts)', async () => {
    const uncached = (): ReturnType<typeof collectInventory> =>
      collectInventory({
        url: sim.url,
        user: USER,
        password: PASSWORD,
        trust: { kind: 'thumbprint', sha256: sim.thumbprintSha256 },
        tags: false,
      });
    const cached = (): ReturnType<typeof collectInventory> =>
      collectInventory({
        url: sim.url,
        user: USER,
        password: PASSWORD,
        trust: { kind: 'thumbprint', sha256: sim.thumbprintSha256 },
        tags: false,
        devices: engine.store.deviceCache(vcId),
      });
    // Stored rows and the rows a read without the cache builds, both as values in column order.
    const storedRows = (table: SQLiteTable): unknown[][] => {
      const shape = shapeOf(table);
      return (
        engine.database.sqlite
          .prepare(`SELECT ${shape.columnList} FROM "${shape.tableName}" WHERE vcenter_id = ?`)
          .raw(true)
          .all(vcId) as unknown[][]
      ).sort(byKey);
    };
    const builtRows = (table: SQLiteTable, rows: readonly object[]): unknown[][] =>
      rows
        .map((r) =>
          shapeOf(table)
            .fill(vcId, r as Record<string, unknown>)
            .slice(),
        )
        .sort(byKey);
    const byKey = (a: unknown[], b: unknown[]): number => (String(a[1]) < String(b[1]) ? -1 : 1);
    const sameAsARead = async (): Promise<void> => {
      const truth = (await uncached()).inventory;
      expect(storedRows(schema.vmDisks)).toEqual(builtRows(schema.vmDisks, truth.disks));
      expect(storedRows(schema.vmNics)).toEqual(builtRows(schema.vmNics, truth.nics));
    };
    await engine.sync.sync([vcId]);
    await sameAsARead();
    const ops = await VsphereOps.connect(sim.url, USER, PASSWORD, sim.thumbprintSha256);
    try {
      const vmOf = (sql: string): string => String(all(sql, vcId)[0]!['moid']);
      const withDisks = vmOf(
        "SELECT vm_moid AS moid FROM vm_disks WHERE vcenter_id = ? AND controller_type IS NOT NULL AND controller_type != 'ide' ORDER BY vm_moid LIMIT 1",
      );
      const disksBefore = await ops.diskCount(withDisks);
      const vmRef = new MoRef('VirtualMachine', withDisks);
      const version = await ops.property(vmRef, 'config.changeVersion');
      await ops.addDisk(withDisks, 1);
      // The test bed moves config.changeVersion as vCenter does, a moment after the change.
      await waitUntil(async () => (await ops.property(vmRef, 'config.changeVersion')) !== version, {
        what: 'config.changeVersion to move',
      });
      const [other] = all(
        'SELECT vm_moid AS moid FROM vm_nics WHERE vcenter_id = ? AND vm_moid != ? ORDER BY vm_moid DESC LIMIT 1',
        vcId,
        withDisks,
      );
      const renamedVm = String(other!['moid']);
      await ops.rename(new MoRef('VirtualMachine', renamedVm), 'dp-renamed-vm-001');
      // The disk moved the VM's config.changeVersion (its devices are read); the rename did not:
      // only the key of its rows (its name is on them) says they are to be built again.
      const before = await cached();
      expect(before.devicesRead).toBe(1);
      expect(
        before.inventory.vmDevices
          .filter((d) => d.rowsKept === undefined)
          .map((d) => d.vmMoid)
          .sort(),
      ).toEqual([withDisks, renamedVm].sort());
      const summary = await engine.sync.sync([vcId]);
      expect(summary.results[0]).toMatchObject({ status: 'ok' });
      await sameAsARead();
      expect(
        all('SELECT count(*) AS n FROM vm_disks WHERE vcenter_id = ? AND vm_moid = ?', vcId, withDisks),
      ).toEqual([{ n: disksBefore + 1 }]);
      expect(
        all('SELECT DISTINCT vm FROM vm_nics WHERE vcenter_id = ? AND vm_moid = ?', vcId, renamedVm),
      ).toEqual([{ vm: 'dp-renamed-vm-001' }]);
      // Nothing moved since: the next sync keeps every VM's rows, and they are still those of a read.
      const again = await cached();
      expect(again.inventory.vmDevices.filter((d) => d.rowsKept === undefined)).toEqual([]);
      await engine.sync.sync([vcId]);
      await sameAsARead();
    } finally {
      await ops.close();
    }
  });

  it('removing a VM removes its child rows with it (foreign keys cascade)', () => {
    const [vm] = all('SELECT moid FROM vms WHERE vcenter_id = ? AND disk_count > 0 LIMIT 1', vcId);
    const db = engine.database.sqlite;
    db.prepare('DELETE FROM vms WHERE vcenter_id = ? AND moid = ?').run(vcId, vm!['moid']);
    for (const t of ['vm_disks', 'vm_nics', 'vm_partitions', 'vm_custom_values'])
      expect(all(`SELECT * FROM ${t} WHERE vcenter_id = ? AND vm_moid = ?`, vcId, vm!['moid']), t).toEqual(
        [],
      );
    expect(() =>
      db
        .prepare(
          "INSERT INTO vm_disks (vcenter_id, moid, vm_moid, vm, name, device_key) VALUES (?, 'x/1', 'vm-none', 'x', 'x', 1)",
        )
        .run(vcId),
    ).toThrow(/FOREIGN KEY/);
  });
});
