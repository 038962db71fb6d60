/**
 * Both back ends' inventory as comparable lists, for tests that sync the same simulator into a
 * SQLite cache and a team database: every inventory, child, link and tag table, the search index
 * and the change history (ids and times apart), each row as a string with its columns sorted and
 * booleans as SQLite's 0/1.
 */
import type Database from 'better-sqlite3';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import type pg from 'pg';
import { pgTypes } from '../main/engine/db/pg/connect.js';
import {
  ENTITY_TABLES,
  HOST_CHILDREN,
  LINK_TABLES,
  OWN_ENTITIES,
  VM_CHILDREN,
} from '../main/engine/db/inventory-tables.js';
import * as schema from '../main/engine/db/schema.js';

/** Every table a vCenter's inventory writes (the search index and the history apart). */
export const INVENTORY_TABLES = [
  ...OWN_ENTITIES.map((e) => ENTITY_TABLES[e]),
  ...LINK_TABLES,
  ...VM_CHILDREN,
  ...HOST_CHILDREN,
  schema.dvSwitches,
  schema.tagCategories,
  schema.tagDefs,
  schema.tagAssignments,
].map((t) => getTableConfig(t).name);

/** A row as a comparable string: booleans as SQLite's 0/1, the columns sorted by name. */
export function canonRow(row: Record<string, unknown>, drop: readonly string[] = []): string {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(row).sort()) {
    if (drop.includes(k)) continue;
    const v = row[k];
    out[k] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  }
  return JSON.stringify(out);
}

const SEARCH = 'SELECT name, extra, entity, vcenter_id, moid FROM search_index';

/** The SQLite cache's rows of every inventory table, the search index and the history. */
export function sqliteDump(sqlite: Database.Database): Record<string, string[]> {
  const rows = (sql: string, drop: string[] = []): string[] =>
    (sqlite.prepare(sql).all() as Record<string, unknown>[]).map((r) => canonRow(r, drop)).sort();
  const out: Record<string, string[]> = {};
  for (const t of INVENTORY_TABLES) out[t] = rows(`SELECT * FROM ${t}`);
  out['search_index'] = rows(SEARCH);
  out['changes'] = rows('SELECT * FROM changes', ['id', 'at']);
  return out;
}

/** The team database's rows of the same tables. */
export async function pgDump(db: Pick<pg.Pool, 'query'>): Promise<Record<string, string[]>> {
  const rows = async (sql: string, drop: string[] = []): Promise<string[]> =>
    (await db.query<Record<string, unknown>>({ text: sql, types: pgTypes })).rows
      .map((r) => canonRow(r, drop))
      .sort();
  const out: Record<string, string[]> = {};
  for (const t of INVENTORY_TABLES) out[t] = await rows(`SELECT * FROM ${t}`);
  out['search_index'] = await rows(SEARCH);
  out['changes'] = await rows('SELECT * FROM changes', ['id', 'at']);
  return out;
}

/**
 * Change-history rows recorded twice: the same object, field, values and source under two ids
 * (what two leaders writing one change would leave, at two times). Tests that look for them make
 * each change once (no value set back and forth).
 */
export async function duplicateChanges(db: Pick<pg.Pool, 'query'>): Promise<Record<string, unknown>[]> {
  return (
    await db.query<Record<string, unknown>>(
      `SELECT vcenter_id, entity, moid, object_name, kind, field, old_value, new_value, source, count(*) AS n
         FROM changes
        GROUP BY vcenter_id, entity, moid, object_name, kind, field, old_value, new_value, source
       HAVING count(*) > 1`,
    )
  ).rows;
}
