/**
 * How a column of the SQLite schema (schema.ts, the one schema source) is typed in PostgreSQL.
 *
 * The rule is "the same answers on both back ends": a value read back from PostgreSQL equals the
 * value SQLite gives, and sorts and compares the same way.
 *
 * - `text` → `text`. Times are ISO-8601 strings in this schema (`created_at`, `last_success_at`, …)
 *   and stay text: the same string comes back, and ISO strings of one format sort in time order.
 * - `real` → `double precision`: both are IEEE 754 doubles, so no value changes.
 * - `integer` mode boolean → `boolean`: SQLite stores 0/1; drizzle reads `true`/`false` on both.
 * - `integer` → `integer` (32 bits), or `bigint` where a value can pass 2^31 − 1 (see `isWide`):
 *   sizes in bytes, durations in ms, integer times (JWT `exp` seconds pass 2^31 in 2038), ids of
 *   tables that grow without bound, and the vSwitch traffic-shaping figures (bits per second and
 *   bytes). A bigint is read back as a JavaScript number (int8 parsed as a number; all these values
 *   stay below 2^53, as they already must in SQLite through better-sqlite3).
 * - `integer` modes timestamp / timestamp_ms → `timestamptz` (precision 0 / 3): drizzle gives a
 *   `Date` on both back ends and PostgreSQL compares them in time order, with the resolution SQLite
 *   keeps. (No column of schema.ts uses these modes today: its times are ISO text.)
 * - `blob` → `bytea` (buffer mode), `bigint` (bigint mode); blob json mode → `jsonb`.
 *
 * Any other column type fails the derivation by name, so a new kind of column in schema.ts cannot
 * slip into PostgreSQL with a guessed type.
 */
export type PgType =
  | 'text'
  | 'integer'
  | 'bigint'
  | 'double precision'
  | 'boolean'
  | 'timestamptz(0)'
  | 'timestamptz(3)'
  | 'bytea'
  | 'jsonb';

/** Integer columns whose name ends so hold values that can pass 2^31 − 1. */
const WIDE_SUFFIXES = ['_bytes', '_ms', '_at'] as const;

/** Integer columns that can pass 2^31 − 1 although their name does not say so: `table.column`. */
const WIDE_COLUMNS: ReadonlySet<string> = new Set([
  // One row per changed field, kept for months: the id outgrows 32 bits on a big, busy estate.
  'changes.id',
  // averageBandwidth / peakBandwidth in bits per second (10 Gb/s = 10^10), burstSize in bytes.
  'host_vswitches.shaping_average',
  'host_vswitches.shaping_peak',
  'host_vswitches.shaping_burst',
]);

/** Whether an integer column needs `bigint` in PostgreSQL. */
export function isWide(table: string, column: string): boolean {
  return WIDE_COLUMNS.has(`${table}.${column}`) || WIDE_SUFFIXES.some((s) => column.endsWith(s));
}

export interface SqliteColumnShape {
  /** drizzle's column class name: SQLiteInteger, SQLiteBoolean, SQLiteText, … */
  columnType: string;
  name: string;
  /** timestamp modes only. */
  mode?: string;
}

/** The PostgreSQL type of one column of `table`; throws for a column type the mapping does not know. */
export function pgTypeOf(table: string, col: SqliteColumnShape): PgType {
  switch (col.columnType) {
    case 'SQLiteText':
      return 'text';
    case 'SQLiteReal':
      return 'double precision';
    case 'SQLiteBoolean':
      return 'boolean';
    case 'SQLiteInteger':
      return isWide(table, col.name) ? 'bigint' : 'integer';
    case 'SQLiteTimestamp':
      return col.mode === 'timestamp_ms' ? 'timestamptz(3)' : 'timestamptz(0)';
    case 'SQLiteBlobBuffer':
      return 'bytea';
    case 'SQLiteBigInt':
      return 'bigint';
    case 'SQLiteBlobJson':
      return 'jsonb';
    default:
      throw new Error(
        `${table}.${col.name}: the column type ${col.columnType} has no PostgreSQL mapping yet (add one in src/main/engine/db/pg/type-map.ts)`,
      );
  }
}
