import type Database from 'better-sqlite3';
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';

type Bindable = string | number | bigint | null;

/**
 * Told of each row a `sync` or `diff` finds different, with the rows as value arrays in the table's
 * column order (`TableWriter.props`). The arrays are reused: read them during the call only. An
 * unchanged row never reaches it, so observing costs nothing when nothing changed.
 */
export interface RowObserver {
  created(values: readonly unknown[]): void;
  changed(old: readonly unknown[], values: readonly unknown[]): void;
  removed(old: readonly unknown[]): void;
}

function encode(v: unknown): Bindable {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as Bindable;
}

/**
 * Writes one vCenter's rows of an inventory table (rows keyed by vCenter id plus the rest of the
 * primary key). The statements and the row encoding are generated from the drizzle table, so the
 * schema is stated once.
 */
export class TableWriter {
  /** Row property per column, in the table's column order (`vcenterId` among them). */
  readonly props: readonly string[];
  /** The SQL column list, in `props` order (for a caller's own SELECT of stored rows). */
  readonly columnList: string;
  readonly tableName: string;
  private readonly vcenterAt: number;
  /** Where the primary key's columns other than `vcenter_id` sit in a row of values. */
  private readonly keyAt: number[];
  private readonly insertStmt: Database.Statement;
  private readonly replaceStmt: Database.Statement;
  /**
   * A changed row is updated in place, never replaced: REPLACE deletes the old row first, which
   * would cascade to the rows that reference it (a VM's disks, NICs, partitions, custom values)
   * and make them be written again.
   */
  private readonly updateStmt: Database.Statement | undefined;
  /** Where the non-key columns sit in a row of values, in the UPDATE's SET order. */
  private readonly setAt: number[];
  private readonly updateValues: Bindable[];
  private readonly selectStmt: Database.Statement;
  private readonly deleteKeyStmt: Database.Statement;
  /** Reused for every row: better-sqlite3 binds it at once. */
  private readonly values: Bindable[];

  /** `insertVerb` 'INSERT OR IGNORE' lets a list name the same row twice (link tables). */
  constructor(
    sqlite: Database.Database,
    table: SQLiteTable,
    private readonly insertVerb: 'INSERT' | 'INSERT OR IGNORE' = 'INSERT',
  ) {
    const cfg = getTableConfig(table);
    const cols = Object.entries(getTableColumns(table)).map(([prop, col]) => ({ prop, name: col.name }));
    this.props = cols.map((c) => c.prop);
    this.vcenterAt = cols.findIndex((c) => c.name === 'vcenter_id');
    const pk = cfg.primaryKeys[0]?.columns.map((c) => c.name) ?? [];
    if (this.vcenterAt < 0 || pk.length < 2 || pk[0] !== 'vcenter_id') {
      throw new Error(`${cfg.name}: an inventory table is keyed by vcenter_id and its object`);
    }
    const keyNames = pk.slice(1);
    this.keyAt = keyNames.map((n) => cols.findIndex((c) => c.name === n));
    const list = cols.map((c) => `"${c.name}"`).join(',');
    this.columnList = list;
    this.tableName = cfg.name;
    const marks = cols.map(() => '?').join(',');
    this.insertStmt = sqlite.prepare(`${insertVerb} INTO "${cfg.name}" (${list}) VALUES (${marks})`);
    this.replaceStmt = sqlite.prepare(`INSERT OR REPLACE INTO "${cfg.name}" (${list}) VALUES (${marks})`);
    this.selectStmt = sqlite.prepare(`SELECT ${list} FROM "${cfg.name}" WHERE vcenter_id = ?`).raw(true);
    const keySet = new Set(['vcenter_id', ...keyNames]);
    this.setAt = cols.flatMap((c, i) => (keySet.has(c.name) ? [] : [i]));
    // A table of keys only (a link table) has nothing to update: same key, same row.
    this.updateStmt =
      this.setAt.length === 0
        ? undefined
        : sqlite.prepare(
            `UPDATE "${cfg.name}" SET ${this.setAt.map((i) => `"${cols[i]!.name}" = ?`).join(', ')} ` +
              `WHERE vcenter_id = ? AND ${keyNames.map((n) => `"${n}" = ?`).join(' AND ')}`,
          );
    this.updateValues = new Array<Bindable>(this.setAt.length + 1 + keyNames.length).fill(null);
    this.deleteKeyStmt = sqlite.prepare(
      `DELETE FROM "${cfg.name}" WHERE vcenter_id = ? AND ${keyNames.map((n) => `"${n}" = ?`).join(' AND ')}`,
    );
    this.values = new Array<Bindable>(cols.length).fill(null);
  }

  private fill(vcenterId: number, row: Record<string, unknown>): Bindable[] {
    const values = this.values;
    const props = this.props;
    for (let i = 0; i < props.length; i++) values[i] = encode(row[props[i]!]);
    values[this.vcenterAt] = vcenterId;
    return values;
  }

  private keyOf(values: readonly unknown[]): string {
    const at = this.keyAt;
    if (at.length === 1) return String(values[at[0]!]);
    let k = String(values[at[0]!]);
    for (let i = 1; i < at.length; i++) k += `\u0000${String(values[at[i]!])}`;
    return k;
  }

  /** Adds or replaces one row (a live change). */
  upsert(vcenterId: number, row: Record<string, unknown>): void {
    this.replaceStmt.run(this.fill(vcenterId, row));
  }

  /** Adds one row as the constructor's verb does (a row of a list being rewritten). */
  insert(vcenterId: number, row: Record<string, unknown>): void {
    this.insertStmt.run(this.fill(vcenterId, row));
  }

  private update(values: readonly Bindable[]): void {
    const u = this.updateValues;
    let n = 0;
    for (const i of this.setAt) u[n++] = values[i]!;
    u[n++] = values[this.vcenterAt]!;
    for (const i of this.keyAt) u[n++] = values[i]!;
    this.updateStmt?.run(u);
  }

  /** Deletes one row by the rest of its key (`moid` for an entity). */
  deleteKey(vcenterId: number, ...key: string[]): void {
    this.deleteKeyStmt.run(vcenterId, ...key);
  }

  /**
   * Makes the vCenter's rows exactly `rows`, writing only the difference: a row that is stored
   * with the same values is left alone, so a re-sync of an unchanged vCenter writes nothing (and
   * no index page of the table is touched). A row listed twice fails as a plain insert would,
   * unless the verb is INSERT OR IGNORE. Returns how many rows were written or deleted.
   */
  sync(vcenterId: number, rows: readonly Record<string, unknown>[], observer?: RowObserver): number {
    const stored = new Map<string, unknown[]>();
    for (const r of this.selectStmt.all(vcenterId) as unknown[][]) stored.set(this.keyOf(r), r);
    let written = 0;
    for (const row of rows) {
      const values = this.fill(vcenterId, row);
      const k = this.keyOf(values);
      const old = stored.get(k);
      if (old === undefined) {
        // A list may name a row twice (INSERT OR IGNORE tables): an ignored insert is no news.
        if (this.insertStmt.run(values).changes > 0) observer?.created(values);
        written++;
        continue;
      }
      stored.delete(k);
      if (!sameValues(old, values)) {
        this.update(values);
        observer?.changed(old, values);
        written++;
      }
    }
    for (const old of stored.values()) {
      this.deleteKeyStmt.run(vcenterId, ...this.keyAt.map((i) => old[i] as Bindable));
      observer?.removed(old);
      written++;
    }
    return written;
  }

  /**
   * Tells `observer` how `rows` differ from `stored` (rows read with `columnList`, e.g. one owner's
   * rows), writing nothing: what a live change is about to write, compared with what it replaces.
   */
  diff(
    vcenterId: number,
    stored: readonly unknown[][],
    rows: readonly Record<string, unknown>[],
    observer: RowObserver,
  ): void {
    const byKey = new Map<string, unknown[]>();
    for (const r of stored) byKey.set(this.keyOf(r), r);
    // A list may name a row twice (INSERT OR IGNORE tables): the first one counts.
    const seen = new Set<string>();
    for (const row of rows) {
      const values = this.fill(vcenterId, row);
      const k = this.keyOf(values);
      if (seen.has(k)) continue;
      seen.add(k);
      const old = byKey.get(k);
      if (old === undefined) observer.created(values);
      else if (!sameValues(old, values)) observer.changed(old, values);
      byKey.delete(k);
    }
    for (const old of byKey.values()) observer.removed(old);
  }
}

/**
 * SQLite hands back what was bound (numbers as numbers, text as text); a value it stores otherwise
 * (text in a numeric column) only makes the row be written again.
 */
function sameValues(stored: readonly unknown[], values: readonly Bindable[]): boolean {
  for (let i = 0; i < values.length; i++) if (stored[i] !== values[i]) return false;
  return true;
}
