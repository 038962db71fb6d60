/**
 * The two SQL dialects the planner writes: SQLite (the desktop cache, better-sqlite3) and
 * PostgreSQL (the team server, node-postgres). Each place where SQLite's SQL has a feature of its
 * own — NOCASE, case-insensitive LIKE, 0/1 booleans, NULLs first when ascending, `?` parameters,
 * group_concat, julianday — asks this module for the dialect's own form, so the statements are
 * generated for the back end, never translated from SQLite's text.
 *
 * Text order: SQLite compares text byte by byte and NOCASE folds ASCII letters only. PostgreSQL
 * does the same in a database created with `LC_COLLATE 'C' LC_CTYPE 'C'` (`ORDER BY name`,
 * `lower()`), which docs/team-server.md asks for and `vminer db migrate` checks. No explicit
 * `COLLATE "C"` is written: a collation other than the column's keeps PostgreSQL from walking the
 * `lower(name)` indexes in order.
 */
export type Dialect = 'sqlite' | 'pg';

/** A statement parameter. Booleans become 0/1 for SQLite (how the cache stores them). */
export type Param = string | number | boolean;

export interface SqlQuery {
  sql: string;
  params: Param[];
}

const INT4_MAX = 2147483647;

/**
 * A statement's parameters, collected in the order their placeholders are written: `bind` returns
 * the placeholder (`?`, or `$n` for PostgreSQL).
 */
export class SqlParams {
  readonly values: Param[] = [];

  constructor(readonly dialect: Dialect) {}

  bind(v: Param): string {
    if (this.dialect === 'sqlite') {
      this.values.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
      return '?';
    }
    this.values.push(v);
    const n = `$${this.values.length}`;
    // PostgreSQL types an untyped parameter from its context: against an integer column it would
    // refuse 1.5 or 3e9, which SQLite compares as numbers.
    if (typeof v === 'number' && !Number.isInteger(v)) return `${n}::double precision`;
    if (typeof v === 'number' && Math.abs(v) > INT4_MAX) return `${n}::bigint`;
    return n;
  }

  query(sql: string): SqlQuery {
    return { sql, params: this.values };
  }
}

/** A boolean literal. */
export const sqlTrue = (d: Dialect): string => (d === 'pg' ? 'TRUE' : '1');
export const sqlFalse = (d: Dialect): string => (d === 'pg' ? 'FALSE' : '0');

/** A boolean value as the column holds it (SQLite: 0/1). */
export const boolParam = (d: Dialect, v: boolean): Param => (d === 'pg' ? v : v ? 1 : 0);

/** An expression compared without regard to ASCII case (both sides of a comparison go through it). */
export function folded(d: Dialect, expr: string): string {
  return d === 'pg' ? `lower(${expr})` : `${expr} COLLATE NOCASE`;
}

/** `expr = placeholder` ignoring ASCII case (`!=` with `ne`). */
export function nocaseCompare(d: Dialect, expr: string, placeholder: string, op: '=' | '!=' = '='): string {
  return d === 'pg'
    ? `lower(${expr}) ${op} lower(${placeholder})`
    : `${expr} ${op} ${placeholder} COLLATE NOCASE`;
}

/** LIKE that ignores ASCII case, as SQLite's LIKE does. */
export const likeOp = (d: Dialect): string => (d === 'pg' ? 'ILIKE' : 'LIKE');

/**
 * One ORDER BY term with SQLite's NULL placement (first ascending, last descending), written out
 * for PostgreSQL, whose default is the opposite. A key that is never NULL (`notNull`) leaves it
 * unsaid: PostgreSQL walks an index (NULLs last) only for the placement it was built with or its
 * reverse, and does not know that a NOT NULL column makes the placement moot.
 */
export function orderTerm(
  d: Dialect,
  expr: string,
  nocase: boolean,
  dir: 'asc' | 'desc',
  notNull = false,
): string {
  if (d === 'sqlite') return `${expr}${nocase ? ' COLLATE NOCASE' : ''} ${dir === 'desc' ? 'DESC' : 'ASC'}`;
  const nulls = notNull ? '' : dir === 'desc' ? ' NULLS LAST' : ' NULLS FIRST';
  return `${nocase ? `lower(${expr})` : expr} ${dir === 'desc' ? 'DESC' : 'ASC'}${nulls}`;
}

/** The values of a correlated subquery joined with ", " (NULL when there are none). */
export function listAgg(d: Dialect, expr: string): string {
  return d === 'pg' ? `string_agg(${expr}, ', ')` : `group_concat(${expr}, ', ')`;
}

/** Whole days since an ISO-8601 time, truncated toward zero (SQLite: CAST of a julianday difference). */
export function wholeDaysSince(d: Dialect, expr: string): string {
  return d === 'pg'
    ? `CAST(trunc(extract(epoch FROM (now() - CAST(${expr} AS timestamptz))) / 86400) AS integer)`
    : `CAST(julianday('now') - julianday(${expr}) AS INTEGER)`;
}

/** The join of a list's table to its vCenter (SQLite: CROSS JOIN keeps the list's table outermost). */
export const joinVcenters = (d: Dialect): string => (d === 'pg' ? 'JOIN' : 'CROSS JOIN');

/** An average or sum as a double on both (PostgreSQL's avg of integers is numeric, read as text). */
export function aggregateExpr(d: Dialect, fn: string, expr: string): string {
  if (fn === 'count') return 'count(*)';
  return d === 'pg' && (fn === 'avg' || fn === 'sum')
    ? `CAST(${fn}(${expr}) AS double precision)`
    : `${fn}(${expr})`;
}
