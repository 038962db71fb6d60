import type { Dialect, SqlQuery } from './sql-dialect.js';

/** A row as a driver returns it (column alias → value). */
export type Row = Record<string, unknown>;

/**
 * A read written once for both back ends: it yields each statement it needs and receives that
 * statement's rows. SQLite runs the steps synchronously (better-sqlite3), PostgreSQL awaits each
 * statement (node-postgres); the logic between the statements is the same code.
 */
export type Reading<T> = Generator<SqlQuery, T, Row[]>;

/** Runs a reading with a synchronous driver. */
export function readSync<T>(steps: Reading<T>, all: (q: SqlQuery) => Row[]): T {
  let next = steps.next();
  while (!next.done) next = steps.next(all(next.value));
  return next.value;
}

/** Runs a reading with an asynchronous driver, one statement at a time. */
export async function readAsync<T>(steps: Reading<T>, all: (q: SqlQuery) => Promise<Row[]>): Promise<T> {
  let next = steps.next();
  while (!next.done) next = steps.next(await all(next.value));
  return next.value;
}

/** The first row of a statement's rows. */
export function* first(q: SqlQuery): Generator<SqlQuery, Row | undefined, Row[]> {
  const rows = yield q;
  return rows[0];
}

/** Rows of a statement as value arrays, with the statement's column names (the same array each batch). */
export interface RawBatch {
  names: readonly string[];
  rows: unknown[][];
}

/** Rows a batch holds at most: one await per batch, not per row, keeps the writers' loops tight. */
export const BATCH_ROWS = 1000;

/**
 * One consistent snapshot of the cache, SQLite's or PostgreSQL's, as an export reads it. Rows come
 * as better-sqlite3 gives them (booleans 0/1, bigints as numbers), so what consumes them is the
 * same code on both back ends.
 */
export interface SnapshotReader {
  readonly dialect: Dialect;
  /** A small result as objects (counts, names, groups). */
  all(q: SqlQuery): Promise<Row[]>;
  /**
   * A large result in batches of value arrays, read lazily (the statement runs when the iteration
   * starts) and released when the iteration ends or is abandoned.
   */
  batches(q: SqlQuery): AsyncIterable<RawBatch>;
}
