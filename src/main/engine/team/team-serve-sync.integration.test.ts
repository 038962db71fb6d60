/**
 * Syncing on `vminer serve --database` (issue 18): two team engines with their REST listeners on
 * one PostgreSQL database and a vCenter simulator. A sync asked for through the follower's REST
 * runs on the leader (TeamSync forwards it); the follower's SSE clients see its progress and the
 * inventory change, its REST answers the new inventory, and what it stored equals what pyvmomi
 * reads from the simulator.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { EngineEvents } from '../../../shared/events.js';
import {
  connectAdmin,
  findPostgresBin,
  migratedDatabase,
  pgUrl,
  startPostgres,
  type RunningPostgres,
} from '../../../testing/postgres.js';
import { readWithPyvmomi } from '../../../testing/pyvmomi.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { waitUntil } from '../../../testing/wait.js';
import { startRest } from '../rest/serve.js';
import { pgTarget, type PgTarget } from './pg-connection.js';
import { TeamEngine } from './team-engine.js';

const PW = 'Team-Sync-Serve1';
const USER = 'serve-ro';
const PASSWORD = 'serve-secret';
const ADMIN_PW = 'Adm1n-sync-pw';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

interface Served {
  engine: TeamEngine;
  app: FastifyInstance;
  base: string;
  token: string;
  seen: { [K in keyof EngineEvents]?: EngineEvents[K][] };
}

describe.skipIf(NO_PG !== '')(
  `serve --database: syncing through a follower${NO_PG}`,
  { timeout: 240_000 },
  () => {
    let dir: string;
    let server: RunningPostgres;
    let target: PgTarget;
    let sim: RunningSimulator;
    const served: Served[] = [];

    async function serve(instance: string): Promise<Served> {
      const engine = await TeamEngine.open({
        target,
        logDir: path.join(dir, instance),
        instance,
        env: { VMINER_SECRET_KEY: 'cd'.repeat(32) },
        vaultRefreshMs: 200,
        leader: { retryMs: 200, renewMs: 500, leaseTimeoutMs: 3_000, takeoverAfterMs: 6_000 },
        onWarning: () => undefined,
        sync: {
          acceptTimeoutMs: 5_000,
          live: { maxWaitSeconds: 1, backoffBaseMs: 200, backoffMaxMs: 1_000 },
        },
      });
      const seen: Served['seen'] = {};
      for (const e of ['sync:progress', 'inventory:changed'] as const)
        engine.bus.on(e, (p) => ((seen[e] ??= []) as unknown[]).push(p));
      const auth = await engine.authService();
      if (!auth.hasUsers()) await auth.addUser('admin', ADMIN_PW, 'admin');
      const rest = await startRest(engine, { host: '127.0.0.1', port: 0, version: 'test' });
      const login = await fetch(`${rest.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PW }),
      });
      const token = ((await login.json()) as { access_token: string }).access_token;
      const s = { engine, app: rest.app, base: rest.url, token, seen };
      served.push(s);
      return s;
    }

    const call = async (s: Served, method: string, route: string, body?: unknown) => {
      const r = await fetch(`${s.base}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${s.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, json: (await r.json()) as unknown };
    };

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-serve-sync-'));
      server = await startPostgres(PW);
      const admin = await connectAdmin(server);
      try {
        await migratedDatabase(server, admin, 'served');
      } finally {
        await admin.end();
      }
      target = pgTarget(pgUrl(server, 'served'), { password: PW, applicationName: 'serve sync test' });
      sim = await startSimulator({
        seed: 1919,
        vms: 10,
        clusters: 2,
        hostsPerCluster: 2,
        standaloneHosts: 1,
        datastores: 2,
        portgroups: 2,
        namePrefix: 'sv',
        user: USER,
        password: PASSWORD,
      });
    }, 180_000);

    afterAll(async () => {
      for (const s of served.splice(0).reverse()) {
        await s.app.close();
        await s.engine.close();
      }
      await stopAll();
      await server?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("two instances started at once on a new database share one signing key: each accepts the other's tokens", async () => {
      const admin = await connectAdmin(server);
      try {
        await migratedDatabase(server, admin, 'twostarts');
      } finally {
        await admin.end();
      }
      const t = pgTarget(pgUrl(server, 'twostarts'), { password: PW, applicationName: 'two starts' });
      const engines = await Promise.all(
        ['x', 'y'].map((instance) =>
          TeamEngine.open({
            target: t,
            logDir: path.join(dir, instance),
            instance,
            env: { VMINER_SECRET_KEY: 'cd'.repeat(32) },
            vaultRefreshMs: 0,
            onWarning: () => undefined,
          }),
        ),
      );
      try {
        const [x, y] = await Promise.all(engines.map((e) => e.authService()));
        await x!.addUser('admin', ADMIN_PW, 'admin');
        await waitUntil(() => y!.hasUsers(), { what: 'the user on the other instance' });
        for (const [from, to] of [
          [x!, y!],
          [y!, x!],
        ] as const) {
          const { access_token } = await from.login('admin', ADMIN_PW);
          expect((await to.verify(access_token)).sub).toBe('admin');
        }
      } finally {
        for (const e of engines) await e.close();
      }
    });

    it('a sync asked on the follower runs on the leader; the follower streams it and answers the inventory pyvmomi reads', async () => {
      const a = await serve('a');
      await waitUntil(() => a.engine.teamSync.leading, {
        what: 'the first instance to lead',
        timeout: 15_000,
      });
      const b = await serve('b');
      expect(b.engine.teamSync.leading).toBe(false);
      const added = await call(b, 'POST', '/api/vcenters', {
        name: 'vc-sim',
        url: sim.url,
        username: USER,
        password: PASSWORD,
        thumbprint: sim.thumbprintSha256,
      });
      expect(added.status).toBe(201);
      const id = (added.json as { id: number }).id;
      await waitUntil(() => a.engine.vcenters.get(id) !== undefined, { what: 'the vCenter on the leader' });
      // The password went into the team vault on b: the leader must read it before it logs in.
      await waitUntil(() => a.engine.vault.get(`vcenter:${id}`) === PASSWORD, {
        what: 'the password on the leader',
      });

      const started = await call(b, 'POST', '/api/vcenters/sync', { vcenter_ids: [id] });
      expect(started.status).toBe(202);
      await waitUntil(
        async () =>
          ((await call(b, 'GET', `/api/vcenters/${id}/status`)).json as { status: string }).status === 'ok',
        { what: 'the sync to finish, seen through the follower', timeout: 60_000 },
      );
      // It ran on the leader (its own SyncRunner's progress) and reached the follower's clients on the bus.
      expect(a.seen['sync:progress']?.some((e) => e.vcenterId === id && e.phase === 'started')).toBe(true);
      await waitUntil(
        () =>
          (b.seen['sync:progress'] ?? []).some((e) => e.vcenterId === id && e.phase === 'finished') &&
          (b.seen['inventory:changed'] ?? []).some((e) => e.vcenterIds.includes(id)),
        { what: "the leader's progress and inventory change on the follower" },
      );

      const ref = await readWithPyvmomi(sim.url, USER, PASSWORD);
      const vms = (await call(b, 'GET', '/api/vms?limit=1000&sort=name')).json as {
        items: Record<string, unknown>[];
        total: number;
      };
      expect(vms.items.map((v) => v['name'])).toEqual(ref.vms.map((v) => v.name).sort());
      const byName = new Map(vms.items.map((v) => [v['name'], v]));
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
      const names = async (entity: string): Promise<string[]> =>
        (
          (await call(b, 'GET', `/api/${entity}?limit=1000&sort=name`)).json as { items: { name: string }[] }
        ).items.map((x) => x.name);
      expect(await names('hosts')).toEqual(ref.hosts.map((h) => h.name).sort());
      expect(await names('datastores')).toEqual(ref.datastores.map((d) => d.name).sort());
      expect(await names('clusters')).toEqual(ref.clusters.map((c) => c.name).sort());
      const health = (await call(b, 'GET', '/api/health')).json as { role: string; term: number };
      expect(health.role).toBe('follower');
      expect(health.term).toBe(a.engine.teamSync.term);
    });
  },
);
