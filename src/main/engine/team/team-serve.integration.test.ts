/**
 * `vminer serve --database` (issue 18): the REST listener over the team engine on a real
 * PostgreSQL, against the same listener over the SQLite engine on the same data (a generated cache
 * with a change history and users, copied with `vminer db copy`'s copy). The representative
 * requests of the REST suite — lists and their pages, questions, object details, exports, stats,
 * the change history, users, the configuration's CRUD — must answer the same on both. Then two
 * instances on one database: a configuration write on one is read through the other's REST, an
 * inventory write by the leader and a sync's progress reach the follower's SSE stream, a logout
 * on one ends the token on the other, and `/api/health` names one leader and one follower.
 * (Syncing through REST on a follower against a simulator: team-serve-sync.integration.test.ts.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { insertChanges, randomChanges } from '../../../testing/changes-seed.js';
import { openTestEngine } from '../../../testing/engine.js';
import { generateInventory, populateCache } from '../../../testing/generate-inventory.js';
import {
  findPostgresBin,
  pgUrl,
  startPostgres,
  teamCopyOf,
  type RunningPostgres,
} from '../../../testing/postgres.js';
import { waitUntil } from '../../../testing/wait.js';
import { openDatabase } from '../db/database.js';
import { pgTypes } from '../db/pg/connect.js';
import { PgInventoryStore } from '../db/pg/inventory-store-pg.js';
import type { Engine } from '../engine.js';
import { startRest } from '../rest/serve.js';
import { clientConfig, pgTarget, type PgTarget } from './pg-connection.js';
import { TeamEngine } from './team-engine.js';
import { CONTRACT } from '../../../shared/contract.js';
import { FIELDS, QUERY_ENTITIES } from '../../../shared/fields.js';

const PW = 'Team-Serve-Pg1';
const ADMIN_PW = 'Adm1n-pass-word';
const VIEWER_PW = 'V1ewer-pass-word';
const SECRET_KEY = 'ab'.repeat(32);
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

interface Served {
  base: string;
  app: FastifyInstance;
  token: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  json: unknown;
  text: string;
}

async function call(
  s: Served,
  method: string,
  route: string,
  body?: unknown,
  token: string | null = s.token,
): Promise<Answer> {
  const r = await fetch(`${s.base}${route}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* a CSV or a workbook */
  }
  return {
    status: r.status,
    headers: { total: r.headers.get('x-total-count'), link: r.headers.get('link') },
    json,
    text,
  };
}

async function login(base: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { access_token: string }).access_token;
}

/** Times and ids that differ by nature between two databases (conversation ids, export stamps, creation times). */
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/;
function stable(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => stable(x));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'conversationId' && k !== 'conversation_id')
        .map(([k, x]) => [k, stable(x, k)]),
    );
  if (typeof v === 'string' && /(createdAt|updatedAt|exportedAt)$/.test(key) && ISO.test(v)) return '<time>';
  // A question's time bound ("older than 7 days") is taken from each engine's clock as it answers.
  if (typeof v === 'string' && key === 'value' && ISO.test(v)) return '<time>';
  // Storage sizes are each engine's own (pages against relations with their indexes and TOAST).
  if (key === 'bytes' && typeof v === 'number') return '<bytes>';
  return v;
}

/** An SSE stream's text as it arrives. */
async function openEvents(s: Served): Promise<{ text: () => string; close: () => void }> {
  const ac = new AbortController();
  const r = await fetch(`${s.base}/api/events`, {
    headers: { authorization: `Bearer ${s.token}` },
    signal: ac.signal,
  });
  expect(r.status).toBe(200);
  let text = '';
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      /* aborted */
    }
  })();
  await waitUntil(() => text.includes(': connected'), { what: 'the event stream to open' });
  return { text: () => text, close: () => ac.abort() };
}

describe.skipIf(NO_PG !== '')(`vminer serve on PostgreSQL${NO_PG}`, { timeout: 120_000 }, () => {
  let dir: string;
  let server: RunningPostgres;
  let target: PgTarget;
  let sqliteEngine: Engine;
  let leader: TeamEngine;
  let follower: TeamEngine;
  let lite: Served;
  let a: Served;
  let b: Served;

  const open = (instance: string): Promise<TeamEngine> =>
    TeamEngine.open({
      target,
      logDir: path.join(dir, instance),
      instance,
      env: { VMINER_SECRET_KEY: SECRET_KEY },
      vaultRefreshMs: 200,
      leader: { retryMs: 200, renewMs: 500 },
      onWarning: () => undefined,
    });

  const serveOn = async (engine: Engine | TeamEngine): Promise<Served> => {
    const rest = await startRest(engine, { host: '127.0.0.1', port: 0, version: 'test', pageWorkers: 0 });
    return { base: rest.url, app: rest.app, token: await login(rest.url, 'admin', ADMIN_PW) };
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-team-serve-'));
    const data = path.join(dir, 'data');
    const opened = openDatabase(data);
    populateCache(opened, {
      vcenters: 3,
      vmsTotal: 600,
      hostsTotal: 12,
      datastoresTotal: 6,
      seed: 5,
      failedVcenters: 1,
    });
    insertChanges(
      opened.sqlite,
      randomChanges({ n: 800, now: new Date(), days: 5, seed: 3, vcenters: 3, objects: 80 }),
    );
    opened.close();
    sqliteEngine = await openTestEngine(data, { owner: 'team serve test' });
    const auth = await sqliteEngine.authService();
    await auth.addUser('admin', ADMIN_PW, 'admin');
    await auth.addUser('viewer', VIEWER_PW, 'viewer');
    server = await startPostgres(PW);
    await teamCopyOf(server, 'team', data);
    target = pgTarget(pgUrl(server, 'team'), { password: PW, applicationName: 'team serve test' });
    leader = await open('a');
    await waitUntil(() => leader.health().backend === 'postgres' && leader.parts.elector.holds(), {
      what: 'the first instance to lead',
    });
    lite = await serveOn(sqliteEngine);
    a = await serveOn(leader);
    follower = await open('b');
    b = await serveOn(follower);
  }, 180_000);

  afterAll(async () => {
    for (const s of [lite, a, b]) await s?.app.close();
    await follower?.close();
    await leader?.close();
    sqliteEngine?.close();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers the REST suite’s reads as SQLite does: lists and pages, questions, details, stats, history, exports', async () => {
    const same = async (method: string, route: string, body?: unknown): Promise<Answer> => {
      const [x, y] = await Promise.all([call(lite, method, route, body), call(a, method, route, body)]);
      expect(y.status, `${method} ${route}: ${y.text.slice(0, 300)}`).toBe(x.status);
      expect(x.status, `${method} ${route}: ${x.text.slice(0, 300)}`).toBe(200);
      expect(y.headers, `${method} ${route}`).toEqual(x.headers);
      if (x.json !== null) expect(stable(y.json), `${method} ${route}`).toEqual(stable(x.json));
      else expect(y.text, `${method} ${route}`).toBe(x.text);
      return x;
    };
    let compared = 0;
    for (const route of [
      '/api/vcenters',
      '/api/vms?limit=100',
      '/api/vms?sort=name:desc&limit=50',
      '/api/vms?powerState=poweredOn&numCpu.gte=2&limit=40&sort=memoryMb:desc',
      '/api/vms?name=*0*&limit=25&offset=25',
      '/api/hosts?limit=50',
      '/api/datastores?limit=50',
      '/api/clusters',
      '/api/datacenters',
      '/api/networks?limit=50',
      '/api/snapshots?limit=50',
      '/api/stats',
      '/api/settings',
      '/api/changes?limit=50',
      '/api/changes?limit=20&kind=changed&counts=true',
    ]) {
      let next: string | null = route;
      // Three pages of each list, by the Link header as a script follows them.
      for (let page = 0; next && page < 3; page++) {
        const x = await same('GET', next);
        compared++;
        const link = x.headers['link'];
        next = link ? /<([^>]+)>/.exec(link)![1]! : null;
      }
    }
    for (const query of [
      'how many vms',
      'powered off vms',
      'vms with more than 4 cpus',
      'total memory of vms by vcenter',
      'hosts by cluster',
    ]) {
      await same('POST', '/api/query/chat', { query });
      compared++;
    }
    const vms = (await call(lite, 'GET', '/api/vms?limit=3')).json as {
      items: { vcenterId: number; moid: string }[];
    };
    for (const vm of vms.items) {
      await same('POST', '/api/rpc/inventory.details', {
        entity: 'vms',
        vcenterId: vm.vcenterId,
        moid: vm.moid,
      });
      compared++;
    }
    await same('POST', '/api/export/csv', {
      entity: 'vms',
      filters: { kind: 'cmp', field: 'numCpu', op: 'gte', value: 2 },
    });
    await same('POST', '/api/export/json', { query: 'powered on vms' });
    await same('POST', '/api/rpc/users.list', {});
    compared += 3;
    expect(compared).toBe(40);
  });

  it('logs in and out as on SQLite: a viewer may read, not write; a logged-out token is refused on every instance', async () => {
    for (const s of [lite, a]) {
      const viewer = await login(s.base, 'viewer', VIEWER_PW);
      expect((await call(s, 'GET', '/api/vcenters', undefined, viewer)).status).toBe(200);
      expect((await call(s, 'POST', '/api/rpc/users.list', {}, viewer)).status).toBe(403);
      expect((await call(s, 'POST', '/api/auth/logout', undefined, viewer)).status).toBe(200);
      expect((await call(s, 'GET', '/api/vcenters', undefined, viewer)).status).toBe(401);
    }
    // A token the leader issued works on the follower (one vault, one signing key), until logged out there.
    const token = await login(a.base, 'viewer', VIEWER_PW);
    expect((await call(b, 'GET', '/api/vcenters', undefined, token)).status).toBe(200);
    expect((await call(b, 'POST', '/api/auth/logout', undefined, token)).status).toBe(200);
    await waitUntil(async () => (await call(a, 'GET', '/api/vcenters', undefined, token)).status === 401, {
      what: "the follower's logout to reach the leader",
    });
    expect((await call(lite, 'GET', '/health', undefined, null)).json).toEqual(
      (await call(a, 'GET', '/health', undefined, null)).json,
    );
  });

  it('writes the configuration as SQLite does: vCenters, service accounts, sources, settings, users', async () => {
    const both = async (method: string, route: string, body?: unknown): Promise<unknown> => {
      const x = await call(lite, method, route, body);
      const y = await call(a, method, route, body);
      expect({ status: y.status, body: stable(y.json) }, `${method} ${route}`).toEqual({
        status: x.status,
        body: stable(x.json),
      });
      return x.json;
    };
    const vc = (await both('POST', '/api/vcenters', {
      name: 'vc-new',
      url: 'https://vc-new.corp/sdk',
      username: 'administrator@vsphere.local',
      password: 'S3cret-vc',
      site: 'lab',
      tags: ['prod'],
    })) as { id: number };
    await both('POST', '/api/vcenters', {
      name: 'VC-NEW',
      url: 'https://other.corp/sdk',
      username: 'x',
      password: 'y',
    });
    await both('PUT', `/api/vcenters/${vc.id}`, { site: 'dc2', enabled: false });
    await both('GET', `/api/vcenters/${vc.id}/status`);
    const account = (await both('POST', '/api/rpc/accounts.add', {
      name: 'svc',
      username: 'svc@vsphere.local',
      password: 'Acc0unt-pw',
    })) as { result: { id: number } };
    await both('POST', '/api/rpc/accounts.update', { id: account.result.id, username: 'svc2@vsphere.local' });
    await both('PUT', `/api/vcenters/${vc.id}`, {
      credential: { kind: 'service', accountId: account.result.id },
    });
    await both('POST', '/api/rpc/accounts.remove', { id: account.result.id });
    await both('PUT', `/api/vcenters/${vc.id}`, {
      credential: { kind: 'own' },
      username: 'me@vsphere.local',
      password: 'An0ther',
    });
    await both('POST', '/api/rpc/accounts.remove', { id: account.result.id });
    await both('POST', '/api/rpc/accounts.list', {});
    const source = (await both('POST', '/api/rpc/sources.add', {
      name: 'cmdb',
      kind: 'mssql',
      connection: { server: 'cmdb.corp', database: 'cmdb', user: 'reader' },
      password: 'Src-pw-1',
      query: 'SELECT name, url FROM vcenters',
    })) as { result: { id: number } };
    await both('POST', '/api/rpc/sources.update', { id: source.result.id, refreshMinutes: 90 });
    await both('POST', '/api/rpc/sources.list', {});
    await both('POST', '/api/rpc/sources.remove', { id: source.result.id, removeVcenters: false });
    await both('POST', '/api/rpc/settings.update', { syncWorkers: 3, rest: { port: 9100 } });
    await both('GET', '/api/settings');
    await both('POST', '/api/rpc/users.add', { username: 'ops', password: 'Ops-pass-word1', role: 'viewer' });
    await both('POST', '/api/rpc/users.setRole', { username: 'OPS', role: 'admin' });
    await both('POST', '/api/rpc/users.remove', { username: 'ops' });
    await both('DELETE', `/api/vcenters/${vc.id}`);
    await both('GET', '/api/vcenters');
  });

  it('answers every read call of the contract as SQLite does: each entity paged, sorted and filtered, bad requests refused alike', async () => {
    const rpc = async (s: Served, name: string, args: unknown): Promise<Answer> =>
      call(s, 'POST', `/api/rpc/${name}`, args);
    const same = async (name: string, args: unknown, status = 200): Promise<unknown> => {
      const [x, y] = await Promise.all([rpc(lite, name, args), rpc(a, name, args)]);
      const what = `${name} ${JSON.stringify(args)}`;
      expect(x.status, `${what}: ${x.text.slice(0, 300)}`).toBe(status);
      expect({ status: y.status, body: stable(y.json) }, what).toEqual({
        status: x.status,
        body: stable(x.json),
      });
      return (x.json as { result?: unknown } | null)?.result;
    };
    // Every read the REST API offers, by the contract: a new one fails here until it is compared.
    // Those that connect elsewhere (a vCenter's certificate, a SQL source, an import's plan) are
    // compared in their own tests; engine.info names each engine's own data folder and key store.
    const elsewhere = new Set([
      'vcenters.probe',
      'sources.test',
      'certs.review',
      'import.preview',
      'engine.info',
    ]);
    const reads = Object.entries(CONTRACT)
      .filter(([, c]) => c.http && !c.mutates)
      .map(([n]) => n)
      .filter((n) => !elsewhere.has(n))
      .sort();
    const asked = new Set<string>();
    const ask = async (name: string, args: unknown, status = 200): Promise<unknown> => {
      asked.add(name);
      return same(name, args, status);
    };

    for (const name of ['vcenters.list', 'accounts.list', 'sources.list', 'stats.get', 'settings.get'])
      await ask(name, {});
    for (const name of ['scheduler.state', 'live.status', 'users.list']) await ask(name, {});
    await ask('vcenters.get', { id: 1 });
    await ask('vcenters.get', { id: 2 });
    await ask('vcenters.get', { id: 9999 }, 404);

    let pages = 0;
    for (const entity of QUERY_ENTITIES) {
      const fields = Object.keys(FIELDS[entity]);
      const first = (await ask('inventory.list', { entity, limit: 40 })) as {
        items: Record<string, unknown>[];
      };
      expect(first.items.length, `${entity}: rows to compare`).toBeGreaterThan(0);
      pages++;
      // Sorted on each of its first fields both ways, two pages deep by cursor.
      for (const field of fields.slice(0, 4)) {
        for (const dir of ['asc', 'desc'] as const) {
          let cursor: string | null = null;
          for (let page = 0; page < 2; page++) {
            const args: Record<string, unknown> = { entity, limit: 15, sort: [{ field, dir }] };
            if (cursor) args['cursor'] = cursor;
            const r = (await ask('inventory.list', args)) as { nextCursor: string | null };
            pages++;
            cursor = r.nextCursor;
            if (!cursor) break;
          }
        }
      }
      // Filtered by a value of its first row, and by offset.
      const row = first.items[2] ?? first.items[0];
      if (row) {
        for (const field of fields.slice(1, 5)) {
          const value = row[field];
          if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
          await ask('inventory.list', { entity, limit: 20, filter: { kind: 'cmp', field, op: 'eq', value } });
          await ask('inventory.list', { entity, limit: 20, filter: { kind: 'cmp', field, op: 'ne', value } });
          pages += 2;
        }
      }
      await ask('inventory.list', { entity, limit: 10, offset: 7 });
      pages++;
      // Refused alike: an unknown field to sort or filter by, a cursor of nothing.
      await ask('inventory.list', { entity, sort: [{ field: 'noSuchField', dir: 'asc' }] }, 400);
      await ask(
        'inventory.list',
        { entity, filter: { kind: 'cmp', field: 'noSuchField', op: 'eq', value: 1 } },
        400,
      );
      await ask('inventory.list', { entity, cursor: 'not-a-cursor' }, 400);
    }
    expect(pages).toBeGreaterThan(QUERY_ENTITIES.length * 10);

    type Keys = { result: { items: { vcenterId: number; moid: string }[] } };
    const someVms = (await rpc(lite, 'inventory.list', { entity: 'vms', limit: 4 })).json as Keys;
    const someHosts = (await rpc(lite, 'inventory.list', { entity: 'hosts', limit: 2 })).json as Keys;
    for (const [entity, rows] of [
      ['vms', someVms.result.items],
      ['hosts', someHosts.result.items],
    ] as const) {
      for (const r of rows) await ask('inventory.details', { entity, vcenterId: r.vcenterId, moid: r.moid });
    }
    await ask('inventory.details', { entity: 'vms', vcenterId: 1, moid: 'vm-none' }); // nothing related

    for (const query of [
      'vms with thin disks',
      'vms with more than 2 nics',
      'partitions over 90 % full',
      'vms tagged backup',
      'hosts by model',
      'efi vms',
      'datastores with less than 20 % free',
      'snapshots older than 7 days',
      'count vms by power state',
      'top 5 vms by memory',
      'where is vm-0007',
      'flurble the wizzbangs',
    ]) {
      await ask('query.ask', { question: query });
    }

    const changes = (await ask('changes.list', { limit: 30 })) as { nextCursor: string | null };
    if (changes.nextCursor)
      await ask('changes.list', { limit: 30, cursor: changes.nextCursor, counts: false });
    await ask('changes.list', { limit: 30, kind: ['created', 'removed'] });
    await ask('changes.list', { limit: 30, entity: 'vms', field: 'powerState' });
    // An absolute bound: "3d" would be read off each engine's clock a millisecond apart.
    const since = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3 * 86_400_000).toISOString();
    await ask('changes.list', { limit: 30, since });

    expect([...asked].sort()).toEqual(reads);
    const [x, y] = await Promise.all([rpc(lite, 'engine.info', {}), rpc(a, 'engine.info', {})]);
    expect([x.status, y.status]).toEqual([200, 200]);
    const version = (r: Answer): string => (r.json as { result: { version: string } }).result.version;
    expect(version(y)).toBe(version(x));
  });

  it('previews an import and reviews certificates on PostgreSQL (no NOT_AVAILABLE any more)', async () => {
    const preview = await call(a, 'POST', '/api/rpc/import.preview', {
      content: 'name,url\nvc-preview-only,https://vc-preview-only.corp/sdk\n',
    });
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({ result: { counts: { add: 1 } } });
    const review = await call(a, 'POST', '/api/rpc/certs.review', { vcenterIds: [] });
    expect(review.status).toBe(200);
    expect(review.json).toEqual({ result: [] });
  });

  it('two instances: a configuration write on one is read through the other', async () => {
    const added = await call(a, 'POST', '/api/vcenters', {
      name: 'vc-shared',
      url: 'https://vc-shared.corp/sdk',
      username: 'u',
      password: 'p',
    });
    expect(added.status).toBe(201);
    await waitUntil(
      async () =>
        ((await call(b, 'GET', '/api/vcenters')).json as { name: string }[]).some(
          (v) => v.name === 'vc-shared',
        ),
      { what: 'the new vCenter on the follower' },
    );
    const put = await call(b, 'POST', '/api/rpc/settings.update', { syncWorkers: 5 });
    expect(put.status).toBe(200);
    await waitUntil(
      async () => ((await call(a, 'GET', '/api/settings')).json as { syncWorkers: number }).syncWorkers === 5,
      { what: "the follower's settings on the leader" },
    );
  });

  it('two instances: a vCenter renamed on one shows at once in the list pages the other remembers', async () => {
    type Vm = { name: string; vcenter: string };
    const page = async (): Promise<Vm[]> =>
      ((await call(a, 'GET', '/api/vms?limit=5&sort=name:asc')).json as { items: Vm[] }).items;
    const before = await page();
    expect(await page()).toEqual(before); // remembered now
    const old = before[0]!.vcenter;
    const vc = ((await call(b, 'GET', '/api/vcenters')).json as { id: number; name: string }[]).find(
      (v) => v.name === old,
    )!;
    const renamed = async (name: string): Promise<void> => {
      expect((await call(b, 'PUT', `/api/vcenters/${vc.id}`, { name })).status).toBe(200);
      await waitUntil(async () => (await page())[0]!.vcenter === name, {
        what: `the leader's list pages naming vCenter ${name}`,
      });
    };
    try {
      await renamed(`${old}-renamed`);
      expect((await page()).map((v) => v.name)).toEqual(before.map((v) => v.name));
    } finally {
      await renamed(old);
    }
  });

  it("two instances: the leader's inventory write and a sync's progress reach the follower's SSE clients", async () => {
    const events = await openEvents(b);
    try {
      const vc = (
        await call(a, 'POST', '/api/vcenters', {
          name: 'vc-written',
          url: 'https://vc-written.corp/sdk',
          username: 'u',
          password: 'p',
        })
      ).json as { id: number };
      const term = leader.health().backend === 'postgres' ? leader.health() : null;
      const pool = new pg.Pool({ ...clientConfig(target, 'test writer', { types: pgTypes }), max: 2 });
      try {
        const store = new PgInventoryStore(pool, {
          fence: () => ({ election: 'vminer', term: (term as { term: number }).term }),
          bus: leader.parts.notify,
        });
        const before = Number((await call(b, 'GET', '/api/vms?limit=1')).headers['total']);
        const inv = generateInventory({ seed: 9, vcenterIndex: 7, vms: 25, hosts: 2, datastores: 1 });
        await store.replace(vc.id, inv);
        await waitUntil(
          () => events.text().includes(`event: inventory:changed\ndata: {"vcenterIds":[${vc.id}]}`),
          {
            what: "the leader's write on the follower's event stream",
          },
        );
        // The follower's answers follow (its totals were dropped with the event).
        const after = Number((await call(b, 'GET', '/api/vms?limit=1')).headers['total']);
        expect(after - before).toBe(inv.vms.length);
      } finally {
        await pool.end();
      }
      leader.bus.emit('sync:progress', {
        vcenterId: vc.id,
        vcenter: 'vc-written',
        phase: 'finished',
        status: 'ok',
        durationMs: 12,
      });
      await waitUntil(() => events.text().includes('event: sync:progress\ndata: {"vcenterId":'), {
        what: "the leader's sync progress on the follower's event stream",
      });
      // Relayed once: the follower does not send it back, the leader's own clients see it once.
      const progress = events.text().split('event: sync:progress').length - 1;
      expect(progress).toBe(1);
    } finally {
      events.close();
    }
  });

  it('/api/health: one leader and one follower, the same lease and term; public /health unchanged', async () => {
    const ha = (await call(a, 'GET', '/api/health')).json as Record<string, unknown>;
    const hb = (await call(b, 'GET', '/api/health')).json as Record<string, unknown>;
    const hl = (await call(lite, 'GET', '/api/health')).json as Record<string, unknown>;
    expect(hl).toEqual({ status: 'ok', version: 'test', backend: 'sqlite' });
    expect(ha).toMatchObject({
      backend: 'postgres',
      role: 'leader',
      instance: 'a',
      notifications: 'listening',
    });
    expect(hb).toMatchObject({ backend: 'postgres', role: 'follower', instance: 'b' });
    expect(ha['term']).toBeGreaterThanOrEqual(1);
    expect(hb['term']).toBe(ha['term']);
    expect((hb['lease'] as { instance: string }).instance).toBe('a');
    expect((ha['lease'] as { since: string }).since).toMatch(ISO);
    expect((await call(b, 'GET', '/api/health', undefined, null)).status).toBe(401);
    expect((await call(b, 'GET', '/health', undefined, null)).json).toEqual({
      status: 'ok',
      version: 'test',
    });
  });
});
