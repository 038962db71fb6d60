import { openTestEngine } from '../../../testing/engine.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTdsResponder, type TdsResponder } from '../../../testing/tds-responder.js';
import { Engine } from '../engine.js';
import { startRest } from '../rest/serve.js';
import { loginToken } from '../../../testing/rest-login.js';

/* The new contract entries over a real REST listener on 127.0.0.1: file content imports work,
   local-path requests are refused, writes need an admin, no secret comes back. */

let dir: string;
let engine: Engine;
let app: FastifyInstance;
let base: string;
let tds: TdsResponder;
const tokens: Record<string, string> = {};
const ACCOUNT_PW = 'Rest#Svc-Pw-Ω';

async function rpc(name: string, body: unknown, role: 'admin' | 'viewer' = 'admin') {
  const r = await fetch(`${base}/api/rpc/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  return {
    status: r.status,
    text,
    json: JSON.parse(text) as { result?: unknown; error?: { code: string; message: string } },
  };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-src-rest-'));
  engine = await openTestEngine(dir);
  const rest = await startRest(engine, { host: '127.0.0.1', port: 0, version: 'test' });
  app = rest.app;
  base = rest.url;
  tds = await startTdsResponder({
    logins: { reader: 'the right one' },
    answer: () => ({ columns: [{ name: 'name', type: 'nvarchar' }], rows: [] }),
  });
  await rest.auth.addUser('admin', 'admin password 1', 'admin');
  await rest.auth.addUser('viewer', 'viewer password 1', 'viewer');
  for (const [u, pw] of [
    ['admin', 'admin password 1'],
    ['viewer', 'viewer password 1'],
  ] as const) {
    tokens[u] = await loginToken(base, u, pw);
  }
});

afterAll(async () => {
  await tds?.close();
  await app?.close();
  engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sources over REST', () => {
  it('imports file content, refuses local paths, and needs an admin to write', async () => {
    const file = path.join(dir, 'list.csv');
    fs.writeFileSync(file, 'name,host\nvc1,vc1.corp\n');
    for (const name of ['import.previewFile', 'import.applyFile', 'doctor.run']) {
      const r = await rpc(name, { path: file });
      expect([r.status, r.json.error?.code]).toEqual([404, 'NOT_FOUND']);
    }
    const csv = 'name;host;tags\nvc1;vc1.corp;"a,b"\nvc1;vc1.corp;\n';
    // A preview reads configuration (which vCenters exist, who manages them): admins only.
    expect((await rpc('import.preview', { content: csv }, 'viewer')).status).toBe(403);
    const preview = await rpc('import.preview', { content: csv });
    expect(preview.status).toBe(200);
    expect((preview.json.result as { counts: unknown }).counts).toEqual({ add: 1, update: 0, skip: 1 });
    expect((await rpc('import.apply', { content: csv }, 'viewer')).status).toBe(403);
    const applied = await rpc('import.apply', { content: csv });
    expect((applied.json.result as { addedIds: number[] }).addedIds).toHaveLength(1);
    expect(engine.vcenters.list().map((v) => [v.name, v.tags])).toEqual([['vc1', ['a', 'b']]]);
  });

  it('adds a service account without ever answering its password', async () => {
    const add = await rpc('accounts.add', { name: 'corp', username: 'svc@corp', password: ACCOUNT_PW });
    expect(add.status).toBe(200);
    const list = await rpc('accounts.list', {}, 'viewer');
    expect(list.json.result).toEqual([expect.objectContaining({ name: 'corp', isDefault: true, usedBy: 1 })]);
    for (const r of [add, list]) expect(r.text).not.toContain(ACCOUNT_PW);
    const bad = await rpc('vcenters.add', {
      name: 'x',
      url: 'x.corp',
      credential: { kind: 'service' },
      password: 'p',
    });
    expect([bad.status, bad.json.error?.code]).toEqual([400, 'INVALID_INPUT']);
  });

  it('a database refusing the login is 502 LOGIN_FAILED: the caller’s token is fine and keeps working', async () => {
    const add = await rpc('sources.add', {
      name: 'cmdb',
      kind: 'mssql',
      connection: { server: '127.0.0.1', port: tds.port, database: 'CMDB', user: 'reader', encrypt: false },
      password: 'a wrong one',
      timeoutSeconds: 5,
      enabled: false,
    });
    expect(add.status).toBe(200);
    const id = (add.json.result as { id: number }).id;
    // A test connects to the source and shows raw rows: admins only.
    expect((await rpc('sources.test', { id }, 'viewer')).status).toBe(403);
    const t = await rpc('sources.test', { id });
    expect([t.status, t.json.error?.code]).toEqual([502, 'LOGIN_FAILED']);
    expect(t.json.error?.message).toMatch(
      /^cmdb: SQL Server 127\.0\.0\.1:\d+\/CMDB refused the login for reader/,
    );
    expect((await rpc('sources.list', {}, 'viewer')).status).toBe(200);
    // The caller's own login failing is still 401.
    const r = await fetch(`${base}/api/rpc/sources.list`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-a-token', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(401);
  });
});
