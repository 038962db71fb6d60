/**
 * The leader re-reads the team vault when it takes a sync (issue 18): a vCenter added through a
 * follower's REST (its password written to the vault by the follower) and synced at once finds its
 * password on the leader. The engines' background vault refresh is off (vaultRefreshMs 0), so only
 * the re-read before the sync can bring the password to the leader.
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
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { waitUntil } from '../../../testing/wait.js';
import { startRest } from '../rest/serve.js';
import { pgTarget, type PgTarget } from './pg-connection.js';
import { TeamEngine } from './team-engine.js';

const PW = 'Team-Vault-Reread1';
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
  `serve --database: the leader re-reads the team vault before a sync${NO_PG}`,
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
        vaultRefreshMs: 0,
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
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-vault-reread-'));
      server = await startPostgres(PW);
      const admin = await connectAdmin(server);
      try {
        await migratedDatabase(server, admin, 'reread');
      } finally {
        await admin.end();
      }
      target = pgTarget(pgUrl(server, 'reread'), { password: PW, applicationName: 'vault re-read test' });
      sim = await startSimulator({
        seed: 1920,
        vms: 4,
        clusters: 2,
        hostsPerCluster: 2,
        standaloneHosts: 1,
        datastores: 2,
        portgroups: 2,
        namePrefix: 'rr',
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

    it('a vCenter added on the follower and synced at once through it finds its password on the leader', async () => {
      const a = await serve('a');
      await waitUntil(() => a.engine.teamSync.leading, {
        what: 'the first instance to lead',
        timeout: 15_000,
      });
      const b = await serve('b');
      expect(b.engine.teamSync.leading).toBe(false);
      const added = await call(b, 'POST', '/api/vcenters', {
        name: 'vc-reread',
        url: sim.url,
        username: USER,
        password: PASSWORD,
        thumbprint: sim.thumbprintSha256,
      });
      expect(added.status).toBe(201);
      const id = (added.json as { id: number }).id;
      await waitUntil(() => a.engine.vcenters.get(id) !== undefined, { what: 'the vCenter on the leader' });
      // Written by b; the leader has not read it (no background refresh).
      expect(a.engine.vault.get(`vcenter:${id}`)).toBeUndefined();

      const started = await call(b, 'POST', '/api/vcenters/sync', { vcenter_ids: [id] });
      expect(started.status).toBe(202);
      await waitUntil(
        async () => {
          const s = (await call(b, 'GET', `/api/vcenters/${id}/status`)).json as { status: string };
          return !['idle', 'queued', 'syncing'].includes(s.status);
        },
        { what: 'the sync to end, seen through the follower', timeout: 60_000 },
      );
      const status = (await call(b, 'GET', `/api/vcenters/${id}/status`)).json as {
        status: string;
        last_error?: unknown;
      };
      expect(status.status, JSON.stringify(status)).toBe('ok');
      expect(a.engine.vault.get(`vcenter:${id}`)).toBe(PASSWORD);
      const vms = (await call(b, 'GET', '/api/vms?limit=1000')).json as { total: number };
      expect(vms.total).toBe(4);
    });
  },
);
