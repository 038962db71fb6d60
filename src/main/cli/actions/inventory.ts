import { formatValue } from '../../../shared/describe.js';
import { VminerError } from '../../../shared/errors.js';
import { DEFAULT_COLUMNS, fieldDef } from '../../../shared/fields.js';
import { ENTITIES, type Entity } from '../../../shared/inventory.js';
import type { Filter, QueryPlan } from '../../../shared/query.js';
import { listColumns, type ListColumn } from '../../engine/db/inventory-read.js';
import { inventoryStats } from '../../engine/db/stats.js';
import { VcenterRepo } from '../../engine/db/vcenter-repo.js';
import { csvLine } from '../../engine/export/csv.js';
import { planRowsQuery } from '../../engine/query/planner.js';
import { allOf, parseSort, whereFilter } from '../../engine/rest/list-params.js';
import type { OutputOptions } from '../options.js';
import { emit, printTable, writeAsync } from '../output.js';
import { withDatabase } from '../session.js';

interface ListOptions extends OutputOptions {
  vcenter?: string;
  where?: string[];
  sort?: string;
  columns?: string;
  limit?: string;
}

function entityOf(arg: string): Entity {
  const entity = arg.toLowerCase() as Entity;
  if (!ENTITIES.includes(entity))
    throw new VminerError('INVALID_INPUT', `unknown entity "${arg}"; choose one of ${ENTITIES.join(', ')}`);
  return entity;
}

export function limitOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new VminerError('INVALID_INPUT', '--limit takes a whole number ≥ 1');
  return n;
}

export function fieldList(raw: string | undefined): string[] | undefined {
  const list = raw
    ?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  return list && list.length > 0 ? list : undefined;
}

/** The columns to read: all of a list row's, or the named ones in the order given. */
function chosenColumns(entity: Entity, names: string[] | undefined): ListColumn[] {
  const all = listColumns(entity);
  if (!names) return all;
  return names.map((n) => {
    const c = all.find((x) => x.key === n);
    if (!c)
      throw new VminerError(
        'INVALID_INPUT',
        `${entity} have no field "${n}"; the fields are: ${all.map((x) => x.key).join(', ')}`,
      );
    return c;
  });
}

/**
 * `vminer list`: rows of one entity, filtered and sorted by a query plan (the language of the REST
 * list parameters), read from SQLite and written row by row — a 100k-row `--jsonl` or `--csv` never
 * sits in memory. Without `--sort` the order is vCenter, then name: the same on every run.
 */
export async function list(entityArg: string, opts: ListOptions): Promise<void> {
  const entity = entityOf(entityArg);
  const names = fieldList(opts.columns);
  const columns = chosenColumns(entity, names);
  const filters: Filter[] = (opts.where ?? []).map((w) => whereFilter(entity, w));
  const limit = limitOf(opts.limit);
  const plan: QueryPlan = {
    entity,
    sort: opts.sort ? parseSort(entity, opts.sort) : [{ field: 'vcenter', dir: 'asc' }],
  };
  await withDatabase(opts, async (db) => {
    if (opts.vcenter) {
      const vc = new VcenterRepo(db.db).resolve(opts.vcenter);
      filters.unshift({ kind: 'cmp', field: 'vcenter', op: 'eq', value: vc.name });
    }
    const filter = allOf(filters);
    if (filter) plan.filter = filter;
    if (limit !== undefined) plan.limit = limit;
    const q = planRowsQuery(plan, columns.map((c) => `${c.sql} AS "${c.key}"`).join(', '));
    const booleans = columns.filter((c) => c.boolean).map((c) => c.key);
    const rows = (function* () {
      for (const r of db.sqlite.prepare(q.sql).iterate(...q.params) as Iterable<Record<string, unknown>>) {
        for (const k of booleans) if (r[k] !== null) r[k] = r[k] === 1;
        yield r;
      }
    })();
    await printRows(entity, rows, columns, names, opts);
  });
}

const BATCH = 64 * 1024;

async function printRows(
  entity: Entity,
  rows: Iterable<Record<string, unknown>>,
  columns: ListColumn[],
  names: string[] | undefined,
  opts: ListOptions,
): Promise<void> {
  const out = process.stdout;
  const keys = columns.map((c) => c.key);
  if (opts.json || opts.jsonl || opts.csv) {
    let buf = opts.csv ? csvLine(keys) : opts.json ? '[' : '';
    let first = true;
    for (const r of rows) {
      if (opts.csv) buf += csvLine(keys.map((k) => r[k]));
      // The same text as JSON.stringify(rows, null, 2), one row at a time.
      else if (opts.json)
        buf += `${first ? '' : ','}\n  ${JSON.stringify(r, null, 2).replaceAll('\n', '\n  ')}`;
      else buf += JSON.stringify(r) + '\n';
      first = false;
      if (buf.length >= BATCH) {
        await writeAsync(out, buf);
        buf = '';
      }
    }
    if (opts.json) buf += first ? ']\n' : '\n]\n';
    await writeAsync(out, buf);
    return;
  }
  // The same default columns as answers and grids; sizes shown with their units.
  const shown = names ?? DEFAULT_COLUMNS[entity];
  const table: Record<string, unknown>[] = [];
  for (const r of rows)
    table.push(
      Object.fromEntries(
        shown.map((c) => {
          const v = r[c];
          const unit = fieldDef(entity, c)?.unit;
          return [c, typeof v === 'number' && unit && unit !== 'percent' ? formatValue(entity, c, v) : v];
        }),
      ),
    );
  printTable(table, shown);
  out.write(`${table.length} ${entity}\n`);
}

export async function stats(opts: OutputOptions): Promise<void> {
  await withDatabase(opts, (db) => {
    emit(opts, inventoryStats(db), (s) => [
      { rows: [s.totals], columns: [...ENTITIES] },
      '',
      {
        rows: s.vcenters.map((v) => ({
          ...v,
          ...v.counts,
          lastSuccessAt: v.lastSuccessAt ?? 'never',
          error: v.error?.message ?? '',
        })),
        columns: [
          'name',
          'status',
          'vms',
          'hosts',
          'datastores',
          'clusters',
          'networks',
          'snapshots',
          'lastSuccessAt',
          'error',
        ],
        primary: true,
      },
      '',
      {
        rows: [
          {
            changeHistory: `${s.history.rows} entries`,
            size: `${(s.history.bytes / 1024 / 1024).toFixed(1)} MB`,
            oldest: s.history.oldestAt ?? 'none',
            retention: `${s.history.retentionDays} days, at most ${s.history.maxRows} entries`,
          },
        ],
        columns: ['changeHistory', 'size', 'oldest', 'retention'],
      },
    ]);
  });
}
