/**
 * What SQLite's and PostgreSQL's ON DELETE CASCADE remove, worked out in memory: a store that read
 * a vCenter's stored rows of every table before writing any (PgInventoryStore) sees the rows a
 * deleted owner takes with it as still there. `Cascade` is told the rows each step deleted and
 * drops, from a later table's stored rows, those whose foreign key names one of them (following
 * chains: a category, its tags, their assignments), as a store that reads each table after the
 * previous one was written would not find them.
 */
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { shapeOf } from './table-shape.js';

interface CascadingKey {
  /** The referenced (owner) table. */
  owner: SQLiteTable;
  /** Where the key's columns sit in a row of the referencing table and of the owner. */
  at: number[];
  ownerAt: number[];
}

const keyOf = (row: readonly unknown[], at: readonly number[]): string =>
  at.map((i) => String(row[i])).join('\u0000');

const cache = new WeakMap<SQLiteTable, CascadingKey[]>();

function cascadingKeys(table: SQLiteTable): CascadingKey[] {
  let keys = cache.get(table);
  if (keys) return keys;
  keys = [];
  const cols = shapeOf(table).columns;
  for (const fk of getTableConfig(table).foreignKeys) {
    if (fk.onDelete !== 'cascade') continue;
    const ref = fk.reference();
    const ownerCols = getTableConfig(ref.foreignTable).columns.map((c) => c.name);
    keys.push({
      owner: ref.foreignTable,
      at: ref.columns.map((c) => cols.indexOf(c.name)),
      ownerAt: ref.foreignColumns.map((c) => ownerCols.indexOf(c.name)),
    });
  }
  cache.set(table, keys);
  return keys;
}

export class Cascade {
  private readonly deleted = new Map<SQLiteTable, (readonly unknown[])[]>();

  /** Rows of `table` a step deleted (value arrays in the table's column order). */
  removed(table: SQLiteTable, rows: readonly (readonly unknown[])[]): void {
    if (rows.length === 0) return;
    let list = this.deleted.get(table);
    if (!list) this.deleted.set(table, (list = []));
    list.push(...rows);
  }

  /** `table`'s stored rows without those a deletion so far has taken with it (noted as deleted too). */
  surviving(table: SQLiteTable, stored: readonly (readonly unknown[])[]): (readonly unknown[])[] {
    const gone: { at: number[]; keys: Set<string> }[] = [];
    for (const k of cascadingKeys(table)) {
      const owners = this.deleted.get(k.owner);
      if (owners) gone.push({ at: k.at, keys: new Set(owners.map((r) => keyOf(r, k.ownerAt))) });
    }
    if (gone.length === 0) return [...stored];
    const kept: (readonly unknown[])[] = [];
    const dropped: (readonly unknown[])[] = [];
    for (const r of stored) (gone.some((g) => g.keys.has(keyOf(r, g.at))) ? dropped : kept).push(r);
    this.removed(table, dropped);
    return kept;
  }
}
