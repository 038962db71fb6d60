import { describe, expect, it } from 'vitest';
import { and, chipsOf, columnFilter, fromChips, quickSearchFilter } from './filters.js';

describe('column filter boxes', () => {
  it('reads comparisons, ranges and units on number columns', () => {
    expect(columnFilter('vms', 'numCpu', '>8')).toEqual({
      filter: { kind: 'cmp', field: 'numCpu', op: 'gt', value: 8 },
    });
    expect(columnFilter('vms', 'numCpu', '<= 4')).toEqual({
      filter: { kind: 'cmp', field: 'numCpu', op: 'lte', value: 4 },
    });
    expect(columnFilter('vms', 'numCpu', '4-8')).toEqual({
      filter: { kind: 'between', field: 'numCpu', min: 4, max: 8 },
    });
    expect(columnFilter('vms', 'numCpu', '2')).toEqual({
      filter: { kind: 'cmp', field: 'numCpu', op: 'eq', value: 2 },
    });
    expect(columnFilter('vms', 'memoryMb', '>16GB')).toEqual({
      filter: { kind: 'cmp', field: 'memoryMb', op: 'gt', value: 16 * 1024 },
    });
    expect(columnFilter('datastores', 'freeBytes', '<1TB')).toEqual({
      filter: { kind: 'cmp', field: 'freeBytes', op: 'lt', value: 1024 ** 4 },
    });
  });

  it('says what is wrong instead of guessing', () => {
    expect(columnFilter('vms', 'numCpu', '>>4')).toHaveProperty('error');
    expect(columnFilter('vms', 'numCpu', 'lots')).toHaveProperty('error');
    expect(columnFilter('vms', 'numCpu', '>4 parsecs')).toHaveProperty('error');
    expect(columnFilter('vms', 'template', 'maybe')).toHaveProperty('error');
    expect(columnFilter('vms', 'nope', 'x')).toHaveProperty('error');
  });

  it('reads text, exact, negated, glob, empty and yes/no', () => {
    expect(columnFilter('vms', 'name', 'web')).toEqual({
      filter: { kind: 'text', field: 'name', op: 'contains', value: 'web' },
    });
    expect(columnFilter('vms', 'name', '=web01')).toEqual({
      filter: { kind: 'text', field: 'name', op: 'equals', value: 'web01' },
    });
    expect(columnFilter('vms', 'name', '!test')).toEqual({
      filter: { kind: 'not', filter: { kind: 'text', field: 'name', op: 'contains', value: 'test' } },
    });
    expect(columnFilter('vms', 'name', 'web-*')).toEqual({
      filter: { kind: 'text', field: 'name', op: 'glob', value: 'web-*' },
    });
    expect(columnFilter('vms', 'ipAddress', 'empty')).toEqual({
      filter: { kind: 'empty', field: 'ipAddress', empty: true },
    });
    expect(columnFilter('vms', 'template', 'yes')).toEqual({
      filter: { kind: 'cmp', field: 'template', op: 'eq', value: true },
    });
    expect(columnFilter('vms', 'name', '   ')).toEqual({ filter: undefined });
  });
});

describe('chips and combining', () => {
  it('splits a top-level AND into removable chips and puts them back together', () => {
    const a = { kind: 'cmp', field: 'numCpu', op: 'gt', value: 8 } as const;
    const b = { kind: 'text', field: 'cluster', op: 'equals', value: 'Prod' } as const;
    const chips = chipsOf('vms', { kind: 'and', filters: [a, b] });
    expect(chips.map((c) => c.filter)).toEqual([a, b]);
    expect(chips[0]!.label).toMatch(/vcpus/i);
    expect(fromChips([b])).toEqual(b);
    expect(fromChips([])).toBeUndefined();
    expect(and(a, undefined, { kind: 'and', filters: [b] })).toEqual({ kind: 'and', filters: [a, b] });
  });

  it('quick search looks in the main text fields of the entity', () => {
    const f = quickSearchFilter('vms', ' web ');
    expect(f).toMatchObject({ kind: 'or' });
    expect(f && f.kind === 'or' ? f.filters.map((x) => (x.kind === 'text' ? x.field : '')) : []).toContain(
      'ipAddress',
    );
    expect(quickSearchFilter('clusters', 'x')).toEqual({
      kind: 'text',
      field: 'name',
      op: 'contains',
      value: 'x',
    });
    expect(quickSearchFilter('vms', '')).toBeUndefined();
  });
});
