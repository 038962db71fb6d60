/**
 * What both inventory stores (SQLite's InventoryStore, PostgreSQL's PgInventoryStore) know of an
 * inventory table, derived from its drizzle table so the schema is stated once: the row encoding
 * (row object → values in column order), the key of a row, and the comparison that decides which
 * rows are created, changed or removed. No SQL and no driver here.
 */
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';

export type Bindable = string | number | bigint | null;

/**
 * Told of each row a `sync` or `diff` finds different, with the rows as value arrays in the table's
 * column order (`TableShape.props`). The arrays are reused: read them during the call only. An
 * unchanged row never reaches it, so observing costs nothing when nothing changed.
 */
export interface RowObserver {
  created(values: readonly unknown[]): void;
  changed(old: readonly unknown[], values: readonly unknown[]): void;
  removed(old: readonly unknown[]): void;
}

/**
 * Owners whose stored rows a sync leaves alone (not compared, not removed): their rows are not in
 * the list, as nothing they are built from moved (see `VmDevicesRow.rowsKept`).
 */
export interface KeptOwners {
  /** The row property naming the owner (`vmMoid`). */
  prop: string;
  moids: ReadonlySet<string>;
}

/** A value as SQLite stores it (booleans as 0/1, absent as NULL): what both stores compare. */
export function encode(v: unknown): Bindable {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as Bindable;
}

/**
 * The stored row equals the encoded one. SQLite hands back what was bound (numbers as numbers,
 * text as text), and the PostgreSQL store reads its rows back in the same encoding; a value stored
 * otherwise (text in a numeric column) only makes the row be written again.
 */
export function sameValues(stored: readonly unknown[], values: readonly Bindable[]): boolean {
  for (let i = 0; i < values.length; i++) if (stored[i] !== values[i]) return false;
  return true;
}

/** One inventory table (keyed by vcenter_id and the rest of its primary key), compiled. */
export class TableShape {
  readonly tableName: string;
  /** Row property per column, in the table's column order (`vcenterId` among them). */
  readonly props: readonly string[];
  /** SQL column names, in `props` order. */
  readonly columns: readonly string[];
  /** The SQL column list, quoted, in `props` order. */
  readonly columnList: string;
  readonly vcenterAt: number;
  /** The primary key's columns other than `vcenter_id`. */
  readonly keyNames: readonly string[];
  /** Where those key columns sit in a row of values. */
  readonly keyAt: readonly number[];
  /** Where the non-key columns sit in a row of values (what an UPDATE sets). */
  readonly setAt: readonly number[];
  /** Where the boolean columns sit (stored 0/1 in SQLite, boolean in PostgreSQL). */
  readonly boolAt: readonly number[];
  /** Reused by `fill`: the SQLite store binds it at once. */
  private readonly values: Bindable[];

  constructor(readonly table: SQLiteTable) {
    const cfg = getTableConfig(table);
    const cols = Object.entries(getTableColumns(table)).map(([prop, col]) => ({
      prop,
      name: col.name,
      bool: col.columnType === 'SQLiteBoolean',
    }));
    this.tableName = cfg.name;
    this.props = cols.map((c) => c.prop);
    this.columns = cols.map((c) => c.name);
    this.columnList = cols.map((c) => `"${c.name}"`).join(',');
    this.vcenterAt = cols.findIndex((c) => c.name === 'vcenter_id');
    const pk = cfg.primaryKeys[0]?.columns.map((c) => c.name) ?? [];
    if (this.vcenterAt < 0 || pk.length < 2 || pk[0] !== 'vcenter_id') {
      throw new Error(`${cfg.name}: an inventory table is keyed by vcenter_id and its object`);
    }
    this.keyNames = pk.slice(1);
    this.keyAt = this.keyNames.map((n) => cols.findIndex((c) => c.name === n));
    const keySet = new Set(['vcenter_id', ...this.keyNames]);
    this.setAt = cols.flatMap((c, i) => (keySet.has(c.name) ? [] : [i]));
    this.boolAt = cols.flatMap((c, i) => (c.bool ? [i] : []));
    this.values = new Array<Bindable>(cols.length).fill(null);
  }

  /**
   * Tells of a stored row (values in column order) whether its owner's rows are kept; undefined
   * when none are.
   */
  keptBy(keep: KeptOwners | undefined): ((stored: readonly unknown[]) => boolean) | undefined {
    if (keep === undefined || keep.moids.size === 0) return undefined;
    const at = this.props.indexOf(keep.prop);
    if (at < 0) throw new Error(`${this.tableName}: no column for ${keep.prop}`);
    const moids = keep.moids;
    return (stored) => moids.has(stored[at] as string);
  }

  /** A row's values in column order, encoded, with `vcenterId` set; the array is reused. */
  fill(vcenterId: number, row: Record<string, unknown>): Bindable[] {
    const values = this.values;
    const props = this.props;
    for (let i = 0; i < props.length; i++) values[i] = encode(row[props[i]!]);
    values[this.vcenterAt] = vcenterId;
    return values;
  }

  /** The key of a row of values (without the vCenter), as one string. */
  keyOf(values: readonly unknown[]): string {
    const at = this.keyAt;
    if (at.length === 1) return String(values[at[0]!]);
    let k = String(values[at[0]!]);
    for (let i = 1; i < at.length; i++) k += `\u0000${String(values[at[i]!])}`;
    return k;
  }

  /**
   * Tells `observer` how `rows` differ from `stored` (rows of values in column order), writing
   * nothing. A list may name a row twice: with `duplicates` 'first' (default; INSERT OR IGNORE
   * tables) the first one counts; with 'all' the second is reported as created again, so that a
   * plain INSERT of it fails as it would in SQLite. The stored rows of `keep`'s owners are skipped.
   */
  diff(
    vcenterId: number,
    stored: readonly (readonly unknown[])[],
    rows: readonly Record<string, unknown>[],
    observer: RowObserver,
    duplicates: 'first' | 'all' = 'first',
    keep?: KeptOwners,
  ): void {
    const byKey = new Map<string, readonly unknown[]>();
    const kept = this.keptBy(keep);
    for (const r of stored) if (!kept?.(r)) byKey.set(this.keyOf(r), r);
    const seen = duplicates === 'first' ? new Set<string>() : undefined;
    for (const row of rows) {
      const values = this.fill(vcenterId, row);
      const k = this.keyOf(values);
      if (seen) {
        if (seen.has(k)) continue;
        seen.add(k);
      }
      const old = byKey.get(k);
      if (old === undefined) observer.created(values);
      else if (!sameValues(old, values)) observer.changed(old, values);
      byKey.delete(k);
    }
    for (const old of byKey.values()) observer.removed(old);
  }
}

const shapes = new WeakMap<SQLiteTable, TableShape>();

/** The compiled shape of an inventory table (one per table, shared). */
export function shapeOf(table: SQLiteTable): TableShape {
  let s = shapes.get(table);
  if (!s) shapes.set(table, (s = new TableShape(table)));
  return s;
}
