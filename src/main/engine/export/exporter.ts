/**
 * Exports: a query plan's rows (a chat answer, a grid, `vminer export --query/--entity`) or the
 * whole inventory (one sheet per entity), as CSV, JSON or XLSX, to a stream or a file.
 *
 * Rows are streamed from one consistent snapshot (see `inSnapshot`: the SQLite cache through a
 * read-only connection of its own, or PostgreSQL through a cursor in a REPEATABLE READ
 * transaction) and written as they are read, a batch at a time, with the output's back-pressure
 * respected: memory stays bounded for any number of rows. Counts and rows are read in that one
 * snapshot, so they agree even while a sync writes, and an open read never blocks the questions
 * asked meanwhile.
 *
 * Every export records its "as of" time and the failed, stale and never-synced vCenters: JSON in
 * its leading `meta` object, XLSX in an "About" sheet, CSV beside the file in `<file>.meta.json`
 * (see csv.ts for why not inside it) or, for a stream, in the returned `meta`.
 */
import { ENTITIES } from '../../../shared/inventory.js';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { FIELDS, fieldDef, type QueryEntity } from '../../../shared/fields.js';
import { VminerError } from '../../../shared/errors.js';
import type { Freshness, QueryPlan } from '../../../shared/query.js';
import type { VcenterWithState } from '../../../shared/vcenter.js';
import { countQuery, groupQuery, rowsQuery, type SqlQuery } from '../query/planner.js';
import type { SnapshotReader } from '../query/reading.js';
import { QueryService } from '../query/query-service.js';
import { writeCsv } from './csv.js';
import { writeJson } from './json.js';
import { ProgressMeter, type OnExportProgress, type ProgressPace } from './progress.js';
import { withSink } from './sink.js';
import { batchesOf, type Rows } from './rows.js';
import { inSnapshot, type ExportSource } from './snapshot.js';
import type { XlsxOptions } from './xlsx.js';
import {
  columnOf,
  columnsFor,
  metaOf,
  recordRows,
  type ExportColumn,
  type ExportFormat,
  type ExportMeta,
  type ExportTable,
} from './table.js';

export interface ExportResult {
  /** Rows written (all tables together). */
  rows: number;
  /** Rows per table key. */
  tables: Record<string, number>;
  /** Size of what was written, when known (a file's size; bytes written to a CSV/JSON stream). */
  bytes?: number;
  /** The file written (absolute), for a file export. */
  file?: string;
  /** The CSV metadata file written beside `file`. */
  metaFile?: string;
  meta: ExportMeta;
}

interface CommonOptions {
  /** A caller's stream (ended when the export is complete) or a file path (written atomically). */
  out: Writable | string;
  /** As of / failed / stale vCenters; worked out from the cache when not given. */
  freshness?: Freshness;
  now?: Date;
  /**
   * Rows written so far and the total (counted up front), at a bounded rate: first at 0 rows,
   * last at the exported count once the file is in place; nothing after a failure (it throws).
   */
  onProgress?: OnExportProgress;
  /** How often `onProgress` may be called (default: every 1000 rows and 250 ms at most). */
  progressPace?: ProgressPace;
  /** XLSX: rows per sheet (default Excel's limit; see xlsx.ts). */
  xlsx?: XlsxOptions;
}

interface RowsOptions extends CommonOptions {
  plan: QueryPlan;
  /** The columns shown (field names); default: every field of the entity. */
  columns?: string[];
  format: ExportFormat;
  /** CSV: start with a UTF-8 byte-order mark, so Excel reads the file as UTF-8. */
  bom?: boolean;
  /** CSV: header cells are labels ("Memory (MB)", the default) or field names ("memoryMb"). */
  header?: 'label' | 'field';
  /** Recorded in the metadata. */
  question?: string;
  interpretation?: string;
}

/** A query's or a grid's export, read from the SQLite cache (`sqlite`) or PostgreSQL (`postgres`). */
export type ExportRowsOptions = RowsOptions & ExportSource;

interface FullOptions extends CommonOptions {
  /** The vCenters with their sync state (the engine's list, from either back end). */
  vcenters: readonly VcenterWithState[];
  format: 'xlsx' | 'json';
}

/** The whole inventory's export, read from the SQLite cache or PostgreSQL. */
export type ExportFullOptions = FullOptions & ExportSource;

export interface ExportTablesOptions extends CommonOptions {
  format: ExportFormat;
  tables: ExportTable[];
  meta: ExportMeta;
  bom?: boolean;
  header?: 'label' | 'field';
  /** All rows of `tables`, when counted up front (reported with the progress). */
  total?: number;
}

export const SHEET_NAMES: Record<QueryEntity, string> = {
  vms: 'VMs',
  hosts: 'Hosts',
  datastores: 'Datastores',
  clusters: 'Clusters',
  datacenters: 'Datacenters',
  networks: 'Networks',
  snapshots: 'Snapshots',
  disks: 'Disks',
  nics: 'NICs',
  partitions: 'Partitions',
  tags: 'Tags',
  changes: 'Changes',
  vcenters: 'vCenters',
};

/** Entities of a full export, in sheet order (vCenters come from the sync state, see below). */
const FULL_ENTITIES = ENTITIES; // the shared entity order: VMs, hosts, datastores, clusters, datacenters, networks, snapshots

const ALL_ROWS = Number.MAX_SAFE_INTEGER;

/**
 * A query's rows, read lazily (the statement runs when the writer starts iterating) and raw
 * (arrays, not objects: twice as fast), as the columns' values in order.
 */
async function* lazyRows(reader: SnapshotReader, q: SqlQuery, columns: readonly ExportColumn[]): Rows {
  let at: number[] | undefined;
  const n = columns.length;
  for await (const batch of reader.batches(q)) {
    at ??= columns.map((c) => {
      const i = batch.names.indexOf(c.field);
      if (i < 0) throw new VminerError('INTERNAL', `the query returns no column "${c.field}"`);
      return i;
    });
    const out = new Array<unknown[]>(batch.rows.length);
    for (let r = 0; r < batch.rows.length; r++) {
      const raw = batch.rows[r]!;
      const row = new Array<unknown>(n);
      for (let i = 0; i < n; i++) row[i] = raw[at[i]!];
      out[r] = row;
    }
    yield out;
  }
}

async function countOf(reader: SnapshotReader, plan: QueryPlan): Promise<number> {
  const q = countQuery(plan, reader.dialect);
  const n = Number((await reader.all(q))[0]?.['n'] ?? 0);
  return plan.limit !== undefined ? Math.min(n, plan.limit) : n;
}

/** A plan as one table: its rows, or its groups for a grouped question. */
async function planTable(
  reader: SnapshotReader,
  plan: QueryPlan,
  fields?: string[],
): Promise<{ table: ExportTable; count: number }> {
  const entity = plan.entity;
  if (plan.groupBy) {
    const agg = plan.aggregate ?? { fn: 'count' as const };
    const q = groupQuery(plan, 100_000, reader.dialect);
    const rows = (await reader.all(q)) as { key: unknown; value: unknown }[];
    const keyCol = columnOf(entity, plan.groupBy);
    const valueDef = agg.field ? fieldDef(entity, agg.field) : undefined;
    const valueCol: ExportColumn = {
      field: 'value',
      label: agg.fn === 'count' ? 'Count' : `${agg.fn} of ${valueDef?.label ?? agg.field ?? ''}`,
      type: 'number',
      ...(agg.fn !== 'count' && valueDef?.unit ? { unit: valueDef.unit } : {}),
    };
    return {
      table: {
        sheet: SHEET_NAMES[entity],
        key: 'rows',
        columns: [keyCol, valueCol],
        rows: batchesOf(rows.map((r) => [r.key, r.value])),
      },
      count: rows.length,
    };
  }
  // A count or a single value exports the rows it was computed from.
  const rowsPlan: QueryPlan = { ...plan };
  delete rowsPlan.aggregate;
  const q = rowsQuery(rowsPlan, { limit: ALL_ROWS, offset: 0, dialect: reader.dialect });
  const columns = columnsFor(entity, fields);
  return {
    table: {
      sheet: SHEET_NAMES[entity],
      key: 'rows',
      columns,
      rows: lazyRows(reader, q, columns),
    },
    count: await countOf(reader, rowsPlan),
  };
}

/** The export's "as of", failed and stale vCenters, unless the caller worked them out already. */
export async function freshnessOf(
  source: ExportSource,
  plan: QueryPlan | undefined,
  given: Freshness | undefined,
): Promise<Freshness> {
  if (given) return given;
  return source.postgres
    ? new QueryService({ postgres: source.postgres }).freshnessAsync(plan)
    : new QueryService({ sqlite: source.sqlite }).freshness(plan);
}

function progressOptions(opts: CommonOptions): Pick<CommonOptions, 'onProgress' | 'progressPace'> {
  return {
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.progressPace ? { progressPace: opts.progressPace } : {}),
  };
}

function metaJson(meta: ExportMeta, tables: Record<string, number>): string {
  return JSON.stringify({ ...meta, rows: tables }, null, 2) + '\n';
}

/** Writes prepared tables in a format; the generic path under `exportRows` and `exportFull`. */
export async function exportTables(opts: ExportTablesOptions): Promise<ExportResult> {
  const { format, tables, meta } = opts;
  if (format === 'csv' && tables.length !== 1) {
    throw new VminerError(
      'INVALID_INPUT',
      'a CSV file holds one table: export one entity or question, or use xlsx or json',
    );
  }
  const meter = new ProgressMeter(opts.onProgress, opts.total ?? null, opts.progressPace);
  meter.start();
  const { result: counts, bytes } = await withSink(opts.out, async (sink) => {
    if (format === 'csv') {
      const t = tables[0]!;
      const n = await writeCsv(sink, t.columns, t.rows, {
        bom: opts.bom ?? false,
        header: opts.header ?? 'label',
        progress: meter.at,
      });
      return { [t.key]: n };
    }
    if (format === 'json') return writeJson(sink, meta, tables, meter);
    // The workbook writer loads with the first workbook: CSV and JSON exports never pay for it.
    const { XlsxWriter } = await import('./xlsx.js');
    const xlsx = new XlsxWriter(sink, opts.xlsx);
    const counts: Record<string, number> = {};
    for (const t of tables) {
      counts[t.key] = await xlsx.addTable(t, meter.at);
      meter.tableDone(counts[t.key]!);
    }
    await xlsx.addAbout(meta);
    await xlsx.commit();
    return counts;
  });
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const result: ExportResult = {
    rows: total,
    tables: counts,
    meta: { ...meta, rows: counts },
    ...(bytes !== undefined && (format !== 'xlsx' || typeof opts.out === 'string') ? { bytes } : {}),
  };
  if (typeof opts.out === 'string') {
    result.file = path.resolve(opts.out);
    if (format === 'csv') {
      const metaFile = `${result.file}.meta.json`;
      try {
        await withSink(metaFile, (sink) => sink.write(metaJson(meta, counts)));
      } catch (err) {
        // No CSV without its "as of": remove it rather than leave it unlabelled.
        fs.rmSync(result.file, { force: true });
        throw err;
      }
      result.metaFile = metaFile;
    }
  }
  meter.done(total);
  return result;
}

/** A query's or a grid's export: the plan's rows (or groups) with the shown columns. */
export async function exportRows(opts: ExportRowsOptions): Promise<ExportResult> {
  const { plan } = opts;
  if (opts.columns) for (const f of opts.columns) if (!plan.groupBy) columnOf(plan.entity, f);
  const freshness = await freshnessOf(opts, plan, opts.freshness);
  return inSnapshot(opts, async (reader) => {
    const { table, count } = await planTable(reader, plan, opts.columns);
    const meta = metaOf(
      freshness,
      { [table.key]: count },
      {
        plan,
        ...(opts.question !== undefined ? { question: opts.question } : {}),
        ...(opts.interpretation !== undefined ? { interpretation: opts.interpretation } : {}),
        ...(opts.now ? { now: opts.now } : {}),
      },
    );
    return exportTables({
      format: opts.format,
      out: opts.out,
      tables: [table],
      meta,
      total: count,
      ...progressOptions(opts),
      ...(opts.xlsx ? { xlsx: opts.xlsx } : {}),
      ...(opts.bom !== undefined ? { bom: opts.bom } : {}),
      ...(opts.header ? { header: opts.header } : {}),
    });
  });
}

const VCENTER_COLUMNS: ExportColumn[] = [
  { field: 'name', label: 'Name', type: 'text' },
  { field: 'url', label: 'URL', type: 'text' },
  { field: 'version', label: 'Version', type: 'text' },
  { field: 'build', label: 'Build', type: 'text' },
  { field: 'enabled', label: 'Enabled', type: 'boolean' },
  { field: 'status', label: 'Sync status', type: 'text' },
  { field: 'lastSuccessAt', label: 'Last good sync', type: 'date' },
  { field: 'lastAttemptAt', label: 'Last attempt', type: 'date' },
  { field: 'error', label: 'Last error', type: 'text' },
  { field: 'vmCount', label: 'VMs', type: 'number' },
  { field: 'hostCount', label: 'Hosts', type: 'number' },
  { field: 'datastoreCount', label: 'Datastores', type: 'number' },
];

function vcenterRows(vcenters: readonly VcenterWithState[]): Record<string, unknown>[] {
  return vcenters.map((v) => ({
    name: v.name,
    url: v.url,
    version: v.version,
    build: v.build,
    enabled: v.enabled,
    status: v.sync.status,
    lastSuccessAt: v.sync.lastSuccessAt,
    lastAttemptAt: v.sync.finishedAt,
    error: v.sync.error ? `${v.sync.error.code}: ${v.sync.error.message}` : null,
    vmCount: v.sync.counts?.vms ?? null,
    hostCount: v.sync.counts?.hosts ?? null,
    datastoreCount: v.sync.counts?.datastores ?? null,
  }));
}

/** The whole inventory: one sheet (XLSX) or array (JSON) per entity, plus vCenters with their sync state. */
export async function exportFull(opts: ExportFullOptions): Promise<ExportResult> {
  const freshness = await freshnessOf(opts, undefined, opts.freshness);
  // The vCenters and their sync state: the engine's list, taken before the export.
  const vcenters = vcenterRows(opts.vcenters);
  return inSnapshot(opts, async (reader) => {
    const counts: Record<string, number> = {};
    const tables: ExportTable[] = [];
    for (const entity of FULL_ENTITIES) {
      const plan: QueryPlan = { entity };
      const q = rowsQuery(plan, { limit: ALL_ROWS, offset: 0, dialect: reader.dialect });
      counts[entity] = await countOf(reader, plan);
      const columns = columnsFor(entity, Object.keys(FIELDS[entity]));
      tables.push({ sheet: SHEET_NAMES[entity], key: entity, columns, rows: lazyRows(reader, q, columns) });
    }
    counts['vcenters'] = vcenters.length;
    tables.push({
      sheet: SHEET_NAMES.vcenters,
      key: 'vcenters',
      columns: VCENTER_COLUMNS,
      rows: recordRows(VCENTER_COLUMNS, vcenters),
    });
    const meta = metaOf(freshness, counts, opts.now ? { now: opts.now } : {});
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return exportTables({
      format: opts.format,
      out: opts.out,
      tables,
      meta,
      total,
      ...progressOptions(opts),
      ...(opts.xlsx ? { xlsx: opts.xlsx } : {}),
    });
  });
}
