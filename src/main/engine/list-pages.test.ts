import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListRequestSchema, type ListRequest } from '../../shared/contract.js';
import { openDatabase, type OpenedDatabase } from './db/database.js';
import { populateCache } from '../../testing/generate-inventory.js';
import { ListPages } from './list-pages.js';
import { QueryService } from './query/query-service.js';

/*
 * The JSON pages SQLite writes must be the very text JSON.stringify writes for the row objects:
 * same keys, order, numbers, booleans, nulls and string escapes, and the same cursors.
 */

let dir: string;
let opened: OpenedDatabase;
let lists: ListPages;

const TRICKY = [
  'quote " backslash \\ slash /',
  'lines\nand\r\ttabs\bbell\fform',
  'control \u0001\u001f\u007f',
  'unicode é ü 日本 😀 \u2028\u2029',
  '',
];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-lists-'));
  opened = openDatabase(dir);
  populateCache(opened, {
    vcenters: 3,
    vmsTotal: 600,
    hostsTotal: 30,
    datastoresTotal: 12,
    seed: 11,
    failedVcenters: 1,
  });
  // Awkward text in names, notes and lists; a template; a NULL boolean-free row keeps its NULLs.
  const ids = opened.sqlite
    .prepare('SELECT rowid AS id FROM vms ORDER BY rowid LIMIT ?')
    .all(TRICKY.length) as {
    id: number;
  }[];
  const upd = opened.sqlite.prepare(
    'UPDATE vms SET name = ?, annotation = ?, datastores = ?, template = 1, cluster = NULL WHERE rowid = ?',
  );
  ids.forEach((r, i) => upd.run(`vm ${TRICKY[i]!}`, TRICKY[i]!, `ds1, ${TRICKY[i]!}`, r.id));
  lists = new ListPages(opened.sqlite, new QueryService({ sqlite: opened.sqlite }));
});

afterAll(() => {
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const req = (r: Partial<ListRequest> & Pick<ListRequest, 'entity'>): ListRequest =>
  ListRequestSchema.parse(r);

/** A page's JSON bytes as text; its header values must be the body's. */
function jsonText(r: ListRequest): string {
  const page = lists.json(r);
  const text = page.body.toString('utf8');
  const parsed = JSON.parse(text) as { total: number; nextCursor: string | null };
  expect({ total: page.total, nextCursor: page.nextCursor }).toEqual({
    total: parsed.total,
    nextCursor: parsed.nextCursor,
  });
  return text;
}

/** Walks every page both ways and compares the texts page by page. */
function walkBoth(r: ListRequest): number {
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const one = { ...r, ...(cursor ? { cursor } : {}) };
    const text = jsonText(one);
    expect(text).toBe(JSON.stringify(lists.page(one)));
    const next = (JSON.parse(text) as { nextCursor: string | null }).nextCursor;
    pages++;
    if (!next) return pages;
    cursor = next;
  }
}

describe('ListPages.json', () => {
  it.each([
    ['vms by name', req({ entity: 'vms', limit: 50 })],
    [
      'vms by memory, descending',
      req({ entity: 'vms', limit: 70, sort: [{ field: 'memoryMb', dir: 'desc' }] }),
    ],
    [
      'vms by cluster and host (NULL clusters)',
      req({
        entity: 'vms',
        limit: 64,
        sort: [
          { field: 'cluster', dir: 'asc' },
          { field: 'host', dir: 'asc' },
        ],
      }),
    ],
    [
      'vms by template (a boolean sort key)',
      req({ entity: 'vms', limit: 90, sort: [{ field: 'template', dir: 'desc' }] }),
    ],
    [
      'vms filtered',
      req({
        entity: 'vms',
        limit: 25,
        filter: { kind: 'cmp', field: 'numCpu', op: 'gte', value: 4 },
        sort: [{ field: 'numCpu', dir: 'desc' }],
      }),
    ],
    [
      'vms in one vCenter',
      req({
        entity: 'vms',
        limit: 40,
        filter: { kind: 'text', field: 'vcenter', op: 'equals', value: 'vc-ams-01' },
      }),
    ],
    ['hosts (a boolean field)', req({ entity: 'hosts', limit: 7 })],
    ['clusters', req({ entity: 'clusters', limit: 3 })],
    ['networks', req({ entity: 'networks', limit: 9 })],
    ['snapshots', req({ entity: 'snapshots', limit: 11 })],
    ['datacenters', req({ entity: 'datacenters', limit: 2 })],
    ['vcenters', req({ entity: 'vcenters', limit: 2 })],
    ['datastores (a REAL column: serialised rows)', req({ entity: 'datastores', limit: 5 })],
  ])('%s: every page is the text JSON.stringify writes', (_label, r) => {
    expect(walkBoth(r)).toBeGreaterThan(0);
  });

  it('pages with offsets and empty pages alike', () => {
    for (const offset of [0, 1, 599, 600, 5000]) {
      const r = req({ entity: 'vms', limit: 100, offset });
      expect(jsonText(r)).toBe(JSON.stringify(lists.page(r)));
    }
    const none = req({
      entity: 'vms',
      filter: { kind: 'text', field: 'name', op: 'equals', value: 'no such vm' },
    });
    expect(jsonText(none)).toBe('{"items":[],"total":0,"nextCursor":null}');
  });

  it('keeps awkward text intact', () => {
    const r = req({
      entity: 'vms',
      limit: 10,
      filter: { kind: 'text', field: 'name', op: 'startsWith', value: 'vm ' },
    });
    const page = JSON.parse(jsonText(r)) as {
      items: { annotation: string; template: boolean; cluster: null }[];
    };
    expect(page.items.map((i) => i.annotation).sort()).toEqual([...TRICKY].sort());
    expect(page.items.every((i) => i.template === true && i.cluster === null)).toBe(true);
  });
});

describe('remembered JSON pages', () => {
  interface Item {
    vcenterId: number;
    moid: string;
    annotation: string | null;
  }
  const firstItem = (text: string): Item => (JSON.parse(text) as { items: Item[] }).items[0]!;

  it('answers a remembered page until the data changes', () => {
    const r = req({ entity: 'vms', limit: 5, sort: [{ field: 'numCpu', dir: 'desc' }] });
    const before = jsonText(r);
    expect(jsonText(r)).toBe(before);
    // The very same bytes: not built again.
    expect(lists.json(r).body).toBe(lists.json(r).body);
    const { vcenterId, moid } = firstItem(before);
    opened.sqlite
      .prepare('UPDATE vms SET annotation = ? WHERE vcenter_id = ? AND moid = ?')
      .run('changed', vcenterId, moid);
    const after = jsonText(r);
    expect(firstItem(after).annotation).toBe('changed');
    expect(after).toBe(JSON.stringify(lists.page(r)));
  });
});
