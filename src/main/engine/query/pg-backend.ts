import pg from 'pg';
import { VminerError } from '../../../shared/errors.js';
import { pgError, pgTypes } from '../db/pg/connect.js';
import { clientConfig, type PgTarget } from '../team/pg-connection.js';
import { PgNames } from './pg-names.js';
import type { Row } from './reading.js';
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
      if (this.target) throw pgError(err, this.target);
      throw new VminerError('QUERY_FAILED', `PostgreSQL: ${(err as Error).message}`, { cause: err });
    }
    for (const row of rows)
      for (const k of Object.keys(row)) if (typeof row[k] === 'boolean') row[k] = row[k] ? 1 : 0;
    return rows;
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
