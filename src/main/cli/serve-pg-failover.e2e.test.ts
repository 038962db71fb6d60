// The failover of issue 18 with whole `vminer serve --database` processes (the built CLI): three
// instances on one PostgreSQL database keep a govmomi simulator added through the REST API. The
// leader is killed with SIGKILL while a sync's write, and later a live update's write, is inside
// its transaction (held there by a lock the test takes on the change history, so the write has
// already changed rows): another instance leads within 30 s, the killed transaction is aborted,
// the survivor completes a sync or keeps the vCenter live, its REST list pages equal a fresh
// pyvmomi reading, and the change history records each change once.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltCli } from '../../testing/built-cli.js';
import {
  connectAdmin,
  findPostgresBin,
  migratedDatabase,
  pgUrl,
  startPostgres,
  superuserConfig,
  type RunningPostgres,
} from '../../testing/postgres.js';
import { readWithPyvmomi, type PyInventory } from '../../testing/pyvmomi.js';
import { loginToken } from '../../testing/rest-login.js';
import { duplicateChanges } from '../../testing/store-dumps.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../testing/vcsim.js';
import { VsphereOps } from '../../testing/vsphere-ops.js';
import { waitUntil as waitFor } from '../../testing/wait.js';
import { MoRef } from '../engine/vsphere/xml.js';
import { SEMI_SPACE_FLAG } from '../node-flags.js';

const PW = 'Serve-Failover-1';
const ADMIN_PASSWORD = 'Adm1n-failover-pw';
const SECRET_KEY = 'fa'.repeat(32);
const USER = 'sf-ro';
const PASSWORD = 'sf-secret';
const DATABASE = 'failover';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

/** waitUntil with 30 s by default: other test runs may load this machine's two cores. */
const waitUntil = (
  check: Parameters<typeof waitFor>[0],
  opts: Parameters<typeof waitFor>[1] = {},
): Promise<void> => waitFor(check, { timeout: 30_000, interval: 100, ...opts });

interface Instance {
  name: string;
  proc: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<unknown>;
}

interface Health {
  role: string;
  term: number;
  instance: string;
}

describe.skipIf(NO_PG !== '')(
  `vminer serve --database: the leader killed with SIGKILL${NO_PG}`,
  { timeout: 240_000 },
  () => {
    let dir: string;
    let server: RunningPostgres;
    let db: pg.Pool;
    let sim: RunningSimulator;
    let ops: VsphereOps;
    let token: string;
    let vcenterId: number;
    const instances: Instance[] = [];

    /** Starts `vminer serve --database …` as an operator does; resolves once it prints its REST address. */
    async function start(name: string): Promise<Instance> {
      const proc = spawn(
        process.execPath,
        [
          // With the engine's flags the CLI does not re-execute itself: this pid is the server's.
          SEMI_SPACE_FLAG,
          ensureBuiltCli(),
          'serve',
          '--database',
          pgUrl(server, DATABASE),
          '--data-dir',
          path.join(dir, name),
          '--port',
          '0',
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            ...process.env,
            VMINER_DATA_DIR: '',
            VMINER_DATABASE_URL: '',
            PGPASSWORD: PW,
            VMINER_SECRET_KEY: SECRET_KEY,
            VMINER_ADMIN_PASSWORD: ADMIN_PASSWORD,
          },
        },
      );
      let out = '';
      let err = '';
      proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise((resolve) => proc.on('exit', resolve));
      const instance = { name, proc, url: '', stdout: () => out, exited };
      instances.push(instance);
      instance.url = await new Promise<string>((resolve, reject) => {
        proc.stdout!.on('data', () => {
          const m = /REST API: (http:\/\/\S+)\/api /.exec(out);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`serve ${name} exited with ${String(code)}: ${err}`)));
      });
      return instance;
    }

    async function call(
      i: Instance,
      method: string,
      route: string,
      body?: unknown,
    ): Promise<{ status: number; json: unknown; link: string | null }> {
      const r = await fetch(`${i.url}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, json: (await r.json()) as unknown, link: r.headers.get('link') };
    }

    const health = async (i: Instance): Promise<Health> =>
      (await call(i, 'GET', '/api/health')).json as Health;

    const status = async (i: Instance): Promise<{ status: string; lastSuccessAt: string | null }> =>
      (await call(i, 'GET', `/api/vcenters/${vcenterId}/status`)).json as {
        status: string;
        lastSuccessAt: string | null;
      };

    /** Every row of a list route, following its `Link: <…>; rel="next"` headers page by page. */
    async function listAll(i: Instance, entity: string): Promise<Record<string, unknown>[]> {
      const items: Record<string, unknown>[] = [];
      let route: string | null = `/api/${entity}?limit=4&sort=name`;
      while (route) {
        const page = await call(i, 'GET', route);
        expect(page.status, route).toBe(200);
        items.push(...(page.json as { items: Record<string, unknown>[] }).items);
        route = page.link ? /^<([^>]+)>; rel="next"$/.exec(page.link)![1]! : null;
      }
      return items;
    }

    /** The survivor's REST list pages, paged through, answer what pyvmomi reads from the simulator now. */
    async function expectRestEqualsPyvmomi(i: Instance): Promise<PyInventory> {
      const ref = await readWithPyvmomi(sim.url, USER, PASSWORD);
      const vms = await listAll(i, 'vms');
      expect(vms.map((v) => v['name'])).toEqual(ref.vms.map((v) => v.name).sort());
      const byName = new Map(vms.map((v) => [v['name'], v]));
      for (const want of ref.vms) {
        const got = byName.get(want.name)!;
        expect(
          {
            host: got['host'],
            cluster: got['cluster'],
            powerState: got['powerState'],
            numCpu: got['numCpu'],
            memoryMb: got['memoryMb'],
          },
          want.name,
        ).toEqual({
          host: want.host,
          cluster: want.cluster,
          powerState: want.powerState,
          numCpu: want.numCpu,
          memoryMb: want.memoryMb,
        });
      }
      for (const [entity, want] of [
        ['hosts', ref.hosts],
        ['datastores', ref.datastores],
        ['clusters', ref.clusters],
      ] as const) {
        const got = (await listAll(i, entity)).map((x) => x['name']);
        expect(got, entity).toEqual(want.map((x) => x.name).sort());
      }
      return ref;
    }

    /**
     * Holds every write of the change history until `release`: an inventory write, which records
     * its history last, then waits inside its transaction with its rows already changed.
     */
    async function lockChanges(): Promise<{ pid: number; release(): Promise<void> }> {
      const lock = await connectAdmin(server, DATABASE);
      lock.on('error', () => undefined);
      const pid = (await lock.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE changes IN EXCLUSIVE MODE');
      return {
        pid,
        async release() {
          await lock.query('COMMIT');
          await lock.end();
        },
      };
    }

    /** The serve store's session waiting on `lockPid`'s lock, with its transaction id (it has written). */
    async function blockedWriter(lockPid: number): Promise<{ pid: number; xid: string | null } | undefined> {
      const r = await db.query<{ pid: number; xid: string | null }>(
        `SELECT pid, backend_xid::text AS xid FROM pg_stat_activity
          WHERE application_name = 'vminer serve store' AND $1 = ANY(pg_blocking_pids(pid))`,
        [lockPid],
      );
      return r.rows[0];
    }

    /** Kills `victim` with SIGKILL; resolves with how long `next` took to lead (ms), logged. */
    async function killAndTakeOver(victim: Instance, next: Instance, what: string): Promise<number> {
      const before = (await health(next)).term;
      victim.proc.kill('SIGKILL');
      const killed = performance.now();
      await victim.exited;
      let leads = 0;
      await waitUntil(
        async () => {
          const h = await health(next);
          if (h.role !== 'leader') return false;
          leads = performance.now() - killed;
          expect(h.term).toBeGreaterThan(before);
          return true;
        },
        { what: `${next.name} to lead after ${victim.name} was killed` },
      );
      console.info(`[serve failover] ${what}: ${next.name} leads ${Math.round(leads)} ms after the SIGKILL`);
      return leads;
    }

    /** The killed leader's transaction ends aborted once the lock is gone (its client is). */
    async function expectAborted(writer: { pid: number; xid: string | null }): Promise<void> {
      await waitUntil(
        async () =>
          (await db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [writer.pid])).rowCount === 0,
        { what: 'the killed leader’s session to end' },
      );
      expect(writer.xid, 'the held write had changed rows (it has a transaction id)').not.toBeNull();
      const r = await db.query<{ s: string }>('SELECT pg_xact_status($1::text::xid8) AS s', [writer.xid]);
      expect(r.rows[0]!.s).toBe('aborted');
    }

    const changesTo = async (name: string): Promise<Record<string, unknown>[]> =>
      (
        await db.query<Record<string, unknown>>(
          `SELECT entity, moid, kind, field, old_value, new_value, source FROM changes
            WHERE vcenter_id = $1 AND (new_value = $2 OR object_name = $2) AND field = 'name'`,
          [vcenterId, name],
        )
      ).rows;

    beforeAll(async () => {
      ensureBuiltCli();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-serve-failover-'));
      server = await startPostgres(PW);
      const admin = await connectAdmin(server);
      try {
        await migratedDatabase(server, admin, DATABASE);
      } finally {
        await admin.end();
      }
      db = new pg.Pool({ ...superuserConfig(server, DATABASE), max: 2 });
      db.on('error', () => undefined);
      sim = await startSimulator({
        seed: 5151,
        vms: 12,
        clusters: 2,
        hostsPerCluster: 2,
        standaloneHosts: 1,
        datastores: 2,
        portgroups: 2,
        namePrefix: 'sf',
        user: USER,
        password: PASSWORD,
      });
      ops = await VsphereOps.connect(sim.url, USER, PASSWORD, sim.thumbprintSha256);
    }, 180_000);

    afterAll(async () => {
      // Killed whatever happened above: no server outlives the test run.
      for (const i of instances.splice(0)) {
        if (i.proc.exitCode === null && i.proc.signalCode === null) i.proc.kill('SIGKILL');
        await i.exited;
      }
      await ops?.close().catch(() => undefined);
      await stopAll();
      await db?.end();
      await server?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('the leader killed inside a sync’s write: the follower leads within 30 s, its sync completes, REST equals pyvmomi', async () => {
      const one = await start('one');
      token = await loginToken(one.url, 'admin', ADMIN_PASSWORD);
      await waitUntil(async () => (await health(one)).role === 'leader', { what: 'one to lead' });
      const two = await start('two');
      expect((await health(two)).role).toBe('follower');
      // Full syncs only for now: no live session writes behind the sync's back.
      const settings = await call(two, 'POST', '/api/rpc/settings.update', { updateMode: 'scheduled' });
      expect(settings.status).toBe(200);
      const added = await call(two, 'POST', '/api/vcenters', {
        name: 'vc-sf',
        url: sim.url,
        username: USER,
        password: PASSWORD,
        thumbprint: sim.thumbprintSha256,
      });
      expect(added.status, JSON.stringify(added.json)).toBe(201);
      vcenterId = (added.json as { id: number }).id;
      expect((await call(two, 'POST', '/api/vcenters/sync', { vcenter_ids: [vcenterId] })).status).toBe(202);
      await waitUntil(async () => (await status(two)).status === 'ok', { what: 'the first sync' });
      const first = (await status(two)).lastSuccessAt;

      const ref = await readWithPyvmomi(sim.url, USER, PASSWORD);
      const [a, b] = ref.moids.vms;
      await ops.rename(new MoRef('VirtualMachine', a!.moid), 'sf-renamed-1');
      await ops.reconfigure(b!.moid, { numCpu: 7, memoryMb: 7168 });
      const lock = await lockChanges();
      let writer: Awaited<ReturnType<typeof blockedWriter>>;
      try {
        // Asked on the follower: the leader runs it, and its write waits for the lock.
        expect((await call(two, 'POST', '/api/vcenters/sync', { vcenter_ids: [vcenterId] })).status).toBe(
          202,
        );
        await waitUntil(async () => (writer = await blockedWriter(lock.pid)) !== undefined, {
          what: 'one’s sync write waiting inside its transaction',
        });
        const took = await killAndTakeOver(one, two, 'killed mid-sync');
        expect(took).toBeGreaterThan(0);
      } finally {
        await lock.release();
      }
      await expectAborted(writer!);
      expect(await changesTo('sf-renamed-1')).toEqual([]);
      // What the operator sees: the new leader settled the dead leader's sync; asking again syncs.
      await waitUntil(async () => (await status(two)).status === 'interrupted', {
        what: 'the killed sync settled as interrupted',
      });

      expect((await call(two, 'POST', '/api/vcenters/sync', { vcenter_ids: [vcenterId] })).status).toBe(202);
      await waitUntil(
        async () => {
          const s = await status(two);
          return s.status === 'ok' && s.lastSuccessAt !== first;
        },
        { what: 'two’s sync' },
      );
      await expectRestEqualsPyvmomi(two);
      expect(await changesTo('sf-renamed-1')).toHaveLength(1);
      expect(await duplicateChanges(db)).toEqual([]);
    });

    it('the leader killed inside a live update’s write: the next instance leads within 30 s and keeps the vCenter live', async () => {
      const two = instances.find((i) => i.name === 'two')!;
      const three = await start('three');
      expect((await health(three)).role).toBe('follower');
      expect((await call(three, 'POST', '/api/rpc/settings.update', { updateMode: 'live' })).status).toBe(
        200,
      );
      const isLive = async (i: Instance): Promise<boolean> => {
        const live = (await call(i, 'GET', '/api/live')).json as {
          sessions: { vcenterId: number; status: string }[];
        };
        return live.sessions.some((s) => s.vcenterId === vcenterId && s.status === 'live');
      };
      await waitUntil(() => isLive(two), { what: 'two keeping the vCenter live' });

      const ref = await readWithPyvmomi(sim.url, USER, PASSWORD);
      const [, , c, d] = ref.moids.vms;
      const lock = await lockChanges();
      let writer: Awaited<ReturnType<typeof blockedWriter>>;
      let killedAt = 0;
      try {
        await ops.rename(new MoRef('VirtualMachine', c!.moid), 'sf-live-1');
        await waitUntil(async () => (writer = await blockedWriter(lock.pid)) !== undefined, {
          what: 'two’s live write waiting inside its transaction',
        });
        killedAt = three.stdout().length;
        await killAndTakeOver(two, three, 'killed mid live update');
      } finally {
        await lock.release();
      }
      await expectAborted(writer!);
      // Only three can say so now: the vCenter is live again, on its own session.
      await waitUntil(() => /vc-sf: live$/m.test(three.stdout().slice(killedAt)), {
        what: 'three keeping the vCenter live',
      });
      await waitUntil(async () => (await listAll(three, 'vms')).some((v) => v['name'] === 'sf-live-1'), {
        what: 'the rename stored by three',
      });
      // A change after the takeover arrives through three's stream.
      await ops.reconfigure(d!.moid, { numCpu: 3, memoryMb: 3072 });
      const dName = ref.moids.vms[3]!.name;
      await waitUntil(
        async () =>
          (await listAll(three, 'vms')).some(
            (v) => v['name'] === dName && v['numCpu'] === 3 && v['memoryMb'] === 3072,
          ),
        { what: 'the live change stored by three' },
      );
      await expectRestEqualsPyvmomi(three);
      expect(await changesTo('sf-live-1')).toHaveLength(1);
      expect(await duplicateChanges(db)).toEqual([]);
    });
  },
);
