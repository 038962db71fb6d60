import { describe, expect, it } from 'vitest';
import { listRequestFromQuery, paramFilter, parseSort, whereFilter } from './list-params.js';

describe('the list parameters and --where: one filter language', () => {
  it("reads the command line's comparisons as the parameters they stand for", () => {
    expect(whereFilter('vms', 'powerState=poweredOff')).toEqual(
      paramFilter('vms', 'powerState', 'poweredOff'),
    );
    expect(whereFilter('vms', 'memoryMb>=16384')).toEqual({
      kind: 'cmp',
      field: 'memoryMb',
      op: 'gte',
      value: 16384,
    });
    expect(whereFilter('vms', 'memoryMb > 4096')).toEqual({
      kind: 'cmp',
      field: 'memoryMb',
      op: 'gt',
      value: 4096,
    });
    expect(whereFilter('vms', 'numCpu<=2')).toEqual({ kind: 'cmp', field: 'numCpu', op: 'lte', value: 2 });
    expect(whereFilter('vms', 'numCpu<2')).toEqual({ kind: 'cmp', field: 'numCpu', op: 'lt', value: 2 });
    expect(whereFilter('vms', 'powerState!=poweredOn')).toEqual({
      kind: 'cmp',
      field: 'powerState',
      op: 'ne',
      value: 'poweredOn',
    });
    expect(whereFilter('vms', 'name=web-*')).toEqual({
      kind: 'text',
      field: 'name',
      op: 'glob',
      value: 'web-*',
    });
    expect(whereFilter('vms', 'name.startsWith=web')).toEqual({
      kind: 'text',
      field: 'name',
      op: 'startsWith',
      value: 'web',
    });
    expect(whereFilter('hosts', 'cluster.empty=true')).toEqual({
      kind: 'empty',
      field: 'cluster',
      empty: true,
    });
    expect(whereFilter('hosts', 'inMaintenanceMode=yes')).toEqual({
      kind: 'cmp',
      field: 'inMaintenanceMode',
      op: 'eq',
      value: true,
    });
    // A value may hold an operator's characters: only the first one splits.
    expect(whereFilter('vms', 'annotation=a=b>c')).toEqual({
      kind: 'text',
      field: 'annotation',
      op: 'equals',
      value: 'a=b>c',
    });
    expect(whereFilter('vms', '{"kind":"empty","field":"host","empty":false}')).toEqual({
      kind: 'empty',
      field: 'host',
      empty: false,
    });
  });

  it('says what is wrong', () => {
    expect(() => whereFilter('vms', 'powered off')).toThrow(/write FIELD=VALUE/);
    expect(() => whereFilter('vms', 'colour=red')).toThrow(/unknown field "colour" for vms/);
    expect(() => whereFilter('vms', 'memoryMb>=lots')).toThrow(/memoryMb takes a number, not "lots"/);
    expect(() => whereFilter('vms', 'name.contains>=x')).toThrow(/cannot follow an operator/);
    expect(() => whereFilter('vms', 'name.like=x')).toThrow(/unknown operator ".like"/);
    expect(() => whereFilter('vms', '{"kind":"cmp"}')).toThrow(/not a query-plan filter/);
    expect(() => parseSort('vms', 'memoryMb:down')).toThrow(/asc or desc/);
  });

  it('keeps the REST parameters as they were', () => {
    expect(
      listRequestFromQuery('vms', {
        powerState: 'poweredOff',
        'memoryMb.gte': '16384',
        sort: 'memoryMb:desc,name',
        limit: '50',
      }),
    ).toEqual({
      entity: 'vms',
      limit: 50,
      sort: [
        { field: 'memoryMb', dir: 'desc' },
        { field: 'name', dir: 'asc' },
      ],
      filter: {
        kind: 'and',
        filters: [
          { kind: 'text', field: 'powerState', op: 'equals', value: 'poweredOff' },
          { kind: 'cmp', field: 'memoryMb', op: 'gte', value: 16384 },
        ],
      },
    });
    expect(() => listRequestFromQuery('vms', { colour: 'red' })).toThrow(/unknown parameter "colour"/);
  });
});
