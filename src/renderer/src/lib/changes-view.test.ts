import { describe, expect, it } from 'vitest';
import type { ChangeRow } from '../../../shared/changes.js';
import {
  changesPlanFilter,
  changesRequest,
  describeChange,
  groupTimeline,
  type ChangesFilters,
} from './changes-view.js';

const none: ChangesFilters = { since: '', vcenter: '', entity: '', field: '', object: '', kinds: [] };
const row = (at: string, extra: Partial<ChangeRow> = {}): ChangeRow => ({
  id: 1,
  at,
  vcenterId: 1,
  vcenter: 'vc',
  entity: 'vms',
  moid: 'vm-1',
  objectName: 'web-01',
  kind: 'changed',
  field: 'memoryMb',
  oldValue: '4096',
  newValue: '8192',
  source: 'live',
  ...extra,
});

describe('the Changes page filters', () => {
  it('make a changes.list request and an export plan filter that say the same', () => {
    const f: ChangesFilters = {
      since: '24h',
      vcenter: ' vc01 ',
      entity: 'vms',
      field: 'disk*',
      object: 'web-01',
      kinds: ['created', 'removed'],
    };
    expect(changesRequest(f)).toEqual({
      since: '24h',
      vcenter: 'vc01',
      entity: 'vms',
      field: 'disk*',
      object: 'web-01',
      kind: ['created', 'removed'],
    });
    const now = new Date('2026-11-20T12:00:00Z');
    expect(changesPlanFilter(f, now)).toEqual({
      kind: 'and',
      filters: [
        { kind: 'cmp', field: 'at', op: 'gte', value: '2026-11-19T12:00:00.000Z' },
        { kind: 'text', field: 'vcenter', op: 'equals', value: 'vc01' },
        { kind: 'text', field: 'entity', op: 'equals', value: 'vms' },
        { kind: 'text', field: 'field', op: 'startsWith', value: 'disk' },
        { kind: 'text', field: 'object', op: 'equals', value: 'web-01' },
        {
          kind: 'or',
          filters: [
            { kind: 'text', field: 'kind', op: 'equals', value: 'created' },
            { kind: 'text', field: 'kind', op: 'equals', value: 'removed' },
          ],
        },
      ],
    });
    expect(changesRequest(none)).toEqual({});
    expect(changesPlanFilter(none, now)).toBeUndefined();
    // Every kind ticked is no filter at all.
    expect(changesRequest({ ...none, kinds: ['changed', 'created', 'removed', 'first-sync'] })).toEqual({});
  });

  it('group a short span by hour and a long one by day, keeping the order', () => {
    const short = groupTimeline([
      row('2026-11-20T11:50:00Z'),
      row('2026-11-20T11:10:00Z'),
      row('2026-11-20T09:59:00Z'),
    ]);
    expect(short.by).toBe('hour');
    expect(short.groups.map((g) => g.rows.length)).toEqual([2, 1]);
    const long = groupTimeline([
      row('2026-11-20T11:50:00Z'),
      row('2026-11-12T11:10:00Z'),
      row('2026-11-12T01:00:00Z'),
    ]);
    expect(long.by).toBe('day');
    expect(long.groups).toHaveLength(2);
    expect(groupTimeline([]).groups).toEqual([]);
  });

  it('describe a change in a line', () => {
    expect(describeChange(row('2026-11-20T11:50:00Z'))).toBe('memoryMb: 4096 → 8192');
    expect(describeChange(row('2026-11-20T11:50:00Z', { kind: 'removed', field: null }))).toBe('removed');
  });
});
