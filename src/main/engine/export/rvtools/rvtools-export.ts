/**
 * The whole estate as one workbook in RVTools' layout (`vminer export --format rvtools`, the
 * desktop save dialog's RVTools choice, `POST /api/export/rvtools`): the sheets and headers tools
 * that read RVTools expect, RVTools' units and value spellings, "VI SDK Server" and "VI SDK UUID"
 * on every row. Rows stream from SQLite (one read snapshot) into the lean XLSX writer.
 */
import Database from 'better-sqlite3';
import type { Writable } from 'node:stream';
import path from 'node:path';
import type { Freshness } from '../../../../shared/query.js';
import { QueryService } from '../../query/query-service.js';
import { VERSION } from '../../version.js';
import { ProgressMeter, type OnExportProgress, type ProgressPace } from '../progress.js';
import { withSink } from '../sink.js';
import { metaOf, type ExportMeta } from '../table.js';
import { XlsxStream } from '../xlsx-stream.js';
import type { RowContext, RvColumn, SqlRow } from './columns.js';
import { dvPort, dvSwitch, vCluster, vDatastore, vHost, vMetaData, vNic, vSwitch } from './infra-sheets.js';
import { vCpu, vDisk, vInfo, vMemory, vNetwork, vPartition, vSnapshot, vTools } from './vm-sheets.js';

export interface RvtoolsExportOptions {
  sqlite: Database.Database;
  out: Writable | string;
  freshness?: Freshness;
  now?: Date;
  onProgress?: OnExportProgress;
  progressPace?: ProgressPace;
}

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
}

const VC = 'vc.url AS vc_url, vc.instance_uuid AS vc_uuid, vc.api_version AS vc_api';
const VC_JOIN = 'JOIN vcenters vc ON vc.id = t.vcenter_id';
const VM_ATTRS = (alias: string): string =>
  `(SELECT json_group_object(c.name, c.value) FROM vm_custom_values c WHERE c.vcenter_id = ${alias}.vcenter_id AND c.vm_moid = ${alias}.moid) AS attrs`;
const VM_ORDER = 'ORDER BY vc.name COLLATE NOCASE, t.name COLLATE NOCASE, t.moid';
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
const CHILD = (table: string, order: string): string =>
  `SELECT t.*, ${OF_VM}, ${VC}, ${VM_ATTRS('v')} FROM ${table} t
   JOIN vms v ON v.vcenter_id = t.vcenter_id AND v.moid = t.vm_moid ${VC_JOIN}
   ORDER BY vc.name COLLATE NOCASE, v.name COLLATE NOCASE, v.moid, ${order}`;
const OF_HOST = `h.name AS host_name, h.datacenter AS host_datacenter, h.cluster AS host_cluster`;
const HOST_CHILD = (table: string, order: string): string =>
  `SELECT t.*, ${OF_HOST}, ${VC} FROM ${table} t
   JOIN hosts h ON h.vcenter_id = t.vcenter_id AND h.moid = t.host_moid ${VC_JOIN}
   ORDER BY vc.name COLLATE NOCASE, h.name COLLATE NOCASE, ${order}`;

/** The sheets, in RVTools' order, for the custom attribute names found in the cache. */
export function rvtoolsSheets(vmAttributes: readonly string[], hostAttributes: readonly string[]): RvSheet[] {
  const vms = `SELECT t.*, ${VC}, ${VM_ATTRS('t')} FROM vms t ${VC_JOIN} ${VM_ORDER}`;
  return [
    {
      name: 'vInfo',
      columns: vInfo(vmAttributes),
      sql: `SELECT t.*, ${VC}, ${VM_ATTRS('t')},
        (SELECT json_group_array(network) FROM (SELECT n.network FROM vm_nics n
          WHERE n.vcenter_id = t.vcenter_id AND n.vm_moid = t.moid ORDER BY n.device_key)) AS nets
        FROM vms t ${VC_JOIN} ${VM_ORDER}`,
    },
    { name: 'vCPU', columns: vCpu(vmAttributes), sql: vms },
    { name: 'vMemory', columns: vMemory(vmAttributes), sql: vms },
    { name: 'vDisk', columns: vDisk(vmAttributes), sql: CHILD('vm_disks', 't.device_key') },
    { name: 'vPartition', columns: vPartition(vmAttributes), sql: CHILD('vm_partitions', 't.name') },
    { name: 'vNetwork', columns: vNetwork(vmAttributes), sql: CHILD('vm_nics', 't.device_key') },
    { name: 'vSnapshot', columns: vSnapshot(vmAttributes), sql: CHILD('snapshots', 't.created_at, t.moid') },
    { name: 'vTools', columns: vTools(vmAttributes), sql: vms },
    {
      name: 'vCluster',
      columns: vCluster(),
      sql: `SELECT t.*, ${VC} FROM clusters t ${VC_JOIN} ORDER BY vc.name COLLATE NOCASE, t.name COLLATE NOCASE`,
    },
    {
      name: 'vHost',
      columns: vHost(hostAttributes),
      sql: `SELECT t.*, ${VC}, a.vms_on, a.vcpus_on, a.vram_on,
        (SELECT json_group_object(c.name, c.value) FROM host_custom_values c
          WHERE c.vcenter_id = t.vcenter_id AND c.host_moid = t.moid) AS attrs
        FROM hosts t ${VC_JOIN}
        LEFT JOIN (SELECT vcenter_id, host_moid, count(*) AS vms_on, sum(num_cpu) AS vcpus_on,
          sum(memory_mb) AS vram_on FROM vms WHERE power_state = 'poweredOn' GROUP BY vcenter_id, host_moid) a
          ON a.vcenter_id = t.vcenter_id AND a.host_moid = t.moid
        ORDER BY vc.name COLLATE NOCASE, t.name COLLATE NOCASE`,
    },
    { name: 'vNIC', columns: vNic(), sql: HOST_CHILD('host_nics', 't.device') },
    { name: 'vSwitch', columns: vSwitch(), sql: HOST_CHILD('host_vswitches', 't.name') },
    {
      name: 'dvSwitch',
      columns: dvSwitch(),
      sql: `SELECT t.*, ${VC} FROM dv_switches t ${VC_JOIN} ORDER BY vc.name COLLATE NOCASE, t.name COLLATE NOCASE`,
    },
    {
      name: 'dvPort',
      columns: dvPort(),
      sql: `SELECT t.*, ${VC} FROM networks t ${VC_JOIN} WHERE t.type = 'DistributedVirtualPortgroup'
        ORDER BY vc.name COLLATE NOCASE, t.switch COLLATE NOCASE, t.name COLLATE NOCASE`,
    },
    {
      name: 'vDatastore',
      columns: vDatastore(),
      sql: `SELECT t.*, ${VC},
        (SELECT count(*) FROM vm_datastores l JOIN vms v ON v.vcenter_id = l.vcenter_id AND v.moid = l.vm_moid
          WHERE l.vcenter_id = t.vcenter_id AND l.datastore_moid = t.moid AND v.power_state = 'poweredOn') AS vms_on,
        (SELECT group_concat(name, ', ') FROM (SELECT h.name FROM host_datastores l
          JOIN hosts h ON h.vcenter_id = l.vcenter_id AND h.moid = l.host_moid
          WHERE l.vcenter_id = t.vcenter_id AND l.datastore_moid = t.moid ORDER BY h.name)) AS host_names
        FROM datastores t ${VC_JOIN} ORDER BY vc.name COLLATE NOCASE, t.name COLLATE NOCASE`,
    },
    {
      name: 'vMetaData',
      columns: vMetaData(),
      sql: `SELECT vc.url AS vc_url, ? AS written_by, ? AS exported_at FROM vcenters vc
        WHERE vc.id IN (SELECT vcenter_id FROM sync_state WHERE last_success_at IS NOT NULL)
        ORDER BY vc.name COLLATE NOCASE`,
    },
  ];
}

function names(conn: Database.Database, table: string): string[] {
  return conn
    .prepare(`SELECT DISTINCT name FROM ${table} ORDER BY name COLLATE NOCASE`)
    .pluck()
    .all() as string[];
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

function* sheetRows(
  conn: Database.Database,
  sheet: RvSheet,
  params: unknown[],
  ctx: RowContext,
): Generator<unknown[]> {
  const getters = sheet.columns.map((c) => c.get);
  for (const row of conn.prepare(sheet.sql).iterate(...params) as IterableIterator<SqlRow>) {
    const out = new Array<unknown>(getters.length);
    for (let i = 0; i < getters.length; i++) out[i] = getters[i]?.(row, ctx) ?? null;
    yield out;
  }
}

/** Runs `body` in one read snapshot on a read-only connection of its own (see exporter.ts). */
async function inSnapshot<T>(
  sqlite: Database.Database,
  body: (conn: Database.Database) => Promise<T>,
): Promise<T> {
  if (sqlite.memory || sqlite.inTransaction) return body(sqlite);
  const conn = new Database(sqlite.name, { readonly: true, fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 5000');
    conn.exec('BEGIN');
    return await body(conn);
  } finally {
    conn.close();
  }
}

export async function exportRvtools(opts: RvtoolsExportOptions): Promise<RvtoolsExportResult> {
  const freshness = opts.freshness ?? new QueryService({ sqlite: opts.sqlite }).freshness(undefined);
  const now = opts.now ?? new Date();
  return inSnapshot(opts.sqlite, async (conn) => {
    const sheets = rvtoolsSheets(names(conn, 'vm_custom_values'), names(conn, 'host_custom_values'));
    const params = (s: RvSheet): unknown[] =>
      s.name === 'vMetaData' ? [`vMiner ${VERSION}`, now.toISOString()] : [];
    const counts: Record<string, number> = {};
    let total = 0;
    for (const s of sheets) {
      const n =
        (conn
          .prepare(`SELECT count(*) FROM (${s.sql})`)
          .pluck()
          .get(...params(s)) as number) ?? 0;
      counts[s.name] = n;
      total += n;
    }
    const meta = metaOf(freshness, counts, { now });
    const meter = new ProgressMeter(opts.onProgress, total, opts.progressPace);
    meter.start();
    const ctx = rowContext();
    const { result: written, bytes } = await withSink(opts.out, async (sink) => {
      const xlsx = new XlsxStream(sink);
      const out: Record<string, number> = {};
      for (const s of sheets) {
        out[s.name] = await xlsx.sheet(
          s.name,
          s.columns.map((c) => ({ header: c.header, kind: c.kind })),
          sheetRows(conn, s, params(s), ctx),
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
