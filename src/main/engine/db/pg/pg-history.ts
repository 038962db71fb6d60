/**
 * The change history of PgInventoryStore's writes: the same HistoryWrite as the SQLite store's
 * (history/recorder.ts), on a context that answers from rows read before the comparison (the
 * stored rows a live change replaces, the stored names of objects) and collects the history rows,
 * inserted in one batch before the write commits.
 */
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import {
  CHANGE_COLUMNS,
  RenameMemory,
  startHistoryWrite,
  type ChangeSource,
  type HistoryContext,
  type HistoryWrite,
} from '../history/recorder.js';
import * as schema from '../schema.js';
import { shapeOf, type TableShape } from '../table-shape.js';
import { insertRows, type PgQueryable, PgRows } from './pg-rows.js';

type Values = readonly (string | number | null)[];

/** The tables an object's name is read from, in the order the SQLite store looks (first wins). */
const NAMED_TABLES = [
  schema.vms,
  schema.hosts,
  schema.clusters,
  schema.datastores,
  schema.networks,
  schema.datacenters,
  schema.dvSwitches,
].map((t) => getTableConfig(t).name);

const storedKey = (table: string, column: string, value: string): string =>
  `${table}\u0000${column}\u0000${value}`;

/** What the stored rows a write compares with are: per table and column, the values asked for. */
export class PgHistoryContext implements HistoryContext {
  readonly rows: Values[] = [];
  private readonly storedRows = new Map<string, (readonly unknown[])[]>();
  private readonly names = new Map<string, ReadonlyMap<string, string>>();

  constructor(
    readonly renames: RenameMemory,
    private readonly nameOf: (moid: string) => string | null,
  ) {}

  write(values: Values): void {
    this.rows.push([...values]);
  }

  storedNameOf(_vcenterId: number, moid: string): string | null {
    return this.nameOf(moid);
  }

  stored(
    shape: TableShape,
    column: string,
    _vcenterId: number,
    value: string,
  ): readonly (readonly unknown[])[] {
    return this.storedRows.get(storedKey(shape.tableName, column, value)) ?? [];
  }

  storedNames(shape: TableShape): ReadonlyMap<string, string> {
    return this.names.get(shape.tableName) ?? new Map();
  }

  /** The stored names of a table's objects, by moid (read by the caller). */
  setNames(table: string, names: ReadonlyMap<string, string>): void {
    this.names.set(table, names);
  }

  /** Reads the stored names of the vCenter's objects of `tables` (for the renames). */
  async loadNames(db: PgQueryable, vcenterId: number, tables: Iterable<string>): Promise<void> {
    for (const t of tables) {
      const res = await db.query<[string, string]>({
        text: `SELECT moid, name FROM "${t}" WHERE vcenter_id = $1`,
        values: [vcenterId],
        rowMode: 'array',
      });
      this.names.set(t, new Map(res.rows));
    }
  }

  /** Reads the stored rows `want` asks for: per table and column, the values. */
  async loadStored(
    db: PgQueryable,
    vcenterId: number,
    want: Map<SQLiteTable, Map<string, Set<string>>>,
  ): Promise<void> {
    for (const [table, byColumn] of want) {
      const rows = new PgRows(shapeOf(table));
      for (const [column, values] of byColumn) {
        const at = rows.shape.columns.indexOf(column);
        for (const r of await rows.select(db, vcenterId, column, [...values])) {
          const k = storedKey(rows.shape.tableName, column, String(r[at]));
          let list = this.storedRows.get(k);
          if (!list) this.storedRows.set(k, (list = []));
          list.push(r);
        }
      }
    }
  }

  /** Inserts the history rows collected. */
  async flush(db: PgQueryable): Promise<number> {
    const n = await insertRows(db, 'changes', CHANGE_COLUMNS, this.rows);
    this.rows.length = 0;
    return n;
  }
}

/**
 * What a live change's comparison will ask of the stored rows, found by running it once on a
 * context that records the questions and answers nothing (that run's history is thrown away).
 */
export class HistoryQuestions implements HistoryContext {
  readonly renames = new RenameMemory();
  readonly wanted = new Map<SQLiteTable, Map<string, Set<string>>>();
  readonly namedTables = new Set<string>();
  readonly namedMoids = new Set<string>();

  write(): void {}

  storedNameOf(_vcenterId: number, moid: string): string | null {
    this.namedMoids.add(moid);
    return null;
  }

  stored(
    shape: TableShape,
    column: string,
    _vcenterId: number,
    value: string,
  ): readonly (readonly unknown[])[] {
    let byColumn = this.wanted.get(shape.table);
    if (!byColumn) this.wanted.set(shape.table, (byColumn = new Map()));
    let values = byColumn.get(column);
    if (!values) byColumn.set(column, (values = new Set()));
    values.add(value);
    return [];
  }

  storedNames(shape: TableShape): ReadonlyMap<string, string> {
    this.namedTables.add(shape.tableName);
    return new Map();
  }
}

/** The stored names of some objects of a vCenter, by moid (the first table that has it wins). */
export async function storedNamesOf(
  db: PgQueryable,
  vcenterId: number,
  moids: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (moids.length === 0) return out;
  const res = await db.query<[string, string]>({
    text: NAMED_TABLES.map(
      (t, i) => `SELECT moid, name, ${i} AS n FROM "${t}" WHERE vcenter_id = $1 AND moid = ANY($2::text[])`,
    )
      .join(' UNION ALL ')
      .concat(' ORDER BY n DESC'),
    values: [vcenterId, moids],
    rowMode: 'array',
  });
  for (const [moid, name] of res.rows) out.set(moid, name);
  return out;
}

/** What a write's history starts from: the vCenter's name, last successful read, and whether it has rows. */
export interface VcenterFacts {
  name: string | undefined;
  lastSuccessAt: string | null;
  empty: boolean;
}

export async function vcenterFacts(db: PgQueryable, vcenterId: number): Promise<VcenterFacts> {
  const res = await db.query<{ name: string | null; last: string | null; has_rows: boolean }>(
    `SELECT (SELECT name FROM vcenters WHERE id = $1) AS name,
            (SELECT last_success_at FROM sync_state WHERE vcenter_id = $1) AS last,
            EXISTS (SELECT 1 FROM datacenters WHERE vcenter_id = $1) OR EXISTS (SELECT 1 FROM hosts WHERE vcenter_id = $1)
              OR EXISTS (SELECT 1 FROM vms WHERE vcenter_id = $1) AS has_rows`,
    [vcenterId],
  );
  const r = res.rows[0]!;
  return { name: r.name ?? undefined, lastSuccessAt: r.last, empty: !r.has_rows };
}

export function beginHistory(
  ctx: HistoryContext,
  vcenterId: number,
  facts: VcenterFacts,
  source: ChangeSource,
): HistoryWrite {
  return startHistoryWrite(ctx, vcenterId, facts.name, facts.lastSuccessAt, source, new Date());
}
