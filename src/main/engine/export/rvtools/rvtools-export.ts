/**
 * The whole estate as one workbook in RVTools' layout (`vminer export --format rvtools`, the
 * desktop save dialog's RVTools choice, `POST /api/export/rvtools`): the sheets and headers tools
 * that read RVTools expect, RVTools' units and value spellings, "VI SDK Server" and "VI SDK UUID"
 * on every row. Rows stream from one read snapshot (SQLite or PostgreSQL) into the lean XLSX writer.
 */
import type { Writable } from 'node:stream';
import path from 'node:path';
import type { Freshness } from '../../../../shared/query.js';
import type { SnapshotReader } from '../../query/reading.js';
import { orderTerm, type Dialect, type Param } from '../../query/sql-dialect.js';
import { freshnessOf } from '../exporter.js';
import type { Rows } from '../rows.js';
import { VERSION } from '../../version.js';
import { ProgressMeter, type OnExportProgress, type ProgressPace } from '../progress.js';
import { withSink } from '../sink.js';
import { inSnapshot, type ExportSource } from '../snapshot.js';
import { metaOf, type ExportMeta } from '../table.js';
import { XlsxStream } from '../xlsx-stream.js';
import type { RowContext, RvColumn, SqlRow } from './columns.js';
import { dvPort, dvSwitch, vCluster, vDatastore, vHost, vMetaData, vNic, vSwitch } from './infra-sheets.js';
import { vCpu, vDisk, vInfo, vMemory, vNetwork, vPartition, vSnapshot, vTools } from './vm-sheets.js';

interface RvtoolsOptions {
  out: Writable | string;
  freshness?: Freshness;
  now?: Date;
  onProgress?: OnExportProgress;
  progressPace?: ProgressPace;
}

/** An RVTools workbook's options, read from the SQLite cache (`sqlite`) or PostgreSQL (`postgres`). */
export type RvtoolsExportOptions = RvtoolsOptions & ExportSource;

export interface RvtoolsExportResult {
  rows: number;
  /** Rows per sheet. */
  tables: Record<string, number>;
  bytes?: number;
  file?: string;
  meta: ExportMeta;
}

export interface RvSheet {
  name: string;
  columns: RvColumn[];
  sql: string;
  /** Counts the rows up front (for progress) without running the sheet's query. */
  count: string;
  /** The rows carry custom attributes of their VM (`vm`) or host (`host`). */
  attributes?: 'vm' | 'host';
  /** The column naming the owner of those attributes. */
  owner?: string;
}

const VC = 'vc.url AS vc_url, vc.instance_uuid AS vc_uuid, vc.api_version AS vc_api';
const VC_JOIN = 'JOIN vcenters vc ON vc.id = t.vcenter_id';
/**
 * Rows come in primary-key order (vCenter, moid), which every table's key walks without a sort:
 * sorting a million wide rows by name would cost more than the rest of the export. A child's
 * moid starts with its VM's, so a VM's disks, NICs and partitions stay together.
 */
const KEY_ORDER = 'ORDER BY t.vcenter_id, t.moid';
/** The VM columns a child row (disk, NIC, partition, snapshot) shows, as `vm_*`. */
const OF_VM = [
  'name',
  'power_state',
  'template',
  'annotation',
  'datacenter',
  'cluster',
  'host',
  'folder',
  'guest_full_name',
  'guest_full_name_reported',
  'instance_uuid',
  'vm_path_name',
]
  .map((c) => `v.${c} AS vm_${c}`)
  .join(', ');
const CHILD = (table: string): string =>
  `SELECT t.*, ${OF_VM}, ${VC} FROM ${table} t
   JOIN vms v ON v.vcenter_id = t.vcenter_id AND v.moid = t.vm_moid ${VC_JOIN} ${KEY_ORDER}`;
const OF_HOST = `h.name AS host_name, h.datacenter AS host_datacenter, h.cluster AS host_cluster`;
const HOST_CHILD = (table: string, order: string): string =>
  `SELECT t.*, ${OF_HOST}, ${VC} FROM ${table} t
   JOIN hosts h ON h.vcenter_id = t.vcenter_id AND h.moid = t.host_moid ${VC_JOIN}
   ORDER BY t.vcenter_id, t.host_moid, ${order}`;

/** The sheets, in RVTools' order, for the custom attribute names found in the cache. */
export function rvtoolsSheets(
  vmAttributes: readonly string[],
  hostAttributes: readonly string[],
  d: Dialect = 'sqlite',
): RvSheet[] {
  const vms = `SELECT t.*, ${VC} FROM vms t ${VC_JOIN} ${KEY_ORDER}`;
  const count = (table: string, where = ''): string => `SELECT count(*) AS n FROM ${table} ${where}`;
  // A VM's networks in device order, as a JSON array's text (the getters parse it).
  const nets =
    d === 'pg'
      ? `(SELECT coalesce(json_agg(n.network ORDER BY n.device_key), '[]'::json)::text FROM vm_nics n
          WHERE n.vcenter_id = t.vcenter_id AND n.vm_moid = t.moid)`
      : `(SELECT json_group_array(network) FROM (SELECT n.network FROM vm_nics n
          WHERE n.vcenter_id = t.vcenter_id AND n.vm_moid = t.moid ORDER BY n.device_key))`;
  const mountedBy = `FROM host_datastores l JOIN hosts h ON h.vcenter_id = l.vcenter_id AND h.moid = l.host_moid
          WHERE l.vcenter_id = t.vcenter_id AND l.datastore_moid = t.moid`;
  const hostNames =
    d === 'pg'
      ? `(SELECT string_agg(h.name, ', ' ORDER BY h.name) ${mountedBy})`
      : `(SELECT group_concat(name, ', ') FROM (SELECT h.name ${mountedBy} ORDER BY h.name))`;
  const vm = { attributes: 'vm' as const, owner: 'moid' };
  const child = { attributes: 'vm' as const, owner: 'vm_moid' };
  return [
    {
      name: 'vInfo',
      columns: vInfo(vmAttributes),
      sql: `SELECT t.*, ${VC}, ${nets} AS nets FROM vms t ${VC_JOIN} ${KEY_ORDER}`,
      count: count('vms'),
      ...vm,
    },
    { name: 'vCPU', columns: vCpu(vmAttributes), sql: vms, count: count('vms'), ...vm },
    { name: 'vMemory', columns: vMemory(vmAttributes), sql: vms, count: count('vms'), ...vm },
    {
      name: 'vDisk',
      columns: vDisk(vmAttributes),
      sql: CHILD('vm_disks'),
      count: count('vm_disks'),
      ...child,
    },
    {
      name: 'vPartition',
      columns: vPartition(vmAttributes),
      sql: CHILD('vm_partitions'),
      count: count('vm_partitions'),
      ...child,
    },
    {
      name: 'vNetwork',
      columns: vNetwork(vmAttributes),
      sql: CHILD('vm_nics'),
      count: count('vm_nics'),
      ...child,
    },
    {
      name: 'vSnapshot',
      columns: vSnapshot(vmAttributes),
      sql: CHILD('snapshots'),
      count: count('snapshots'),
      ...child,
    },
    { name: 'vTools', columns: vTools(vmAttributes), sql: vms, count: count('vms'), ...vm },
    {
      name: 'vCluster',
      columns: vCluster(),
      sql: `SELECT t.*, ${VC} FROM clusters t ${VC_JOIN} ${KEY_ORDER}`,
      count: count('clusters'),
    },
    {
      name: 'vHost',
      columns: vHost(hostAttributes),
      sql: `SELECT t.*, ${VC}, a.vms_on, a.vcpus_on, a.vram_on
        FROM hosts t ${VC_JOIN}
        LEFT JOIN (SELECT vcenter_id, host_moid, count(*) AS vms_on, sum(num_cpu) AS vcpus_on,
          sum(memory_mb) AS vram_on FROM vms WHERE power_state = 'poweredOn' GROUP BY vcenter_id, host_moid) a
          ON a.vcenter_id = t.vcenter_id AND a.host_moid = t.moid
        ${KEY_ORDER}`,
      count: count('hosts'),
      attributes: 'host',
      owner: 'moid',
    },
    { name: 'vNIC', columns: vNic(), sql: HOST_CHILD('host_nics', 't.device'), count: count('host_nics') },
    {
      name: 'vSwitch',
      columns: vSwitch(),
      sql: HOST_CHILD('host_vswitches', 't.name'),
      count: count('host_vswitches'),
    },
    {
      name: 'dvSwitch',
      columns: dvSwitch(),
      sql: `SELECT t.*, ${VC} FROM dv_switches t ${VC_JOIN} ${KEY_ORDER}`,
      count: count('dv_switches'),
    },
    {
      name: 'dvPort',
      columns: dvPort(),
      sql: `SELECT t.*, ${VC} FROM networks t ${VC_JOIN} WHERE t.type = 'DistributedVirtualPortgroup' ${KEY_ORDER}`,
      count: count('networks', "WHERE type = 'DistributedVirtualPortgroup'"),
    },
    {
      name: 'vDatastore',
      columns: vDatastore(),
      sql: `SELECT t.*, ${VC},
        (SELECT count(*) FROM vm_datastores l JOIN vms v ON v.vcenter_id = l.vcenter_id AND v.moid = l.vm_moid
          WHERE l.vcenter_id = t.vcenter_id AND l.datastore_moid = t.moid AND v.power_state = 'poweredOn') AS vms_on,
        ${hostNames} AS host_names
        FROM datastores t ${VC_JOIN} ${KEY_ORDER}`,
      count: count('datastores'),
    },
    {
      name: 'vMetaData',
      columns: vMetaData(),
      sql: `SELECT vc.url AS vc_url, ${d === 'pg' ? '$1::text' : '?'} AS written_by, ${d === 'pg' ? '$2::text' : '?'} AS exported_at FROM vcenters vc
        WHERE vc.id IN (SELECT vcenter_id FROM sync_state WHERE last_success_at IS NOT NULL)
        ORDER BY ${orderTerm(d, 'vc.name', true, 'asc', true)}`,
      count: 'SELECT count(*) AS n FROM sync_state WHERE last_success_at IS NOT NULL',
    },
  ];
}

/** The custom attribute names in `table`, ignoring ASCII case in their order (then exact, for ties). */
async function names(reader: SnapshotReader, table: string): Promise<string[]> {
  const order = orderTerm(reader.dialect, 'name', true, 'asc', true);
  const rows = await reader.all({
    sql: `SELECT name FROM (SELECT DISTINCT name FROM ${table}) d ORDER BY ${order}, name`,
    params: [],
  });
  return rows.map((r) => r['name'] as string);
}

/** The vCenter's host name, once per URL. */
function rowContext(): RowContext {
  const hosts = new Map<string, string | null>();
  return {
    server(row: SqlRow): string | null {
      const url = row['vc_url'];
      if (typeof url !== 'string') return null;
      let h = hosts.get(url);
      if (h === undefined) {
        try {
          h = new URL(url).hostname.replace(/^\[|\]$/g, '');
        } catch {
          h = url;
        }
        hosts.set(url, h);
      }
      return h;
    },
  };
}

/**
 * Custom attribute values by owner (`vCenter id/moid` → name → value): read once, since a
 * correlated subquery per row of each VM sheet would cost more than the rest of the export.
 */
async function attributeValues(
  reader: SnapshotReader,
  table: string,
  owner: string,
): Promise<Map<string, Record<string, string | null>>> {
  const out = new Map<string, Record<string, string | null>>();
  for await (const batch of reader.batches({
    sql: `SELECT vcenter_id, ${owner}, name, value FROM ${table}`,
    params: [],
  }))
    for (const [vc, moid, name, value] of batch.rows as [number, string, string, string | null][]) {
      const k = `${vc}/${moid}`;
      const m = out.get(k) ?? {};
      m[name] = value;
      out.set(k, m);
    }
  return out;
}

async function* sheetRows(
  reader: SnapshotReader,
  sheet: RvSheet,
  params: Param[],
  ctx: RowContext,
  attributes: Map<string, Record<string, string | null>> | undefined,
): Rows {
  const getters = sheet.columns.map((c) => c.get);
  const owner = sheet.owner;
  // One row object for the whole sheet, its values replaced row by row: a fresh object of a
  // hundred properties per row (a million rows) is most of the garbage, and of the peak memory.
  const row: SqlRow = {};
  for await (const batch of reader.batches({ sql: sheet.sql, params })) {
    const { names } = batch;
    const width = names.length;
    const out = new Array<unknown[]>(batch.rows.length);
    for (let r = 0; r < batch.rows.length; r++) {
      const values = batch.rows[r]!;
      for (let i = 0; i < width; i++) row[names[i]!] = values[i];
      row['__cache'] = undefined;
      row['__attrs'] =
        attributes && owner
          ? (attributes.get(`${String(row['vcenter_id'])}/${String(row[owner])}`) ?? null)
          : null;
      const cells = new Array<unknown>(getters.length);
      for (let i = 0; i < getters.length; i++) cells[i] = getters[i]?.(row, ctx) ?? null;
      out[r] = cells;
    }
    yield out;
  }
}

export async function exportRvtools(opts: RvtoolsExportOptions): Promise<RvtoolsExportResult> {
  const freshness = await freshnessOf(opts, undefined, opts.freshness);
  const now = opts.now ?? new Date();
  return inSnapshot(opts, async (reader) => {
    const sheets = rvtoolsSheets(
      await names(reader, 'vm_custom_values'),
      await names(reader, 'host_custom_values'),
      reader.dialect,
    );
    const params = (s: RvSheet): Param[] =>
      s.name === 'vMetaData' ? [`vMiner ${VERSION}`, now.toISOString()] : [];
    const counts: Record<string, number> = {};
    let total = 0;
    for (const s of sheets) {
      const n = Number((await reader.all({ sql: s.count, params: [] }))[0]?.['n'] ?? 0);
      counts[s.name] = n;
      total += n;
    }
    const meta = metaOf(freshness, counts, { now });
    const meter = new ProgressMeter(opts.onProgress, total, opts.progressPace);
    meter.start();
    const ctx = rowContext();
    const attrs = {
      vm: await attributeValues(reader, 'vm_custom_values', 'vm_moid'),
      host: await attributeValues(reader, 'host_custom_values', 'host_moid'),
    };
    const { result: written, bytes } = await withSink(opts.out, async (sink) => {
      const xlsx = new XlsxStream(sink);
      const out: Record<string, number> = {};
      for (const s of sheets) {
        out[s.name] = await xlsx.sheet(
          s.name,
          s.columns.map((c) => ({ header: c.header, kind: c.kind })),
          sheetRows(reader, s, params(s), ctx, s.attributes ? attrs[s.attributes] : undefined),
          meter.at,
        );
        meter.tableDone(out[s.name]!);
      }
      await xlsx.finish();
      return out;
    });
    const rows = Object.values(written).reduce((a, b) => a + b, 0);
    meter.done(rows);
    return {
      rows,
      tables: written,
      meta: { ...meta, rows: written },
      ...(bytes !== undefined && typeof opts.out === 'string' ? { bytes, file: path.resolve(opts.out) } : {}),
    };
  });
}
