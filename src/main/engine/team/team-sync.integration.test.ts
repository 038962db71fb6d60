/**
 * TeamSync (issue 18): two instances in one process on one real PostgreSQL, each with its own
 * elector, notify bus, configuration mirror and store pool, syncing a govmomi simulator.
 * - SyncRunner on the PostgreSQL store (through TeamSync) writes the rows a SQLite sync of the same
 *   simulator writes, row for row, with the sync state in the same transaction;
 * - only the leader syncs; a follower's request runs on the leader and resolves with its summary;
 *   a follower's scheduler change is applied by the leader;
 * - the leader's elector stopped mid-sync, and separately its lock session terminated with
 *   pg_terminate_backend mid-sync: the sync ends "stepped down" with nothing written, the other
 *   instance leads, settles the vCenter as interrupted, its next sync completes, the cache equals a
 *   pyvmomi reading and the change history has no duplicate rows;
 * - a live session on the leader applies a simulator change; leadership lost while a live update
 *   is in its transaction (held on a table lock) writes nothing, then or later.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvents } from '../../../shared/events.js';
import { emptyInventory } from '../../../shared/inventory.js';
import { EngineSettingsSchema } from '../../../shared/settings.js';
import {
  connectAdmin,
  findPostgresBin,
  migratedDatabase,
  pgUrl,
  startPostgres,
  type RunningPostgres,
} from '../../../testing/postgres.js';
import { readWithPyvmomi } from '../../../testing/pyvmomi.js';
import { duplicateChanges, pgDump, sqliteDump } from '../../../testing/store-dumps.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { VsphereOps } from '../../../testing/vsphere-ops.js';
import { waitUntil } from '../../../testing/wait.js';
import { openDatabase, type OpenedDatabase } from '../db/database.js';
import { InventoryStore } from '../db/inventory-store.js';
import { PgInventoryStore } from '../db/pg/inventory-store-pg.js';
import { VcenterRepo } from '../db/vcenter-repo.js';
import { EventBus } from '../events.js';
import { SyncRunner } from '../sync/sync-runner.js';
import { collectInventory, type CollectOptions, type CollectResult } from '../vsphere/collect.js';
import { MoRef } from '../vsphere/xml.js';
import { PgConfig } from './config/pg-config.js';
import { PgSettingsRepo } from './config/pg-settings-repo.js';
import { PgVcenterRepo } from './config/pg-vcenter-repo.js';
import { LeaderElector } from './leader.js';
import { NotifyBus } from './notify-bus.js';
import { clientConfig, pgTarget, type PgTarget } from './pg-connection.js';
import { TeamSync } from './team-sync.js';

const PW = 'TeamSync-Pw-1';
const USER = 'team-ro';
const PASSWORD = 'team-secret';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';
const TIMING = { retryMs: 200, renewMs: 500, leaseTimeoutMs: 3_000, takeoverAfterMs: 6_000 };

/** A gate a test closes to hold an instance's sync between reading the vCenter and storing it. */
class Gate {
  private open: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;
  reached = 0;
  close(): void {
    this.reached = 0;
    this.open = new Promise<void>((r) => (this.release = r));
  }
  opened(): void {
    this.release?.();
    this.open = Promise.resolve();
  }
  async pass(): Promise<void> {
    this.reached++;
    await this.open;
  }
}

interface Instance {
  name: string;
  team: TeamSync;
  elector: LeaderElector;
  bus: NotifyBus;
  config: PgConfig;
  vcenters: PgVcenterRepo;
  settings: PgSettingsRepo;
  events: EventBus;
  seen: { [K in keyof EngineEvents]?: EngineEvents[K][] };
  gate: Gate;
  pool: pg.Pool;
  close(): Promise<void>;
}

let server: RunningPostgres;
let admin: pg.Client;
let target: PgTarget;
let db: pg.Pool;
let sim: RunningSimulator;
let ops: VsphereOps;
let dir: string;
let cache: OpenedDatabase;
let vcenterId: number;
const instances: Instance[] = [];

function instanceTarget(name: string): PgTarget {
  return pgTarget(pgUrl(server, 'teamsync'), { password: server.password, applicationName: `ts ${name}` });
}

async function instance(name: string): Promise<Instance> {
  const t = instanceTarget(name);
  const bus = new NotifyBus({
    target: t,
    instance: name,
    coalesceMs: 20,
    reconnect: { initialMs: 100, maxMs: 500 },
  });
  await bus.start();
  const config = await PgConfig.open({ target: t, bus });
  const vcenters = new PgVcenterRepo(config);
  const settings = new PgSettingsRepo(config);
  const elector = new LeaderElector({ target: t, instance: name, ...TIMING });
  const events = new EventBus();
  const seen: Instance['seen'] = {};
  for (const e of ['sync:progress', 'scheduler:state', 'live:state', 'inventory:changed'] as const)
    events.on(e, (p) => ((seen[e] ??= []) as unknown[]).push(p));
  const gate = new Gate();
  const pool = new pg.Pool({ ...clientConfig(t, 'store'), max: 3 });
  pool.on('error', () => undefined);
  const team = new TeamSync({
    elector,
    store: (fence) => new PgInventoryStore(pool, { fence, bus }),
    vcenters,
    settings,
    onConfigReload: (l) => config.onReload(l),
    credentials: () => ({ user: USER, password: PASSWORD }),
    bus,
    events,
    collect: async (o: CollectOptions): Promise<CollectResult> => {
      const res = await collectInventory(o);
      await gate.pass();
      return res;
    },
    live: { maxWaitSeconds: 1, backoffBaseMs: 200, backoffMaxMs: 1_000 },
    acceptTimeoutMs: 5_000,
    liveSessionsEveryMs: 500,
  });
  team.start();
  await elector.start();
  const inst: Instance = {
    name,
    team,
    elector,
    bus,
    config,
    vcenters,
    settings,
    events,
    seen,
    gate,
    pool,
    close: async () => {
      gate.opened();
      await team.stop();
      await elector.stop();
      await config.close();
      await bus.stop();
      await pool.end();
    },
  };
  instances.push(inst);
  return inst;
}

const leaderOf = (): Instance | undefined => instances.find((i) => i.team.leading);

async function waitForLeader(not?: Instance): Promise<Instance> {
  await waitUntil(() => leaderOf() !== undefined && leaderOf() !== not, {
    timeout: 15_000,
    what: 'an instance to lead',
  });
  return leaderOf()!;
}

async function rows(sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  return (await db.query<Record<string, unknown>>(sql, values)).rows;
}

/** The team database's VMs, hosts, datastores and clusters equal what pyvmomi reads now. */
async function expectCacheEqualsPyvmomi(): Promise<void> {
  const ref = await readWithPyvmomi(sim.url, USER, PASSWORD);
  const vms = await rows(
    `SELECT name, host, cluster, datacenter, power_state, num_cpu, memory_mb, template, snapshot_count
       FROM vms WHERE vcenter_id = $1 ORDER BY name`,
    [vcenterId],
  );
  expect(vms.map((v) => v['name'])).toEqual(ref.vms.map((v) => v.name).sort());
  const byName = new Map(vms.map((v) => [v['name'], v]));
  for (const want of ref.vms)
    expect(
      {
        host: byName.get(want.name)!['host'],
        cluster: byName.get(want.name)!['cluster'],
        datacenter: byName.get(want.name)!['datacenter'],
        powerState: byName.get(want.name)!['power_state'],
        numCpu: byName.get(want.name)!['num_cpu'],
        memoryMb: byName.get(want.name)!['memory_mb'],
        template: byName.get(want.name)!['template'],
        snapshotCount: byName.get(want.name)!['snapshot_count'],
      },
      want.name,
    ).toEqual({
      host: want.host,
      cluster: want.cluster,
      datacenter: want.datacenter,
      powerState: want.powerState,
      numCpu: want.numCpu,
      memoryMb: want.memoryMb,
      template: want.template,
      snapshotCount: want.snapshotCount,
    });
  const names = async (table: string): Promise<string[]> =>
    (await rows(`SELECT name FROM ${table} WHERE vcenter_id = $1 ORDER BY name`, [vcenterId])).map((r) =>
      String(r['name']),
    );
  expect(await names('hosts')).toEqual(ref.hosts.map((h) => h.name).sort());
  expect(await names('datastores')).toEqual(ref.datastores.map((d) => d.name).sort());
  expect(await names('clusters')).toEqual(ref.clusters.map((c) => c.name).sort());
}

/** The non-template VMs as stored, by name. */
async function storedVms(): Promise<{ moid: string; name: string }[]> {
  return (
    await rows('SELECT moid, name FROM vms WHERE vcenter_id = $1 AND NOT template ORDER BY name', [vcenterId])
  ).map((r) => ({ moid: String(r['moid']), name: String(r['name']) }));
}

/** The backend pid of an instance's lock session (what pg_terminate_backend ends). */
async function lockBackend(i: Instance): Promise<number> {
  const r = await rows('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
    `ts ${i.name} leader`,
  ]);
  expect(r).toHaveLength(1);
  return Number(r[0]!['pid']);
}

describe(`TeamSync: two instances on one database${NO_PG}`, { timeout: 300_000 }, () => {
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    if (NO_PG) return;
    server = await startPostgres(PW);
    admin = await connectAdmin(server);
    target = await migratedDatabase(server, admin, 'teamsync');
    db = new pg.Pool({ ...clientConfig(target, 'test'), max: 2 });
    sim = await startSimulator({
      seed: 1818,
      vms: 12,
      clusters: 2,
      hostsPerCluster: 2,
      standaloneHosts: 1,
      datastores: 2,
      portgroups: 2,
      namePrefix: 'ts',
      user: USER,
      password: PASSWORD,
    });
    ops = await VsphereOps.connect(sim.url, USER, PASSWORD, sim.thumbprintSha256);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-teamsync-'));
    cache = openDatabase(dir);
    a = await instance('a');
    await waitForLeader();
    b = await instance('b');
    const input = {
      name: 'vc-team',
      url: sim.url,
      username: USER,
      thumbprint: sim.thumbprintSha256,
      caPem: null,
    };
    vcenterId = (await a.vcenters.add(input)).id;
    expect(new VcenterRepo(cache.db).add(input).id).toBe(vcenterId);
    await waitUntil(() => b.vcenters.get(vcenterId) !== undefined, { what: 'the vCenter on b' });
  });

  afterAll(async () => {
    for (const i of instances.splice(0).reverse()) await i.close().catch(() => undefined);
    await ops?.close().catch(() => undefined);
    await stopAll();
    cache?.close();
    await db?.end();
    await admin?.end();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the leader syncs through the PostgreSQL store: the same rows as a SQLite sync, the state with them', async () => {
    const leader = leaderOf()!;
    expect(leader).toBe(a);
    expect(b.team.leading).toBe(false);
    const summary = await a.team.sync.sync([vcenterId]);
    expect(summary.results.map((r) => [r.vcenter, r.status, r.error])).toEqual([['vc-team', 'ok', null]]);
    const sqlite = new SyncRunner({
      repo: new VcenterRepo(cache.db),
      store: new InventoryStore(cache.sqlite),
      bus: new EventBus(),
      settings: () => EngineSettingsSchema.parse({}),
      credentials: () => ({ user: USER, password: PASSWORD }),
    });
    expect((await sqlite.sync([vcenterId])).results[0]!.status).toBe('ok');
    const want = sqliteDump(cache.sqlite);
    const got = await pgDump(db);
    expect(want['vms']!.length).toBeGreaterThanOrEqual(12);
    for (const k of Object.keys(want)) expect(got[k], k).toEqual(want[k]);
    // The state, on both instances' mirrors: ok, with the counts the sync stored.
    for (const i of [a, b])
      await waitUntil(() => i.vcenters.list()[0]?.sync.status === 'ok', { what: `the state on ${i.name}` });
    const state = b.vcenters.list()[0]!.sync;
    expect(state.counts?.vms).toBe(summary.results[0]!.counts!.vms);
    expect(state.lastSuccessAt).not.toBeNull();
    expect(b.vcenters.get(vcenterId)!.version).toBe(new VcenterRepo(cache.db).get(vcenterId)!.version);
    await expectCacheEqualsPyvmomi();
  });

  it('only the leader syncs: a follower’s request runs on the leader and returns its summary', async () => {
    const progressOnA = (a.seen['sync:progress'] ?? []).length;
    const summary = await b.team.sync.sync([vcenterId]);
    expect(summary.results.map((r) => [r.vcenterId, r.status])).toEqual([[vcenterId, 'ok']]);
    // It ran on a: a's own progress events grew; b's clients heard them through the bus.
    expect((a.seen['sync:progress'] ?? []).length).toBeGreaterThan(progressOnA);
    await waitUntil(
      () => (b.seen['sync:progress'] ?? []).some((e) => e.phase === 'finished' && e.status === 'ok'),
      { what: 'the progress on b' },
    );
    // The follower's store refuses to write: it does not lead.
    await expect((async () => b.team.store.replace(vcenterId, emptyInventory()))()).rejects.toMatchObject({
      code: 'NOT_LEADER',
    });
    await expect(b.team.sync.sync([999_999])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a follower’s scheduler change is a settings write the leader applies', async () => {
    const state = b.team.scheduler.configure({ intervalMinutes: 17 });
    expect(state.intervalMinutes).toBe(17);
    b.team.scheduler.start();
    await waitUntil(
      () => a.team.scheduler.state().enabled && a.team.scheduler.state().intervalMinutes === 17,
      {
        what: 'the leader to apply the scheduler settings',
      },
    );
    a.team.scheduler.resume();
    await waitUntil(() => a.team.scheduler.state().nextRunAt !== null, { what: 'the leader to arm' });
    // The follower shows the leader's next run.
    await waitUntil(() => b.team.scheduler.state().nextRunAt === a.team.scheduler.state().nextRunAt, {
      what: 'the next run on b',
    });
    b.team.scheduler.stop();
    await waitUntil(() => !a.team.scheduler.state().enabled && a.team.scheduler.state().nextRunAt === null, {
      what: 'the leader to stop the scheduler',
    });
  });

  it('the leader’s elector stopped mid-sync: nothing written; the other leads, settles, syncs; cache = pyvmomi, no duplicate history', async () => {
    const vms = await storedVms();
    await ops.rename(new MoRef('VirtualMachine', vms[0]!.moid), 'ts-renamed-1');
    await ops.reconfigure(vms[1]!.moid, { numCpu: 5, memoryMb: 5120 });
    const changesBefore = await rows('SELECT count(*)::int AS n FROM changes');
    a.gate.close();
    const running = a.team.sync.sync([vcenterId]);
    await waitUntil(() => a.gate.reached > 0, { what: 'a to hold its sync', timeout: 20_000 });
    await waitUntil(() => b.vcenters.list()[0]?.sync.status === 'syncing', { what: 'syncing seen on b' });
    await a.elector.stop();
    expect(a.team.leading).toBe(false);
    a.gate.opened();
    const summary = await running;
    expect(summary.results[0]).toMatchObject({ status: 'stepped_down', error: { code: 'NOT_LEADER' } });
    expect(await rows('SELECT count(*)::int AS n FROM changes')).toEqual(changesBefore);
    expect((await rows("SELECT name FROM vms WHERE name = 'ts-renamed-1'")).length).toBe(0);
    const next = await waitForLeader(a);
    expect(next).toBe(b);
    // The dead leader's "syncing" is settled by the new one.
    await waitUntil(() => b.vcenters.list()[0]?.sync.status === 'interrupted', { what: 'interrupted on b' });
    const after = await b.team.sync.sync([vcenterId]);
    expect(after.results[0]).toMatchObject({ status: 'ok', error: null });
    await expectCacheEqualsPyvmomi();
    expect(await duplicateChanges(db)).toEqual([]);
    // a follows again.
    await a.elector.start();
  });

  it('the leader’s lock session terminated mid-sync (pg_terminate_backend): the same', async () => {
    expect(leaderOf()).toBe(b);
    const vms = await storedVms();
    await ops.rename(new MoRef('VirtualMachine', vms[2]!.moid), 'ts-renamed-2');
    await ops.reconfigure(vms[3]!.moid, { numCpu: 3, memoryMb: 3072 });
    const changesBefore = await rows('SELECT count(*)::int AS n FROM changes');
    b.gate.close();
    // Asked on the follower, run by the leader.
    const forwarded = a.team.sync.sync([vcenterId]);
    forwarded.catch(() => undefined);
    await waitUntil(() => b.gate.reached > 0, { what: 'b to hold its sync', timeout: 20_000 });
    await admin.query('SELECT pg_terminate_backend($1)', [await lockBackend(b)]);
    await waitUntil(() => !b.team.leading, { what: 'b to step down' });
    const next = await waitForLeader(b);
    expect(next).toBe(a);
    b.gate.opened();
    // The request a forwarded was taken by b, which no longer leads: it fails saying so.
    await expect(forwarded).rejects.toMatchObject({ code: 'NOT_LEADER' });
    await b.team.sync.settled();
    expect(await rows('SELECT count(*)::int AS n FROM changes')).toEqual(changesBefore);
    await waitUntil(() => a.vcenters.list()[0]?.sync.status === 'interrupted', { what: 'interrupted on a' });
    const after = await a.team.sync.sync([vcenterId]);
    expect(after.results[0]).toMatchObject({ status: 'ok', error: null });
    await expectCacheEqualsPyvmomi();
    expect(await duplicateChanges(db)).toEqual([]);
  });

  it('a live session on the leader applies a simulator change; the follower sees the session', async () => {
    expect(leaderOf()).toBe(a);
    a.team.live.start();
    b.team.live.start();
    await waitUntil(() => a.team.live.statusInfo().some((s) => s.status === 'live'), {
      what: 'a live session on a',
      timeout: 30_000,
    });
    await waitUntil(
      () => b.team.live.statusInfo().some((s) => s.vcenterId === vcenterId && s.status === 'live'),
      {
        what: 'the session seen on b',
      },
    );
    expect(b.team.live.running).toBe(true);
    const vms = await storedVms();
    await ops.rename(new MoRef('VirtualMachine', vms[4]!.moid), 'ts-live-renamed');
    await waitUntil(
      async () => (await rows("SELECT 1 FROM vms WHERE name = 'ts-live-renamed'")).length === 1,
      {
        what: 'the live rename in the database',
        timeout: 20_000,
      },
    );
    await waitUntil(() => (b.seen['live:state'] ?? []).some((e) => e.status === 'live'), {
      what: 'live:state on b',
    });
  });

  it('leadership lost while a live update is in its transaction: nothing written, then or after', async () => {
    // b does not keep vCenters live (so nothing else writes the inventory after a steps down).
    await b.team.live.stopAll();
    const vms = await storedVms();
    const lock = await connectAdmin(server, 'teamsync');
    lock.on('error', () => undefined);
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE vms IN EXCLUSIVE MODE');
    const storeWaits = async (): Promise<boolean> =>
      (
        await rows(
          "SELECT 1 FROM pg_stat_activity WHERE application_name = 'ts a store' AND wait_event_type = 'Lock'",
        )
      ).length > 0;
    await ops.rename(new MoRef('VirtualMachine', vms[5]!.moid), 'ts-lost-rename');
    await waitUntil(storeWaits, { what: 'the live update waiting on the lock', timeout: 20_000 });
    const changesBefore = await rows('SELECT count(*)::int AS n FROM changes');
    await a.elector.stop();
    expect(a.team.leading).toBe(false);
    await lock.query('COMMIT');
    await lock.end();
    await a.team.ended();
    await ops.rename(new MoRef('VirtualMachine', vms[6]!.moid), 'ts-after-loss');
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await rows("SELECT name FROM vms WHERE name IN ('ts-lost-rename', 'ts-after-loss')")).toEqual([]);
    expect(await rows('SELECT count(*)::int AS n FROM changes')).toEqual(changesBefore);
  });
});
