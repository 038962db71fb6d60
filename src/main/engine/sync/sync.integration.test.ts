import { openTestEngine } from '../../../testing/engine.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, startSimulators, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { readWithPyvmomi, type PyInventory } from '../../../testing/pyvmomi.js';
import { Engine } from '../engine.js';
import { listEntity } from '../db/inventory-read.js';

// Credentials with every XML-special character: they must survive the SOAP envelope.
const USER = 'svc-ro@vsphere.local';
const PASSWORD = `p<a&s"s'w>rd`;

let dataDir: string;
let engine: Engine;
let sims: RunningSimulator[];
const ids: number[] = [];
const reference: PyInventory[] = [];

const byName = <T extends { name: string }>(rows: T[]): Map<string, T> =>
  new Map(rows.map((r) => [r.name, r]));

beforeAll(async () => {
  sims = await startSimulators(3, (i) => ({
    seed: 11 + i,
    vms: [40, 60, 80][i],
    clusters: [1, 2, 3][i],
    hostsPerCluster: 2,
    namePrefix: ['ams', 'fra', 'nyc'][i],
    user: USER,
    password: PASSWORD,
  }));
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-sync-'));
  engine = await openTestEngine(dataDir);
  for (const [i, s] of sims.entries()) {
    const vc = engine.vcenters.add({
      name: `vc-${i}`,
      url: s.url,
      username: USER,
      thumbprint: s.thumbprintSha256,
      caPem: null,
    });
    await engine.setPassword(vc.id, PASSWORD);
    ids.push(vc.id);
  }
  for (const s of sims) reference.push(await readWithPyvmomi(s.url, USER, PASSWORD));
});

afterAll(async () => {
  engine?.close();
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('multi-vCenter sync against simulators', () => {
  it('syncs every vCenter and stores what pyvmomi reads from the same simulators', async () => {
    const summary = await engine.sync.sync();
    expect(summary.results.map((r) => [r.vcenter, r.status, r.error])).toEqual([
      ['vc-0', 'ok', null],
      ['vc-1', 'ok', null],
      ['vc-2', 'ok', null],
    ]);
    const db = engine.database.db;
    for (const [i, ref] of reference.entries()) {
      const vcenterIds = [ids[i]!];
      const vms = byName(listEntity(db, 'vms', { vcenterIds }) as unknown as PyInventory['vms']);
      expect(vms.size).toBe(ref.vms.length);
      expect(ref.vms.length).toBe(sims[i]!.counts.vms);
      for (const want of ref.vms) {
        const got = vms.get(want.name) as unknown as Record<string, unknown>;
        expect(got, want.name).toBeDefined();
        expect({
          host: got['host'],
          cluster: got['cluster'],
          datacenter: got['datacenter'],
          powerState: got['powerState'],
          numCpu: got['numCpu'],
          memoryMb: got['memoryMb'],
          guestFullName: got['guestFullName'],
          ipAddress: got['ipAddress'],
          toolsStatus: got['toolsStatus'],
          annotation: got['annotation'] ?? '',
          instanceUuid: got['instanceUuid'],
          template: got['template'],
          snapshotCount: got['snapshotCount'],
          datastores: got['datastores'] ? String(got['datastores']).split(', ') : [],
          networks: got['networks'] ? String(got['networks']).split(', ') : [],
          vcenter: got['vcenter'],
        }).toEqual({ ...want, name: undefined, vcenter: `vc-${i}` });
      }
      const hosts = byName(listEntity(db, 'hosts', { vcenterIds }) as unknown as PyInventory['hosts']);
      expect(hosts.size).toBe(ref.hosts.length);
      for (const want of ref.hosts) expect(hosts.get(want.name), want.name).toMatchObject(want);
      const datastores = byName(
        listEntity(db, 'datastores', { vcenterIds }) as unknown as PyInventory['datastores'],
      );
      expect(datastores.size).toBe(ref.datastores.length);
      for (const want of ref.datastores) expect(datastores.get(want.name), want.name).toMatchObject(want);
      const clusters = byName(
        listEntity(db, 'clusters', { vcenterIds }) as unknown as PyInventory['clusters'],
      );
      expect(clusters.size).toBe(ref.clusters.length);
      for (const want of ref.clusters) expect(clusters.get(want.name), want.name).toMatchObject(want);
    }
    // The seeded inventories are varied, so questions later have something to find.
    const all = listEntity(db, 'vms');
    expect(new Set(all.map((v) => v['powerState'])).size).toBeGreaterThanOrEqual(2);
    expect(all.some((v) => (v['snapshotCount'] as number) > 0)).toBe(true);
    const states = engine.vcenters.list();
    expect(states.every((v) => v.sync.status === 'ok' && v.sync.lastSuccessAt !== null)).toBe(true);
    expect(states[0]!.sync.counts?.vms).toBe(sims[0]!.counts.vms);
  });

  it('logs where a sync spent its time, and a re-sync of an unchanged vCenter writes no row', async () => {
    // 200 ms added to every call of this simulator: its share must land in the call phases.
    const slow = await startSimulator({ seed: 9, vms: 20, delayMs: 200, namePrefix: 'phases' });
    const vc = engine.vcenters.add({
      name: 'phases',
      url: slow.url,
      username: 'u',
      thumbprint: slow.thumbprintSha256,
      caPem: null,
    });
    await engine.setPassword(vc.id, 'p');
    const logFile = path.join(dataDir, 'logs', 'vminer.log');
    const synced = (): Record<string, unknown>[] =>
      fs
        .readFileSync(logFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((e) => e['msg'] === 'synced' && e['vcenter'] === 'phases');
    expect((await engine.sync.sync([vc.id])).results[0]!.status).toBe('ok');
    expect((await engine.sync.sync([vc.id])).results[0]!.status).toBe('ok');
    const [first, again] = synced();
    const phases = again!['phases'] as Record<string, number>;
    for (const k of ['connectMs', 'loginMs', 'viewMs', 'waitMs'])
      expect(phases[k], k).toBeGreaterThanOrEqual(195);
    for (const k of ['readMs', 'mapMs', 'storeMs']) expect(phases[k], k).toBeGreaterThanOrEqual(0);
    const sum = Object.values(phases).reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual((again!['ms'] as number) + 5);
    expect(first!['rowsWritten']).toBeGreaterThan(20);
    expect(again!['rowsWritten']).toBe(0);
    const log = fs.readFileSync(logFile, 'utf8');
    expect(log).toMatch(/"msg":"post-sync maintenance","ms":\d+/);
    await engine.removeVcenter(vc.id);
    await slow.stop();
  });

  it('a second sync of a vCenter already syncing joins it instead of starting another', async () => {
    const [a, b] = await Promise.all([engine.sync.sync([ids[0]!]), engine.sync.sync([ids[0]!])]);
    expect(a.results[0]).toBe(b.results[0]);
  });

  it('keeps the last good data of failed vCenters and reports each failure clearly', async () => {
    const before = engine.vcenters.list();
    const good = (id: number) => before.find((v) => v.id === id)!.sync.lastSuccessAt;
    // vc-0: wrong password; vc-1: certificate pinned to another thumbprint.
    await engine.setPassword(ids[0]!, 'wrong');
    engine.vcenters.update(ids[1]!, { thumbprint: '00:'.repeat(31) + '00' });
    const summary = await engine.sync.sync();
    const res = new Map(summary.results.map((r) => [r.vcenterId, r]));
    expect(res.get(ids[0]!)).toMatchObject({ status: 'failed', error: { code: 'LOGIN_FAILED' } });
    expect(res.get(ids[0]!)!.error!.message).toMatch(/vc-0.*login failed.*svc-ro@vsphere.local/);
    expect(res.get(ids[1]!)).toMatchObject({
      status: 'certificate_changed',
      error: { code: 'CERT_CHANGED' },
    });
    expect(res.get(ids[1]!)!.error!.message).toContain(sims[1]!.thumbprintSha256);
    expect(res.get(ids[2]!)!.status).toBe('ok');
    const after = engine.vcenters.list();
    for (const id of [ids[0]!, ids[1]!]) {
      const v = after.find((x) => x.id === id)!;
      expect(v.sync.lastSuccessAt).toBe(good(id));
      expect(listEntity(engine.database.db, 'vms', { vcenterIds: [id] }).length).toBe(
        sims[ids.indexOf(id)]!.counts.vms,
      );
    }
    expect(JSON.stringify(after)).not.toContain('wrong');
    await engine.setPassword(ids[0]!, PASSWORD);
    engine.vcenters.update(ids[1]!, { thumbprint: sims[1]!.thumbprintSha256 });
  });

  it('survives a refused port, a hanging vCenter and one killed mid-sync; the others finish', async () => {
    const hanging = await startSimulator({ seed: 5, vms: 10, delayMs: 4_000, namePrefix: 'slow' });
    const doomed = await startSimulator({ seed: 6, vms: 30, delayMs: 400, namePrefix: 'doom' });
    const add = async (name: string, url: string, thumbprint: string) => {
      const vc = engine.vcenters.add({ name, url, username: 'u', thumbprint, caPem: null });
      await engine.setPassword(vc.id, 'p');
      return vc.id;
    };
    const refused = await add('refused', 'https://127.0.0.1:1/sdk', sims[0]!.thumbprintSha256);
    const hangId = await add('hanging', hanging.url, hanging.thumbprintSha256);
    const doomId = await add('doomed', doomed.url, doomed.thumbprintSha256);
    // First a good sync of the doomed one, so there is data to keep.
    expect((await engine.sync.sync([doomId])).results[0]!.status).toBe('ok');
    const doomedVms = listEntity(engine.database.db, 'vms', { vcenterIds: [doomId] }).length;
    expect(doomedVms).toBe(30);
    engine.settings.update({ callTimeoutMs: 2_000 });
    const off = engine.bus.on('sync:progress', (e) => {
      if (e.vcenterId === doomId && e.phase === 'started') setTimeout(() => doomed.kill(), 600);
    });
    const summary = await engine.sync.sync();
    off();
    const res = new Map(summary.results.map((r) => [r.vcenterId, r]));
    expect(res.get(refused)).toMatchObject({ status: 'failed', error: { code: 'REFUSED' } });
    expect(res.get(hangId)).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
    expect(['UNREACHABLE', 'REFUSED', 'PROTOCOL']).toContain(res.get(doomId)!.error?.code);
    for (const id of ids) expect(res.get(id)!.status).toBe('ok');
    expect(listEntity(engine.database.db, 'vms', { vcenterIds: [doomId] }).length).toBe(doomedVms);
    engine.settings.update({ callTimeoutMs: 180_000 });
    for (const id of [refused, hangId, doomId]) await engine.removeVcenter(id);
    await hanging.stop();
  });

  it('cancels a running sync', async () => {
    const slow = await startSimulator({ seed: 8, vms: 10, delayMs: 1_500, namePrefix: 'cancel' });
    const vc = engine.vcenters.add({
      name: 'cancel-me',
      url: slow.url,
      username: 'u',
      thumbprint: slow.thumbprintSha256,
      caPem: null,
    });
    await engine.setPassword(vc.id, 'p');
    const run = engine.sync.sync([vc.id]);
    setTimeout(() => engine.sync.cancel([vc.id]), 300);
    const summary = await run;
    expect(summary.results[0]).toMatchObject({ status: 'failed', error: { code: 'CANCELLED' } });
    await engine.removeVcenter(vc.id);
    await slow.stop();
  });
});
