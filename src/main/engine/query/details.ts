/**
 * The related rows of one VM or host, for the row drawer (`inventory.details`): a VM's disks,
 * NICs, partitions and snapshots in their grids' field form, and the tags and custom attributes
 * of a VM or host. Found by owner (vCenter id + moid), so two VMs of one name are never mixed up.
 */
import type Database from 'better-sqlite3';
import type { DetailsRequest, ObjectDetails } from '../../../shared/contract.js';
import { FIELDS, fieldDef, type QueryEntity } from '../../../shared/fields.js';
import { columnExpr } from './planner.js';

type Row = Record<string, unknown>;

/** A child entity's rows of one VM, every field of its grid, in device / path / time order. */
function childRows(
  sqlite: Database.Database,
  entity: QueryEntity,
  table: string,
  order: string,
  req: DetailsRequest,
): Row[] {
  const fields = Object.keys(FIELDS[entity]);
  const select = [...fields.map((f) => `${columnExpr(entity, f)} AS "${f}"`), 't.moid AS "moid"'].join(', ');
  const rows = sqlite
    .prepare(
      `SELECT ${select} FROM "${table}" t JOIN vcenters vc ON vc.id = t.vcenter_id
       WHERE t.vcenter_id = ? AND t.vm_moid = ? ORDER BY ${order}`,
    )
    .all(req.vcenterId, req.moid) as Row[];
  for (const r of rows)
    for (const f of fields) if (fieldDef(entity, f)?.type === 'boolean' && r[f] !== null) r[f] = r[f] === 1;
  return rows;
}

export function objectDetails(sqlite: Database.Database, req: DetailsRequest): ObjectDetails {
  const vm = req.entity === 'vms';
  const tags = sqlite
    .prepare(
      `SELECT category, name, description FROM tag_assignments
       WHERE vcenter_id = ? AND object_moid = ? ORDER BY category COLLATE NOCASE, name COLLATE NOCASE`,
    )
    .all(req.vcenterId, req.moid) as ObjectDetails['tags'];
  const attributes = sqlite
    .prepare(
      `SELECT name, value FROM ${vm ? 'vm_custom_values' : 'host_custom_values'}
       WHERE vcenter_id = ? AND ${vm ? 'vm_moid' : 'host_moid'} = ? ORDER BY name COLLATE NOCASE`,
    )
    .all(req.vcenterId, req.moid) as ObjectDetails['attributes'];
  if (!vm) return { disks: [], nics: [], partitions: [], snapshots: [], tags, attributes };
  return {
    disks: childRows(sqlite, 'disks', 'vm_disks', 't.device_key', req),
    nics: childRows(sqlite, 'nics', 'vm_nics', 't.device_key', req),
    partitions: childRows(sqlite, 'partitions', 'vm_partitions', 't.name', req),
    snapshots: childRows(sqlite, 'snapshots', 'snapshots', 't.created_at, t.moid', req),
    tags,
    attributes,
  };
}
