import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { insertChanges, randomChanges } from '../../../testing/changes-seed.js';
import { openTestEngine } from '../../../testing/engine.js';
import { loginToken } from '../../../testing/rest-login.js';
import type { Engine } from '../engine.js';
import { startRest } from './serve.js';
import type { ChangesPage } from '../../../shared/changes.js';

/* GET /api/changes and changes.list over a real listener, against a real cache with seeded history. */

let dir: string;
let engine: Engine;
let app: FastifyInstance;
let base: string;
let viewer: string;
const NOW = new Date();

async function get(
  url: string,
  token: string | null = viewer,
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const r = await fetch(base + url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: r.status, headers: r.headers, body: await r.json() };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-changes-rest-'));
  const opened = openDatabase(dir);
  populateCache(opened, { vcenters: 2, vmsTotal: 200, hostsTotal: 10, datastoresTotal: 4, seed: 3 });
  const vcs = opened.sqlite.prepare('SELECT id, name FROM vcenters ORDER BY id').all() as {
    id: number;
    name: string;
  }[];
  insertChanges(
    opened.sqlite,
    randomChanges({ n: 2000, now: NOW, days: 10, seed: 9, vcenters: 2 }).map((r) => ({
      ...r,
      vcenterId: vcs[r.vcenterId - 1]!.id,
      vcenter: vcs[r.vcenterId - 1]!.name,
    })),
  );
  opened.close();
  engine = await openTestEngine(dir, { owner: 'changes rest test' });
  const rest = await startRest(engine, { host: '127.0.0.1', port: 0, version: 'test' });
  app = rest.app;
  base = rest.url;
  await rest.auth.addUser('viewer', 'viewer password 123', 'viewer');
  viewer = await loginToken(base, 'viewer', 'viewer password 123');
});

afterAll(async () => {
  await app?.close();
  engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/changes', () => {
  it('walks the last 3 days by the Link header, newest first, matching SQL', async () => {
    const since = '72h';
    const ids: number[] = [];
    let url: string | null = `/api/changes?since=${since}&limit=97`;
    let total = -1;
    while (url) {
      const r = await get(url);
      expect(r.status).toBe(200);
      const p = r.body as ChangesPage;
      if (total < 0) total = Number(r.headers.get('x-total-count'));
      ids.push(...p.items.map((x) => x.id));
      const link = r.headers.get('link');
      const next = link ? new URL(/<([^>]+)>/.exec(link)![1]!, base) : null;
      url = next ? next.pathname + next.search : null;
      expect(link === null).toBe(p.nextCursor === null);
    }
    const from = new Date(NOW.getTime() - 72 * 3_600_000).toISOString();
    const expected = engine.database.sqlite
      .prepare('SELECT id FROM changes WHERE at >= ? ORDER BY at DESC, id DESC')
      .pluck()
      .all(from) as number[];
    // The walk started a moment after NOW: the window may have moved by a row or so at its old end.
    expect(Math.abs(ids.length - expected.length)).toBeLessThanOrEqual(2);
    expect(ids.slice(0, expected.length - 2)).toEqual(expected.slice(0, expected.length - 2));
    expect(Math.abs(total - expected.length)).toBeLessThanOrEqual(2);
  });

  it('filters by kind list, entity, field and vCenter, and counts per kind', async () => {
    const vc = engine.database.sqlite
      .prepare('SELECT name FROM vcenters ORDER BY id LIMIT 1')
      .pluck()
      .get() as string;
    const r = await get(
      `/api/changes?kind=created,removed&entity=vms&vcenter=${encodeURIComponent(vc)}&limit=5000`,
    );
    expect(r.status).toBe(200);
    const p = r.body as ChangesPage;
    const n = (k: string): number =>
      engine.database.sqlite
        .prepare("SELECT count(*) FROM changes WHERE kind = ? AND entity = 'vms' AND vcenter = ?")
        .pluck()
        .get(k, vc) as number;
    expect(p.counts).toEqual({ created: n('created'), removed: n('removed'), changed: 0, 'first-sync': 0 });
    expect(p.items).toHaveLength(n('created') + n('removed'));
    const f = (await get('/api/changes?field=powerState&limit=3&counts=false')).body as ChangesPage;
    expect(f.counts).toBeUndefined();
    expect(f.items.every((x) => x.field === 'powerState')).toBe(true);
  });

  it('refuses bad parameters with 400 and a message to act on, and anonymous callers with 401', async () => {
    const bad = async (q: string, message: RegExp): Promise<void> => {
      const r = await get(`/api/changes?${q}`);
      expect(r.status, q).toBe(400);
      expect((r.body as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(message),
      });
    };
    await bad('since=tomorrowish', /not a time: use a duration/);
    await bad('limit=ten', /limit takes a whole number/);
    await bad('kind=renamed', /kind/);
    await bad('colour=red', /unknown parameter colour/);
    await bad('cursor=zzz', /cursor is not valid/);
    expect((await get('/api/changes', null)).status).toBe(401);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/changes');
  });

  it('answers changes.list over the RPC route for a viewer', async () => {
    const r = await fetch(`${base}/api/rpc/changes.list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ since: '1d', kind: ['changed'], limit: 2 }),
    });
    expect(r.status).toBe(200);
    const p = ((await r.json()) as { result: ChangesPage }).result;
    expect(p.items).toHaveLength(2);
    expect(p.items.every((x) => x.kind === 'changed')).toBe(true);
  });
});

describe('the "Last changed" column', () => {
  it('gives each listed object its latest change, and sorts by it', async () => {
    const sqlite = engine.database.sqlite;
    const vm = sqlite
      .prepare('SELECT vcenter_id AS vcenterId, moid, name FROM vms ORDER BY name LIMIT 1')
      .get() as {
      vcenterId: number;
      moid: string;
      name: string;
    };
    const at = new Date(NOW.getTime() + 60_000).toISOString();
    insertChanges(sqlite, [
      {
        at,
        vcenterId: vm.vcenterId,
        vcenter: 'x',
        entity: 'vms',
        moid: vm.moid,
        objectName: vm.name,
        kind: 'changed',
        field: 'numCpu',
        oldValue: '1',
        newValue: '2',
      },
    ]);
    const list = (await get('/api/vms?limit=20&sort=name')).body as { items: Record<string, unknown>[] };
    for (const r of list.items) {
      const want = sqlite
        .prepare('SELECT max(at) FROM changes WHERE vcenter_id = ? AND moid = ?')
        .pluck()
        .get(r['vcenterId'], r['moid']) as string | null;
      expect(r['lastChangedAt'], String(r['name'])).toBe(want);
    }
    expect(list.items[0]).toMatchObject({ name: vm.name, lastChangedAt: at });
    const newest = (await get('/api/vms?limit=1&sort=lastChangedAt:desc')).body as {
      items: Record<string, unknown>[];
    };
    expect(newest.items[0]).toMatchObject({ moid: vm.moid, lastChangedAt: at });
  });
});
