/**
 * Batched row writes and reads of the inventory tables on PostgreSQL, for PgInventoryStore: each
 * statement binds one array per column (`unnest($1::text[], $2::integer[], …)`), so a statement has
 * as many parameters as the table has columns whatever the number of rows (far under PostgreSQL's
 * 65,535), and rows go in chunks of `CHUNK`. Rows are value arrays in the shape's column order,
 * encoded as SQLite stores them (table-shape.ts): booleans 0/1 on the way in and out, so both
 * stores compare rows the same way.
 */
import type pg from 'pg';
import type { Bindable, TableShape } from '../table-shape.js';
import { pgTypes } from './connect.js';
import { getTableColumns } from 'drizzle-orm';
import { derivedTables, searchIndex } from './schema.js';

/** What the store writes through: a pooled client inside its transaction. */
export type PgQueryable = Pick<pg.ClientBase, 'query'>;

/** Rows per statement: bounds a statement's size; the parameters stay one per column. */
export const CHUNK = 5_000;

export type OnConflict = 'fail' | 'ignore' | 'update';

const q = (name: string): string => `"${name}"`;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/** Column types by table: the tables derived from schema.ts, and the search index. */
const TYPES = new Map<string, Readonly<Record<string, string>>>([
  ...[...derivedTables].map(([name, d]) => [name, d.types] as const),
  [
    'search_index',
    Object.fromEntries(Object.values(getTableColumns(searchIndex)).map((c) => [c.name, c.getSQLType()])),
  ],
]);

/** The PostgreSQL type of each column of a table, as derived from schema.ts. */
export function columnTypes(table: string, columns: readonly string[]): string[] {
  const types = TYPES.get(table);
  if (!types) throw new Error(`${table} is not among the PostgreSQL tables`);
  return columns.map((c) => {
    const t = types[c];
    if (!t) throw new Error(`${table}.${c} is not among the derived PostgreSQL columns`);
    return t;
  });
}

/** `unnest($n::type[], …)` over the given columns, parameters from `first`. */
function unnestOf(types: readonly string[], first: number): string {
  return `unnest(${types.map((t, i) => `$${first + i}::${t}[]`).join(', ')})`;
}

const NEEDS_ESCAPE = /[\\"]/;
const ESCAPED = /[\\"]/g;

/**
 * One column's values as a PostgreSQL array literal (`{"a","b\\"c",NULL,42}`), the text `$n::type[]`
 * parses. Built here in one pass: pg's own encoding of an array parameter (every element through
 * prepareValue and two regular-expression replaces) was the largest part of a first sync's client
 * time. Every string is quoted (no element is mistaken for NULL or split at a comma); only `"` and
 * `\\` are escaped inside the quotes, as array_in reads them.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'string') out += `"${NEEDS_ESCAPE.test(v) ? v.replace(ESCAPED, '\\$&') : v}"`;
    else if (typeof v === 'number' || typeof v === 'bigint') out += String(v);
    else if (typeof v === 'boolean') out += v ? 't' : 'f';
    else
      throw new Error(`an array parameter holds a ${typeof v}; only text, numbers and booleans are written`);
  }
  return `${out}}`;
}

/** Rows of values as one array literal per column (the parameters of `unnestOf`). */
function columnsOf(rows: readonly (readonly unknown[])[], at: readonly number[]): string[] {
  return at.map((i) => arrayLiteral(rows.map((r) => r[i])));
}

/** Inserts rows (value arrays in `columns` order) into any table, in chunks. */
export async function insertRows(
  db: PgQueryable,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  conflict = '',
): Promise<number> {
  if (rows.length === 0) return 0;
  const types = columnTypes(table, columns);
  const sql = `INSERT INTO ${q(table)} (${columns.map(q).join(',')}) SELECT * FROM ${unnestOf(types, 1)} ${conflict}`;
  const all = columns.map((_, i) => i);
  let n = 0;
  for (const part of chunks(rows)) n += (await db.query(sql, columnsOf(part, all))).rowCount ?? 0;
  return n;
}

/** One inventory table's statements, from its shape and its derived PostgreSQL types. */
export class PgRows {
  private readonly types: string[];
  private readonly boolAt: ReadonlySet<number>;
  private readonly keyTypes: string[];

  constructor(readonly shape: TableShape) {
    this.types = columnTypes(shape.tableName, shape.columns);
    this.boolAt = new Set(shape.boolAt);
    this.keyTypes = shape.keyAt.map((i) => this.types[i]!);
  }

  private get name(): string {
    return q(this.shape.tableName);
  }

  /** Values as PostgreSQL takes them: 0/1 as booleans in boolean columns. */
  private toPg(values: readonly unknown[]): unknown[] {
    if (this.boolAt.size === 0) return values as unknown[];
    return values.map((v, i) => (this.boolAt.has(i) && v !== null ? v === 1 || v === true : v));
  }

  /** Rows as SQLite stores them (what the shared comparison expects), in place. */
  fromPg(rows: unknown[][]): unknown[][] {
    if (this.boolAt.size > 0)
      for (const row of rows)
        for (const i of this.boolAt) if (row[i] !== null) row[i] = row[i] === true ? 1 : 0;
    return rows;
  }

  /** The SELECT of a vCenter's rows, the id written in (`selectAll`). */
  selectSql(vcenterId: number): string {
    return `SELECT ${this.shape.columnList} FROM ${this.name} WHERE vcenter_id = ${vcenterId}`;
  }

  /** The vCenter's stored rows (all, or those whose `column` is among `values`). */
  async select(
    db: PgQueryable,
    vcenterId: number,
    column?: string,
    values?: readonly string[],
  ): Promise<unknown[][]> {
    const where = column ? ` AND ${q(column)} = ANY($2::text[])` : '';
    const res = await db.query<unknown[]>({
      text: `SELECT ${this.shape.columnList} FROM ${this.name} WHERE vcenter_id = $1${where}`,
      values: column ? [vcenterId, values] : [vcenterId],
      rowMode: 'array',
      types: pgTypes,
    });
    return this.fromPg(res.rows);
  }

  /**
   * Inserts rows: 'fail' on a key that exists (as SQLite's INSERT), 'ignore' (INSERT OR IGNORE),
   * 'update' (INSERT OR REPLACE: the last row of a key wins).
   */
  async insert(
    db: PgQueryable,
    rows: readonly (readonly Bindable[])[],
    onConflict: OnConflict,
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const s = this.shape;
    let list = rows;
    let conflict = '';
    if (onConflict === 'ignore') conflict = 'ON CONFLICT DO NOTHING';
    if (onConflict === 'update') {
      // One statement may not update a row twice: the last row of a key is the one REPLACE keeps.
      const byKey = new Map<string, readonly Bindable[]>();
      for (const r of rows) byKey.set(s.keyOf(r), r);
      list = [...byKey.values()];
      const key = ['vcenter_id', ...s.keyNames].map(q).join(', ');
      conflict =
        s.setAt.length === 0
          ? 'ON CONFLICT DO NOTHING'
          : `ON CONFLICT (${key}) DO UPDATE SET ${s.setAt.map((i) => `${q(s.columns[i]!)} = EXCLUDED.${q(s.columns[i]!)}`).join(', ')}`;
    }
    return insertRows(
      db,
      s.tableName,
      s.columns,
      list.map((r) => this.toPg(r)),
      conflict,
    );
  }

  /** Updates rows in place by their key (the non-key columns). */
  async update(db: PgQueryable, rows: readonly (readonly Bindable[])[]): Promise<void> {
    const s = this.shape;
    if (rows.length === 0 || s.setAt.length === 0) return;
    const at = [s.vcenterAt, ...s.keyAt, ...s.setAt];
    const names = at.map((i) => q(s.columns[i]!));
    const sql =
      `UPDATE ${this.name} AS t SET ${s.setAt.map((i) => `${q(s.columns[i]!)} = v.${q(s.columns[i]!)}`).join(', ')} ` +
      `FROM ${unnestOf(
        at.map((i) => this.types[i]!),
        1,
      )} AS v(${names.join(', ')}) ` +
      `WHERE t.vcenter_id = v.vcenter_id AND ${s.keyNames.map((k) => `t.${q(k)} = v.${q(k)}`).join(' AND ')}`;
    for (const part of chunks(rows))
      await db.query(
        sql,
        columnsOf(
          part.map((r) => this.toPg(r)),
          at,
        ),
      );
  }

  /** Deletes rows by their key (value arrays in column order, as `select` gives them). */
  async deleteRows(db: PgQueryable, vcenterId: number, rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    const s = this.shape;
    const key = s.keyNames.map(q).join(', ');
    const sql = `DELETE FROM ${this.name} WHERE vcenter_id = $1 AND (${key}) IN (SELECT * FROM ${unnestOf(this.keyTypes, 2)})`;
    for (const part of chunks(rows)) await db.query(sql, [vcenterId, ...columnsOf(part, s.keyAt)]);
  }

  /** Deletes the vCenter's rows whose `column` is among `values` (an owner's, by moid). */
  async deleteWhere(
    db: PgQueryable,
    vcenterId: number,
    column: string,
    values: readonly string[],
  ): Promise<void> {
    if (values.length === 0) return;
    for (const part of chunks(values))
      await db.query(`DELETE FROM ${this.name} WHERE vcenter_id = $1 AND ${q(column)} = ANY($2::text[])`, [
        vcenterId,
        part,
      ]);
  }
}

/**
 * Every stored row of a vCenter in `tables`, read in one round trip (one multi-statement query;
 * the vCenter id, a checked integer, is written into it).
 */
export async function selectAll(
  db: PgQueryable,
  vcenterId: number,
  tables: readonly PgRows[],
): Promise<Map<PgRows, unknown[][]>> {
  if (!Number.isSafeInteger(vcenterId)) throw new Error(`not a vCenter id: ${vcenterId}`);
  const out = new Map<PgRows, unknown[][]>();
  if (tables.length === 0) return out;
  const res = (await db.query({
    text: tables.map((t) => t.selectSql(vcenterId)).join(';\n'),
    rowMode: 'array',
    types: pgTypes,
  })) as unknown as pg.QueryArrayResult | pg.QueryArrayResult[];
  const results = Array.isArray(res) ? res : [res];
  tables.forEach((t, i) => out.set(t, t.fromPg(results[i]!.rows)));
  return out;
}
