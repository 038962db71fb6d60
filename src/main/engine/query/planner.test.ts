import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryPlan } from '../../../shared/query.js';
import { openDatabase, type OpenedDatabase } from '../db/database.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { encodeCursor, pageQueries, pageQuery, type SqlQuery } from './planner.js';

/* Keyset pages seek the sort index to the cursor instead of scanning the order up to it. */

let dir: string;
let opened: OpenedDatabase;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-planner-'));
  opened = openDatabase(dir);
  populateCache(opened, { vcenters: 2, vmsTotal: 400, hostsTotal: 20, datastoresTotal: 8, seed: 3 });
  // NULLs in sort keys: the first stretch of an ascending order, the last of a descending one.
  opened.sqlite.exec('UPDATE vms SET cluster = NULL WHERE rowid % 5 = 0');
  opened.sqlite.exec('UPDATE vms SET memory_mb = NULL WHERE rowid % 7 = 0');
});

afterAll(() => {
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const planOf = (q: SqlQuery): string =>
  (opened.sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[])
    .map((r) => r.detail)
    .join(' | ');

/** A page of a plan's keyset walk after the 100th row, or the first row after it whose sort key is set. */
function secondPage(plan: QueryPlan): SqlQuery {
  // Past the NULLs of the sort key, which come first.
  const all = pageQuery(plan, { limit: 100_000 });
  const rows = opened.sqlite.prepare(all.sql).all(...all.params) as Record<string, unknown>[];
  const lead = plan.sort?.[0]?.field ?? 'name';
  const at = rows.findIndex((r, i) => i >= 99 && r[lead] !== null);
  return pageQuery(plan, { limit: 100, cursor: encodeCursor(plan, rows[at]!) });
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
    [
      'cluster (then host)',
      { entity: 'vms', sort: [{ field: 'cluster', dir: 'asc' }] } as QueryPlan,
      'vms_cluster',
      '(cluster,host,name,vcenter_id,moid)>',
    ],
    [
      'cluster and host',
      {
        entity: 'vms',
        sort: [
          { field: 'cluster', dir: 'asc' },
          { field: 'host', dir: 'asc' },
        ],
      } as QueryPlan,
      'vms_cluster',
      '(cluster,host,name,vcenter_id,moid)>',
    ],
    [
      'host',
      { entity: 'vms', sort: [{ field: 'host', dir: 'asc' }] } as QueryPlan,
      'vms_host',
      '(host,name,vcenter_id,moid)>',
    ],
    [
      'power state',
      { entity: 'vms', sort: [{ field: 'powerState', dir: 'asc' }] } as QueryPlan,
      'vms_power_state',
      '(power_state,name,vcenter_id,moid)>',
    ],
    [
      'guest OS',
      { entity: 'vms', sort: [{ field: 'guestFullName', dir: 'asc' }] } as QueryPlan,
      'vms_guest',
      '(guest_full_name,name,vcenter_id,moid)>',
    ],
    [
      'IP address',
      { entity: 'vms', sort: [{ field: 'ipAddress', dir: 'asc' }] } as QueryPlan,
      'vms_ip',
      '(ip_address,name,vcenter_id,moid)>',
    ],
  ])('seeks the %s index with the whole cursor, with no sort step', (_label, plan, index, seek) => {
    const detail = planOf(secondPage(plan));
    expect(detail).toContain(`SEARCH t USING`);
    expect(detail).toContain(index);
    expect(detail).toContain(seek);
    expect(detail).not.toContain('TEMP B-TREE');
  });

  const off = { kind: 'text', field: 'powerState', op: 'equals', value: 'poweredOff' } as const;
  const small = { kind: 'cmp', field: 'memoryMb', op: 'lt', value: 4096 } as const;

  it('an equality filter whose index runs in the page order seeks that index (walking the order)', () => {
    // Powered-off VMs by name: the power-state index lists them by name, vCenter, moid.
    const plan: QueryPlan = { entity: 'vms', filter: { kind: 'and', filters: [off, small] } };
    const detail = planOf(pageQuery(plan, { limit: 100, preferOrder: true }));
    expect(detail).toContain('vms_power_state (power_state=?)');
    expect(detail).not.toContain('TEMP B-TREE');
  });

  it('an equality filter whose index does not run in the page order stays off its index', () => {
    // Powered-off VMs by vCPUs: walk the vCPU index and skip the powered-on ones.
    const plan: QueryPlan = { entity: 'vms', filter: off, sort: [{ field: 'numCpu', dir: 'desc' }] };
    const detail = planOf(pageQuery(plan, { limit: 100, preferOrder: true }));
    expect(detail).toContain('vms_num_cpu');
    expect(detail).not.toContain('TEMP B-TREE');
    // Below an OR the equality is no seek: it stays unindexed as well.
    const either: QueryPlan = {
      entity: 'vms',
      filter: { kind: 'or', filters: [off, small] },
    };
    expect(pageQuery(either, { limit: 100, preferOrder: true }).sql).toMatch(/\+t\."power_state" = \?/);
  });
});

/** Every row of a plan, page by page through `pageQueries`, as vCenter/moid keys. */
function walk(plan: QueryPlan, limit: number): string[] {
  const keys: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const rows: Record<string, unknown>[] = [];
    for (const q of pageQueries(plan, { limit, cursor })) {
      if (rows.length >= limit) break;
      const params = rows.length === 0 ? q.params : [...q.params.slice(0, -1), limit - rows.length];
      rows.push(...(opened.sqlite.prepare(q.sql).all(...params) as Record<string, unknown>[]));
    }
    keys.push(...rows.map((r) => `${String(r['vcenterId'])}/${String(r['moid'])}`));
    if (rows.length < limit) return keys;
    cursor = encodeCursor(plan, rows.at(-1)!);
  }
  throw new Error('no end');
}

describe('pageQueries', () => {
  it.each([
    ['memory, descending (NULLs last)', [{ field: 'memoryMb', dir: 'desc' }]],
    ['memory, ascending (NULLs first)', [{ field: 'memoryMb', dir: 'asc' }]],
    [
      'cluster and host (NULL clusters first)',
      [
        { field: 'cluster', dir: 'asc' },
        { field: 'host', dir: 'asc' },
      ],
    ],
    ['cluster, descending', [{ field: 'cluster', dir: 'desc' }]],
    [
      'mixed directions',
      [
        { field: 'cluster', dir: 'asc' },
        { field: 'memoryMb', dir: 'desc' },
      ],
    ],
  ] as [string, QueryPlan['sort']][])('walks %s in the order of one full query', (_label, sort) => {
    const plan: QueryPlan = { entity: 'vms', sort };
    const all = pageQuery(plan, { limit: 100_000 });
    const expected = (opened.sqlite.prepare(all.sql).all(...all.params) as Record<string, unknown>[]).map(
      (r) => `${String(r['vcenterId'])}/${String(r['moid'])}`,
    );
    expect(expected).toHaveLength(400);
    for (const limit of [1, 7, 50]) expect(walk(plan, limit)).toEqual(expected);
  });

  it('seeks both stretches of a descending order', () => {
    const plan: QueryPlan = { entity: 'vms', sort: [{ field: 'memoryMb', dir: 'desc' }] };
    const first = pageQuery(plan, { limit: 50 });
    const rows = opened.sqlite.prepare(first.sql).all(...first.params) as Record<string, unknown>[];
    const queries = pageQueries(plan, { limit: 50, cursor: encodeCursor(plan, rows.at(-1)!) });
    expect(queries).toHaveLength(2);
    expect(planOf(queries[0]!)).toContain('(memory_mb,name,vcenter_id,moid)<');
    expect(planOf(queries[1]!)).toMatch(/SEARCH t USING (COVERING )?INDEX vms_memory \(memory_mb=\?\)/);
  });
});
