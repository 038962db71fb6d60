import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvents } from '../../../shared/events.js';
import { findPostgresBin, startPostgres, type RunningPostgres, pgUrl } from '../../../testing/postgres.js';
import { waitUntil } from '../../../testing/wait.js';
import { NotifyBus, type BusState } from './notify-bus.js';
import { pgTarget } from './pg-connection.js';

const PW = 'N0tify-Pw!';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

let server: RunningPostgres;
let url: string;
let admin: pg.Client;
const buses: NotifyBus[] = [];

type Changed = EngineEvents['inventory:changed'];

async function bus(name: string, coalesceMs = 50, dbUrl = url) {
  const b = new NotifyBus({
    target: pgTarget(dbUrl, { password: PW, applicationName: name }),
    instance: name,
    coalesceMs,
    reconnect: { initialMs: 50, maxMs: 500 },
  });
  buses.push(b);
  const got: { payload: Changed; from: string }[] = [];
  const states: BusState[] = [];
  b.on('inventory:changed', (payload, from) => got.push({ payload, from }));
  b.onState((s) => states.push(s));
  await b.start();
  return { b, got, states };
}

describe.skipIf(NO_PG !== '')(`notification bus on a real PostgreSQL${NO_PG}`, () => {
  beforeAll(async () => {
    server = await startPostgres(PW);
    url = pgUrl(server);
    admin = new pg.Client({ ...pgTarget(url, { password: PW }).config, application_name: 'test admin' });
    await admin.connect();
  });

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.stop()));
  });

  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });

  it("delivers one bus's events to the others, coalesced, and not back to itself", async () => {
    const a = await bus('bus-a');
    const b = await bus('bus-b');
    const c = await bus('bus-c');
    await Promise.all([
      a.b.publish('inventory:changed', { vcenterIds: [4] }),
      a.b.publish('inventory:changed', { vcenterIds: [2, 4] }),
      a.b.publish('inventory:changed', { vcenterIds: [1] }),
    ]);
    await waitUntil(() => b.got.length > 0 && c.got.length > 0, { what: 'delivery' });
    await b.b.publish('inventory:changed', { vcenterIds: [7] });
    await waitUntil(() => a.got.length > 0 && c.got.length > 1, { what: "b's event" });
    // The three publishes went out as one event; b's own event never came back to b.
    expect(b.got).toEqual([{ payload: { vcenterIds: [1, 2, 4] }, from: 'bus-a' }]);
    expect(c.got).toEqual([
      { payload: { vcenterIds: [1, 2, 4] }, from: 'bus-a' },
      { payload: { vcenterIds: [7] }, from: 'bus-b' },
    ]);
    expect(a.got).toEqual([{ payload: { vcenterIds: [7] }, from: 'bus-b' }]);
  });

  it('an event far over the 8000-byte limit arrives whole', async () => {
    const a = await bus('big-a');
    const b = await bus('big-b');
    const vcenterIds = Array.from({ length: 30_000 }, (_, i) => i * 7 + 1_000_000);
    expect(JSON.stringify(vcenterIds).length).toBeGreaterThan(200_000);
    await a.b.publish('inventory:changed', { vcenterIds });
    await waitUntil(() => b.got.length === 1, { what: 'the large event' });
    expect(b.got[0]!.payload.vcenterIds).toEqual(vcenterIds);
  });

  it('a publish inside a transaction is delivered on commit, never on rollback', async () => {
    const a = await bus('tx-a', 0);
    const b = await bus('tx-b');
    const db = new pg.Client(pgTarget(url, { password: PW }).config);
    await db.connect();
    try {
      await db.query('BEGIN');
      await a.b.publishIn(db, 'inventory:changed', { vcenterIds: [1] });
      // Notifications arrive in commit order: the marker, committed first, comes while [1] waits.
      await a.b.publish('inventory:changed', { vcenterIds: [100] });
      await waitUntil(() => b.got.length === 1, { what: 'the marker' });
      expect(b.got.map((g) => g.payload.vcenterIds)).toEqual([[100]]);
      await db.query('COMMIT');
      await waitUntil(() => b.got.length === 2, { what: 'the committed event' });

      await db.query('BEGIN');
      await a.b.publishIn(db, 'inventory:changed', { vcenterIds: [2] });
      await db.query('ROLLBACK');
      await a.b.publish('inventory:changed', { vcenterIds: [200] });
      await waitUntil(() => b.got.length === 3, { what: 'the second marker' });
      expect(b.got.map((g) => g.payload.vcenterIds)).toEqual([[100], [1], [200]]);
    } finally {
      await db.end();
    }
  });

  it('LISTENs again after its connection is terminated, with back-off, and receives again', async () => {
    const a = await bus('re-a');
    const b = await bus('re-b');
    const listenerPid = async () =>
      (
        await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE application_name = 're-b listen'`,
        )
      ).rows.map((r) => r.pid);
    const [before] = await listenerPid();
    expect(before).toBeTypeOf('number');
    await admin.query('SELECT pg_terminate_backend($1)', [before]);
    await waitUntil(() => b.states.join(',') === 'listening,reconnecting,listening', {
      what: 'the listener to come back',
    });
    const after = await listenerPid();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    await a.b.publish('inventory:changed', { vcenterIds: [42] });
    await waitUntil(() => b.got.length === 1, { what: 'delivery after the reconnect' });
    expect(b.got[0]).toEqual({ payload: { vcenterIds: [42] }, from: 're-a' });
  });

  it('keeps retrying while the server refuses, and listens once it can', async () => {
    await admin.query('CREATE DATABASE retrydb');
    const b = await bus('retry-b', 50, url.replace(/\/postgres$/, '/retrydb'));
    // The database refuses every new connection (superusers too) while the listener is ended.
    await admin.query('ALTER DATABASE retrydb ALLOW_CONNECTIONS false');
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'retry-b listen'`,
      );
      await waitUntil(() => b.b.failedReconnects >= 3, { what: 'three refused reconnects' });
      expect(b.b.currentState).toBe('reconnecting');
    } finally {
      await admin.query('ALTER DATABASE retrydb ALLOW_CONNECTIONS true');
    }
    await waitUntil(() => b.states.at(-1) === 'listening', { what: 'listening again' });
    expect(b.states).toEqual(['listening', 'reconnecting', 'listening']);
  });

  it('fails to start with a clear error when the database cannot be reached', async () => {
    const nowhere = new NotifyBus({ target: pgTarget(`postgres://u@127.0.0.1:1/db`, { password: 'x' }) });
    await expect(nowhere.start()).rejects.toThrow(
      /cannot listen for notifications on postgres:\/\/u@127.0.0.1:1\/db/,
    );
    expect(nowhere.currentState).toBe('stopped');
  });
});
