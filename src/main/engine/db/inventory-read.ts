import { asc, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { ENTITIES, type Entity, type EntityCounts } from '../../../shared/inventory.js';
import type { Db } from './database.js';
import { ENTITY_TABLES } from './inventory-store.js';
import { vcenters } from './schema.js';

export interface ListOptions {
  limit?: number;
  offset?: number;
  vcenterIds?: number[];
}

/** Rows of one entity with the vCenter name resolved, in the same camelCase shape everywhere. */
export function listEntity(db: Db, entity: Entity, opts: ListOptions = {}): Record<string, unknown>[] {
  const table = ENTITY_TABLES[entity];
  const cols = getTableColumns(table) as Record<string, SQLiteColumn>;
  const { vcenterId, ...rest } = cols;
  // Uptime is derived from the boot time at read time, so the stored rows never go stale.
  const derived: Record<string, SQL> = {};
  if (cols['bootTime']) {
    derived['uptimeSeconds'] =
      sql`CAST((julianday('now') - julianday(${cols['bootTime']})) * 86400 AS INTEGER)`;
  }
  const q = db
    .select({ vcenter: vcenters.name, ...rest, ...derived, vcenterId: vcenterId! })
    .from(table)
    .innerJoin(vcenters, eq(vcenterId!, vcenters.id))
    .where(opts.vcenterIds ? inArray(vcenterId!, opts.vcenterIds) : undefined)
    .orderBy(asc(vcenters.name), asc(cols['name'] ?? cols['moid']!), asc(cols['moid']!));
  const rows =
    opts.limit !== undefined
      ? q
          .limit(opts.limit)
          .offset(opts.offset ?? 0)
          .all()
      : q.all();
  return rows as Record<string, unknown>[];
}

export interface VcenterCounts {
  vcenterId: number;
  counts: EntityCounts;
}

export function countsByVcenter(db: Db): Map<number, EntityCounts> {
  const out = new Map<number, EntityCounts>();
  const blank = (): EntityCounts => Object.fromEntries(ENTITIES.map((e) => [e, 0])) as EntityCounts;
  for (const e of ENTITIES) {
    const t = ENTITY_TABLES[e];
    const vcCol = (getTableColumns(t) as Record<string, SQLiteColumn>)['vcenterId']!;
    const rows = db
      .select({ id: vcCol, n: sql<number>`count(*)` })
      .from(t)
      .groupBy(vcCol)
      .all() as { id: number; n: number }[];
    for (const r of rows) {
      const c = out.get(r.id) ?? blank();
      c[e] = r.n;
      out.set(r.id, c);
    }
  }
  return out;
}

/** One column of a list row: its key, the SQL that reads it (table alias `t`, vCenters `vc`), and whether it is a boolean. */
export interface ListColumn {
  key: string;
  sql: string;
  boolean: boolean;
}

/**
 * The columns of `listEntity`'s rows, in the same order and shape (vCenter name, every stored
 * column, derived uptime, vCenter id), as SQL over the planner's FROM clause: `vminer list` reads
 * them with the plan's filter and order (see `planRowsQuery`).
 */
export function listColumns(entity: Entity): ListColumn[] {
  const cols = getTableColumns(ENTITY_TABLES[entity]) as Record<string, SQLiteColumn>;
  const out: ListColumn[] = [{ key: 'vcenter', sql: 'vc."name"', boolean: false }];
  for (const [key, col] of Object.entries(cols)) {
    if (key === 'vcenterId') continue;
    out.push({ key, sql: `t."${col.name}"`, boolean: col.columnType === 'SQLiteBoolean' });
  }
  if (cols['bootTime'])
    out.push({
      key: 'uptimeSeconds',
      sql: `CAST((julianday('now') - julianday(t."${cols['bootTime'].name}")) * 86400 AS INTEGER)`,
      boolean: false,
    });
  out.push({ key: 'vcenterId', sql: 't."vcenter_id"', boolean: false });
  return out;
}
