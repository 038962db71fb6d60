import { openTestEngine } from '../../../testing/engine.js';
import { freePort } from '../../../testing/net.js';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../db/database.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { Engine } from '../engine.js';
import type { AuthService } from '../auth/auth-service.js';
import { startRest } from './serve.js';

/*
 * The REST listener over a real socket on 127.0.0.1: every route of server.ts, auth failures,
 * paging edges checked against direct SQL, bad bodies, SSE and rate limiting.
 */

type Row = Record<string, unknown>;
interface Page {
  items: Row[];
  total: number;
  nextCursor: string | null;
}
interface ErrorBody {
  error: { code: string; message: string };
}
interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

const ADMIN_PW = 'correct horse battery staple';
const VIEWER_PW = 'viewer password 123';
const VC_PASSWORD = 'S3cr3t-vc-p@ss-Ω-never-returned';

let dir: string;
let engine: Engine;
let app: FastifyInstance;
let auth: AuthService;
let base: string;
let admin: string;
let viewer: string;
/** Every response text, checked at the end for stack traces. */
const seen: string[] = [];

const sql = <T>(query: string, ...params: (string | number)[]): T =>
  engine.database.sqlite.prepare(query).get(...params) as T;
const count = (query: string, ...params: (string | number)[]): number =>
  sql<{ n: number }>(query, ...params).n;

async function call(
  method: string,
  url: string,
  opts: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? admin : opts.token;
  if (token) headers['authorization'] = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] ??= 'application/json';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const r = await fetch(base + url, { method, headers, body });
  const text = await r.text();
  seen.push(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

const page = (r: Res): Page => r.json as Page;
const err = (r: Res): ErrorBody['error'] => (r.json as ErrorBody).error;

async function login(username: string, password: string): Promise<string> {
  const r = await call('POST', '/api/auth/login', { token: null, body: { username, password } });
  expect(r.status, r.text).toBe(200);
  return (r.json as { access_token: string }).access_token;
}

/** A raw request with the path sent byte-for-byte (fetch would normalise it). */
function rawGet(rawPath: string): Promise<{ status: number; text: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const rq = http.request(
      { host: u.hostname, port: Number(u.port), path: rawPath, method: 'GET' },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          seen.push(text);
          resolve({ status: res.statusCode ?? 0, text });
        });
      },
    );
    rq.on('error', reject);
    rq.end();
  });
}

/** Walks a list by keyset cursor; returns every row and the number of pages. */
async function walk(url: string, limit: number): Promise<{ rows: Row[]; pages: number; total: number }> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let total = -1;
  const sep = url.includes('?') ? '&' : '?';
  do {
    const r = await call(
      'GET',
      `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(r.status, `${url} page ${pages + 1}: ${r.text}`).toBe(200);
    const p = page(r);
    if (total === -1) total = p.total;
    expect(p.total).toBe(total);
    expect(p.items.length).toBeLessThanOrEqual(limit);
    rows.push(...p.items);
    cursor = p.nextCursor;
    pages++;
    expect(pages).toBeLessThan(10_000);
  } while (cursor);
  return { rows, pages, total };
}

const key = (r: Row): string => `${String(r['vcenterId'])}/${String(r['moid'])}`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-rest-'));
  const opened = openDatabase(dir);
  populateCache(opened, {
    vcenters: 4,
    vmsTotal: 3000,
    hostsTotal: 120,
    datastoresTotal: 40,
    seed: 7,
    failedVcenters: 1,
  });
  opened.close();
  engine = await openTestEngine(dir, { owner: 'rest test' });
  const rest = await startRest(engine, { host: '127.0.0.1', port: 0, version: 'test' });
  app = rest.app;
  auth = rest.auth;
  base = rest.url;
  await auth.addUser('admin', ADMIN_PW, 'admin');
  await auth.addUser('viewer', VIEWER_PW, 'viewer');
  admin = await login('admin', ADMIN_PW);
  viewer = await login('viewer', VIEWER_PW);
});

afterAll(async () => {
  await app?.close();
  engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('system routes', () => {
  it('serving REST gives SQLite a 64 MB page cache', () => {
    expect(engine.database.sqlite.pragma('cache_size', { simple: true })).toBe(-65536);
  });

  it('GET /health needs no token', async () => {
    const r = await call('GET', '/health', { token: null });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok', version: 'test' });
  });

  it('GET /docs/json is an OpenAPI 3 document listing the seed paths', async () => {
    const r = await call('GET', '/docs/json', { token: null });
    expect(r.status).toBe(200);
    const doc = r.json as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const expected: [string, string][] = [
      ['/health', 'get'],
      ['/api/auth/login', 'post'],
      ['/api/auth/logout', 'post'],
      ['/api/vcenters', 'get'],
      ['/api/vcenters', 'post'],
      ['/api/vcenters/{id}', 'put'],
      ['/api/vcenters/{id}', 'delete'],
      ['/api/vcenters/{id}/status', 'get'],
      ['/api/vcenters/sync', 'post'],
      ['/api/query/chat', 'post'],
      ['/api/vms', 'get'],
      ['/api/hosts', 'get'],
      ['/api/datastores', 'get'],
      ['/api/clusters', 'get'],
      ['/api/settings', 'get'],
      ['/api/settings/sync-interval', 'put'],
      ['/api/settings/scheduler/start', 'post'],
      ['/api/settings/scheduler/stop', 'post'],
      ['/api/stats', 'get'],
      ['/api/live', 'get'],
      ['/api/rpc/{name}', 'post'],
      ['/api/events', 'get'],
      ['/api/events/ticket', 'post'],
    ];
    for (const [p, m] of expected) expect(doc.paths[p]?.[m], `${m} ${p}`).toBeDefined();
    // The list routes document their paging headers.
    const vms = doc.paths['/api/vms']!['get'] as {
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    expect(Object.keys(vms.responses['200']?.headers ?? {}).sort()).toEqual(['Link', 'X-Total-Count']);
  });

  it('unknown routes answer 404 JSON', async () => {
    const r = await call('GET', '/api/nope');
    expect(r.status).toBe(404);
    expect(err(r).code).toBe('NOT_FOUND');
    const r2 = await call('GET', '/nope', { token: null });
    expect(r2.status).toBe(404);
    expect(err(r2).code).toBe('NOT_FOUND');
  });
});

describe('auth', () => {
  it('login answers an OAuth2-style bearer token', async () => {
    const r = await call('POST', '/api/auth/login', {
      token: null,
      body: { username: 'admin', password: ADMIN_PW },
    });
    expect(r.status).toBe(200);
    const t = r.json as { access_token: string; token_type: string; expires_in: number };
    expect(Object.keys(t).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(t.token_type).toBe('bearer');
    expect(t.access_token.split('.')).toHaveLength(3);
    expect(t.expires_in).toBeGreaterThan(0);
  });

  it('a wrong password is 401 with no hint which part was wrong', async () => {
    const r = await call('POST', '/api/auth/login', {
      token: null,
      body: { username: 'admin', password: 'not it at all' },
    });
    expect(r.status).toBe(401);
    expect(err(r)).toEqual({ code: 'LOGIN_FAILED', message: 'wrong user name or password' });
  });

  it('logout revokes the token', async () => {
    const t = await login('admin', ADMIN_PW);
    expect((await call('GET', '/api/vcenters', { token: t })).status).toBe(200);
    const out = await call('POST', '/api/auth/logout', { token: t });
    expect(out.status).toBe(200);
    expect(out.json).toEqual({ logged_out: true });
    const after = await call('GET', '/api/vcenters', { token: t });
    expect(after.status).toBe(401);
    expect(err(after).message).toMatch(/logged out/);
    // Other tokens keep working.
    expect((await call('GET', '/api/vcenters')).status).toBe(200);
  });

  it('rejects missing, malformed, expired, tampered and foreign tokens', async () => {
    const missing = await call('GET', '/api/vms', { token: null });
    expect(missing.status).toBe(401);
    expect(err(missing).code).toBe('LOGIN_FAILED');
    const basic = await call('GET', '/api/vms', { token: null, headers: { authorization: 'Basic YTpi' } });
    expect(basic.status).toBe(401);
    expect((await call('GET', '/api/vms', { token: 'not-a-jwt' })).status).toBe(401);

    const secret = Buffer.from(engine.vault.get('rest:jwt-secret') ?? '', 'base64');
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const now = Math.floor(Date.now() / 1000);
    const sign = (exp: number, s: Uint8Array = secret, issuer = 'vminer') =>
      new SignJWT({ role: 'admin' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('admin')
        .setJti(randomUUID())
        .setIssuedAt(now - 3600)
        .setExpirationTime(exp)
        .setIssuer(issuer)
        .sign(s);
    // The same secret with a future expiry is accepted: the rejections below are about the claim.
    expect((await call('GET', '/api/stats', { token: await sign(now + 600) })).status).toBe(200);
    const expired = await call('GET', '/api/vms', { token: await sign(now - 10) });
    expect(expired.status).toBe(401);
    expect(err(expired).message).toMatch(/expired/);
    expect((await call('GET', '/api/vms', { token: await sign(now + 600, secret, 'other') })).status).toBe(
      401,
    );
    const foreign = await sign(now + 600, new Uint8Array(32).fill(7));
    expect((await call('GET', '/api/vms', { token: foreign })).status).toBe(401);

    // Tampered: one character of the signature flipped; and the payload changed to viewer→admin.
    const [h, p, s] = admin.split('.') as [string, string, string];
    const flipped = s.slice(0, 5) + (s[5] === 'A' ? 'B' : 'A') + s.slice(6);
    const tampered = await call('GET', '/api/vms', { token: `${h}.${p}.${flipped}` });
    expect(tampered.status).toBe(401);
    expect(err(tampered).message).toBe('invalid token');
    const [vh, vp, vs] = viewer.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(vp, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    expect(
      (await call('POST', '/api/settings/scheduler/stop', { token: `${vh}.${forged}.${vs}` })).status,
    ).toBe(401);
    // alg: none
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    expect((await call('GET', '/api/vms', { token: none })).status).toBe(401);
  });

  it('a viewer reads but gets 403 on every write', async () => {
    expect((await call('GET', '/api/vms?limit=1', { token: viewer })).status).toBe(200);
    expect((await call('GET', '/api/stats', { token: viewer })).status).toBe(200);
    const writes: [string, string, unknown][] = [
      ['POST', '/api/vcenters', { name: 'x', url: 'https://x', username: 'u', password: 'p' }],
      ['PUT', '/api/vcenters/1', { name: 'renamed' }],
      ['DELETE', '/api/vcenters/1', undefined],
      ['POST', '/api/vcenters/sync', { vcenter_ids: [1] }],
      ['PUT', '/api/settings/sync-interval', { interval_minutes: 5 }],
      ['POST', '/api/settings/scheduler/start', undefined],
      ['POST', '/api/settings/scheduler/stop', undefined],
      ['POST', '/api/rpc/settings.update', { syncWorkers: 3 }],
    ];
    for (const [m, u, b] of writes) {
      const r = await call(m, u, { token: viewer, body: b });
      expect(r.status, `${m} ${u}`).toBe(403);
      expect(err(r).code).toBe('PERMISSION_DENIED');
    }
    // Nothing changed.
    expect(sql<{ name: string }>('SELECT name FROM vcenters WHERE id = 1').name).not.toBe('renamed');
    expect(engine.scheduler.state().enabled).toBe(false);
  });

  it('paths that only look public are not', async () => {
    for (const p of [
      '/docs/../api/vms',
      '//api/vms',
      '/api/vms/',
      '/API/vms',
      '/api/%76ms',
      '/health/../api/vms',
    ]) {
      const r = await rawGet(p);
      expect([401, 404], `${p}: ${r.status} ${r.text.slice(0, 200)}`).toContain(r.status);
      expect(r.text).not.toContain('"items"');
    }
  });
});

describe('vCenters', () => {
  let created: number;

  it('GET /api/vcenters lists the cache with sync state, one failed', async () => {
    const r = await call('GET', '/api/vcenters');
    expect(r.status).toBe(200);
    const list = r.json as { id: number; name: string; sync: { status: string } }[];
    expect(list).toHaveLength(count('SELECT count(*) AS n FROM vcenters'));
    expect(list.filter((v) => v.sync.status === 'failed')).toHaveLength(1);
    expect(list.filter((v) => v.sync.status === 'ok')).toHaveLength(3);
  });

  it('POST /api/vcenters registers (201) and never returns the password', async () => {
    const port = await freePort();
    const r = await call('POST', '/api/vcenters', {
      body: {
        name: 'vc-closed',
        url: `https://127.0.0.1:${port}/sdk`,
        username: 'administrator@vsphere.local',
        password: VC_PASSWORD,
        thumbprint: 'ab'.repeat(32),
        trustPresentedCert: false,
      },
    });
    expect(r.status, r.text).toBe(201);
    const v = r.json as {
      id: number;
      name: string;
      url: string;
      thumbprint: string;
      sync: { status: string };
    };
    created = v.id;
    expect(v.name).toBe('vc-closed');
    expect(v.thumbprint).toBe(Array(32).fill('AB').join(':'));
    expect(v.sync.status).toBe('idle');
    expect(r.text).not.toContain(VC_PASSWORD);
    expect(r.text.toLowerCase()).not.toContain('"password"');
    const list = await call('GET', '/api/vcenters');
    expect(list.text).not.toContain(VC_PASSWORD);
    expect(list.text.toLowerCase()).not.toContain('"password"');
    const one = await call('POST', '/api/rpc/vcenters.get', { body: { id: created } });
    expect(one.text).not.toContain(VC_PASSWORD);
    // The password went to the vault, not the database.
    for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('vminer.db')))
      expect(fs.readFileSync(path.join(dir, f)).includes(VC_PASSWORD), f).toBe(false);
  });

  it('POST /api/vcenters rejects a bad thumbprint and a duplicate-free bad body clearly', async () => {
    const bad = await call('POST', '/api/vcenters', {
      body: { name: 'x', url: 'https://x.example', username: 'u', password: 'p', thumbprint: 'zz' },
    });
    expect(bad.status).toBe(400);
    expect(err(bad).message).toMatch(/thumbprint/);
  });

  it('GET /api/vcenters/:id/status', async () => {
    const r = await call('GET', `/api/vcenters/${created}/status`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: created, name: 'vc-closed', status: 'idle' });
    const failed = await call('GET', '/api/vcenters');
    const f = (failed.json as { id: number; sync: { status: string } }[]).find(
      (v) => v.sync.status === 'failed',
    );
    const fr = await call('GET', `/api/vcenters/${f!.id}/status`);
    expect(fr.json).toMatchObject({ status: 'failed', error: { code: 'UNREACHABLE' } });
    expect((await call('GET', '/api/vcenters/999999/status')).status).toBe(404);
    const nan = await call('GET', '/api/vcenters/abc/status');
    expect(nan.status).toBe(400);
    expect(err(nan).message).toMatch(/id/);
  });

  it('POST /api/vcenters/sync answers 202; a closed port then shows failed', async () => {
    const r = await call('POST', '/api/vcenters/sync', { body: { vcenter_ids: [created] } });
    expect(r.status, r.text).toBe(202);
    expect(r.json).toEqual({ started: [created] });
    const st = await vi.waitFor(
      async () => {
        const s = await call('GET', `/api/vcenters/${created}/status`);
        const b = s.json as { status: string; error: { code: string; message: string } | null };
        expect(b.status).toBe('failed');
        return b;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(st.error?.code).toBe('REFUSED');
    expect((await call('POST', '/api/vcenters/sync', { body: { vcenter_ids: [999999] } })).status).toBe(404);
    const wrong = await call('POST', '/api/vcenters/sync', { body: { vcenter_ids: ['1'] } });
    expect(wrong.status).toBe(400);
    expect(err(wrong).message).toMatch(/vcenter_ids/);
  });

  it('PUT /api/vcenters/:id changes it; the password stays out of answers', async () => {
    const r = await call('PUT', `/api/vcenters/${created}`, {
      body: { name: 'vc-renamed', password: `${VC_PASSWORD}-2`, enabled: false },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ id: created, name: 'vc-renamed', enabled: false });
    expect(r.text).not.toContain(VC_PASSWORD);
    expect(engine.vault.get(`vcenter:${created}`)).toBe(`${VC_PASSWORD}-2`);
    expect((await call('PUT', '/api/vcenters/999999', { body: { name: 'x' } })).status).toBe(404);
    const bad = await call('PUT', `/api/vcenters/${created}`, { body: { enabled: 'yes' } });
    expect(bad.status).toBe(400);
    expect(err(bad).message).toMatch(/enabled/);
  });

  it('DELETE /api/vcenters/:id removes it', async () => {
    const r = await call('DELETE', `/api/vcenters/${created}`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ removed: true });
    expect((await call('GET', `/api/vcenters/${created}/status`)).status).toBe(404);
    // Deleting again is harmless: 200 with removed: false.
    const again = await call('DELETE', `/api/vcenters/${created}`);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ removed: false });
    expect(engine.vault.get(`vcenter:${created}`)).toBeUndefined();
  });
});

describe('questions', () => {
  it('POST /api/query/chat answers and follows up in the same conversation', async () => {
    const off = count("SELECT count(*) AS n FROM vms WHERE power_state = 'poweredOff'");
    const r = await call('POST', '/api/query/chat', { body: { query: 'powered off vms' } });
    expect(r.status, r.text).toBe(200);
    const a = r.json as { conversation_id: string; kind: string; total: number; rows: Row[] };
    expect(a.kind).toBe('rows');
    expect(a.total).toBe(off);
    expect(a.conversation_id).toMatch(/\S/);
    const f = await call('POST', '/api/query/chat', {
      body: { query: 'with more than 4 cpus', conversation_id: a.conversation_id },
    });
    expect(f.status).toBe(200);
    const b = f.json as { conversation_id: string; total: number };
    expect(b.conversation_id).toBe(a.conversation_id);
    expect(b.total).toBe(
      count("SELECT count(*) AS n FROM vms WHERE power_state = 'poweredOff' AND num_cpu > 4"),
    );
    const c = await call('POST', '/api/query/chat', {
      body: { query: 'how many', conversation_id: a.conversation_id },
    });
    expect(c.json).toMatchObject({ kind: 'count', value: b.total });
    // A word it does not know: not answered, and said so in machine-readable form.
    const unknown = await call('POST', '/api/query/chat', { body: { query: 'zombie vms' } });
    expect(unknown.status).toBe(200);
    expect(unknown.json).toMatchObject({
      kind: 'not_understood',
      understood: false,
      unknownWords: ['zombie'],
      rows: [],
    });
    expect(r.json).toMatchObject({ understood: true });
    const empty = await call('POST', '/api/query/chat', { body: { query: '' } });
    expect(empty.status).toBe(400);
    expect(err(empty).message).toMatch(/query/);
    // A viewer may ask.
    expect((await call('POST', '/api/query/chat', { token: viewer, body: { query: 'hosts' } })).status).toBe(
      200,
    );
  });
});

describe('inventory lists', () => {
  it('lists each entity with totals equal to direct SQL', async () => {
    for (const e of ['vms', 'hosts', 'datastores', 'clusters', 'datacenters', 'networks', 'snapshots']) {
      const r = await call('GET', `/api/${e}`);
      expect(r.status, `${e}: ${r.text.slice(0, 200)}`).toBe(200);
      const p = page(r);
      expect(p.total, e).toBe(count(`SELECT count(*) AS n FROM ${e}`));
      expect(p.items.length).toBe(Math.min(100, p.total));
    }
  });

  it('filters as parameters', async () => {
    const cases: [string, string][] = [
      ['/api/vms?powerState=poweredOff', "SELECT count(*) AS n FROM vms WHERE power_state = 'poweredOff'"],
      ['/api/vms?powerState=POWEREDOFF', "SELECT count(*) AS n FROM vms WHERE power_state = 'poweredOff'"],
      ['/api/vms?name=*web*', "SELECT count(*) AS n FROM vms WHERE name LIKE '%web%'"],
      ['/api/vms?numCpu.gte=8', 'SELECT count(*) AS n FROM vms WHERE num_cpu >= 8'],
      ['/api/vms?memoryMb.lt=4096', 'SELECT count(*) AS n FROM vms WHERE memory_mb < 4096'],
      [
        '/api/vms?powerState=poweredOn&numCpu.gte=8&memoryMb.lt=16384',
        "SELECT count(*) AS n FROM vms WHERE power_state = 'poweredOn' AND num_cpu >= 8 AND memory_mb < 16384",
      ],
      ['/api/vms?template=true', 'SELECT count(*) AS n FROM vms WHERE template = 1'],
      ['/api/vms?name.startsWith=ams01', "SELECT count(*) AS n FROM vms WHERE name LIKE 'ams01%'"],
      ['/api/hosts?memoryMb.gte=500000', 'SELECT count(*) AS n FROM hosts WHERE memory_mb >= 500000'],
      ['/api/datastores?name=*nfs*', "SELECT count(*) AS n FROM datastores WHERE name LIKE '%nfs%'"],
      ['/api/clusters?name=*Prod*', "SELECT count(*) AS n FROM clusters WHERE name LIKE '%prod%'"],
      [
        `/api/vms?filter=${encodeURIComponent(
          JSON.stringify({
            kind: 'or',
            filters: [
              { kind: 'cmp', field: 'numCpu', op: 'gte', value: 16 },
              { kind: 'text', field: 'powerState', op: 'equals', value: 'suspended' },
            ],
          }),
        )}`,
        "SELECT count(*) AS n FROM vms WHERE num_cpu >= 16 OR power_state = 'suspended'",
      ],
    ];
    for (const [url, q] of cases) {
      const r = await call('GET', url);
      expect(r.status, `${url}: ${r.text.slice(0, 300)}`).toBe(200);
      const expected = count(q);
      expect(page(r).total, url).toBe(expected);
      expect(page(r).items.length, url).toBe(Math.min(100, expected));
    }
    const sample = page(await call('GET', '/api/vms?powerState=poweredOff&numCpu.gte=8&limit=500')).items;
    expect(sample.length).toBeGreaterThan(0);
    for (const v of sample) {
      expect(v['powerState']).toBe('poweredOff');
      expect(v['numCpu']).toBeGreaterThanOrEqual(8);
    }
    const web = page(await call('GET', '/api/vms?name=*web*&limit=50')).items;
    for (const v of web) expect(String(v['name']).toLowerCase()).toContain('web');
  });

  it('rejects bad parameters with 400 naming them', async () => {
    const cases: [string, RegExp][] = [
      ['/api/vms?nope=1', /nope/],
      ['/api/vms?numCpu.gte=lots', /numCpu/],
      ['/api/vms?numCpu.between=1', /between/],
      ['/api/vms?template=maybe', /template/],
      ['/api/vms?sort=nope:desc', /nope/],
      ['/api/vms?sort=memoryMb:up', /asc or desc/],
      ['/api/vms?filter=%7Bnot-json', /filter/],
      [`/api/vms?filter=${encodeURIComponent('{"kind":"cmp","field":"numCpu"}')}`, /\S/],
      ['/api/vms?limit=1&limit=2', /limit/],
      ['/api/vms?offset=-1', /offset/],
    ];
    for (const [url, re] of cases) {
      const r = await call('GET', url);
      expect(r.status, `${url}: ${r.text}`).toBe(400);
      expect(err(r).code).toBe('INVALID_INPUT');
      expect(err(r).message, url).toMatch(re);
    }
  });

  it('sorts: memoryMb:desc, then name', async () => {
    const r = await call('GET', '/api/vms?sort=memoryMb:desc&limit=500');
    const items = page(r).items;
    expect(items).toHaveLength(500);
    for (let i = 1; i < items.length; i++)
      expect(Number(items[i - 1]!['memoryMb'])).toBeGreaterThanOrEqual(Number(items[i]!['memoryMb']));
    const max = sql<{ m: number }>('SELECT max(memory_mb) AS m FROM vms').m;
    expect(items[0]!['memoryMb']).toBe(max);
  });

  it('pagination edges: limit 1, 5000, 0 and 5001', async () => {
    const one = page(await call('GET', '/api/vms?limit=1'));
    expect(one.items).toHaveLength(1);
    expect(one.nextCursor).toEqual(expect.any(String));
    const all = page(await call('GET', '/api/vms?limit=5000'));
    expect(all.items).toHaveLength(all.total);
    expect(all.total).toBe(count('SELECT count(*) AS n FROM vms'));
    expect(all.nextCursor).toBeNull();
    for (const l of ['0', '5001', '-1', '1.5', 'ten', '']) {
      const r = await call('GET', `/api/vms?limit=${l}`);
      expect(r.status, `limit=${l}`).toBe(400);
      expect(err(r).message).toMatch(/limit/);
    }
  });

  it('a cursor walk returns every row of a filtered list exactly once, in order', async () => {
    const filters = 'powerState=poweredOff&sort=memoryMb:desc';
    const full = page(await call('GET', `/api/vms?${filters}&limit=5000`));
    expect(full.total).toBe(count("SELECT count(*) AS n FROM vms WHERE power_state = 'poweredOff'"));
    const w = await walk(`/api/vms?${filters}`, 37);
    expect(w.total).toBe(full.total);
    expect(w.rows.map(key)).toEqual(full.items.map(key));
    expect(new Set(w.rows.map(key)).size).toBe(full.total);
    expect(w.pages).toBeGreaterThanOrEqual(Math.ceil(full.total / 37));
  });

  it('cursor walks are exact for every kind of sort key (ties, NULLs, text, booleans, vCenter)', async () => {
    const sorts = [
      '',
      'sort=numCpu:asc',
      'sort=powerState:desc,numCpu:asc',
      'sort=oldestSnapshotAt:asc',
      'sort=oldestSnapshotAt:desc',
      'sort=ipAddress:asc',
      'sort=cluster:desc,memoryMb:asc',
      'sort=vcenter:desc',
      'sort=template:desc',
      'sort=name:desc',
    ];
    const filter = 'name=*0*';
    const expected = count("SELECT count(*) AS n FROM vms WHERE name LIKE '%0%'");
    for (const s of sorts) {
      const q = `/api/vms?${filter}${s ? `&${s}` : ''}`;
      const full = page(await call('GET', `${q}&limit=5000`));
      expect(full.total, q).toBe(expected);
      const w = await walk(q, 250);
      expect(w.rows.map(key), q).toEqual(full.items.map(key));
    }
    // Other entities too.
    for (const [e, s] of [
      ['hosts', 'sort=memoryMb:desc'],
      ['datastores', 'sort=freeBytes:asc'],
      ['clusters', 'sort=drsEnabled:asc'],
      ['snapshots', ''],
    ] as const) {
      const q = `/api/${e}${s ? `?${s}` : ''}`;
      const full = page(await call('GET', `${q}${s ? '&' : '?'}limit=5000`));
      const w = await walk(q, 7);
      expect(w.rows.map(key), q).toEqual(full.items.map(key));
      expect(full.total).toBe(count(`SELECT count(*) AS n FROM ${e}`));
    }
  });

  it('an invalid cursor is 400', async () => {
    const good = page(await call('GET', '/api/vms?limit=1')).nextCursor!;
    for (const c of [
      'garbage!!',
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
      good, // a cursor for a different sort has the wrong number of keys
    ]) {
      const url =
        c === good
          ? `/api/vms?sort=memoryMb:desc&cursor=${encodeURIComponent(c)}`
          : `/api/vms?cursor=${encodeURIComponent(c)}`;
      const r = await call('GET', url);
      expect(r.status, url).toBe(400);
      expect(err(r).message).toMatch(/cursor/);
    }
    const long = await call('GET', `/api/vms?cursor=${'A'.repeat(5000)}`);
    expect(long.status).toBe(400);
  });

  it('offset paging matches the full list', async () => {
    const full = page(await call('GET', '/api/vms?numCpu.gte=8&sort=numCpu:desc&limit=5000')).items;
    const rows: Row[] = [];
    for (let off = 0; off < full.length; off += 100) {
      const p = page(await call('GET', `/api/vms?numCpu.gte=8&sort=numCpu:desc&limit=100&offset=${off}`));
      expect(p.total).toBe(full.length);
      rows.push(...p.items);
    }
    expect(rows.map(key)).toEqual(full.map(key));
    const past = page(await call('GET', `/api/vms?numCpu.gte=8&offset=${full.length + 10}`));
    expect(past.items).toEqual([]);
    expect(past.nextCursor).toBeNull();
  });

  it('the Link header (rel="next") walks every row once; X-Total-Count is the total', async () => {
    const filters = 'powerState=poweredOn&sort=memoryMb:desc';
    const full = page(await call('GET', `/api/vms?${filters}&limit=5000`));
    const rows: Row[] = [];
    let next: string | null = `/api/vms?${filters}&limit=150&offset=0`;
    let pages = 0;
    while (next) {
      const r = await call('GET', next);
      expect(r.status, r.text).toBe(200);
      expect(r.headers.get('x-total-count')).toBe(String(full.total));
      const p = page(r);
      rows.push(...p.items);
      const link = r.headers.get('link');
      if (p.nextCursor === null) expect(link).toBeNull();
      else {
        const m = /^<(\/api\/vms\?[^>]+)>; rel="next"$/.exec(link ?? '');
        expect(m, `Link: ${link}`).not.toBeNull();
        const q = new URLSearchParams(m![1]!.split('?')[1]);
        // The request's own filters and limit, the body's cursor, and no offset.
        expect(q.get('cursor')).toBe(p.nextCursor);
        expect(q.get('offset')).toBeNull();
        expect([q.get('powerState'), q.get('sort'), q.get('limit')]).toEqual([
          'poweredOn',
          'memoryMb:desc',
          '150',
        ]);
      }
      next = link ? /^<([^>]+)>/.exec(link)![1]! : null;
      pages++;
      expect(pages).toBeLessThan(1000);
    }
    expect(rows.map(key)).toEqual(full.items.map(key));
  });

  it('booleans come back as booleans', async () => {
    const t = page(await call('GET', '/api/vms?template=true&limit=3')).items;
    expect(t[0]!['template']).toBe(true);
    const c = page(await call('GET', '/api/clusters?limit=3')).items;
    expect(typeof c[0]!['drsEnabled']).toBe('boolean');
  });
});

describe('settings, scheduler, stats, rpc', () => {
  it('GET /api/settings', async () => {
    const r = await call('GET', '/api/settings');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      syncWorkers: expect.any(Number),
      scheduler: { enabled: false, intervalMinutes: expect.any(Number) },
    });
  });

  it('GET /api/live and the update-mode settings', async () => {
    const r = await call('GET', '/api/live');
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ mode: 'live', paused: false, running: false, sessions: [] });
    const bad = await call('POST', '/api/rpc/settings.update', { body: { updateMode: 'sometimes' } });
    expect(bad.status).toBe(400);
    const ok = await call('POST', '/api/rpc/settings.update', { body: { updateMode: 'both', paused: true } });
    expect(ok.status, ok.text).toBe(200);
    expect((await call('GET', '/api/live')).json).toMatchObject({ mode: 'both', paused: true });
    await call('POST', '/api/rpc/settings.update', { body: { updateMode: 'live', paused: false } });
  });

  it('PUT /api/settings/sync-interval', async () => {
    const r = await call('PUT', '/api/settings/sync-interval', { body: { interval_minutes: 30 } });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ intervalMinutes: 30, cron: null, enabled: false });
    const c = await call('PUT', '/api/settings/sync-interval', { body: { cron: '0 */2 * * *' } });
    expect(c.json).toMatchObject({ cron: '0 */2 * * *' });
    const back = await call('PUT', '/api/settings/sync-interval', { body: { minutes: 45 } });
    expect(back.json).toMatchObject({ intervalMinutes: 45, cron: null });
    expect(engine.settings.get().scheduler).toMatchObject({ intervalMinutes: 45, cron: null });
    const bad = await call('PUT', '/api/settings/sync-interval', { body: { interval_minutes: 'x' } });
    expect(bad.status).toBe(400);
    expect(err(bad).message).toMatch(/interval_minutes/);
    expect((await call('PUT', '/api/settings/sync-interval', { body: {} })).status).toBe(400);
    expect((await call('PUT', '/api/settings/sync-interval', { body: { interval_minutes: 0 } })).status).toBe(
      400,
    );
    const cron = await call('PUT', '/api/settings/sync-interval', { body: { cron: 'every tuesday' } });
    expect(cron.status).toBe(400);
  });

  it('POST /api/settings/scheduler/start and stop', async () => {
    const on = await call('POST', '/api/settings/scheduler/start');
    expect(on.status, on.text).toBe(200);
    expect(on.json).toMatchObject({ enabled: true, nextRunAt: expect.any(String) });
    const off = await call('POST', '/api/settings/scheduler/stop');
    expect(off.json).toMatchObject({ enabled: false, nextRunAt: null });
    expect(engine.settings.get().scheduler.enabled).toBe(false);
  });

  it('GET /api/stats agrees with SQL', async () => {
    const r = await call('GET', '/api/stats');
    expect(r.status).toBe(200);
    const s = r.json as {
      totals: Record<string, number>;
      failedVcenters: string[];
      powerStates: Record<string, number>;
      capacity: { vmMemoryMb: number };
      history: {
        rows: number;
        bytes: number;
        oldestAt: string | null;
        retentionDays: number;
        maxRows: number;
      };
    };
    expect(s.totals['vms']).toBe(count('SELECT count(*) AS n FROM vms'));
    // The change history's size (the estate was stored by populateCache: a first-sync marker per vCenter).
    expect(s.history.rows).toBe(count('SELECT count(*) AS n FROM changes'));
    expect(s.history.rows).toBeGreaterThan(0);
    expect(s.history.bytes).toBeGreaterThan(0);
    expect(s.history).toMatchObject({ retentionDays: 180, maxRows: 2_000_000, oldestAt: expect.any(String) });
    expect(s.totals['hosts']).toBe(count('SELECT count(*) AS n FROM hosts'));
    expect(s.failedVcenters).toHaveLength(1);
    expect(s.powerStates['poweredOff']).toBe(
      count("SELECT count(*) AS n FROM vms WHERE power_state = 'poweredOff'"),
    );
    expect(s.capacity.vmMemoryMb).toBe(sql<{ m: number }>('SELECT sum(memory_mb) AS m FROM vms').m);
  });

  it('POST /api/rpc/{name}: allowed, unknown and permission-checked names', async () => {
    const r = await call('POST', '/api/rpc/inventory.list', {
      body: { entity: 'vms', limit: 2, sort: [{ field: 'numCpu', dir: 'desc' }] },
    });
    expect(r.status, r.text).toBe(200);
    const res = (r.json as { result: Page }).result;
    expect(res.items).toHaveLength(2);
    expect(res.total).toBe(count('SELECT count(*) AS n FROM vms'));
    // The grids' pages are the list route's, to the byte; a viewer reads them too; a bad cursor is 400.
    const route = await call('GET', '/api/vms?limit=2&sort=numCpu:desc', { token: viewer });
    expect(r.text).toBe(`{"result":${route.text}}`);
    const badCursor = await call('POST', '/api/rpc/inventory.list', {
      body: { entity: 'vms', limit: 2, cursor: 'bm90IGEgY3Vyc29y' },
    });
    expect(badCursor.status).toBe(400);
    expect(err(badCursor).code).toBe('INVALID_INPUT');
    const st = await call('POST', '/api/rpc/stats.get');
    expect(st.status).toBe(200);
    expect((await call('POST', '/api/rpc/vcenters.list', { token: viewer })).status).toBe(200);
    for (const name of ['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const u = await call('POST', `/api/rpc/${name}`, { body: {} });
      expect(u.status, name).toBe(404);
      expect(err(u).code).toBe('NOT_FOUND');
    }
    const bad = await call('POST', '/api/rpc/inventory.list', { body: { entity: 'toasters' } });
    expect(bad.status).toBe(400);
    expect(err(bad).message).toMatch(/entity/);
    expect((await call('POST', '/api/rpc/scheduler.start', { token: viewer })).status).toBe(403);
    expect((await call('POST', '/api/rpc/stats.get', { token: null })).status).toBe(401);
  });
});

describe('events (SSE)', () => {
  /** Opens the stream, runs `trigger` once connected, resolves with the first matching event. */
  async function firstEvent(
    url: string,
    headers: Record<string, string>,
    names: string[],
    trigger: () => Promise<unknown>,
  ): Promise<{ event: string; data: unknown }> {
    const ac = new AbortController();
    const r = await fetch(base + url, { headers, signal: ac.signal });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = r.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    let triggered = false;
    const timer = setTimeout(() => ac.abort(), 15_000);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += dec.decode(value, { stream: true });
        if (!triggered && buf.includes(': connected')) {
          triggered = true;
          await trigger();
        }
        for (const block of buf.split('\n\n')) {
          const ev = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (ev && data && names.includes(ev)) {
            seen.push(buf);
            return { event: ev, data: JSON.parse(data) as unknown };
          }
        }
      }
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
  }

  it('streams scheduler:state with the Authorization header', async () => {
    const e = await firstEvent(
      '/api/events',
      { authorization: `Bearer ${admin}` },
      ['scheduler:state', 'sync:progress'],
      () => call('POST', '/api/settings/scheduler/start'),
    );
    expect(e.event).toBe('scheduler:state');
    expect(e.data).toMatchObject({ enabled: true });
    await call('POST', '/api/settings/scheduler/stop');
  });

  it('needs a token or a ticket', async () => {
    expect((await call('GET', '/api/events', { token: null })).status).toBe(401);
    const bad = await call('GET', '/api/events?ticket=made-up', { token: null });
    expect(bad.status).toBe(401);
    expect((await call('GET', '/api/events?ticket=', { token: null })).status).toBe(401);
    expect((await call('POST', '/api/events/ticket', { token: null })).status).toBe(401);
  });

  it('a one-time ticket works once (second use 401)', async () => {
    const t = await call('POST', '/api/events/ticket', { token: viewer });
    expect(t.status).toBe(200);
    const { ticket, expires_in } = t.json as { ticket: string; expires_in: number };
    expect(expires_in).toBe(60);
    const e = await firstEvent(
      `/api/events?ticket=${encodeURIComponent(ticket)}`,
      {},
      ['scheduler:state'],
      () => call('POST', '/api/settings/scheduler/stop'),
    );
    expect(e.data).toMatchObject({ enabled: false });
    const again = await call('GET', `/api/events?ticket=${encodeURIComponent(ticket)}`, { token: null });
    expect(again.status).toBe(401);
    expect(err(again).message).toMatch(/ticket/);
  });

  it('streams sync:progress for a sync', async () => {
    const port = await freePort();
    const v = await call('POST', '/api/vcenters', {
      body: { name: 'vc-events', url: `https://127.0.0.1:${port}/sdk`, username: 'u', password: 'p4ssword' },
    });
    const id = (v.json as { id: number }).id;
    const e = await firstEvent('/api/events', { authorization: `Bearer ${admin}` }, ['sync:progress'], () =>
      call('POST', '/api/vcenters/sync', { body: { vcenter_ids: [id] } }),
    );
    expect(e.data).toMatchObject({ vcenterId: id, vcenter: 'vc-events' });
    await vi.waitFor(
      async () => {
        const s = (await call('GET', `/api/vcenters/${id}/status`)).json as { status: string };
        expect(s.status).toBe('failed');
      },
      { timeout: 15_000, interval: 100 },
    );
    await call('DELETE', `/api/vcenters/${id}`);
  });
});

describe('bad requests', () => {
  it('invalid JSON is 400 with a clear message', async () => {
    const r = await call('POST', '/api/vcenters', { raw: '{"name": "x",' });
    expect(r.status).toBe(400);
    expect(err(r).message).toMatch(/JSON/i);
    const chat = await call('POST', '/api/query/chat', { raw: 'not json' });
    expect(chat.status).toBe(400);
    expect(err(chat).message).toMatch(/JSON/i);
  });

  it('wrong types are 400 naming the field', async () => {
    const r = await call('POST', '/api/vcenters', {
      body: { name: 5, url: 'https://x.example', username: 'u', password: 'p' },
    });
    expect(r.status).toBe(400);
    expect(err(r).code).toBe('INVALID_INPUT');
    expect(err(r).message).toMatch(/^vcenters\.add: name: /);
    const missing = await call('POST', '/api/vcenters', { body: { name: 'x' } });
    expect(missing.status).toBe(400);
    expect(err(missing).message).toMatch(/url/);
    const chat = await call('POST', '/api/query/chat', { body: { query: 42 } });
    expect(chat.status).toBe(400);
    expect(err(chat).message).toMatch(/query/);
    const arr = await call('POST', '/api/vcenters', { body: [1, 2] });
    expect(arr.status).toBe(400);
    const nobody = await call('POST', '/api/vcenters');
    expect(nobody.status).toBe(400);
  });

  it('a body over 1 MB is 413', async () => {
    const big = JSON.stringify({ query: 'x'.repeat(1024 * 1024 + 10) });
    const r = await call('POST', '/api/query/chat', { raw: big });
    expect(r.status).toBe(413);
    expect(err(r).code).toBe('TOO_LARGE');
  });

  it('an unsupported content type is 415', async () => {
    const r = await call('POST', '/api/query/chat', {
      raw: 'query=hi',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(415);
    expect(err(r).message).toBeTruthy();
  });
});

describe('rate limiting', () => {
  it('the 11th quick failed login is 429', async () => {
    // Its own listener: the limiter's per-address budget is not shared with the logins above.
    const rest = await startRest(engine, { host: '127.0.0.1', port: 0, version: 'test' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const r = await fetch(`${rest.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: `wrong-${i}` }),
        });
        const text = await r.text();
        seen.push(text);
        statuses.push(r.status);
        if (i === 10) {
          expect((JSON.parse(text) as ErrorBody).error.code).toBe('RATE_LIMITED');
          expect(r.headers.get('retry-after')).toBeTruthy();
        }
      }
      expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
      // Even the right password is refused until the window passes.
      const ok = await fetch(`${rest.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PW }),
      });
      seen.push(await ok.text());
      expect(ok.status).toBe(429);
      // Other routes are not limited.
      const h = await fetch(`${rest.url}/health`);
      seen.push(await h.text());
      expect(h.status).toBe(200);
    } finally {
      await rest.app.close();
    }
  });
});

describe('hygiene', () => {
  it('no response contains a stack trace or a file path', () => {
    expect(seen.length).toBeGreaterThan(100);
    for (const text of seen) {
      expect(text).not.toMatch(/\n\s+at \S/);
      expect(text).not.toMatch(/\bat (?:\S+ )?\(?(?:file:|node:|\/)\S+:\d+/);
      expect(text).not.toMatch(/\.(?:ts|js|mjs|cjs):\d+:\d+/);
      expect(text).not.toContain('node_modules');
      expect(text).not.toContain(dir);
    }
  });
});
