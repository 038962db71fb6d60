/**
 * What the govmomi simulator never exercises, against a scripted endpoint: update versions that
 * change from answer to answer, truncated update sets (a paged first load and a paged burst),
 * a partial change that needs a re-read, a lost version (InvalidCollectorVersion) and an expired
 * session.
 */
import { waitUntil } from '../../../testing/wait.js';
import { openTestEngine } from '../../../testing/engine.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine.js';
import {
  startFakeVcenter,
  type FakeUpdate,
  type FakeVcenter,
  type WaitAnswer,
} from '../../../testing/fake-vcenter.js';

let fake: FakeVcenter;
let engine: Engine;
let dataDir: string;
let vcId = 0;
const seen: Record<string, unknown> = {};

const ref = (type: string, id: string) => ({ ref: [type, id] as [string, string] });
const enter = (type: string, id: string, changes: FakeUpdate['changes']): FakeUpdate => ({
  kind: 'enter',
  obj: [type, id],
  changes,
});
const modify = (type: string, id: string, changes: FakeUpdate['changes']): FakeUpdate => ({
  kind: 'modify',
  obj: [type, id],
  changes,
});

const STRUCTURE: FakeUpdate[] = [
  enter('Folder', 'group-d1', { name: 'Datacenters' }),
  enter('Datacenter', 'datacenter-1', { name: 'DC1', parent: ref('Folder', 'group-d1') }),
  enter('Folder', 'group-v1', { name: 'vm', parent: ref('Datacenter', 'datacenter-1') }),
  enter('Folder', 'group-h1', { name: 'host', parent: ref('Datacenter', 'datacenter-1') }),
  enter('ComputeResource', 'domain-s1', { name: 'esx1.lab', parent: ref('Folder', 'group-h1') }),
  enter('HostSystem', 'host-1', {
    name: 'esx1.lab',
    parent: ref('ComputeResource', 'domain-s1'),
    'runtime.inMaintenanceMode': false,
  }),
];

const vm = (id: string, name: string, extra: FakeUpdate['changes'] = {}): FakeUpdate =>
  enter('VirtualMachine', id, {
    name,
    parent: ref('Folder', 'group-v1'),
    'runtime.host': ref('HostSystem', 'host-1'),
    'runtime.powerState': 'poweredOn',
    'config.hardware.numCPU': 2,
    ...extra,
  });

function vmRow(moid: string): Record<string, unknown> | undefined {
  return engine.database.sqlite
    .prepare('SELECT * FROM vms WHERE vcenter_id = ? AND moid = ?')
    .get(vcId, moid) as Record<string, unknown> | undefined;
}

function count(table: string): number {
  return (
    engine.database.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE vcenter_id = ?`).get(vcId) as {
      n: number;
    }
  ).n;
}

let fullLoads = 0;
let authFaults = 0;

/** The scripted server: one answer per version the client sends. */
function script(version: string): WaitAnswer {
  switch (version) {
    case '':
      fullLoads++;
      if (fullLoads === 1) return { updates: STRUCTURE, version: 'v1', truncated: true };
      if (fullLoads === 2)
        // After the lost version: vm-3 was deleted meanwhile and vm-1 renamed.
        return { updates: [...STRUCTURE, vm('vm-1', 'web01-new'), vm('vm-2', 'db01')], version: 'w1' };
      return { updates: [...STRUCTURE, vm('vm-1', 'web01-new'), vm('vm-2', 'db01')], version: 'x1' };
    case 'v1':
      // The first page is not stored on its own: a reader never sees half an inventory.
      seen['hostsAfterFirstPage'] = count('hosts');
      return { updates: [vm('vm-1', 'web01'), vm('vm-2', 'db01'), vm('vm-3', 'app01')], version: 'v2' };
    case 'v2':
      return {
        updates: [modify('VirtualMachine', 'vm-1', { 'runtime.powerState': 'poweredOff' })],
        version: 'v3',
        truncated: true,
      };
    case 'v3':
      seen['vm1PowerDuringBurst'] = vmRow('vm-1')?.['power_state'];
      return {
        updates: [
          modify('VirtualMachine', 'vm-2', { 'config.hardware.numCPU': 8 }),
          // A change below a requested path (as with partial updates): the object is re-read.
          modify('VirtualMachine', 'vm-3', { 'guest.net[4000].ipAddress': '10.0.0.33' }),
        ],
        version: 'v4',
      };
    case 'v4':
      seen['afterBurst'] = {
        vm1: vmRow('vm-1')?.['power_state'],
        vm2: vmRow('vm-2')?.['num_cpu'],
        vm3: vmRow('vm-3')?.['ip_address'],
      };
      return { fault: 'InvalidCollectorVersion' };
    case 'w1':
      authFaults++;
      if (authFaults === 1) return { fault: 'NotAuthenticated' };
      return { empty: true };
    default:
      return { empty: true };
  }
}

beforeAll(async () => {
  fake = await startFakeVcenter(script);
  fake.objects.set('VirtualMachine:vm-3', {
    type: 'VirtualMachine',
    id: 'vm-3',
    props: {
      name: 'app01',
      parent: ref('Folder', 'group-v1'),
      'runtime.host': ref('HostSystem', 'host-1'),
      'runtime.powerState': 'poweredOn',
      'config.hardware.numCPU': 2,
      'guest.ipAddress': '10.0.0.33',
    },
  });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-live-fake-'));
  engine = await openTestEngine(dataDir, {
    live: { maxWaitSeconds: 1, backoffBaseMs: 50, backoffMaxMs: 200 },
  });
  vcId = engine.vcenters.add({
    name: 'fake',
    url: fake.url,
    username: 'u',
    thumbprint: fake.thumbprintSha256,
    caPem: null,
  }).id;
  await engine.setPassword(vcId, 'pw');
  engine.live.start();
});

afterAll(async () => {
  await engine?.shutdown();
  engine?.close();
  await fake?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('live updates: versions and truncation (scripted endpoint)', () => {
  it('follows the versions, stores truncated sets only when complete, re-reads a partial change', async () => {
    await waitUntil(() => fake.versions.includes('v4'));
    expect(fake.versions.slice(0, 5)).toEqual(['', 'v1', 'v2', 'v3', 'v4']);
    expect(seen['hostsAfterFirstPage']).toBe(0);
    expect(seen['vm1PowerDuringBurst']).toBe('poweredOn');
    expect(seen['afterBurst']).toEqual({ vm1: 'poweredOff', vm2: 8, vm3: '10.0.0.33' });
    expect(fake.calls).toContain('RetrievePropertiesEx');
  });

  it('re-reads everything through a new filter when the version is lost, then after an expired session', async () => {
    await waitUntil(() => fake.versions.includes('x1') && engine.vcenters.list()[0]!.sync.status === 'live');
    const afterLost = fake.versions.indexOf('v4');
    expect(fake.versions.slice(afterLost, afterLost + 4)).toEqual(['v4', '', 'w1', '']);
    // Lost version: same session, the old filter destroyed and a new one created.
    expect(fake.calls.filter((c) => c === 'DestroyPropertyFilter').length).toBeGreaterThanOrEqual(1);
    // Expired session: logged in again, new view and filter.
    expect(fake.calls.filter((c) => c === 'Login')).toHaveLength(2);
    expect(fake.calls.filter((c) => c === 'CreateFilter')).toHaveLength(3);
    expect(vmRow('vm-3')).toBeUndefined();
    expect(vmRow('vm-1')?.['name']).toBe('web01-new');
    expect(count('vms')).toBe(2);
    const s = engine.live.sessionsInfo()[0]!;
    expect(s.fullLoads).toBe(3);
  });
});

describe('live updates: a rejected password', () => {
  it('is not retried (no account lockout) until a manual sync asks for one more attempt', async () => {
    let reject = true;
    const bad = await startFakeVcenter(() => ({ empty: true }), { rejectLogin: () => reject });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-live-login-'));
    const e = await openTestEngine(dir, {
      live: { maxWaitSeconds: 1, backoffBaseMs: 20, backoffMaxMs: 50 },
    });
    try {
      const id = e.vcenters.add({
        name: 'bad',
        url: bad.url,
        username: 'u',
        thumbprint: bad.thumbprintSha256,
        caPem: null,
      }).id;
      await e.setPassword(id, 'wrong');
      e.live.start();
      await waitUntil(() => e.vcenters.list()[0]!.sync.status === 'failed');
      expect(e.vcenters.list()[0]!.sync.error).toMatchObject({ code: 'LOGIN_FAILED' });
      // With a 20–50 ms back-off, a retrying session would have logged in dozens of times.
      await new Promise((r) => setTimeout(r, 500));
      expect(bad.calls.filter((c) => c === 'Login')).toHaveLength(1);
      reject = false;
      const result = await e.sync.sync([id]);
      expect(result.results[0]).toMatchObject({ status: 'ok' });
      expect(e.vcenters.list()[0]!.sync.status).toBe('live');
    } finally {
      await e.shutdown();
      e.close();
      await bad.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
