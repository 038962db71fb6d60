/**
 * The failover of issue 18 with real processes: TeamSync instances run as child processes
 * (src/testing/team-sync-child.ts) on one PostgreSQL database, syncing a govmomi simulator, with
 * the elector's default timings. The leader is killed with SIGKILL while a sync's write, and later
 * a live update's write, is inside its transaction (held there by a table lock the test takes):
 * another instance leads within 30 s, its sync or live session completes, the cache equals a fresh
 * pyvmomi reading, and the change history has no duplicate rows.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectAdmin,
  findPostgresBin,
  migratedDatabase,
  pgUrl,
  startPostgres,
  type RunningPostgres,
} from '../../../testing/postgres.js';
import { readWithPyvmomi } from '../../../testing/pyvmomi.js';
import { duplicateChanges } from '../../../testing/store-dumps.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { VsphereOps } from '../../../testing/vsphere-ops.js';
import { waitUntil as waitFor } from '../../../testing/wait.js';
import { MoRef } from '../vsphere/xml.js';
import { PgConfig } from './config/pg-config.js';
import { PgVcenterRepo } from './config/pg-vcenter-repo.js';
import { NotifyBus } from './notify-bus.js';
import { clientConfig, type PgTarget } from './pg-connection.js';

/** waitUntil with 30 s by default: other test runs may load this machine's two cores. */
const waitUntil = (
  check: Parameters<typeof waitFor>[0],
  opts: Parameters<typeof waitFor>[1] = {},
): Promise<void> => waitFor(check, { timeout: 30_000, ...opts });
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const CHILD = path.join(ROOT, 'src/testing/team-sync-child.ts');
const PW = 'Failover-Pw-1';
const USER = 'fo-ro';
const PASSWORD = 'fo-secret';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

interface Child {
  name: string;
  proc: ChildProcessWithoutNullStreams;
  lines: string[];
  send(line: string): void;
}

let server: RunningPostgres;
let admin: pg.Client;
let target: PgTarget;
let db: pg.Pool;
let sim: RunningSimulator;
let ops: VsphereOps;
let bus: NotifyBus;
let config: PgConfig;
let vcenterId: number;
const children: Child[] = [];

function child(name: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: {
      ...process.env,
      VMINER_TEST_PG_URL: pgUrl(server, 'failover'),
      PGPASSWORD: server.password,
      TEAM_CHILD: name,
      VC_USER: USER,
      VC_PASSWORD: PASSWORD,
    },
  });
  const lines: string[] = [];
  createInterface({ input: proc.stdout }).on('line', (l) => lines.push(l));
  proc.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  const c = { name, proc, lines, send: (line: string) => proc.stdin.write(`${line}\n`) };
  children.push(c);
  return c;
}

const said = (c: Child, prefix: string): boolean => c.lines.some((l) => l.startsWith(prefix));
/** `line` printed after the first line starting with `after` (a follower also prints the leader's events). */
const saidAfter = (c: Child, after: string, line: string): boolean => {
  const from = c.lines.findIndex((l) => l.startsWith(after));
  return from >= 0 && c.lines.slice(from + 1).includes(line);
};

async function rows(sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  return (await db.query<Record<string, unknown>>(sql, values)).rows;
}

/** VM names, power states, CPUs and memory, and the host, datastore and cluster names equal pyvmomi's. */
async function expectCacheEqualsPyvmomi(): Promise<void> {
  const ref = await readWithPyvmomi(sim.url, USER, PASSWORD);
  const vms = await rows(
    'SELECT name, host, power_state, num_cpu, memory_mb FROM vms WHERE vcenter_id = $1 ORDER BY name',
    [vcenterId],
  );
  expect(vms).toEqual(
    [...ref.vms]
      .sort((x, y) => (x.name < y.name ? -1 : 1))
      .map((v) => ({
        name: v.name,
        host: v.host,
        power_state: v.powerState,
        num_cpu: v.numCpu,
        memory_mb: v.memoryMb,
      })),
  );
  for (const [table, want] of [
    ['hosts', ref.hosts],
    ['datastores', ref.datastores],
    ['clusters', ref.clusters],
  ] as const) {
    const got = await rows(`SELECT name FROM ${table} WHERE vcenter_id = $1 ORDER BY name`, [vcenterId]);
    expect(
      got.map((r) => r['name']),
      table,
    ).toEqual(want.map((x) => x.name).sort());
  }
}

async function storedVms(): Promise<{ moid: string; name: string }[]> {
  return (
    await rows('SELECT moid, name FROM vms WHERE vcenter_id = $1 AND NOT template ORDER BY name', [vcenterId])
  ).map((r) => ({ moid: String(r['moid']), name: String(r['name']) }));
}

/** Holds every write of the vms table until `release` (a writer waits inside its transaction). */
async function lockVms(): Promise<{ release(): Promise<void> }> {
  const lock = await connectAdmin(server, 'failover');
  lock.on('error', () => undefined);
  await lock.query('BEGIN');
  await lock.query('LOCK TABLE vms IN EXCLUSIVE MODE');
  return {
    async release() {
      await lock.query('COMMIT');
      await lock.end();
    },
  };
}

const waitsOnLock = async (c: Child): Promise<boolean> =>
  (
    await rows("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [
      `tsc ${c.name} store`,
    ])
  ).length > 0;

describe(`TeamSync failover with SIGKILL${NO_PG}`, { timeout: 300_000 }, () => {
  beforeAll(async () => {
    if (NO_PG) return;
    server = await startPostgres(PW);
    admin = await connectAdmin(server);
    target = await migratedDatabase(server, admin, 'failover');
    db = new pg.Pool({ ...clientConfig(target, 'test'), max: 2 });
    sim = await startSimulator({
      seed: 4242,
      vms: 16,
      clusters: 2,
      hostsPerCluster: 2,
      standaloneHosts: 1,
      datastores: 2,
      portgroups: 2,
      namePrefix: 'fo',
      user: USER,
      password: PASSWORD,
    });
    ops = await VsphereOps.connect(sim.url, USER, PASSWORD, sim.thumbprintSha256);
    bus = new NotifyBus({ target, instance: 'test' });
    await bus.start();
    config = await PgConfig.open({ target, bus });
    vcenterId = (
      await new PgVcenterRepo(config).add({
        name: 'vc-fo',
        url: sim.url,
        username: USER,
        thumbprint: sim.thumbprintSha256,
        caPem: null,
      })
    ).id;
  });

  afterAll(async () => {
    for (const c of children.splice(0)) c.proc.kill('SIGKILL');
    await ops?.close().catch(() => undefined);
    await stopAll();
    await config?.close();
    await bus?.stop();
    await db?.end();
    await admin?.end();
    await server?.stop();
  });

  it('the leader killed mid-sync (inside its write): the other leads within 30 s and its sync completes', async () => {
    const one = child('one');
    await waitUntil(() => said(one, 'elected'), { timeout: 30_000, what: 'one to lead' });
    const two = child('two');
    await waitUntil(() => said(two, 'ready'), { timeout: 30_000, what: 'two to start' });
    one.send('sync');
    await waitUntil(() => said(one, 'summary'), { timeout: 60_000, what: 'the first sync' });
    expect(one.lines.find((l) => l.startsWith('summary'))).toBe('summary ok');
    const vms = await storedVms();
    await ops.rename(new MoRef('VirtualMachine', vms[0]!.moid), 'fo-renamed-1');
    await ops.reconfigure(vms[1]!.moid, { numCpu: 7, memoryMb: 7168 });
    const lock = await lockVms();
    // Asked on the follower: the leader runs it.
    two.send('sync');
    await waitUntil(() => waitsOnLock(one), {
      timeout: 60_000,
      what: 'one’s write waiting inside its transaction',
    });
    const changesBefore = await rows('SELECT count(*)::int AS n FROM changes');
    one.proc.kill('SIGKILL');
    const killed = performance.now();
    await waitUntil(() => said(two, 'elected'), { timeout: 30_000, what: 'two to lead after the SIGKILL' });
    expect(performance.now() - killed).toBeLessThan(30_000);
    await lock.release();
    // The killed leader's transaction never committed.
    expect(await rows('SELECT count(*)::int AS n FROM changes')).toEqual(changesBefore);
    expect(await rows("SELECT 1 FROM vms WHERE name = 'fo-renamed-1'")).toEqual([]);
    // The request two forwarded was taken by one and is not answered: it fails, saying so.
    await waitUntil(() => said(two, 'error') || said(two, 'summary'), {
      timeout: 30_000,
      what: 'two’s request',
    });
    expect(two.lines.find((l) => l.startsWith('error') || l.startsWith('summary'))).toBe('error NOT_LEADER');
    two.send('sync');
    await waitUntil(() => said(two, 'summary'), { timeout: 60_000, what: 'two’s sync' });
    expect(two.lines.find((l) => l.startsWith('summary'))).toBe('summary ok');
    await expectCacheEqualsPyvmomi();
    expect(await duplicateChanges(db)).toEqual([]);
  });

  it('the leader killed mid live update (inside its write): the other leads within 30 s and keeps the vCenter live', async () => {
    const two = children.find((c) => c.name === 'two')!;
    const three = child('three');
    await waitUntil(() => said(three, 'ready'), { timeout: 30_000, what: 'three to start' });
    two.send('live');
    three.send('live');
    await waitUntil(() => two.lines.includes(`live ${vcenterId} live`), {
      timeout: 30_000,
      what: 'two live',
    });
    const vms = await storedVms();
    const lock = await lockVms();
    await ops.rename(new MoRef('VirtualMachine', vms[2]!.moid), 'fo-live-1');
    await waitUntil(() => waitsOnLock(two), {
      timeout: 30_000,
      what: 'two’s live write inside its transaction',
    });
    two.proc.kill('SIGKILL');
    const killed = performance.now();
    await waitUntil(() => said(three, 'elected'), {
      timeout: 30_000,
      what: 'three to lead after the SIGKILL',
    });
    expect(performance.now() - killed).toBeLessThan(30_000);
    await lock.release();
    await waitUntil(() => saidAfter(three, 'elected', `live ${vcenterId} live`), {
      timeout: 30_000,
      what: 'three keeping the vCenter live',
    });
    // The change two never stored comes with three's full load; a change after it through its stream.
    await waitUntil(async () => (await rows("SELECT 1 FROM vms WHERE name = 'fo-live-1'")).length === 1, {
      timeout: 30_000,
      what: 'the rename stored by three',
    });
    await ops.reconfigure(vms[3]!.moid, { numCpu: 3, memoryMb: 3072 });
    await waitUntil(
      async () =>
        (await rows('SELECT 1 FROM vms WHERE moid = $1 AND num_cpu = 3 AND memory_mb = 3072', [vms[3]!.moid]))
          .length === 1,
      { timeout: 30_000, what: 'the live change stored by three' },
    );
    await expectCacheEqualsPyvmomi();
    expect(await duplicateChanges(db)).toEqual([]);
  });
});
