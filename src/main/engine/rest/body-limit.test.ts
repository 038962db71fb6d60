import { openTestEngine } from '../../../testing/engine.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportPreview } from '../../../shared/sources.js';
import { Engine } from '../engine.js';
import { startRest } from './serve.js';
import { loginToken } from '../../../testing/rest-login.js';

/*
 * Request body limits over a real listener on 127.0.0.1: every route takes at most 1 MB, except
 * the two imports that carry a whole CSV/XLSX file in the body (20 MB).
 */

const MB = 1024 * 1024;

let dir: string;
let engine: Engine;
let app: FastifyInstance;
let base: string;
let admin: string;

interface Res {
  status: number;
  json: { result?: unknown; error?: { code: string; message: string } };
}

async function post(url: string, body: string): Promise<Res> {
  const r = await fetch(base + url, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body,
  });
  return { status: r.status, json: (await r.json()) as Res['json'] };
}

/** A CSV vCenter list of about `bytes` bytes: `rows` vCenters, padded with a long (ignored) notes column. */
function csvList(rows: number, bytes: number): string {
  const perRow = Math.ceil(bytes / rows);
  const lines = ['name,host,notes'];
  for (let i = 0; i < rows; i++) {
    const start = `vc${i},vc${i}.corp.example,`;
    lines.push(start + 'x'.repeat(Math.max(0, perRow - start.length - 1)));
  }
  return lines.join('\n') + '\n';
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-body-limit-'));
  engine = await openTestEngine(dir, { owner: 'body limit test' });
  const rest = await startRest(engine, { host: '127.0.0.1', port: 0, version: 'test' });
  app = rest.app;
  base = rest.url;
  await rest.auth.addUser('admin', 'admin password 1', 'admin');
  admin = await loginToken(base, 'admin', 'admin password 1');
});

afterAll(async () => {
  await app?.close();
  engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('request body limits', () => {
  it('a 3 MB CSV list previews and applies through /api/rpc/import.*', async () => {
    const csv = csvList(3_000, 3 * MB);
    expect(csv.length).toBeGreaterThanOrEqual(3 * MB);
    const body = JSON.stringify({ content: csv });
    const preview = await post('/api/rpc/import.preview', body);
    expect(preview.status, JSON.stringify(preview.json.error)).toBe(200);
    expect((preview.json.result as ImportPreview).counts).toEqual({ add: 3_000, update: 0, skip: 0 });
    const applied = await post('/api/rpc/import.apply', body);
    expect(applied.status, JSON.stringify(applied.json.error)).toBe(200);
    expect(engine.vcenters.list()).toHaveLength(3_000);
  });

  it('the same file as base64 (as an XLSX travels) fits too', async () => {
    const csv = csvList(3_000, 3 * MB);
    const body = JSON.stringify({
      content: Buffer.from(csv).toString('base64'),
      encoding: 'base64',
      format: 'csv',
    });
    expect(body.length).toBeGreaterThan(4 * MB);
    const preview = await post('/api/rpc/import.preview', body);
    expect(preview.status, JSON.stringify(preview.json.error)).toBe(200);
    // The 3,000 imported above: all there already, nothing to add.
    expect((preview.json.result as ImportPreview).counts.add).toBe(0);
  });

  it('every other route keeps 1 MB: a 1.5 MB body is 413 naming the limit', async () => {
    const big = JSON.stringify({ content: 'x'.repeat(1.5 * MB) });
    for (const url of ['/api/rpc/sources.test', '/api/rpc/query.ask', '/api/query/chat', '/api/vcenters']) {
      const r = await post(url, big);
      expect(r.status, url).toBe(413);
      expect(r.json.error?.code).toBe('TOO_LARGE');
      expect(r.json.error?.message, url).toMatch(/1 MB/);
    }
  });

  it('an import over 20 MB is 413 naming the import limit', async () => {
    const body = JSON.stringify({ content: 'x'.repeat(20 * MB + 10) });
    for (const url of ['/api/rpc/import.preview', '/api/rpc/import.apply']) {
      const r = await post(url, body);
      expect(r.status, url).toBe(413);
      expect(r.json.error?.code).toBe('TOO_LARGE');
      expect(r.json.error?.message, url).toMatch(/20 MB/);
    }
  });

  it('the import routes still check the token, the role and the body', async () => {
    const anon = await fetch(`${base}/api/rpc/import.preview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"content":"name,host\\n"}',
    });
    expect(anon.status).toBe(401);
    const bad = await post('/api/rpc/import.preview', JSON.stringify({ content: 5 }));
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toMatch(/content/);
  });
});
