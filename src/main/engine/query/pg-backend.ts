import pg from 'pg';
import { VminerError } from '../../../shared/errors.js';
import { pgError, pgTypes } from '../db/pg/connect.js';
import { clientConfig, type PgTarget } from '../team/pg-connection.js';
import { PgNames } from './pg-names.js';
import { BATCH_ROWS, type Row, type SnapshotReader } from './reading.js';
import type { SqlQuery } from './sql-dialect.js';

/**
 * The query engine's reads on a team server's PostgreSQL: a small pool, and rows in the shape
 * better-sqlite3 gives them, so everything after the SQL is the same code on both back ends —
 * booleans as 0/1 (the cache's form; the service turns boolean fields into true/false for both),
 * bigints as numbers (`pgTypes`). The statements come from the planner's 'pg' dialect.
 */
export class PgQueryBackend {
  readonly names: PgNames;

  constructor(
    private readonly pool: pg.Pool,
    private readonly target?: PgTarget,
  ) {
    this.names = new PgNames((q) => this.all(q));
  }

  /** A pool of `max` connections to `target` (application name `vminer query`). */
  static connect(target: PgTarget, max = 4): PgQueryBackend {
    const pool = new pg.Pool({ ...clientConfig(target, 'query', { types: pgTypes }), max });
    // An idle connection that drops is replaced on the next query; this only keeps the 'error'
    // event from being uncaught.
    pool.on('error', () => undefined);
    return new PgQueryBackend(pool, target);
  }

  async all(q: SqlQuery): Promise<Row[]> {
    let rows: Row[];
    try {
      rows = (await this.pool.query<Row>({ text: q.sql, values: q.params })).rows;
    } catch (err) {
      throw this.failure(err);
    }
    return zeroOne(rows);
  }

  /**
   * Rows as arrays in the select list's order, booleans as 0/1: no object per row (a JSON list
   * page takes each row's JSON text and sort keys by position).
   */
  async arrays(q: SqlQuery): Promise<unknown[][]> {
    let r: pg.QueryResult<unknown[]>;
    try {
      r = await this.pool.query<unknown[]>({ text: q.sql, values: q.params, rowMode: 'array' });
    } catch (err) {
      throw this.failure(err);
    }
    return zeroOneArrays(r);
  }

  private failure(err: unknown): VminerError {
    if (this.target) return pgError(err, this.target);
    return new VminerError('QUERY_FAILED', `PostgreSQL: ${(err as Error).message}`, { cause: err });
  }

  /**
   * Runs `body` on one pooled connection in a REPEATABLE READ, READ ONLY transaction: every
   * statement sees the same committed state however long the body runs (an export's counts agree
   * with its rows while the leader writes). Large results go through a cursor, a batch at a time.
   */
  async snapshot<T>(body: (reader: SnapshotReader) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.failure(err);
    }
    const fail = (err: unknown): VminerError => this.failure(err);
    const run = async <R extends pg.QueryResultRow>(q: pg.QueryConfig): Promise<pg.QueryResult<R>> => {
      try {
        return await client.query<R>(q);
      } catch (err) {
        throw fail(err);
      }
    };
    let cursors = 0;
    const reader: SnapshotReader = {
      dialect: 'pg',
      all: async (q) => zeroOne((await run<Row>({ text: q.sql, values: q.params })).rows),
      async *batches(q) {
        const cursor = `vminer_read_${++cursors}`;
        await run({ text: `DECLARE ${cursor} NO SCROLL CURSOR FOR ${q.sql}`, values: q.params });
        try {
          let names: string[] | undefined;
          for (;;) {
            const r = await client
              .query<unknown[]>({ text: `FETCH ${BATCH_ROWS} FROM ${cursor}`, rowMode: 'array' })
              .catch((err: unknown) => Promise.reject(fail(err)));
            names ??= r.fields.map((f) => f.name);
            zeroOneArrays(r);
            if (r.rows.length > 0) yield { names, rows: r.rows };
            if (r.rows.length < BATCH_ROWS) break;
          }
        } finally {
          await client.query(`CLOSE ${cursor}`).catch(() => undefined);
        }
      },
    };
    let failed = false;
    try {
      await run({ text: 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY' });
      const result = await body(reader);
      await run({ text: 'COMMIT' });
      return result;
    } catch (err) {
      failed = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      // A connection that failed mid-transaction is dropped, not handed to the next reader.
      client.release(failed);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** Booleans as 0/1, as the SQLite cache holds them (the service turns boolean fields back for both). */
function zeroOne(rows: Row[]): Row[] {
  for (const row of rows)
    for (const k of Object.keys(row)) if (typeof row[k] === 'boolean') row[k] = row[k] ? 1 : 0;
  return rows;
}

/** Booleans as 0/1 in rows read as arrays (the columns' types say which). */
function zeroOneArrays(r: pg.QueryResult<unknown[]>): unknown[][] {
  const flags = r.fields.flatMap((f, i) => (f.dataTypeID === pg.types.builtins.BOOL ? [i] : []));
  if (flags.length > 0)
    for (const row of r.rows) for (const i of flags) if (row[i] !== null) row[i] = row[i] ? 1 : 0;
  return r.rows;
}
