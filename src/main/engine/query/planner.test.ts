import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryPlan } from '../../../shared/query.js';
import { openDatabase, type OpenedDatabase } from '../db/database.js';
import { populateCache } from '../db/generate-inventory.js';
import { encodeCursor, pageQuery, type SqlQuery } from './planner.js';

/* Keyset pages seek the sort index to the cursor instead of scanning the order up to it. */

let dir: string;
let opened: OpenedDatabase;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-planner-'));
  opened = openDatabase(dir);
  populateCache(opened, { vcenters: 2, vmsTotal: 400, hostsTotal: 20, datastoresTotal: 8, seed: 3 });
});

afterAll(() => {
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const planOf = (q: SqlQuery): string =>
  (opened.sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[])
    .map((r) => r.detail)
    .join(' | ');

/** The second page of a plan's keyset walk. */
function secondPage(plan: QueryPlan): SqlQuery {
  const first = pageQuery(plan, { limit: 50 });
  const rows = opened.sqlite.prepare(first.sql).all(...first.params) as Record<string, unknown>[];
  return pageQuery(plan, { limit: 50, cursor: encodeCursor(plan, rows.at(-1)!) });
}

describe('pageQuery', () => {
  it.each([
    ['name', { entity: 'vms' } as QueryPlan, 'vms_name', '(name,vcenter_id,moid)>'],
    [
      'memory',
      { entity: 'vms', sort: [{ field: 'memoryMb', dir: 'asc' }] } as QueryPlan,
      'vms_memory',
      '(memory_mb,name,vcenter_id,moid)>',
    ],
    [
      'vCPUs',
      { entity: 'vms', sort: [{ field: 'numCpu', dir: 'asc' }] } as QueryPlan,
      'vms_num_cpu',
      '(num_cpu,name,vcenter_id,moid)>',
    ],
  ])('seeks the %s index with the whole cursor', (_label, plan, index, seek) => {
    const detail = planOf(secondPage(plan));
    expect(detail).toContain(`SEARCH t USING`);
    expect(detail).toContain(index);
    expect(detail).toContain(seek);
  });
});
