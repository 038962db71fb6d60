import { describe, expect, it } from 'vitest';
import type { QueryPlan } from '../../../shared/query.js';
import {
  aggregateQuery,
  countQuery,
  encodeCursor,
  groupQuery,
  pageQueries,
  pageQuery,
  rowsQuery,
  type SqlQuery,
} from './planner.js';
import { SqlParams } from './sql-dialect.js';

/* The planner writes each dialect's own SQL (the answers are compared on real servers in
   query/pg-parity.integration.test.ts); here, what the text must and must not hold. */

const plans: QueryPlan[] = [
  { entity: 'vms' },
  {
    entity: 'vms',
    filter: {
      kind: 'and',
      filters: [
        { kind: 'text', field: 'cluster', op: 'equals', value: 'Prod-A' },
        { kind: 'cmp', field: 'memoryMb', op: 'gt', value: 1.5 },
        { kind: 'cmp', field: 'template', op: 'eq', value: true },
        { kind: 'not', filter: { kind: 'text', field: 'name', op: 'contains', value: 'web_' } },
        { kind: 'text', field: 'ipAddresses', op: 'equals', value: '10.0.0.1' },
        { kind: 'text', field: 'vcenter', op: 'equals', value: 'vc-1' },
        {
          kind: 'has',
          relation: 'tags',
          filter: { kind: 'text', field: 'name', op: 'equals', value: 'gold' },
        },
        { kind: 'or', filters: [] },
      ],
    },
    sort: [{ field: 'memoryMb', dir: 'desc' }],
  },
  { entity: 'changes', filter: { kind: 'text', field: 'object', op: 'equals', value: 'web-01' } },
  { entity: 'snapshots', sort: [{ field: 'ageDays', dir: 'asc' }] },
  { entity: 'vcenters' },
];

const GROUP: Partial<Record<QueryPlan['entity'], string>> = { changes: 'kind', vcenters: 'status' };
const AVG: Partial<Record<QueryPlan['entity'], string>> = {
  vms: 'memoryMb',
  snapshots: 'ageDays',
  changes: 'at',
};

function statements(plan: QueryPlan, d: 'sqlite' | 'pg'): SqlQuery[] {
  const first = { limit: 50, dialect: d } as const;
  const row = { name: 'web-01', memoryMb: null, vcenterId: 1, moid: 'vm-1', at: '2026-01-01', id: 4 };
  const cursor = encodeCursor(plan, row);
  return [
    rowsQuery(plan, { limit: 10, offset: 5, dialect: d }),
    countQuery(plan, d),
    groupQuery({ ...plan, groupBy: GROUP[plan.entity] ?? 'name' }, 500, d),
    aggregateQuery({ ...plan, aggregate: { fn: 'avg', field: AVG[plan.entity] ?? 'vmCount' } }, d),
    pageQuery(plan, { ...first, cursor }),
    ...pageQueries(plan, { ...first, cursor }),
    pageQuery(plan, { ...first, json: true }),
  ];
}

describe('the planner per dialect', () => {
  it.each(plans.map((p) => [JSON.stringify(p), p] as const))('PostgreSQL: %s', (_n, plan) => {
    for (const q of statements(plan, 'pg')) {
      expect(q.sql).not.toMatch(
        /\?|COLLATE NOCASE|group_concat|julianday|CROSS JOIN|\bMATCH\b|json_object\(/,
      );
      expect(q.sql).not.toMatch(/\bLIKE\b/);
      // $1…$n, each used, none beyond the parameters.
      const used = new Set([...q.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      expect([...used].sort((a, b) => a - b)).toEqual(q.params.map((_, i) => i + 1));
    }
  });

  it.each(plans.map((p) => [JSON.stringify(p), p] as const))('SQLite: %s', (_n, plan) => {
    for (const q of statements(plan, 'sqlite')) {
      expect(q.sql).not.toMatch(/\$\d|ILIKE|NULLS (FIRST|LAST)|string_agg|lower\(/);
      expect(q.sql.split('?').length - 1).toBe(q.params.length);
      expect(q.params.every((p) => typeof p !== 'boolean')).toBe(true);
    }
  });

  it('binds numbers PostgreSQL cannot type from an integer column with a cast', () => {
    const b = new SqlParams('pg');
    expect([b.bind(3), b.bind(1.5), b.bind(3e9), b.bind('x'), b.bind(true)]).toEqual([
      '$1',
      '$2::double precision',
      '$3::bigint',
      '$4',
      '$5',
    ]);
    const s = new SqlParams('sqlite');
    expect([s.bind(true), s.bind(false), s.bind(2)]).toEqual(['?', '?', '?']);
    expect(s.values).toEqual([1, 0, 2]);
  });

  it('SQLite keeps its NOCASE order; PostgreSQL orders lower() with SQLite’s NULL places where NULLs can be', () => {
    const plan: QueryPlan = { entity: 'hosts', sort: [{ field: 'cluster', dir: 'desc' }] };
    expect(rowsQuery(plan, { limit: 1, offset: 0 }).sql).toContain(
      'ORDER BY t."cluster" COLLATE NOCASE DESC, t."name" COLLATE NOCASE DESC, t.vcenter_id DESC, t.moid DESC',
    );
    expect(rowsQuery(plan, { limit: 1, offset: 0, dialect: 'pg' }).sql).toContain(
      // NOT NULL keys leave the NULL placement unsaid (an index serves them either way).
      'ORDER BY lower(t."cluster") DESC NULLS LAST, lower(t."name") DESC, t.vcenter_id DESC, t.moid DESC',
    );
  });
});
