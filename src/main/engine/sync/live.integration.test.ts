/**
 * Live updates against a real simulator: changes made through the vSphere API reach the cache
 * through WaitForUpdatesEx within 5 s, without a full sync; an ended session and a restarted
 * vCenter recover by themselves.
 */
import { waitUntil } from '../../../testing/wait.js';
import { openTestEngine } from '../../../testing/engine.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { VsphereOps } from '../../../testing/vsphere-ops.js';
import { Engine } from '../engine.js';
import { MoRef } from '../vsphere/xml.js';

const USER = 'live-ro';
const PASSWORD = 'live-secret';
const SIM = {
  seed: 31,
  vms: 12,
  clusters: 1,
  hostsPerCluster: 3,
  standaloneHosts: 1,
  datastores: 2,
  portgroups: 1,
  namePrefix: 'lv',
  user: USER,
  password: PASSWORD,
};

let dataDir: string;
let tlsDir: string;
let engine: Engine;
let sim: RunningSimulator;
let ops: VsphereOps;
let vcId: number;

interface Row {
  moid: string;
  name: string;
  [k: string]: unknown;
}

function rows(table: string): Row[] {
  return engine.database.sqlite
    .prepare(`SELECT * FROM ${table} WHERE vcenter_id = ? ORDER BY moid`)
    .all(vcId) as Row[];
}

function row(table: string, moid: string): Row | undefined {
  return engine.database.sqlite
    .prepare(`SELECT * FROM ${table} WHERE vcenter_id = ? AND moid = ?`)
    .get(vcId, moid) as Row | undefined;
}

/** Polls the cache until `check` holds; the bound (5 s) is the timeout. */
/** `check` within `timeoutMs` (5 s unless given). */
const eventually = (check: () => boolean, timeoutMs = 5_000): Promise<void> =>
  waitUntil(check, { timeout: timeoutMs });

function session() {
  const s = engine.live.sessionsInfo().find((x) => x.vcenterId === vcId);
  if (!s) throw new Error('no live session');
  return s;
}

function status(): string {
  return engine.vcenters.get(vcId) ? engine.vcenters.list().find((v) => v.id === vcId)!.sync.status : 'gone';
}

beforeAll(async () => {
  tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-live-tls-'));
  sim = await startSimulator({ ...SIM, tlsDir });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-live-'));
  engine = await openTestEngine(dataDir, {
    live: { maxWaitSeconds: 5, backoffBaseMs: 200, backoffMaxMs: 1_000, connectTimeoutMs: 2_000 },
  });
  const vc = engine.vcenters.add({
    name: 'vc-live',
    url: sim.url,
    username: USER,
    thumbprint: sim.thumbprintSha256,
    caPem: null,
  });
  vcId = vc.id;
  await engine.setPassword(vcId, PASSWORD);
  engine.live.start();
  await eventually(() => status() === 'live', 30_000);
  ops = await VsphereOps.connect(sim.url, USER, PASSWORD, sim.thumbprintSha256);
});

afterAll(async () => {
  await ops?.close();
  await engine?.shutdown();
  engine?.close();
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(tlsDir, { recursive: true, force: true });
});

describe('live updates against a simulator', () => {
  it('loads the inventory through the filter and shows the vCenter as live', () => {
    expect(rows('vms')).toHaveLength(sim.counts.vms);
    expect(rows('hosts')).toHaveLength(sim.counts.hosts);
    const s = session();
    expect(s.fullLoads).toBe(1);
    expect(engine.vcenters.list()[0]!.sync.lastSuccessAt).toBeTruthy();
  });

  it('streams a power-off, a reconfiguration and a rename of a VM without a full sync', async () => {
    const vm = rows('vms').find((v) => v['power_state'] === 'poweredOn' && !v['template'])!;
    const changes: string[] = [];
    const off = engine.bus.on('inventory:changed', (e) => changes.push(e.vcenterIds.join(',')));
    await ops.powerOff(vm.moid);
    await eventually(() => row('vms', vm.moid)?.['power_state'] === 'poweredOff');
    await ops.reconfigure(vm.moid, { numCpu: 7, memoryMb: 3072 });
    await eventually(
      () => row('vms', vm.moid)?.['num_cpu'] === 7 && row('vms', vm.moid)?.['memory_mb'] === 3072,
    );
    await ops.rename(new MoRef('VirtualMachine', vm.moid), 'renamed-live-vm');
    await eventually(() => row('vms', vm.moid)?.name === 'renamed-live-vm');
    // The search index follows the rename.
    const hit = engine.database.sqlite
      .prepare('SELECT moid FROM search_index WHERE search_index MATCH ? AND vcenter_id = ?')
      .all('"renamed-live"', vcId) as { moid: string }[];
    expect(hit.map((h) => h.moid)).toEqual([vm.moid]);
    off();
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c === String(vcId))).toBe(true);
    expect(session().fullLoads).toBe(1);
  });

  it('streams a clone (enter) and a destroy (leave), counts included', async () => {
    const source = rows('vms').find((v) => !v['template'])!;
    const before = rows('vms').length;
    const moid = await ops.clone(source.moid, 'live-clone-01');
    await eventually(() => row('vms', moid)?.name === 'live-clone-01');
    expect(rows('vms')).toHaveLength(before + 1);
    const host = row('vms', moid)!['host_moid'] as string;
    // The host's VM count follows (the launcher reports vm-list changes as vCenter does).
    await eventually(
      () =>
        (row('hosts', host)?.['vm_count'] as number) ===
        rows('vms').filter((v) => v['host_moid'] === host).length,
    );
    expect(session().fullLoads).toBe(1);
    await ops.destroy(new MoRef('VirtualMachine', moid));
    await eventually(() => row('vms', moid) === undefined);
    expect(rows('vms')).toHaveLength(before);
    expect(engine.vcenters.list()[0]!.sync.counts?.vms).toBe(before);
  });

  it('streams a host entering maintenance mode', async () => {
    const loads = session().fullLoads;
    const host = rows('hosts').find((h) => !h['in_maintenance_mode'])!;
    await ops.enterMaintenance(host.moid);
    await eventually(() => row('hosts', host.moid)?.['in_maintenance_mode'] === 1);
    await ops.exitMaintenance(host.moid);
    await eventually(() => row('hosts', host.moid)?.['in_maintenance_mode'] === 0);
    expect(session().fullLoads).toBe(loads);
  });

  it('keeps copied names right: a vMotion and a cluster rename reach the rows that show them', async () => {
    const loads = session().fullLoads;
    const standalone = rows('hosts').find((h) => h['cluster'] === null)!;
    const vm = rows('vms').find((v) => v['cluster'] !== null && !v['template'])!;
    await ops.relocate(vm.moid, standalone.moid);
    await eventually(
      () => row('vms', vm.moid)?.['host'] === standalone.name && row('vms', vm.moid)?.['cluster'] === null,
    );
    const cluster = rows('clusters')[0]!;
    const vmCount = cluster['vm_count'] as number;
    await ops.rename(new MoRef('ClusterComputeResource', cluster.moid), 'Prod-Renamed');
    const inCluster = () => rows('vms').filter((v) => v['cluster'] === 'Prod-Renamed');
    await eventually(() => inCluster().length === vmCount);
    expect(rows('hosts').filter((h) => h['cluster'] === cluster.name)).toEqual([]);
    expect(rows('vms').filter((v) => v['cluster'] === cluster.name)).toEqual([]);
    expect(row('clusters', cluster.moid)?.name).toBe('Prod-Renamed');
    expect(session().fullLoads).toBe(loads);
  });

  it('logs in again when the session is ended on the server, and keeps streaming', async () => {
    const before = session().fullLoads;
    expect(await ops.terminateOtherSessions(USER)).toBe(1);
    // The pending long poll ends within maxWaitSeconds (5 s); the next call finds the session gone.
    await eventually(() => session().fullLoads === before + 1 && status() === 'live', 15_000);
    const vm = rows('vms').find((v) => v['power_state'] === 'poweredOn' && !v['template'])!;
    await ops.powerOff(vm.moid);
    await eventually(() => row('vms', vm.moid)?.['power_state'] === 'poweredOff');
  });

  it('after sleep (wake), starts every session again at once and keeps streaming', async () => {
    expect(session().fullLoads).toBeGreaterThan(1);
    engine.live.wake();
    // A new session: it loads once through its new filter, then streams.
    await eventually(() => session().fullLoads === 1 && status() === 'live', 15_000);
    const vm = rows('vms').find((v) => v['power_state'] === 'poweredOn' && !v['template'])!;
    await ops.powerOff(vm.moid);
    await eventually(() => row('vms', vm.moid)?.['power_state'] === 'poweredOff');
  });

  it('"sync now" of a live vCenter is a re-read through its stream', async () => {
    const before = session().fullLoads;
    const summary = await engine.sync.sync([vcId]);
    expect(summary.results[0]).toMatchObject({ status: 'ok', error: null });
    expect(session().fullLoads).toBe(before + 1);
    expect(status()).toBe('live');
  });

  it('recovers by itself when the vCenter is killed and restarted', async () => {
    const port = sim.port;
    const vm = rows('vms').find((v) => v['power_state'] === 'poweredOn' && !v['template'])!;
    await ops.powerOff(vm.moid);
    await eventually(() => row('vms', vm.moid)?.['power_state'] === 'poweredOff');
    sim.kill();
    await eventually(() => status() === 'reconnecting', 15_000);
    expect(engine.vcenters.list()[0]!.sync.error?.message).toMatch(/vc-live/);
    // Same port and certificate, freshly seeded inventory (the power-off is gone, as on a real
    // restore): the session reconnects with back-off and re-reads.
    sim = await startSimulator({ ...SIM, tlsDir, port });
    await eventually(
      () => status() === 'live' && row('vms', vm.moid)?.['power_state'] === 'poweredOn',
      30_000,
    );
    await ops.close().catch(() => undefined);
    ops = await VsphereOps.connect(sim.url, USER, PASSWORD, sim.thumbprintSha256);
    await ops.powerOff(vm.moid);
    await eventually(() => row('vms', vm.moid)?.['power_state'] === 'poweredOff');
  });

  it('pausing stops the stream (the vCenter shows "ok" as of its last change); resuming re-reads and streams again', async () => {
    engine.settings.update({ paused: true });
    engine.reconfigured();
    await eventually(() => engine.live.sessionsInfo().length === 0 && status() === 'ok');
    engine.settings.update({ paused: false, updateMode: 'scheduled' });
    engine.reconfigured();
    expect(engine.live.sessionsInfo()).toEqual([]);
    engine.settings.update({ updateMode: 'both' });
    engine.reconfigured();
    await eventually(() => status() === 'live', 15_000);
  });

  it('stops and logs out when the vCenter is removed', async () => {
    await engine.removeVcenter(vcId);
    expect(engine.live.sessionsInfo()).toEqual([]);
    expect(rows('vms')).toEqual([]);
  });
});
