/**
 * The whole estate as one workbook in RVTools' layout (`vminer export --format rvtools`, the
 * desktop save dialog's RVTools choice, `POST /api/export/rvtools`): the sheets and headers tools
 * that read RVTools expect, RVTools' units and value spellings, "VI SDK Server" and "VI SDK UUID"
 * on every row. Rows stream from SQLite (one read snapshot) into the lean XLSX writer.
 */
import type Database from 'better-sqlite3';
import type { Writable } from 'node:stream';
import path from 'node:path';
import type { Freshness } from '../../../../shared/query.js';
import { QueryService } from '../../query/query-service.js';
import { VERSION } from '../../version.js';
import { ProgressMeter, type OnExportProgress, type ProgressPace } from '../progress.js';
import { withSink } from '../sink.js';
import { inSnapshot } from '../snapshot.js';
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
export function rvtoolsSheets(vmAttributes: readonly string[], hostAttributes: readonly string[]): RvSheet[] {
  const vms = `SELECT t.*, ${VC} FROM vms t ${VC_JOIN} ${KEY_ORDER}`;
  const count = (table: string, where = ''): string => `SELECT count(*) FROM ${table} ${where}`;
  const vm = { attributes: 'vm' as const, owner: 'moid' };
  const child = { attributes: 'vm' as const, owner: 'vm_moid' };
  return [
    {
      name: 'vInfo',
      columns: vInfo(vmAttributes),
      sql: `SELECT t.*, ${VC},
        (SELECT json_group_array(network) FROM (SELECT n.network FROM vm_nics n
          WHERE n.vcenter_id = t.vcenter_id AND n.vm_moid = t.moid ORDER BY n.device_key)) AS nets
        FROM vms t ${VC_JOIN} ${KEY_ORDER}`,
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
        (SELECT group_concat(name, ', ') FROM (SELECT h.name FROM host_datastores l
          JOIN hosts h ON h.vcenter_id = l.vcenter_id AND h.moid = l.host_moid
          WHERE l.vcenter_id = t.vcenter_id AND l.datastore_moid = t.moid ORDER BY h.name)) AS host_names
        FROM datastores t ${VC_JOIN} ${KEY_ORDER}`,
      count: count('datastores'),
    },
    {
      name: 'vMetaData',
      columns: vMetaData(),
      sql: `SELECT vc.url AS vc_url, ? AS written_by, ? AS exported_at FROM vcenters vc
        WHERE vc.id IN (SELECT vcenter_id FROM sync_state WHERE last_success_at IS NOT NULL)
        ORDER BY vc.name COLLATE NOCASE`,
      count: 'SELECT count(*) FROM sync_state WHERE last_success_at IS NOT NULL',
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

/**
 * Custom attribute values by owner (`vCenter id/moid` → name → value): read once, since a
 * correlated subquery per row of each VM sheet would cost more than the rest of the export.
 */
function attributeValues(
  conn: Database.Database,
  table: string,
  owner: string,
): Map<string, Record<string, string | null>> {
  const out = new Map<string, Record<string, string | null>>();
  for (const [vc, moid, name, value] of conn
    .prepare(`SELECT vcenter_id, ${owner}, name, value FROM ${table}`)
    .raw(true)
    .iterate() as IterableIterator<[number, string, string, string | null]>) {
    const k = `${vc}/${moid}`;
    const m = out.get(k) ?? {};
    m[name] = value;
    out.set(k, m);
  }
  return out;
}

function* sheetRows(
  conn: Database.Database,
  sheet: RvSheet,
  params: unknown[],
  ctx: RowContext,
  attributes: Map<string, Record<string, string | null>> | undefined,
): Generator<unknown[]> {
  const getters = sheet.columns.map((c) => c.get);
  const owner = sheet.owner;
  const stmt = conn.prepare(sheet.sql).raw(true);
  const names = stmt.columns().map((c) => c.name);
  // One row object for the whole sheet, its values replaced row by row: a fresh object of a
  // hundred properties per row (a million rows) is most of the garbage, and of the peak memory.
  const row: SqlRow = {};
  for (const n of names) row[n] = null;
  row['__attrs'] = null;
  row['__cache'] = undefined;
  const width = names.length;
  for (const values of stmt.iterate(...params) as IterableIterator<unknown[]>) {
    for (let i = 0; i < width; i++) row[names[i]!] = values[i];
    row['__cache'] = undefined;
    if (attributes && owner)
      row['__attrs'] = attributes.get(`${String(row['vcenter_id'])}/${String(row[owner])}`) ?? null;
    const out = new Array<unknown>(getters.length);
    for (let i = 0; i < getters.length; i++) out[i] = getters[i]?.(row, ctx) ?? null;
    yield out;
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
      const n = (conn.prepare(s.count).pluck().get() as number | undefined) ?? 0;
      counts[s.name] = n;
      total += n;
    }
    const meta = metaOf(freshness, counts, { now });
    const meter = new ProgressMeter(opts.onProgress, total, opts.progressPace);
    meter.start();
    const ctx = rowContext();
    const attrs = {
      vm: attributeValues(conn, 'vm_custom_values', 'vm_moid'),
      host: attributeValues(conn, 'host_custom_values', 'host_moid'),
    };
    const { result: written, bytes } = await withSink(opts.out, async (sink) => {
      const xlsx = new XlsxStream(sink);
      const out: Record<string, number> = {};
      for (const s of sheets) {
        out[s.name] = await xlsx.sheet(
          s.name,
          s.columns.map((c) => ({ header: c.header, kind: c.kind })),
          sheetRows(conn, s, params(s), ctx, s.attributes ? attrs[s.attributes] : undefined),
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
