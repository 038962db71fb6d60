import { describe, expect, it } from 'vitest';
import { and, chipsOf, columnFilter, fromChips, quickSearchFilter } from './filters.js';

describe('column filter boxes', () => {
  it('reads comparisons, ranges and units on number columns', () => {
    expect(columnFilter('vms', 'numCpu', '>8')).toMatchObject({
      filter: { kind: 'cmp', field: 'numCpu', op: 'gt', value: 8 },
    });
    expect(columnFilter('vms', 'numCpu', '<= 4')).toMatchObject({
      filter: { kind: 'cmp', field: 'numCpu', op: 'lte', value: 4 },
    });
    expect(columnFilter('vms', 'numCpu', '4-8')).toMatchObject({
      filter: { kind: 'between', field: 'numCpu', min: 4, max: 8 },
    });
    expect(columnFilter('vms', 'numCpu', '2')).toMatchObject({
      filter: { kind: 'cmp', field: 'numCpu', op: 'eq', value: 2 },
    });
    expect(columnFilter('vms', 'memoryMb', '>16GB')).toMatchObject({
      filter: { kind: 'cmp', field: 'memoryMb', op: 'gt', value: 16 * 1024 },
    });
    expect(columnFilter('datastores', 'freeBytes', '<1TB')).toMatchObject({
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
    expect(columnFilter('vms', 'name', 'web')).toMatchObject({
      filter: { kind: 'text', field: 'name', op: 'contains', value: 'web' },
    });
    expect(columnFilter('vms', 'name', '=web01')).toMatchObject({
      filter: { kind: 'text', field: 'name', op: 'equals', value: 'web01' },
    });
    expect(columnFilter('vms', 'name', '!test')).toMatchObject({
      filter: { kind: 'not', filter: { kind: 'text', field: 'name', op: 'contains', value: 'test' } },
    });
    expect(columnFilter('vms', 'name', 'web-*')).toMatchObject({
      filter: { kind: 'text', field: 'name', op: 'glob', value: 'web-*' },
    });
    expect(columnFilter('vms', 'ipAddress', 'empty')).toMatchObject({
      filter: { kind: 'empty', field: 'ipAddress', empty: true },
    });
    expect(columnFilter('vms', 'template', 'yes')).toMatchObject({
      filter: { kind: 'cmp', field: 'template', op: 'eq', value: true },
    });
    expect(columnFilter('vms', 'name', '   ')).toEqual({ filter: undefined });
  });
});

describe('numbers in the unit the column shows (issue 19)', () => {
  it('reads a bare number in GB on size columns, whatever they are stored in', () => {
    expect(columnFilter('vms', 'memoryMb', '> 16')).toMatchObject({
      filter: { kind: 'cmp', field: 'memoryMb', op: 'gt', value: 16 * 1024 },
      understood: 'memory > 16 GB',
    });
    expect(columnFilter('datastores', 'freeBytes', '< 1000')).toMatchObject({
      filter: { kind: 'cmp', field: 'freeBytes', op: 'lt', value: 1000 * 1024 ** 3 },
      understood: 'free < 1,000 GB',
    });
    expect(columnFilter('vms', 'memoryMb', '4-8')).toMatchObject({
      filter: { kind: 'between', field: 'memoryMb', min: 4096, max: 8192 },
    });
  });

  it('takes explicit units, binary like vSphere', () => {
    expect(columnFilter('vms', 'memoryMb', '> 16 GB')).toMatchObject({
      filter: { value: 16 * 1024 },
    });
    expect(columnFilter('vms', 'memoryMb', '>=512 MB')).toMatchObject({ filter: { op: 'gte', value: 512 } });
    expect(columnFilter('datastores', 'capacityBytes', '< 500 GiB')).toMatchObject({
      filter: { op: 'lt', value: 500 * 1024 ** 3 },
    });
    expect(columnFilter('datastores', 'capacityBytes', '1-2 TB')).toMatchObject({
      filter: { kind: 'between', min: 1024 ** 4, max: 2 * 1024 ** 4 },
    });
    expect(columnFilter('hosts', 'cpuMhz', '>2 GHz')).toMatchObject({ filter: { value: 2000 } });
    expect(columnFilter('vms', 'memoryMb', '>16 parsecs')).toHaveProperty('error');
    expect(columnFilter('vms', 'memoryMb', 'lots')).toMatchObject({ error: expect.stringMatching(/GB/) });
  });

  it('reads ages and dates on date columns', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(columnFilter('snapshots', 'createdAt', '> 30d', now)).toEqual({
      filter: { kind: 'cmp', field: 'createdAt', op: 'lt', value: '2026-01-30T12:00:00.000Z' },
      understood: 'created more than 30 days ago',
    });
    expect(columnFilter('snapshots', 'createdAt', '<1w', now)).toMatchObject({
      filter: { op: 'gt', value: '2026-02-22T12:00:00.000Z' },
      understood: 'created less than 7 days ago',
    });
    expect(columnFilter('snapshots', 'createdAt', '30-60d', now)).toMatchObject({
      filter: { kind: 'between', min: '2025-12-31T12:00:00.000Z', max: '2026-01-30T12:00:00.000Z' },
    });
    expect(columnFilter('vms', 'bootTime', '>2026-01-15', now)).toMatchObject({
      filter: { op: 'gt', value: '2026-01-15T00:00:00.000Z' },
    });
    expect(columnFilter('snapshots', 'ageDays', '>30')).toMatchObject({ filter: { op: 'gt', value: 30 } });
    expect(columnFilter('snapshots', 'ageDays', '>2w')).toMatchObject({ filter: { value: 14 } });
    expect(columnFilter('snapshots', 'createdAt', 'soon', now)).toHaveProperty('error');
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
