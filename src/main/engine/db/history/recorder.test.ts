import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../../shared/inventory.js';
import { generateInventory } from '../../../../testing/generate-inventory.js';
import { composeChanges, lastChangeId, readChanges } from '../../../../testing/history.js';
import type { VmRows } from '../../vsphere/inventory-mapper.js';
import { emptyDelta } from '../../vsphere/live-inventory.js';
import { openDatabase, type OpenedDatabase } from '../database.js';
import { InventoryStore } from '../inventory-store.js';
import { VcenterRepo } from '../vcenter-repo.js';

let dir: string;
let db: OpenedDatabase;
let store: InventoryStore;
let vc: number;

const inventory = (): Inventory =>
  generateInventory({
    seed: 7,
    vcenterIndex: 0,
    vms: 60,
    hosts: 6,
    datastores: 4,
    now: Date.UTC(2026, 10, 1),
  });
const clone = (inv: Inventory): Inventory => structuredClone(inv);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-hist-'));
  db = openDatabase(dir);
  store = new InventoryStore(db.sqlite);
  vc = new VcenterRepo(db.db).add({
    name: 'vc-a',
    url: 'https://vc-a/sdk',
    username: 'u',
    thumbprint: null,
    caPem: null,
  }).id;
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function vmRows(inv: Inventory, moid: string): VmRows {
  const row = inv.vms.find((v) => v.moid === moid)!;
  return {
    row,
    snapshots: inv.snapshots.filter((s) => s.vmMoid === moid),
    datastores: inv.vmDatastores.filter(([a]) => a === moid).map(([, b]) => b),
    networks: inv.vmNetworks.filter(([a]) => a === moid).map(([, b]) => b),
    disks: inv.disks.filter((d) => d.vmMoid === moid),
    nics: inv.nics.filter((d) => d.vmMoid === moid),
    partitions: inv.partitions.filter((d) => d.vmMoid === moid),
    customValues: inv.vmCustomValues.filter((c) => c.ownerMoid === moid),
    deviceCache: null,
  };
}

describe('change history recording', () => {
  it('records one first-sync marker for a new vCenter, then nothing for an unchanged re-sync', () => {
    const inv = inventory();
    store.replace(vc, inv);
    const first = readChanges(db.sqlite);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      kind: 'first-sync',
      entity: 'vcenters',
      vcenter: 'vc-a',
      source: 'sync',
    });
    expect(JSON.parse(first[0]!.newValue!)).toMatchObject({ vms: inv.vms.length, hosts: inv.hosts.length });
    store.replace(vc, clone(inv));
    expect(readChanges(db.sqlite)).toHaveLength(1);
  });

  it('records a sync as the difference against the cache, field by field', () => {
    const before = inventory();
    store.replace(vc, before);
    const mark = lastChangeId(db.sqlite);
    const after = clone(before);
    const [a, b, gone] = after.vms.filter((v) => !v.template && v.hostMoid !== null);
    a!.name = `${a!.name}-renamed`;
    a!.memoryMb = (a!.memoryMb ?? 0) + 1024;
    a!.usedBytes = (a!.usedBytes ?? 0) + 12345; // noise: not recorded
    const target = after.hosts.find((h) => h.moid !== b!.hostMoid)!;
    b!.hostMoid = target.moid;
    b!.host = target.name;
    const bCluster = b!.cluster;
    b!.cluster = target.cluster;
    // Removed VM: its disks, NICs, snapshots and tags go with it, unrecorded.
    after.vms = after.vms.filter((v) => v.moid !== gone!.moid);
    for (const k of ['disks', 'nics', 'partitions'] as const)
      (after[k] as { vmMoid: string }[]) = after[k].filter((r) => r.vmMoid !== gone!.moid);
    after.snapshots = after.snapshots.filter((s) => s.vmMoid !== gone!.moid);
    after.vmCustomValues = after.vmCustomValues.filter((c) => c.ownerMoid !== gone!.moid);
    // A disk of A grows.
    const disk = after.disks.find((d) => d.vmMoid === a!.moid)!;
    disk.capacityBytes = (disk.capacityBytes ?? 0) * 2;
    // Datastore free space moves: noise.
    after.datastores[0]!.freeBytes = (after.datastores[0]!.freeBytes ?? 0) - 1;
    // A host renamed: one row on the host, none on the VMs that name it.
    const host = after.hosts[0]!;
    const oldHostName = host.name;
    host.name = 'esx-renamed.example';
    for (const v of after.vms) if (v.hostMoid === host.moid) v.host = host.name;
    store.replace(vc, after);
    const rows = readChanges(db.sqlite, mark);
    const summary = rows.map((r) =>
      `${r.kind} ${r.entity} ${r.moid} ${r.field ?? ''} ${r.oldValue ?? ''} -> ${r.newValue ?? ''}`.trim(),
    );
    const aBefore = before.vms.find((v) => v.moid === a!.moid)!;
    const bBefore = before.vms.find((v) => v.moid === b!.moid)!;
    const diskBefore = before.disks.find((d) => d.moid === disk.moid)!;
    const expected = [
      `changed vms ${a!.moid} name ${aBefore.name} -> ${a!.name}`,
      `changed vms ${a!.moid} memoryMb ${aBefore.memoryMb} -> ${a!.memoryMb}`,
      ...(bBefore.host !== target.name
        ? [`changed vms ${b!.moid} host ${bBefore.host} -> ${target.name}`]
        : []),
      ...(bCluster !== target.cluster
        ? [`changed vms ${b!.moid} cluster ${bCluster} -> ${target.cluster}`]
        : []),
      `changed hosts ${host.moid} name ${oldHostName} -> esx-renamed.example`,
      `changed vms ${a!.moid} ${disk.name.replace(/^Hard /, '')} capacityBytes ${diskBefore.capacityBytes} -> ${disk.capacityBytes}`,
      `removed vms ${gone!.moid}`,
    ];
    expect(summary.map((s) => s.replace(/^(removed vms \S+).*/, '$1')).sort()).toEqual(expected.sort());
    expect(rows.every((r) => r.source === 'sync' && r.vcenter === 'vc-a')).toBe(true);
    const removed = rows.find((r) => r.kind === 'removed')!;
    expect(removed.objectName).toBe(gone!.name);
    expect(JSON.parse(removed.oldValue!)).toMatchObject({ name: gone!.name, powerState: gone!.powerState });
    const renamed = rows.find((r) => r.field === 'memoryMb')!;
    expect(renamed.objectName).toBe(a!.name);
    // And again: nothing.
    const mark2 = lastChangeId(db.sqlite);
    store.replace(vc, clone(after));
    expect(readChanges(db.sqlite, mark2)).toEqual([]);
  });

  it('records a created VM once, with its main fields, not its disks', () => {
    const before = inventory();
    store.replace(vc, before);
    const mark = lastChangeId(db.sqlite);
    const after = clone(before);
    const src = after.vms.find((v) => !v.template)!;
    const made = { ...src, moid: 'vm-new-1', name: 'made-1' };
    after.vms.push(made);
    after.disks.push(
      ...after.disks
        .filter((d) => d.vmMoid === src.moid)
        .map((d) => ({ ...d, vmMoid: made.moid, moid: `${made.moid}/${d.deviceKey}`, vm: made.name })),
    );
    store.replace(vc, after);
    const rows = readChanges(db.sqlite, mark);
    expect(rows.map((r) => [r.kind, r.entity, r.moid, r.objectName])).toEqual([
      ['created', 'vms', 'vm-new-1', 'made-1'],
    ]);
    expect(JSON.parse(rows[0]!.newValue!)).toMatchObject({ name: 'made-1', numCpu: src.numCpu });
  });

  it("dates a created VM by the vCenter's creation time when it cannot have been seen before, else by when it was seen", () => {
    const before = inventory();
    store.replace(vc, before);
    const lastSync = new Date(Date.now() - 3_600_000);
    db.sqlite
      .prepare(
        "INSERT INTO sync_state (vcenter_id, status, last_success_at) VALUES (?, 'idle', ?) " +
          'ON CONFLICT (vcenter_id) DO UPDATE SET last_success_at = excluded.last_success_at',
      )
      .run(vc, lastSync.toISOString());
    const mark = lastChangeId(db.sqlite);
    const after = clone(before);
    const src = after.vms.find((v) => !v.template)!;
    const at = (ms: number): string => new Date(ms).toISOString();
    // Created 20 minutes ago (after the last sync), in vCenter's own spelling of the time.
    const fresh = at(Date.now() - 20 * 60_000).replace(/\.\d+Z$/, '+00:00');
    after.vms.push(
      { ...src, moid: 'vm-new-1', name: 'new-1', createdAt: fresh },
      // Registered from an old .vmx: its creation time predates the last sync.
      { ...src, moid: 'vm-old-2', name: 'registered-2', createdAt: at(lastSync.getTime() - 86_400_000) },
      // A vCenter clock ahead of ours: never a time in the future.
      { ...src, moid: 'vm-ahead-3', name: 'ahead-3', createdAt: at(Date.now() + 3_600_000) },
      { ...src, moid: 'vm-none-4', name: 'none-4', createdAt: null },
    );
    const t0 = Date.now();
    store.replace(vc, after);
    const rows = readChanges(db.sqlite, mark);
    const atOf = (name: string): string => rows.find((r) => r.objectName === name)!.at;
    expect(atOf('new-1')).toBe(new Date(fresh).toISOString());
    for (const seen of ['registered-2', 'ahead-3', 'none-4']) {
      const t = Date.parse(atOf(seen));
      expect(t).toBeGreaterThanOrEqual(t0 - 1);
      expect(atOf(seen)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('records a live change in the same way, with source live', () => {
    const before = inventory();
    store.replace(vc, before);
    const mark = lastChangeId(db.sqlite);
    const after = clone(before);
    const vm = after.vms.find((v) => !v.template && after.disks.some((d) => d.vmMoid === v.moid))!;
    vm.powerState = vm.powerState === 'poweredOn' ? 'poweredOff' : 'poweredOn';
    vm.usedBytes = (vm.usedBytes ?? 0) + 1; // noise
    const disk = after.disks.find((d) => d.vmMoid === vm.moid)!;
    disk.capacityBytes = (disk.capacityBytes ?? 0) + 1024;
    const gone = after.vms.find((v) => v.moid !== vm.moid && !v.template)!;
    const d = emptyDelta();
    d.vms.push(vmRows(after, vm.moid));
    d.removed.vms.push(gone.moid);
    const cl = after.clusters[0]!;
    const oldCluster = cl.name;
    cl.name = 'Cluster-renamed';
    d.clusters.push(cl);
    store.applyDelta(vc, d);
    const rows = readChanges(db.sqlite, mark);
    const beforeVm = before.vms.find((v) => v.moid === vm.moid)!;
    expect(
      rows
        .map((r) =>
          `${r.kind} ${r.entity} ${r.moid} ${r.field ?? ''} ${r.oldValue ?? ''} -> ${r.newValue ?? ''}`
            .trim()
            .replace(/^(removed vms \S+).*/, '$1'),
        )
        .sort(),
    ).toEqual(
      [
        `changed vms ${vm.moid} powerState ${beforeVm.powerState} -> ${vm.powerState}`,
        `changed vms ${vm.moid} ${disk.name.replace(/^Hard /, '')} capacityBytes ${before.disks.find((x) => x.moid === disk.moid)!.capacityBytes} -> ${disk.capacityBytes}`,
        `removed vms ${gone.moid}`,
        `changed clusters ${cl.moid} name ${oldCluster} -> Cluster-renamed`,
      ].sort(),
    );
    expect(rows.every((r) => r.source === 'live')).toBe(true);
    // The VMs of the renamed cluster, written later with the new name, add nothing.
    const d2 = emptyDelta();
    const inCluster = after.vms.filter((v) => v.cluster === oldCluster && v.moid !== gone.moid);
    for (const v of inCluster) v.cluster = 'Cluster-renamed';
    d2.vms.push(...inCluster.map((v) => vmRows(after, v.moid)));
    const mark2 = lastChangeId(db.sqlite);
    store.applyDelta(vc, d2);
    expect(readChanges(db.sqlite, mark2)).toEqual([]);
    expect(inCluster.length).toBeGreaterThan(0);
  });

  it('composes per field into before → after', () => {
    const before = inventory();
    store.replace(vc, before);
    const mark = lastChangeId(db.sqlite);
    const vm = before.vms.find((v) => !v.template)!;
    for (const n of [1, 2, 3]) {
      const next = clone(before);
      next.vms.find((v) => v.moid === vm.moid)!.numCpu = n === 3 ? vm.numCpu : 100 + n;
      store.replace(vc, next);
    }
    const rows = readChanges(db.sqlite, mark);
    expect(rows).toHaveLength(3);
    expect(composeChanges(rows).size).toBe(0);
  });

  it('records nothing when switched off', () => {
    store.history.enabled = false;
    store.replace(vc, inventory());
    expect(readChanges(db.sqlite)).toEqual([]);
  });
});
