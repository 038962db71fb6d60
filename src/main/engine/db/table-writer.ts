import type Database from 'better-sqlite3';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import {
  sameValues,
  shapeOf,
  type Bindable,
  type KeptOwners,
  type RowObserver,
  type TableShape,
} from './table-shape.js';

export type { RowObserver } from './table-shape.js';

/**
 * Writes one vCenter's rows of an inventory table (rows keyed by vCenter id plus the rest of the
 * primary key) in SQLite. The statements come from the table's shape (table-shape.ts, shared with
 * the PostgreSQL store), so the schema is stated once.
 */
export class TableWriter {
  readonly shape: TableShape;
  private readonly insertStmt: Database.Statement;
  private readonly replaceStmt: Database.Statement;
  /**
   * A changed row is updated in place, never replaced: REPLACE deletes the old row first, which
   * would cascade to the rows that reference it (a VM's disks, NICs, partitions, custom values)
   * and make them be written again.
   */
  private readonly updateStmt: Database.Statement | undefined;
  private readonly updateValues: Bindable[];
  private readonly selectStmt: Database.Statement;
  private readonly deleteKeyStmt: Database.Statement;

  /** `insertVerb` 'INSERT OR IGNORE' lets a list name the same row twice (link tables). */
  constructor(
    sqlite: Database.Database,
    table: SQLiteTable,
    private readonly insertVerb: 'INSERT' | 'INSERT OR IGNORE' = 'INSERT',
  ) {
    const s = (this.shape = shapeOf(table));
    const name = s.tableName;
    const list = s.columnList;
    const marks = s.columns.map(() => '?').join(',');
    const keyWhere = s.keyNames.map((n) => `"${n}" = ?`).join(' AND ');
    this.insertStmt = sqlite.prepare(`${insertVerb} INTO "${name}" (${list}) VALUES (${marks})`);
    this.replaceStmt = sqlite.prepare(`INSERT OR REPLACE INTO "${name}" (${list}) VALUES (${marks})`);
    this.selectStmt = sqlite.prepare(`SELECT ${list} FROM "${name}" WHERE vcenter_id = ?`).raw(true);
    // A table of keys only (a link table) has nothing to update: same key, same row.
    this.updateStmt =
      s.setAt.length === 0
        ? undefined
        : sqlite.prepare(
            `UPDATE "${name}" SET ${s.setAt.map((i) => `"${s.columns[i]!}" = ?`).join(', ')} ` +
              `WHERE vcenter_id = ? AND ${keyWhere}`,
          );
    this.updateValues = new Array<Bindable>(s.setAt.length + 1 + s.keyNames.length).fill(null);
    this.deleteKeyStmt = sqlite.prepare(`DELETE FROM "${name}" WHERE vcenter_id = ? AND ${keyWhere}`);
  }

  /** Row property per column, in the table's column order (`vcenterId` among them). */
  get props(): readonly string[] {
    return this.shape.props;
  }

  /** The SQL column list, in `props` order (for a caller's own SELECT of stored rows). */
  get columnList(): string {
    return this.shape.columnList;
  }

  get tableName(): string {
    return this.shape.tableName;
  }

  /** Adds or replaces one row (a live change). */
  upsert(vcenterId: number, row: Record<string, unknown>): void {
    this.replaceStmt.run(this.shape.fill(vcenterId, row));
  }

  /** Adds one row as the constructor's verb does (a row of a list being rewritten). */
  insert(vcenterId: number, row: Record<string, unknown>): void {
    this.insertStmt.run(this.shape.fill(vcenterId, row));
  }

  private update(values: readonly Bindable[]): void {
    const u = this.updateValues;
    const s = this.shape;
    let n = 0;
    for (const i of s.setAt) u[n++] = values[i]!;
    u[n++] = values[s.vcenterAt]!;
    for (const i of s.keyAt) u[n++] = values[i]!;
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
   * (The comparison is TableShape.diff's, inlined with the writes: this loop is the sync's hot path.)
   * The stored rows of `keep`'s owners stay as they are (their rows are not in `rows`).
   */
  sync(
    vcenterId: number,
    rows: readonly Record<string, unknown>[],
    observer?: RowObserver,
    keep?: KeptOwners,
  ): number {
    const s = this.shape;
    const stored = new Map<string, unknown[]>();
    const kept = s.keptBy(keep);
    for (const r of this.selectStmt.all(vcenterId) as unknown[][]) if (!kept?.(r)) stored.set(s.keyOf(r), r);
    let written = 0;
    for (const row of rows) {
      const values = s.fill(vcenterId, row);
      const k = s.keyOf(values);
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
      this.deleteKeyStmt.run(vcenterId, ...s.keyAt.map((i) => old[i] as Bindable));
      observer?.removed(old);
      written++;
    }
    return written;
  }
}
