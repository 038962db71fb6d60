import { openTestEngine } from '../../../testing/engine.js';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTRACT, type RequestName } from '../../../shared/contract.js';
import { openDatabase } from '../db/database.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { users } from '../db/schema.js';
import { Engine } from '../engine.js';
import { createHandlers } from '../api.js';
import { ACCOUNT_FAILURES_MAX, type AuthService } from '../auth/auth-service.js';
import { startRest } from './serve.js';

/*
 * Issue 12 (security), over a real listener on 127.0.0.1: deny by default on every route however
 * its path is spelt, the Host check, roles by capability, tokens that end with the password or
 * role, SSE streams tied to their account and capped, and the smaller REST defects.
 */

const ADMIN_PW = 'correct horse battery staple';
const VIEWER_PW = 'viewer password 123';

let dir: string;
let engine: Engine;
let app: FastifyInstance;
let auth: AuthService;
let base: string;
let port: number;

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A request with the path and headers sent byte-for-byte (fetch would normalise the path). */
function raw(
  method: string,
  rawPath: string,
  opts: { token?: string; host?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Raw> {
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = { host: opts.host ?? `127.0.0.1:${port}`, ...opts.headers };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const rq = http.request(
      { host: '127.0.0.1', port, path: rawPath, method, headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    rq.on('error', reject);
    rq.setTimeout(10_000, () => rq.destroy(new Error(`${method} ${rawPath}: no answer in 10 s`)));
    rq.end(body);
  });
}

async function login(username: string, password: string, headers: Record<string, string> = {}): Promise<Raw> {
  return raw('POST', '/api/auth/login', { body: { username, password }, headers });
}
/** A token without the login route (whose per-address limit the last tests exercise). */
async function token(username: string, password: string): Promise<string> {
  return (await auth.login(username, password)).access_token;
}
const code = (r: Raw): string => (JSON.parse(r.text) as { error: { code: string } }).error.code;

/** Opens an SSE stream; resolves with the response once the first bytes arrive. */
function openStream(
  rawPath: string,
  tok?: string,
): Promise<{ status: number; ended: Promise<void>; res: http.IncomingMessage; destroy: () => void }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}` };
    if (tok) headers['authorization'] = `Bearer ${tok}`;
    const rq = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers }, (res) => {
      const ended = new Promise<void>((r) => {
        res.on('end', () => r());
        res.on('close', () => r());
      });
      res.resume();
      resolve({ status: res.statusCode ?? 0, ended, res, destroy: () => rq.destroy() });
    });
    rq.on('error', reject);
    rq.end();
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-sec-'));
  const opened = openDatabase(dir);
  populateCache(opened, { vcenters: 2, vmsTotal: 200, hostsTotal: 10, datastoresTotal: 6, seed: 3 });
  opened.close();
  engine = await openTestEngine(dir, { owner: 'security test' });
  // A vCenter whose name no HTTP header can carry raw, failed so that exports name it.
  engine.database.sqlite
    .prepare("UPDATE vcenters SET name = 'vc-zürich-東京' WHERE id = (SELECT min(id) FROM vcenters)")
    .run();
  const ui = path.join(dir, 'ui');
  fs.mkdirSync(ui);
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>vMiner</title>');
  const rest = await startRest(engine, {
    host: '127.0.0.1',
    port: 0,
    version: 'test',
    uiRoot: ui,
    pageWorkers: 0,
    eventLimits: { perUser: 2, total: 3, recheckMs: 200 },
  });
  app = rest.app;
  auth = rest.auth;
  base = rest.url;
  port = Number(new URL(base).port);
  await auth.addUser('admin', ADMIN_PW, 'admin');
  await auth.addUser('viewer', VIEWER_PW, 'viewer');
});

afterAll(async () => {
  await app?.close();
  engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Every route of the router table and every contract call, as concrete paths. */
function everyPath(): { method: string; path: string; public: boolean }[] {
  const out: { method: string; path: string; public: boolean }[] = [];
  for (const r of app.vminerRoutes()) {
    if (r.method === 'HEAD' || r.method === 'OPTIONS') continue;
    if (r.url === '/api/rpc/:name') {
      for (const name of Object.keys(CONTRACT) as RequestName[])
        out.push({ method: r.method, path: `/api/rpc/${name}`, public: false });
      continue;
    }
    out.push({
      method: r.method,
      path: r.url.replace(/:\w+/g, '1').replace('*', 'index.html'),
      public: r.public,
    });
  }
  return out;
}

/** Ways to spell the same path that a raw-URL check would not recognise. */
function spellings(p: string): string[] {
  const rest = p.slice('/api/'.length);
  const [first = '', ...more] = rest.split('/');
  const enc = (s: string): string =>
    [...s].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
  return [
    p,
    `/%61pi/${rest}`,
    `/%41%50%49/${rest}`,
    `/API/${rest}`,
    `/Api/${rest}`,
    `/api//${rest}`,
    `//api/${rest}`,
    `/api/./${rest}`,
    `/./api/${rest}`,
    `/x/../api/${rest}`,
    `/api/${enc(first)}${more.length ? `/${more.join('/')}` : ''}`,
    `/${enc('api')}/${enc(rest)}`,
    `/api/${rest}/`,
    `/api/${rest}?x=1`,
    `/api/${rest}%00`,
    `/api/${rest};x=1`,
  ];
}

describe('deny by default', () => {
  it('only /health, login, the docs and the UI files are public', () => {
    const open = app
      .vminerRoutes()
      .filter((r) => r.public && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`);
    for (const r of open)
      expect(r, r).toMatch(/^(GET \/health|POST \/api\/auth\/login|GET \/docs.*|GET \/(\*|index\.html)?)$/);
    expect(open).toContain('GET /health');
    expect(open).toContain('POST /api/auth/login');
    // Everything else the router knows needs a token.
    const closed = app.vminerRoutes().filter((r) => !r.public);
    expect(closed.map((r) => r.url)).toEqual(
      expect.arrayContaining(['/api/vcenters', '/api/rpc/:name', '/api/events']),
    );
  });

  it('no route and no contract call answers without a token, however the path is spelt', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of everyPath().filter((r) => !r.public && r.path.startsWith('/api/'))) {
      if (route.path === '/api/auth/login') continue;
      for (const p of spellings(route.path)) {
        const r = await raw(route.method, p, route.method === 'GET' ? {} : { body: {} }).catch(
          (err: unknown) => ({ status: -1, headers: {}, text: String(err) }),
        );
        checked++;
        if (![401, 404].includes(r.status))
          failures.push(`${route.method} ${p}: ${r.status} ${r.text.slice(0, 120)}`);
        else if (r.status === 404 && /"items"|"result"|"vcenters"/.test(r.text))
          failures.push(`${p}: data in a 404`);
      }
    }
    expect(checked).toBeGreaterThan(400);
    expect(failures).toEqual([]);
  });

  it('the percent-encoded paths of the report are refused, and still work with a token', async () => {
    expect((await raw('GET', '/%61pi/vcenters')).status).toBe(401);
    expect((await raw('POST', '/%61pi/query/chat', { body: { query: 'count vms' } })).status).toBe(401);
    expect((await raw('POST', '/%61pi/rpc/query.ask', { body: { question: 'count vms' } })).status).toBe(401);
    expect((await raw('GET', '/%61pi/events')).status).toBe(401);
    const t = await token('viewer', VIEWER_PW);
    expect((await raw('GET', '/%61pi/vcenters', { token: t })).status).toBe(200);
  });

  it('public routes answer without a token', async () => {
    expect((await raw('GET', '/health')).status).toBe(200);
    expect((await raw('GET', '/docs/json')).status).toBe(200);
    const page = await raw('GET', '/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>vMiner</title>');
  });
});

describe('Host header (DNS rebinding)', () => {
  it('a loopback listener answers only to its own names', async () => {
    const t = await token('admin', ADMIN_PW);
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `[::1]:${port}`,
      'localhost',
    ])
      expect((await raw('GET', '/api/vcenters', { token: t, host })).status, host).toBe(200);
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `localhost.evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
    ]) {
      for (const p of ['/api/vcenters', '/health', '/', '/docs/json']) {
        const r = await raw('GET', p, { token: t, host });
        expect(r.status, `${host} ${p}`).toBe(403);
        expect(code(r)).toBe('PERMISSION_DENIED');
        expect(r.text).toMatch(/DNS rebinding/);
      }
    }
  });
});

describe('roles by capability', () => {
  const adminOnly: [RequestName, unknown][] = [
    ['vcenters.probe', { url: 'https://127.0.0.1:1/sdk' }],
    ['sources.test', { id: 1 }],
    ['certs.review', {}],
    ['import.preview', { content: 'name,host\nvc9,vc9.corp\n' }],
    ['engine.info', {}],
    ['users.list', {}],
  ];

  it('a viewer cannot probe, test sources, review certificates, preview imports or read engine info', async () => {
    const t = await token('viewer', VIEWER_PW);
    for (const [name, args] of adminOnly) {
      const r = await raw('POST', `/api/rpc/${name}`, { token: t, body: args });
      expect(r.status, `${name}: ${r.text}`).toBe(403);
      expect(code(r)).toBe('PERMISSION_DENIED');
    }
    // Reading the inventory stays open to viewers.
    for (const [name, args] of [
      ['query.ask', { question: 'count vms' }],
      ['inventory.list', { entity: 'vms', limit: 1 }],
      ['stats.get', {}],
    ] as const)
      expect((await raw('POST', `/api/rpc/${name}`, { token: t, body: args })).status, name).toBe(200);
  });

  it('an admin may make those calls', async () => {
    const t = await token('admin', ADMIN_PW);
    for (const [name, args] of adminOnly) {
      const r = await raw('POST', `/api/rpc/${name}`, { token: t, body: args });
      expect([200, 404, 502], `${name}: ${r.status} ${r.text.slice(0, 200)}`).toContain(r.status);
    }
  });

  it('every contract entry declares a role, and every write is admin-only', () => {
    for (const [name, e] of Object.entries(CONTRACT)) {
      expect(['admin', 'viewer'], name).toContain(e.role);
      if (e.mutates) expect(e.role, name).toBe('admin');
    }
  });
});

describe('tokens end with the password, the role and the account', () => {
  it('a password change ends every token of that account at once, not other accounts’', async () => {
    await auth.addUser('pw-user', 'first password 1', 'viewer');
    const a = await token('pw-user', 'first password 1');
    const b = await token('pw-user', 'first password 1');
    const other = await token('viewer', VIEWER_PW);
    const handlers = createHandlers(engine);
    await handlers['users.setPassword']({ username: 'pw-user', password: 'second password 2' });
    for (const t of [a, b]) {
      const r = await raw('GET', '/api/stats', { token: t });
      expect(r.status).toBe(401);
      expect(r.text).toMatch(/changed since this token was issued/);
    }
    expect((await raw('GET', '/api/stats', { token: other })).status).toBe(200);
    expect(
      (await raw('GET', '/api/stats', { token: await token('pw-user', 'second password 2') })).status,
    ).toBe(200);
  });

  it('a role change ends the tokens; the new token carries the new role', async () => {
    await auth.addUser('role-user', 'role password 1', 'admin');
    const t = await token('role-user', 'role password 1');
    expect((await raw('POST', '/api/rpc/engine.info', { token: t, body: {} })).status).toBe(200);
    const r = await raw('POST', '/api/rpc/users.setRole', {
      token: await token('admin', ADMIN_PW),
      body: { username: 'role-user', role: 'viewer' },
    });
    expect(r.status, r.text).toBe(200);
    expect((await raw('GET', '/api/stats', { token: t })).status).toBe(401);
    const again = await token('role-user', 'role password 1');
    expect((await raw('POST', '/api/rpc/engine.info', { token: again, body: {} })).status).toBe(403);
  });

  it('a change made by another process (the CLI on the same database) ends the tokens too', async () => {
    await auth.addUser('cli-user', 'cli password 1', 'viewer');
    const t = await token('cli-user', 'cli password 1');
    expect((await raw('GET', '/api/stats', { token: t })).status).toBe(200);
    // What `vminer user passwd` does in its own process: a new hash and the next token version.
    const other = openDatabase(dir);
    other.sqlite
      .prepare('UPDATE users SET token_version = token_version + 1 WHERE username = ?')
      .run('cli-user');
    other.close();
    expect((await raw('GET', '/api/stats', { token: t })).status).toBe(401);
  });

  it('SSE streams of the account close when its password changes; others stay open', async () => {
    await auth.addUser('sse-user', 'sse password 1', 'viewer');
    const mine = await openStream('/api/events', await token('sse-user', 'sse password 1'));
    const theirs = await openStream('/api/events', await token('viewer', VIEWER_PW));
    expect(mine.status).toBe(200);
    expect(theirs.status).toBe(200);
    let closed = false;
    void mine.ended.then(() => (closed = true));
    await auth.setPassword('sse-user', 'sse password 2');
    await vi.waitFor(() => expect(closed).toBe(true), { timeout: 5_000 });
    expect(theirs.res.destroyed || theirs.res.readableEnded).toBe(false);
    theirs.destroy();
  });

  it('a stream closes within its re-check when another process changes the account', async () => {
    await auth.addUser('sse-cli', 'sse cli password', 'viewer');
    const s = await openStream('/api/events', await token('sse-cli', 'sse cli password'));
    let closed = false;
    void s.ended.then(() => (closed = true));
    engine.database.db.update(users).set({ tokenVersion: 5 }).where(eq(users.username, 'sse-cli')).run();
    await vi.waitFor(() => expect(closed).toBe(true), { timeout: 5_000 });
  });

  it('a ticket belongs to the account that asked for it and dies with its password', async () => {
    await auth.addUser('ticket-user', 'ticket password 1', 'viewer');
    const t = await token('ticket-user', 'ticket password 1');
    const ask = async (): Promise<string> => {
      const r = await raw('POST', '/api/events/ticket', { token: t });
      expect(r.status, r.text).toBe(200);
      return (JSON.parse(r.text) as { ticket: string }).ticket;
    };
    const ticket = await ask();
    const spare = await ask();
    const s = await openStream(`/api/events?ticket=${encodeURIComponent(ticket)}`);
    expect(s.status).toBe(200);
    let closed = false;
    void s.ended.then(() => (closed = true));
    await auth.setPassword('ticket-user', 'ticket password 2');
    await vi.waitFor(() => expect(closed).toBe(true), { timeout: 5_000 });
    const late = await raw('GET', `/api/events?ticket=${encodeURIComponent(spare)}`);
    expect(late.status).toBe(401);
    expect(late.text).toMatch(/logged out or changed/);
  });

  it('open streams are capped per account and in total', async () => {
    const t = await token('admin', ADMIN_PW);
    const a = await openStream('/api/events', t);
    const b = await openStream('/api/events', t);
    expect([a.status, b.status]).toEqual([200, 200]);
    const third = await raw('GET', '/api/events', { token: t });
    expect(third.status).toBe(429);
    expect(third.text).toMatch(/already has 2 open event streams/);
    const v = await openStream('/api/events', await token('viewer', VIEWER_PW));
    expect(v.status).toBe(200);
    // Three open in all: the server's limit.
    await auth.addUser('fourth', 'fourth password', 'viewer');
    const full = await raw('GET', '/api/events', { token: await token('fourth', 'fourth password') });
    expect(full.status).toBe(429);
    for (const s of [a, b, v]) s.destroy();
    // Closed streams free their places.
    await vi.waitFor(async () => {
      const again = await openStream('/api/events', t);
      again.destroy();
      expect(again.status).toBe(200);
    });
  });
});

describe('smaller defects', () => {
  it('sort, filter and column names that Object.prototype has are 400, never 500', async () => {
    const t = await token('viewer', VIEWER_PW);
    for (const p of [
      '/api/vms?sort=constructor',
      '/api/vms?sort=__proto__:desc',
      '/api/vms?constructor=1',
      '/api/vms?toString.gt=1',
      '/api/vms?hasOwnProperty=x',
      `/api/vms?filter=${encodeURIComponent(JSON.stringify({ kind: 'cmp', field: 'constructor', op: 'eq', value: 1 }))}`,
    ]) {
      const r = await raw('GET', p, { token: t });
      expect(r.status, `${p}: ${r.text}`).toBe(400);
    }
    const exp = await raw('POST', '/api/export/json', {
      token: t,
      body: { entity: 'vms', columns: ['constructor'] },
    });
    expect(exp.status, exp.text).toBe(400);
    const ask = await raw('POST', '/api/query/chat', {
      token: t,
      body: { query: 'vms sorted by constructor' },
    });
    expect(ask.status, ask.text).toBeLessThan(500);
  });

  it('an export naming a vCenter outside Latin-1 completes, with the names percent-encoded', async () => {
    engine.database.sqlite
      .prepare("UPDATE sync_state SET status = 'failed' WHERE vcenter_id = (SELECT min(id) FROM vcenters)")
      .run();
    const t = await token('viewer', VIEWER_PW);
    const r = await raw('POST', '/api/export/csv', { token: t, body: { entity: 'vcenters' } });
    expect(r.status).toBe(200);
    const failed = String(r.headers['x-vminer-failed-vcenters']);
    expect(failed.split(',').map(decodeURIComponent)).toContain('vc-zürich-東京');
    expect(r.text).toContain('vc-zürich-東京');
  });

  it('failed logins are limited per account, whatever address they come from', async () => {
    await auth.addUser('target', 'the real password', 'viewer');
    const proxied = await startRest(engine, {
      host: '127.0.0.1',
      port: 0,
      version: 'test',
      pageWorkers: 0,
      trustedProxies: ['127.0.0.1'],
    });
    try {
      const url = new URL(proxied.url);
      const post = (i: number, password: string): Promise<Response> =>
        fetch(`${proxied.url}/api/auth/login`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-forwarded-for': `203.0.113.${i}`,
            host: url.host,
          },
          body: JSON.stringify({ username: 'TARGET', password }),
        });
      for (let i = 0; i < ACCOUNT_FAILURES_MAX; i++) expect((await post(i, `wrong ${i}`)).status).toBe(401);
      const locked = await post(99, 'the real password');
      expect(locked.status).toBe(429);
      const body = (await locked.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('RATE_LIMITED');
      expect(body.error.message).toMatch(/too many failed logins for "TARGET"/);
    } finally {
      await proxied.app.close();
    }
  });

  it('without a trusted proxy, X-Forwarded-For does not get around the per-address limit', async () => {
    await auth.addUser('spray', 'spray password 1', 'viewer');
    let limited = 0;
    for (let i = 0; i < 12; i++) {
      const r = await login(`nobody-${i}`, 'x', { 'x-forwarded-for': `198.51.100.${i}` });
      if (r.status === 429) limited++;
    }
    expect(limited).toBeGreaterThan(0);
  });
});
