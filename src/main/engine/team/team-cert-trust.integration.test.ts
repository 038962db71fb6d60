/**
 * Trusting a certificate on a follower of a team server (issue 18): the pin is written there, and
 * the "certificate changed" vCenter goes back to idle at once — the follower asks the leader
 * (`certs:settle`), the leader settles the sync state under row locks if the pin is still the
 * thumbprint trusted, and tells every instance (`certs:settled`), whose clients hear an inventory
 * change of that vCenter and refetch it. Two TeamEngines on one real PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, type ContractResults } from '../../../shared/contract.js';
import {
  connectAdmin,
  findPostgresBin,
  migratedDatabase,
  pgUrl,
  startPostgres,
  type RunningPostgres,
} from '../../../testing/postgres.js';
import { waitUntil } from '../../../testing/wait.js';
import { createHandlers } from '../api.js';
import { pgTarget, type PgTarget } from './pg-connection.js';
import { TeamEngine } from './team-engine.js';

const PW = 'Team-Cert-Trust1';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';
const OLD = 'AA:'.repeat(31) + 'AA';
const NEW = 'BB:'.repeat(31) + 'BB';
const OTHER = 'CC:'.repeat(31) + 'CC';

describe.skipIf(NO_PG !== '')(
  `trusting certificates on a follower settles them at once${NO_PG}`,
  { timeout: 120_000 },
  () => {
    let dir: string;
    let server: RunningPostgres;
    let target: PgTarget;
    const engines: TeamEngine[] = [];
    const changed = new Map<TeamEngine, number[][]>();

    async function open(instance: string): Promise<TeamEngine> {
      const engine = await TeamEngine.open({
        target,
        logDir: path.join(dir, instance),
        instance,
        env: { VMINER_SECRET_KEY: 'cd'.repeat(32) },
        vaultRefreshMs: 0,
        leader: { retryMs: 200, renewMs: 500, leaseTimeoutMs: 3_000, takeoverAfterMs: 6_000 },
        onWarning: () => undefined,
      });
      engines.push(engine);
      changed.set(engine, []);
      engine.bus.on('inventory:changed', (e) => changed.get(engine)!.push(e.vcenterIds));
      return engine;
    }

    /** A vCenter with its sync state, from `engine`'s mirror. */
    const state = (engine: TeamEngine, id: number) => engine.vcenters.list().find((v) => v.id === id);

    async function call<K extends keyof typeof CONTRACT>(
      engine: TeamEngine,
      name: K,
      args: unknown,
    ): Promise<ContractResults[K]> {
      const h = createHandlers(engine)[name] as (a: unknown) => Promise<ContractResults[K]>;
      return h((CONTRACT[name].args as { parse(v: unknown): unknown }).parse(args));
    }

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-cert-trust-'));
      server = await startPostgres(PW);
      const admin = await connectAdmin(server);
      try {
        await migratedDatabase(server, admin, 'certs');
      } finally {
        await admin.end();
      }
      target = pgTarget(pgUrl(server, 'certs'), { password: PW, applicationName: 'cert trust test' });
    }, 90_000);

    afterAll(async () => {
      for (const e of engines.splice(0).reverse()) await e.close();
      await server?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('the leader settles what a follower trusted, if the pin is still the one trusted; both instances hear of it', async () => {
      const a = await open('a');
      await waitUntil(() => a.teamSync.leading, { what: 'the first instance to lead', timeout: 15_000 });
      const b = await open('b');
      expect(b.teamSync.leading).toBe(false);

      const add = (name: string, port: number) =>
        a.vcenters.add({ name, url: `127.0.0.1:${port}`, username: 'u', thumbprint: OLD, caPem: null });
      const renewed = await add('vc-renewed', 1);
      const repinned = await add('vc-repinned', 2);
      for (const v of [renewed, repinned])
        await a.vcenters.setState(
          v.id,
          {
            status: 'certificate_changed',
            errorCode: 'CERT_CHANGED',
            errorMessage: 'the certificate changed',
          },
          a.teamSync.term,
        );
      await waitUntil(
        () => [renewed, repinned].every((v) => state(b, v.id)?.sync.status === 'certificate_changed'),
        { what: 'the follower to see both vCenters as "certificate changed"' },
      );
      for (const list of changed.values()) list.length = 0;

      // Trusted on the follower; vc-repinned's pin changes again before the leader gets to it.
      const trusted = await call(b, 'certs.trust', { items: [{ vcenterId: renewed.id, thumbprint: NEW }] });
      expect(trusted).toEqual({ trusted: ['vc-renewed'] });
      await b.vcenters.update(repinned.id, { thumbprint: OTHER });
      await b.settleTrusted([{ vcenterId: repinned.id, thumbprint: NEW }]);

      await waitUntil(
        () => state(a, renewed.id)?.sync.status === 'idle' && state(b, renewed.id)?.sync.status === 'idle',
        { what: 'vc-renewed settled on both instances', timeout: 5_000 },
      );
      expect(state(b, renewed.id)).toMatchObject({
        thumbprint: NEW,
        sync: { status: 'idle', error: null },
      });
      // Each instance's clients hear of it (the follower after its mirror read the state).
      await waitUntil(() => [a, b].every((e) => changed.get(e)!.some((ids) => ids.includes(renewed.id))), {
        what: 'an inventory change of vc-renewed on both instances',
      });
      // The pin moved on before the leader settled it: left for its next sync.
      await new Promise((r) => setTimeout(r, 500));
      for (const e of [a, b])
        expect(state(e, repinned.id)).toMatchObject({
          thumbprint: OTHER,
          sync: { status: 'certificate_changed' },
        });
      expect(changed.get(b)!.flat()).not.toContain(repinned.id);

      // On the leader it is settled in the call itself.
      await a.vcenters.setState(
        repinned.id,
        { status: 'certificate_changed', errorCode: 'CERT_CHANGED', errorMessage: 'again' },
        a.teamSync.term,
      );
      await call(a, 'certs.trust', { items: [{ vcenterId: repinned.id, thumbprint: NEW }] });
      expect(state(a, repinned.id)).toMatchObject({ thumbprint: NEW, sync: { status: 'idle' } });
      await waitUntil(() => state(b, repinned.id)?.sync.status === 'idle', {
        what: 'the follower to see vc-repinned settled',
      });
    });
  },
);
