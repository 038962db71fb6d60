import Database from 'better-sqlite3';
import type { PgQueryBackend } from '../query/pg-backend.js';
import type { Row, SnapshotReader } from '../query/reading.js';

/**
 * Rows per batch from SQLite: a statement's next row costs no round trip, so small batches; larger
 * ones outlive V8's young generation and cost ~30 MB more peak RSS in a 100k-VM workbook.
 */
const SQLITE_BATCH = 100;

/** Where an export reads: the SQLite cache or the team server's PostgreSQL. */
export type ExportSource =
  { sqlite: Database.Database; postgres?: never } | { postgres: PgQueryBackend; sqlite?: never };

function sqliteReader(conn: Database.Database): SnapshotReader {
  return {
    dialect: 'sqlite',
    all: (q) => Promise.resolve(conn.prepare(q.sql).all(...q.params) as Row[]),
    async *batches(q) {
      const stmt = conn.prepare(q.sql).raw(true);
      const names = stmt.columns().map((c) => c.name);
      let rows: unknown[][] = [];
      for (const r of stmt.iterate(...q.params) as IterableIterator<unknown[]>) {
        rows.push(r);
        if (rows.length === SQLITE_BATCH) {
          yield { names, rows };
          rows = [];
        }
      }
      if (rows.length > 0) yield { names, rows };
    },
  };
}

/**
 * Runs `body` on one consistent snapshot of the source.
 *
 * SQLite: a connection of its own, in one read transaction. An export iterates for seconds and
 * yields to the event loop between batches; on a shared connection an open iterator makes every
 * other statement fail ("connection is busy") and a transaction would swallow other callers'
 * writes. So an export opens its own read-only connection to the same file (cheap; WAL readers
 * never block the writer). Only an in-memory database, or a caller already inside a transaction
 * (its snapshot, its choice), uses the given connection.
 *
 * PostgreSQL: a pooled connection in a REPEATABLE READ, READ ONLY transaction; large results
 * through a cursor, fetched a batch at a time.
 */
export async function inSnapshot<T>(
  source: ExportSource,
  body: (reader: SnapshotReader) => Promise<T>,
): Promise<T> {
  if (source.postgres) return source.postgres.snapshot(body);
  const sqlite = source.sqlite;
  if (sqlite.memory || sqlite.inTransaction) return body(sqliteReader(sqlite));
  const conn = new Database(sqlite.name, { readonly: true, fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 5000');
    conn.exec('BEGIN');
    return await body(sqliteReader(conn));
  } finally {
    conn.close();
  }
}
