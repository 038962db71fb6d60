/**
 * Rows of schema.ts's tables on PostgreSQL, in drizzle's record shape: the same camelCase keys and
 * value types better-sqlite3 gives through drizzle (booleans as booleans, bigints as numbers), so
 * the rules written for the SQLite records (vcenter-rules.ts, account-rules.ts, …) read them as
 * they are. The column names come from schema.ts itself; nothing here names a column twice.
 */
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type pg from 'pg';

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `"created_at" AS "createdAt", …` for every column of `table`. */
function selectList(table: SQLiteTable): string {
  return Object.entries(getTableColumns(table))
    .map(([key, col]) => `${quote(col.name)} AS ${quote(key)}`)
    .join(', ');
}

function columnOf(table: SQLiteTable, key: string): string {
  const col = getTableColumns(table)[key];
  if (!col) throw new Error(`${getTableName(table)} has no column ${key}`);
  return quote(col.name);
}

export type Queryable = Pick<pg.ClientBase, 'query'>;

/** Every row of `table` (optionally `WHERE …`, its parameters written `{1}`, `{2}` …), as records. */
export async function selectRows<T extends SQLiteTable>(
  db: Queryable,
  table: T,
  where = '',
  params: unknown[] = [],
  /** `ORDER BY …` (the mirror reads in primary-key order: `ORDER BY 1`). */
  order = '',
): Promise<T['$inferSelect'][]> {
  const r = await db.query(
    `SELECT ${selectList(table)} FROM ${quote(getTableName(table))}${where ? ` WHERE ${shift(where, 0)}` : ''} ${order}`,
    params,
  );
  return r.rows as T['$inferSelect'][];
}

/** Inserts one row (its defined keys) and returns it as stored. */
export async function insertRow<T extends SQLiteTable>(
  db: Queryable,
  table: T,
  values: Partial<T['$inferInsert']>,
  onConflict = '',
): Promise<T['$inferSelect'] | undefined> {
  const keys = Object.keys(values).filter((k) => (values as Record<string, unknown>)[k] !== undefined);
  const r = await db.query(
    `INSERT INTO ${quote(getTableName(table))} (${keys.map((k) => columnOf(table, k)).join(', ')})
     VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')}) ${onConflict} RETURNING ${selectList(table)}`,
    keys.map((k) => (values as Record<string, unknown>)[k]),
  );
  return r.rows[0] as T['$inferSelect'] | undefined;
}

/** PostgreSQL takes at most 65,535 parameters a statement. */
const MAX_PARAMS = 65_535;

/**
 * Inserts many rows, all with the keys of the first, in multi-row statements of at most 1,000 rows
 * (and under PostgreSQL's parameter limit); `returning` the columns (record keys) to give back.
 */
export async function insertRows<T extends SQLiteTable, K extends keyof T['$inferSelect'] & string>(
  db: Queryable,
  table: T,
  rows: readonly Partial<T['$inferInsert']>[],
  returning: readonly K[],
): Promise<Pick<T['$inferSelect'], K>[]> {
  if (rows.length === 0) return [];
  const keys = Object.keys(rows[0]!);
  const per = Math.max(1, Math.min(1000, Math.floor(MAX_PARAMS / keys.length)));
  const back = returning.map((k) => `${columnOf(table, k)} AS ${quote(k)}`).join(', ');
  const out: Pick<T['$inferSelect'], K>[] = [];
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    const values: unknown[] = [];
    const tuples = chunk.map((row) => {
      const start = values.length;
      for (const k of keys) values.push((row as Record<string, unknown>)[k]);
      return `(${keys.map((_, j) => `$${start + j + 1}`).join(', ')})`;
    });
    const r = await db.query(
      `INSERT INTO ${quote(getTableName(table))} (${keys.map((k) => columnOf(table, k)).join(', ')})
       VALUES ${tuples.join(', ')} RETURNING ${back}`,
      values,
    );
    out.push(...(r.rows as Pick<T['$inferSelect'], K>[]));
  }
  return out;
}

/** Sets the defined keys of `set` on the rows `where` picks (parameters `{1}` …); the changed rows as stored. */
export async function updateRows<T extends SQLiteTable>(
  db: Queryable,
  table: T,
  set: Partial<T['$inferSelect']>,
  where: string,
  params: unknown[],
): Promise<T['$inferSelect'][]> {
  const keys = Object.keys(set).filter((k) => (set as Record<string, unknown>)[k] !== undefined);
  if (keys.length === 0) return selectRows(db, table, where, params);
  const r = await db.query(
    `UPDATE ${quote(getTableName(table))} SET ${keys.map((k, i) => `${columnOf(table, k)} = $${i + 1}`).join(', ')}
     WHERE ${shift(where, keys.length)} RETURNING ${selectList(table)}`,
    [...keys.map((k) => (set as Record<string, unknown>)[k]), ...params],
  );
  return r.rows as T['$inferSelect'][];
}

/** `{1}` → `$<offset+1>`. */
function shift(where: string, offset: number): string {
  return where.replace(/\{(\d+)\}/g, (_, n: string) => `$${offset + Number(n)}`);
}

/** A column of `table` by its record key, quoted, for hand-written conditions. */
export const col = columnOf;
