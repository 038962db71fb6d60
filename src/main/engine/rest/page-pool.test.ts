import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListRequestSchema, type ListRequest } from '../../../shared/contract.js';
import { VminerError } from '../../../shared/errors.js';
import { openDatabase, type OpenedDatabase } from '../db/database.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { ListPages, PageMemory, type JsonPage } from '../list-pages.js';
import { QueryService } from '../query/query-service.js';
import { PagePool } from './page-pool.js';

/* Worker threads on their own read-only connections build the very pages the engine would. */

let dir: string;
let opened: OpenedDatabase;
let lists: ListPages;
let pool: PagePool;

const req = (r: Partial<ListRequest> & Pick<ListRequest, 'entity'>): ListRequest =>
  ListRequestSchema.parse(r);
/** What the engine builds itself, with fresh totals. */
/** The engine's own build, as the in-thread fallback; counts its uses. */
let fallbacks = 0;
const fallback = (r: ListRequest): Promise<JsonPage> => {
  fallbacks++;
  return Promise.resolve(lists.build(r));
};
const reference = (r: ListRequest): string =>
  new ListPages(opened.sqlite, new QueryService({ sqlite: opened.sqlite })).build(r).body.toString('utf8');

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-pool-'));
  opened = openDatabase(dir);
  populateCache(opened, { vcenters: 3, vmsTotal: 900, hostsTotal: 30, datastoresTotal: 12, seed: 5 });
  lists = new ListPages(opened.sqlite, new QueryService({ sqlite: opened.sqlite }));
  pool = PagePool.create({ workers: 2, dataDir: dir, cacheKib: 16_000, memory: lists.memory, fallback })!;
});

afterAll(async () => {
  await pool?.close();
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('PagePool', () => {
  it('is not made without workers or without a worker script', () => {
    expect(
      PagePool.create({ workers: 0, dataDir: dir, cacheKib: 1, memory: lists.memory, fallback }),
    ).toBeUndefined();
  });

  it.each([
    ['vms by name', req({ entity: 'vms', limit: 70 })],
    [
      'vms by memory, descending',
      req({ entity: 'vms', limit: 110, sort: [{ field: 'memoryMb', dir: 'desc' }] }),
    ],
    [
      'vms filtered, by cluster',
      req({
        entity: 'vms',
        limit: 45,
        filter: { kind: 'text', field: 'powerState', op: 'equals', value: 'poweredOn' },
        sort: [{ field: 'cluster', dir: 'asc' }],
      }),
    ],
    ['hosts', req({ entity: 'hosts', limit: 7 })],
    ['datastores (built from row objects)', req({ entity: 'datastores', limit: 5 })],
  ])('%s: every page of a walk is the engine’s own', async (_label, r) => {
    let cursor: string | null = null;
    let pages = 0;
    do {
      const one: ListRequest = { ...r, ...(cursor ? { cursor } : {}) };
      const page = await pool.json(one);
      const text = page.body.toString('utf8');
      expect(text).toBe(reference(one));
      const body = JSON.parse(text) as { total: number; nextCursor: string | null };
      expect({ total: page.total, nextCursor: page.nextCursor }).toEqual({
        total: body.total,
        nextCursor: body.nextCursor,
      });
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(pages).toBeGreaterThan(0);
  });

  it('builds a page asked for by many at once once, then answers it from memory', async () => {
    const r = req({ entity: 'vms', limit: 33, sort: [{ field: 'numCpu', dir: 'desc' }] });
    const before = pool.built;
    const pages = await Promise.all(Array.from({ length: 10 }, () => pool.json(r)));
    expect(pool.built).toBe(before + 1);
    expect(new Set(pages.map((p) => p.body)).size).toBe(1);
    await pool.json(r);
    expect(pool.built).toBe(before + 1);
  });

  it('shows a write at once: the memory is dropped and the workers count again', async () => {
    const r = req({ entity: 'vms', limit: 20, sort: [{ field: 'memoryMb', dir: 'asc' }] });
    const before = await pool.json(r);
    const first = (JSON.parse(before.body.toString()) as { items: { vcenterId: number; moid: string }[] })
      .items[0]!;
    opened.sqlite
      .prepare('DELETE FROM vms WHERE vcenter_id = ? AND moid = ?')
      .run(first.vcenterId, first.moid);
    const after = await pool.json(r);
    expect(after.total).toBe(before.total - 1);
    expect(after.body.toString()).toBe(reference(r));
    expect(after.body.toString()).not.toContain(`"moid":"${first.moid}"`);
  });

  it('keeps an error’s code (a bad cursor is INVALID_INPUT)', async () => {
    const bad = pool.json(req({ entity: 'vms', limit: 10, cursor: 'bm90IGEgY3Vyc29y' }));
    await expect(bad).rejects.toBeInstanceOf(VminerError);
    await expect(bad).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('replaces a worker that stopped', async () => {
    // Fresh memory so every page is built again.
    const own = PagePool.create({
      workers: 1,
      dataDir: dir,
      cacheKib: 16_000,
      memory: new PageMemory(() => 0),
      fallback,
    })!;
    try {
      const r = req({ entity: 'vms', limit: 5 });
      await own.json(r);
      const [first] = own.threads();
      await first!.terminate();
      const again = await own.json(req({ entity: 'vms', limit: 6 }));
      expect(again.body.toString()).toBe(reference(req({ entity: 'vms', limit: 6 })));
      expect(own.threads()).toHaveLength(1);
      expect(own.threads()[0]).not.toBe(first);
    } finally {
      await own.close();
    }
  });

  it('builds pages in this thread, from then on, when no worker can start', async () => {
    const broken = PagePool.create({
      workers: 2,
      dataDir: dir,
      cacheKib: 16_000,
      memory: new PageMemory(() => 0),
      fallback,
      script: { file: path.join(dir, 'no-such-worker.js'), eval: false },
    })!;
    try {
      const before = fallbacks;
      const r = req({ entity: 'vms', limit: 8 });
      const pages = await Promise.all([broken.json(r), broken.json(req({ entity: 'hosts', limit: 3 }))]);
      expect(pages[0]!.body.toString()).toBe(reference(r));
      expect((await broken.json(req({ entity: 'vms', limit: 9 }))).total).toBe(pages[0]!.total);
      expect(fallbacks).toBe(before + 3);
      expect(broken.built).toBe(0);
    } finally {
      await broken.close();
    }
  });
});
