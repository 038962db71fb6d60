// Two `vminer serve` instances on one team database, each with its own in-memory mirror: what one
// writes the other sees once the notification arrives; writes racing for one name leave exactly
// one winner; a dropped listener is made good by a full reload; logouts and password changes on
// one instance end the tokens on the other; leader-only writes refuse a stale term; the sync state
// written inside another transaction lands (and is announced) only when that transaction commits.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceConfigSchema } from '../../../../shared/sources.js';
import {
  postgresBackend,
  vcenterInput,
  type ConfigInstance,
  type PostgresBackend,
} from '../../../../testing/config-backends.js';
import { createTeamDatabase, findPostgresBin, serverTarget } from '../../../../testing/postgres.js';
import { waitUntil } from '../../../../testing/wait.js';
import { NotifyBus } from '../notify-bus.js';
import { PgConfig } from './pg-config.js';

const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';
const PW = 'a long enough password';
const vc = (name: string, url?: string) => vcenterInput(name, url ? { url } : {});
/** How long a notification may take to reach the other instance's mirror. */
const SEEN = { timeout: 10_000, what: "the other instance's mirror" };

describe.skipIf(NO_PG !== '')(`two instances on one team database${NO_PG}`, { timeout: 90_000 }, () => {
  let backend: PostgresBackend;

  beforeAll(async () => {
    backend = await postgresBackend();
  }, 120_000);
  afterAll(async () => {
    await backend?.stop();
  });

  async function pair(reconnectMs?: number): Promise<[ConfigInstance, ConfigInstance]> {
    const a = await backend.fresh();
    return [a, await backend.another(a, reconnectMs !== undefined ? { reconnectMs } : {})];
  }

  it("a write on one instance reaches the other's mirror, table by table", async () => {
    const [a, b] = await pair();
    const v = await a.vcenters.add(vc('vc01'));
    await waitUntil(() => b.vcenters.get(v.id)?.name === 'vc01', SEEN);
    expect(b.vcenters.list().map((r) => [r.name, r.sync.status])).toEqual([['vc01', 'idle']]);
    const acc = await b.accounts.add({ name: 'corp', username: 'svc@corp', isDefault: true });
    await waitUntil(() => a.accounts.getDefault()?.id === acc.id, SEEN);
    await a.vcenters.update(v.id, { useServiceAccount: true, serviceAccountId: null, username: '' });
    await waitUntil(() => b.accounts.get(acc.id)?.usedBy === 1, SEEN);
    await b.settings.update({ syncWorkers: 3 });
    await waitUntil(() => a.settings.get().syncWorkers === 3, SEEN);
    const s = await a.sources.add({
      name: 'cmdb',
      kind: 'postgres',
      config: SourceConfigSchema.parse({
        connection: { server: 'cmdb.corp', database: 'cmdb', user: 'reader' },
      }),
      refreshMinutes: 60,
      enabled: true,
    });
    await waitUntil(() => b.sources.get(s.id)?.name === 'cmdb', SEEN);
    await a.vcenters.setState(v.id, { status: 'ok', lastSuccessAt: '2026-12-06T00:00:00.000Z' }, a.term);
    await waitUntil(() => b.vcenters.list()[0]?.sync.status === 'ok', SEEN);
    expect(await b.vcenters.remove(v.id)).toBe(true);
    await waitUntil(() => a.vcenters.list().length === 0, SEEN);
    // A batch past the notification's key limit: the other instance reads the tables whole.
    const many = Array.from({ length: 600 }, (_, i) => vc(`bulk${i}`));
    const { addedIds } = await a.vcenters.bulkWrite(many, []);
    await waitUntil(() => b.vcenters.list().length === 600, SEEN);
    expect(b.vcenters.get(addedIds[599]!)?.name).toBe('bulk599');
    expect(b.vcenters.list().every((r) => r.sync.status === 'idle')).toBe(true);
  });

  it('the same name added on two instances at once: exactly one wins, the other is told why', async () => {
    const [a, b] = await pair();
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled([
        a.vcenters.add(vc(`race${round}`, `https://a${round}.corp/sdk`)),
        b.vcenters.add(vc(`RACE${round}`, `https://b${round}.corp/sdk`)),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toMatchObject({ code: 'INVALID_INPUT' });
      expect((lost.reason as Error).message).toMatch(
        new RegExp(`a vCenter named "race${round}" is already registered`, 'i'),
      );
    }
    const accounts = await Promise.allSettled([
      a.accounts.add({ name: 'ops', username: 'a', isDefault: false }),
      b.accounts.add({ name: 'OPS', username: 'b', isDefault: false }),
    ]);
    expect(accounts.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((accounts.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.message).toMatch(
      /a service account named "ops" already exists/i,
    );
    // Both wanted to be the one default: the lock lets exactly one be it.
    await waitUntil(() => b.accounts.list().length === 1 && a.accounts.list().length === 1, SEEN);
    const users = await Promise.allSettled([a.auth.addUser('carol', PW), b.auth.addUser('Carol', PW)]);
    expect(users.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((users.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.message).toMatch(
      /user "carol" already exists/i,
    );
    await waitUntil(() => a.vcenters.list().length === 5 && b.vcenters.list().length === 5, SEEN);
    const db = await backend.admin(a.pg!.database);
    try {
      expect(Number((await db.query('SELECT count(*) AS n FROM vcenters')).rows[0].n)).toBe(5);
      expect(Number((await db.query('SELECT count(*) AS n FROM sync_state')).rows[0].n)).toBe(5);
      expect(Number((await db.query('SELECT count(*) AS n FROM users')).rows[0].n)).toBe(1);
    } finally {
      await db.end();
    }
  });

  it('a change made while the listener was away is read when it reconnects', async () => {
    const [a, b] = await pair(1500);
    await waitUntil(() => b.pg!.bus.currentState === 'listening', SEEN);
    const states: string[] = [];
    b.pg!.bus.onState((s) => states.push(s));
    const db = await backend.admin(a.pg!.database);
    try {
      const killed = await db.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [`${b.pg!.target.config.application_name} listen`],
      );
      expect(killed.rowCount).toBe(1);
    } finally {
      await db.end();
    }
    await waitUntil(() => states.includes('reconnecting'), { what: 'the listener to notice' });
    // Sent while nobody listens on b's behalf: PostgreSQL does not keep it for b.
    const v = await a.vcenters.add(vc('while-away'));
    await a.settings.update({ syncWorkers: 7 });
    expect(b.vcenters.get(v.id)).toBeUndefined();
    await waitUntil(
      () => b.vcenters.get(v.id)?.name === 'while-away' && b.settings.get().syncWorkers === 7,
      SEEN,
    );
    expect(states).toEqual(['reconnecting', 'listening']);
  });

  it('a logout or a password change on one instance ends the token on the other', async () => {
    const [a, b] = await pair();
    await a.auth.addUser('dave', PW, 'admin');
    await waitUntil(() => b.auth.hasUsers(), SEEN);
    const t = (await a.auth.login('dave', PW)).access_token;
    const claims = await b.auth.verify(t); // the signing secret is shared through the team vault
    expect(claims.sub).toBe('dave');
    await a.auth.revoke(claims);
    await waitUntil(() => !b.auth.stillValid(claims), SEEN);
    await expect(b.auth.verify(t)).rejects.toThrow(/logged out/);

    const t2 = (await b.auth.login('dave', PW)).access_token;
    await a.auth.verify(t2);
    const ended: string[] = [];
    a.auth.onRevoked((username) => ended.push(username));
    await b.auth.setPassword('dave', 'a brand new password');
    await waitUntil(() => ended.includes('dave'), SEEN);
    await expect(a.auth.verify(t2)).rejects.toThrow(/password or role of this account changed/);
    await b.auth.addUser('erin', PW, 'viewer');
    await waitUntil(() => a.auth.listUsers().length === 2, SEEN);
    await expect(async () => a.auth.removeUser('dave')).rejects.toThrow(/last admin/);
  });

  it('leader-only writes refuse a stale or missing term and write nothing', async () => {
    const [a, b] = await pair();
    const v = await a.vcenters.add(vc('vc01'));
    await a.vcenters.setState(v.id, { status: 'syncing' }, a.term);
    await expect(a.vcenters.setState(v.id, { status: 'ok' }, a.term! + 1)).rejects.toMatchObject({
      code: 'NOT_LEADER',
    });
    await expect(b.vcenters.setState(v.id, { status: 'ok' }, undefined)).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    // Another election: the term moves on (the operator's hand-over, docs/team-server.md).
    const db = await backend.admin(a.pg!.database);
    try {
      await db.query('UPDATE team_leader SET term = term + 1');
    } finally {
      await db.end();
    }
    await expect(a.vcenters.setState(v.id, { status: 'ok' }, a.term)).rejects.toThrow(/term \d+ has begun/);
    await expect(a.vcenters.settleInterrupted(new Date(), a.term)).rejects.toMatchObject({
      code: 'NOT_LEADER',
    });
    await expect(
      a.vcenters.setAbout(
        v.id,
        { productName: 'x', version: '1', build: '1', apiVersion: '1', instanceUuid: 'u' },
        a.term,
      ),
    ).rejects.toMatchObject({ code: 'NOT_LEADER' });
    await a.pg!.config.reload();
    expect(a.vcenters.list()[0]?.sync.status).toBe('syncing');
    expect(a.vcenters.get(v.id)?.productName).toBeNull();
  });

  it('a database without the tables is refused with what to do', async () => {
    const db = await backend.admin('postgres');
    try {
      await createTeamDatabase(db, 'unmigrated');
    } finally {
      await db.end();
    }
    const target = serverTarget(backend.server, 'unmigrated');
    const bus = new NotifyBus({ target });
    await bus.start();
    try {
      await expect(PgConfig.open({ target, bus })).rejects.toThrow(
        /has no \w+ table: run `vminer db migrate --database/,
      );
    } finally {
      await bus.stop();
    }
  });

  it('a long leader-only write holds the leader row only at its commit: the lease renews meanwhile', async () => {
    const a = await backend.fresh();
    const db = await backend.admin(a.pg!.database);
    try {
      const renewed = async (): Promise<number> =>
        ((await db.query('SELECT renewed_at FROM team_leader')).rows[0].renewed_at as Date).getTime();
      await a.pg!.config.write({ tables: ['sync_state'], leader: { term: a.term } }, async () => {
        const before = await renewed();
        // The test's elector renews every 500 ms; a renewal blocked by this transaction never lands.
        await waitUntil(async () => (await renewed()) > before, { timeout: 5_000, what: 'a lease renewal' });
      });
    } finally {
      await db.end();
    }
  });

  it('the sync state written in another transaction lands, and is announced, only when it commits', async () => {
    const [a, b] = await pair();
    const v = await a.vcenters.add(vc('vc01'));
    await waitUntil(() => b.vcenters.get(v.id) !== undefined, SEEN);
    const db = await backend.admin(a.pg!.database);
    const inTransaction = async (end: 'COMMIT' | 'ROLLBACK', status: string, fail = false): Promise<void> => {
      await a.pg!.vcenters.withState(v.id, { status }, a.term, async (alongside) => {
        await db.query('BEGIN');
        try {
          await alongside(db as pg.ClientBase);
          if (fail) throw new Error('the inventory write failed');
          await db.query(end);
        } catch (err) {
          await db.query('ROLLBACK');
          throw err;
        }
      });
    };
    try {
      await inTransaction('ROLLBACK', 'failed');
      await expect(inTransaction('COMMIT', 'failed', true)).rejects.toThrow(/inventory write failed/);
      await b.pg!.config.reload();
      expect([a.vcenters.list()[0]?.sync.status, b.vcenters.list()[0]?.sync.status]).toEqual([
        'idle',
        'idle',
      ]);
      await inTransaction('COMMIT', 'ok');
      expect(a.vcenters.list()[0]?.sync.status).toBe('ok'); // in the mirror when withState returns
      await waitUntil(() => b.vcenters.list()[0]?.sync.status === 'ok', SEEN);
      // A stale term inside the transaction: refused there, and the caller's transaction rolls back.
      await expect(
        a.pg!.vcenters.withState(v.id, { status: 'failed' }, a.term! + 5, async (alongside) => {
          await db.query('BEGIN');
          try {
            await alongside(db as pg.ClientBase);
            await db.query('COMMIT');
          } catch (err) {
            await db.query('ROLLBACK');
            throw err;
          }
        }),
      ).rejects.toMatchObject({ code: 'NOT_LEADER' });
      expect(a.vcenters.list()[0]?.sync.status).toBe('ok');
    } finally {
      await db.end();
    }
  });
});
