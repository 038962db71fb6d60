/**
 * The related rows of one VM or host, for the row drawer (`inventory.details`): a VM's disks,
 * NICs, partitions and snapshots in their grids' field form, and the tags and custom attributes
 * of a VM or host. Found by owner (vCenter id + moid), so two VMs of one name are never mixed up.
 * One reading for both back ends: synchronous on SQLite, awaited on PostgreSQL.
 */
import type Database from 'better-sqlite3';
import type { DetailsRequest, ObjectDetails } from '../../../shared/contract.js';
import { FIELDS, fieldDef, type QueryEntity } from '../../../shared/fields.js';
import type { PgQueryBackend } from './pg-backend.js';
import { columnExpr } from './planner.js';
import { readAsync, readSync, type Reading, type Row } from './reading.js';
import { orderTerm, SqlParams, type Dialect } from './sql-dialect.js';

/** An ORDER BY key: an expression, compared ignoring ASCII case or not, never NULL or maybe. */
type Key = [expr: string, nocase: boolean, notNull: boolean];

const orderOf = (d: Dialect, keys: Key[]): string =>
  keys.map(([e, nocase, notNull]) => orderTerm(d, e, nocase, 'asc', notNull)).join(', ');

/** A child entity's rows of one VM, every field of its grid, in device / path / time order. */
function* childRows(
  d: Dialect,
  entity: QueryEntity,
  table: string,
  order: Key[],
  req: DetailsRequest,
): Reading<Row[]> {
  const fields = Object.keys(FIELDS[entity]);
  const select = [...fields.map((f) => `${columnExpr(entity, f, d)} AS "${f}"`), 't.moid AS "moid"'].join(
    ', ',
  );
  const b = new SqlParams(d);
  const rows = yield b.query(
    `SELECT ${select} FROM "${table}" t JOIN vcenters vc ON vc.id = t.vcenter_id
       WHERE t.vcenter_id = ${b.bind(req.vcenterId)} AND t.vm_moid = ${b.bind(req.moid)} ORDER BY ${orderOf(d, order)}`,
  );
  for (const r of rows)
    for (const f of fields) if (fieldDef(entity, f)?.type === 'boolean' && r[f] !== null) r[f] = r[f] === 1;
  return rows;
}

function* details(d: Dialect, req: DetailsRequest): Reading<ObjectDetails> {
  const vm = req.entity === 'vms';
  const t = new SqlParams(d);
  const tags = (yield t.query(
    `SELECT category, name, description FROM tag_assignments
       WHERE vcenter_id = ${t.bind(req.vcenterId)} AND object_moid = ${t.bind(req.moid)} ORDER BY ${orderOf(
         d,
         [
           ['category', true, true],
           ['name', true, true],
         ],
       )}`,
  )) as ObjectDetails['tags'];
  const a = new SqlParams(d);
  const attributes = (yield a.query(
    `SELECT name, value FROM ${vm ? 'vm_custom_values' : 'host_custom_values'}
       WHERE vcenter_id = ${a.bind(req.vcenterId)} AND ${vm ? 'vm_moid' : 'host_moid'} = ${a.bind(req.moid)} ORDER BY ${orderOf(d, [['name', true, true]])}`,
  )) as ObjectDetails['attributes'];
  if (!vm) return { disks: [], nics: [], partitions: [], snapshots: [], tags, attributes };
  return {
    disks: yield* childRows(d, 'disks', 'vm_disks', [['t.device_key', false, true]], req),
    nics: yield* childRows(d, 'nics', 'vm_nics', [['t.device_key', false, true]], req),
    partitions: yield* childRows(d, 'partitions', 'vm_partitions', [['t.name', false, false]], req),
    snapshots: yield* childRows(
      d,
      'snapshots',
      'snapshots',
      [
        ['t.created_at', false, false],
        ['t.moid', false, true],
      ],
      req,
    ),
    tags,
    attributes,
  };
}

export function objectDetails(sqlite: Database.Database, req: DetailsRequest): ObjectDetails {
  return readSync(details('sqlite', req), (q) => sqlite.prepare(q.sql).all(...q.params) as Row[]);
}

/** The same on a team server's PostgreSQL. */
export function objectDetailsAsync(backend: PgQueryBackend, req: DetailsRequest): Promise<ObjectDetails> {
  return readAsync(details('pg', req), (q) => backend.all(q));
}
