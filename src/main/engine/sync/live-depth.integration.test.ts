/**
 * Live updates of the RVTools-depth paths against a simulator: an idle vCenter streams nothing
 * (the device list and custom values are no noise; partitions are polled, not streamed, and an
 * unchanged poll writes nothing), a disk added through the API and
 * a custom attribute defined and set reach the cache through the stream, and the tags (which have
 * no stream) are re-read on their timer and written only when they changed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestEngine } from '../../../testing/engine.js';
import { VapiOps } from '../../../testing/vapi-ops.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { VsphereOps } from '../../../testing/vsphere-ops.js';
import { waitUntil } from '../../../testing/wait.js';
import type { Engine } from '../engine.js';
import { MoRef } from '../vsphere/xml.js';

const USER = 'live-depth';
const PASSWORD = 'live-depth-secret';
const SIM = {
  seed: 47,
  vms: 20,
  clusters: 1,
  hostsPerCluster: 2,
  namePrefix: 'ld',
  user: USER,
  password: PASSWORD,
};

let dataDir: string;
let engine: Engine;
let sim: RunningSimulator;
let ops: VsphereOps;
let vapi: VapiOps;
let vcId: number;

type Row = Record<string, unknown>;
const all = (sql: string, ...params: unknown[]): Row[] =>
  engine.database.sqlite.prepare(sql).all(...params) as Row[];

function session() {
  const s = engine.live.sessionsInfo().find((x) => x.vcenterId === vcId);
  if (!s) throw new Error('no live session');
  return s;
}

const eventually = (check: () => boolean, timeout = 5_000): Promise<void> => waitUntil(check, { timeout });

beforeAll(async () => {
  sim = await startSimulator(SIM);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-live-depth-'));
  engine = await openTestEngine(dataDir, {
    live: {
      maxWaitSeconds: 1,
      tagsEveryMs: 1_000,
      polledEveryMs: 1_000,
      backoffBaseMs: 200,
      connectTimeoutMs: 2_000,
    },
  });
  const vc = engine.vcenters.add({
    name: 'vc-live-depth',
    url: sim.url,
    username: USER,
    thumbprint: sim.thumbprintSha256,
    caPem: null,
  });
  vcId = vc.id;
  await engine.setPassword(vcId, PASSWORD);
  engine.live.start();
  await eventually(() => engine.vcenters.list().find((v) => v.id === vcId)?.sync.status === 'live', 30_000);
  ops = await VsphereOps.connect(sim.url, USER, PASSWORD, sim.thumbprintSha256);
  vapi = await VapiOps.connect(sim.url, USER, PASSWORD, sim.certificatePem);
}, 60_000);

afterAll(async () => {
  await vapi?.close();
  await ops?.close();
  await engine?.shutdown();
  engine?.close();
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('live updates of the depth paths', () => {
  it('an idle vCenter streams nothing, and unchanged tags are not written again', async () => {
    const before = session();
    const sets = before.updateSets;
    // Partitions are not streamed (their free space drifts); the load read them.
    expect(
      all('SELECT count(*) AS n FROM vm_partitions WHERE vcenter_id = ?', vcId)[0]!['n'],
    ).toBeGreaterThan(0);
    // Long polls of 1 s, a tag read and a partition poll every second: several of each go by.
    await waitUntil(() => session().updateSets >= sets + 4, { timeout: 15_000 });
    const after = session();
    expect(after.objectUpdates).toBe(before.objectUpdates);
    expect(after.rowsWritten).toBe(before.rowsWritten);
    expect(after.lastChangeAt).toBe(before.lastChangeAt);
  });

  it('a disk added through the API reaches vm_disks and the VM row', async () => {
    const [vm] = all(
      "SELECT moid, disk_count AS n FROM vms WHERE vcenter_id = ? AND template = 0 AND power_state = 'poweredOff' ORDER BY moid LIMIT 1",
      vcId,
    );
    const moid = String(vm!['moid']);
    const n = Number(vm!['n']);
    await ops.addDisk(moid, 50);
    await eventually(
      () => all('SELECT * FROM vm_disks WHERE vcenter_id = ? AND vm_moid = ?', vcId, moid).length === n + 1,
    );
    expect(
      all('SELECT disk_count AS n FROM vms WHERE vcenter_id = ? AND moid = ?', vcId, moid)[0]!['n'],
    ).toBe(n + 1);
    const added = all(
      'SELECT capacity_bytes AS c, provisioning AS p FROM vm_disks WHERE vcenter_id = ? AND vm_moid = ? ORDER BY device_key DESC LIMIT 1',
      vcId,
      moid,
    )[0]!;
    expect(added).toEqual({ c: 50 * 1024 ** 3, p: 'thin' });
    expect(engine.vcenters.list().find((v) => v.id === vcId)!.sync.counts?.disks).toBe(
      all('SELECT count(*) AS n FROM vm_disks WHERE vcenter_id = ?', vcId)[0]!['n'],
    );
  });

  it('a custom attribute defined after the load shows by its name once a VM gets a value', async () => {
    const [vm] = all(
      'SELECT moid FROM vms WHERE vcenter_id = ? AND template = 0 ORDER BY moid LIMIT 1',
      vcId,
    );
    const moid = String(vm!['moid']);
    const key = await ops.addCustomField('lifecycle', 'VirtualMachine');
    await ops.setCustomValue(new MoRef('VirtualMachine', moid), key, 'decommission-q3');
    await eventually(
      () =>
        all(
          "SELECT * FROM vm_custom_values WHERE vcenter_id = ? AND vm_moid = ? AND name = 'lifecycle' AND value = 'decommission-q3'",
          vcId,
          moid,
        ).length === 1,
    );
  });

  it('a tag attached or detached reaches tag_assignments on the next tag read', async () => {
    const [vm] = all(
      `SELECT v.moid, v.name FROM vms v WHERE v.vcenter_id = ? AND v.template = 0 AND NOT EXISTS
         (SELECT 1 FROM tag_assignments t WHERE t.vcenter_id = v.vcenter_id AND t.object_moid = v.moid AND t.category = 'backup')
       ORDER BY v.moid LIMIT 1`,
      vcId,
    );
    const moid = String(vm!['moid']);
    const gold = await vapi.tagId('backup', 'gold');
    const tagged = (): Row[] =>
      all(
        "SELECT object, category, name FROM tag_assignments WHERE vcenter_id = ? AND object_moid = ? AND category = 'backup'",
        vcId,
        moid,
      );
    await vapi.attach(gold, 'VirtualMachine', moid);
    await eventually(() => tagged().length === 1);
    expect(tagged()).toEqual([{ object: vm!['name'], category: 'backup', name: 'gold' }]);
    await vapi.detach(gold, 'VirtualMachine', moid);
    await eventually(() => tagged().length === 0);
    expect(engine.vcenters.list().find((v) => v.id === vcId)!.sync.tags.stale).toBe(false);
  });
});
