/**
 * The cache a live session maintains equals a fresh full sync: 300 seeded random changes
 * (power, reconfigure, rename, clone, destroy, maintenance mode, vMotion, cluster rename) are made
 * through the vSphere API while the stream runs; then every table of the live cache is compared
 * with what a full sync of the same simulator stores in a second data folder.
 */
import { waitUntil } from '../../../testing/wait.js';
import { openTestEngine } from '../../../testing/engine.js';
import { mulberry32 } from '../../../testing/random.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { VsphereOps } from '../../../testing/vsphere-ops.js';
import { Engine } from '../engine.js';
import { MoRef } from '../vsphere/xml.js';

const USER = 'cons-ro';
const PASSWORD = 'cons-secret';
const CHANGES = 300;

let sim: RunningSimulator;
let live: Engine;
let full: Engine;
let ops: VsphereOps;
const dirs: string[] = [];

async function openEngine(startLive: boolean): Promise<Engine> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-cons-'));
  dirs.push(dataDir);
  const e = await openTestEngine(dataDir, {
    live: { maxWaitSeconds: 5 },
  });
  const vc = e.vcenters.add({
    name: 'vc',
    url: sim.url,
    username: USER,
    thumbprint: sim.thumbprintSha256,
    caPem: null,
  });
  await e.setPassword(vc.id, PASSWORD);
  if (startLive) e.live.start();
  return e;
}

/** Every inventory table (and the search index) of an engine, in a comparable order. */
function dump(e: Engine): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of [
    'datacenters',
    'clusters',
    'hosts',
    'datastores',
    'networks',
    'vms',
    'snapshots',
    'vm_datastores',
    'vm_networks',
    'host_datastores',
    // The RVTools-depth child rows, dvSwitches and tags.
    'vm_disks',
    'vm_nics',
    'vm_partitions',
    'vm_custom_values',
    'host_custom_values',
    'host_nics',
    'host_vmkernels',
    'host_vswitches',
    'dv_switches',
    'tag_categories',
    'tag_defs',
    'tag_assignments',
    'vm_devices',
  ]) {
    const rows = e.database.sqlite.prepare(`SELECT * FROM ${t}`).all() as Record<string, unknown>[];
    // Snapshot sizes (layoutEx) are not streamed — file sizes change all the time — but read with
    // each full load and when a VM's snapshots change: a live cache has them as of then.
    if (t === 'snapshots')
      for (const r of rows) {
        delete r['size_vmsn_bytes'];
        delete r['size_total_bytes'];
      }
    out[t] = rows.map((r) => JSON.stringify(r)).sort();
  }
  out['search_index'] = (
    e.database.sqlite.prepare('SELECT name, extra, entity, moid FROM search_index').all() as Record<
      string,
      unknown
    >[]
  )
    .map((r) => JSON.stringify(r))
    .sort();
  return out;
}

beforeAll(async () => {
  sim = await startSimulator({
    seed: 47,
    vms: 16,
    clusters: 2,
    hostsPerCluster: 2,
    standaloneHosts: 1,
    datastores: 2,
    portgroups: 2,
    namePrefix: 'cs',
    user: USER,
    password: PASSWORD,
  });
  live = await openEngine(true);
  full = await openEngine(false);
  ops = await VsphereOps.connect(sim.url, USER, PASSWORD, sim.thumbprintSha256);
});

afterAll(async () => {
  await ops?.close();
  await live?.shutdown();
  live?.close();
  full?.close();
  await stopAll();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('live cache consistency', () => {
  it(`equals a fresh full sync after ${CHANGES} random changes`, { timeout: 240_000 }, async () => {
    await waitUntil(() => live.vcenters.list()[0]!.sync.status === 'live', {
      timeout: 30_000,
      what: 'the vCenter to become live',
    });
    expect((await full.sync.sync()).results[0]!.status).toBe('ok');
    // What the changes start from: the simulator's own state, read by the full sync.
    const q = <T>(sql: string): T[] => full.database.sqlite.prepare(sql).all() as T[];
    const vms = new Map(
      q<{ moid: string; power_state: string; template: number }>(
        'SELECT moid, power_state, template FROM vms',
      )
        .filter((v) => !v.template)
        .map((v) => [v.moid, v.power_state]),
    );
    const hosts = q<{ moid: string; in_maintenance_mode: number }>(
      'SELECT moid, in_maintenance_mode FROM hosts',
    );
    const maintenance = new Map(hosts.map((h) => [h.moid, h.in_maintenance_mode === 1]));
    const clusters = q<{ moid: string }>('SELECT moid FROM clusters').map((c) => c.moid);
    const clones = new Set<string>();
    // govmomi 0.24.2 fails to clone a VM with several disks, and removing the half-made clone
    // panics its WaitForUpdatesEx: clone only single-disk VMs.
    const cloneable: string[] = [];
    for (const v of vms.keys()) if ((await ops.diskCount(v)) === 1) cloneable.push(v);
    expect(cloneable.length).toBeGreaterThan(0);
    const rnd = mulberry32(20261126);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const tally: Record<string, number> = {};

    for (let i = 0; i < CHANGES; i++) {
      const r = rnd();
      const vm = pick([...vms.keys()]);
      let op: string;
      if (r < 0.25) {
        op = 'power';
        if (vms.get(vm) === 'poweredOn') await ops.powerOff(vm);
        else await ops.powerOn(vm);
        vms.set(vm, vms.get(vm) === 'poweredOn' ? 'poweredOff' : 'poweredOn');
      } else if (r < 0.45) {
        op = 'reconfigure';
        await ops.reconfigure(vm, {
          numCpu: 1 + Math.floor(rnd() * 8),
          memoryMb: 512 * (1 + Math.floor(rnd() * 16)),
        });
      } else if (r < 0.57) {
        op = 'rename';
        await ops.rename(new MoRef('VirtualMachine', vm), `vm-renamed-${i}`);
      } else if (r < 0.67 || (r < 0.77 && clones.size === 0)) {
        op = 'clone';
        const moid = await ops.clone(pick(cloneable), `clone-${i}`);
        clones.add(moid);
        // Another 0.24.2 race: changes to other objects while a clone is being registered can
        // panic its WaitForUpdatesEx. Go on once the clone is in the stream's past.
        await new Promise((r) => setTimeout(r, 600));
        vms.set(moid, 'poweredOff');
      } else if (r < 0.77) {
        op = 'destroy';
        const victim = pick([...clones]);
        if (vms.get(victim) === 'poweredOn') await ops.powerOff(victim);
        // govmomi 0.24.2's WaitForUpdatesEx panics when an object changed and was removed within
        // one 250 ms batch (the connection drops and vMiner re-reads — correct, but it would hide
        // what this test checks): let the VM's last change go out first, and use UnregisterVM
        // (Destroy_Task also changes the VM while removing it).
        await new Promise((r) => setTimeout(r, 600));
        await ops.unregister(victim);
        clones.delete(victim);
        vms.delete(victim);
      } else if (r < 0.85) {
        op = 'maintenance';
        const host = pick([...maintenance.keys()]);
        if (maintenance.get(host)) await ops.exitMaintenance(host);
        else await ops.enterMaintenance(host);
        maintenance.set(host, !maintenance.get(host));
      } else if (r < 0.95) {
        op = 'vmotion';
        await ops.relocate(vm, pick([...maintenance.keys()]));
      } else {
        op = 'cluster-rename';
        await ops.rename(new MoRef('ClusterComputeResource', pick(clusters)), `Cluster-${i}`);
      }
      tally[op] = (tally[op] ?? 0) + 1;
    }
    expect(Object.keys(tally).sort()).toEqual(
      [
        'clone',
        'cluster-rename',
        'destroy',
        'maintenance',
        'power',
        'reconfigure',
        'rename',
        'vmotion',
      ].sort(),
    );

    // The stream drains within seconds; compare until equal or out of time.
    let want: Record<string, unknown[]> = {};
    let got: Record<string, unknown[]> = {};
    for (const stop = Date.now() + 20_000; Date.now() < stop;) {
      expect((await full.sync.sync()).results[0]!.status).toBe('ok');
      want = dump(full);
      got = dump(live);
      if (JSON.stringify(want) === JSON.stringify(got)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const table of Object.keys(want)) expect(got[table], table).toEqual(want[table]);
    const s = live.live.sessionsInfo()[0]!;
    expect(s.fullLoads).toBe(1);
    expect(s.objectUpdates).toBeGreaterThanOrEqual(CHANGES);
  });
});
