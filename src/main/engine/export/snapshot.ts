import Database from 'better-sqlite3';

/**
 * Runs `body` on a connection of its own, in one read transaction (one consistent snapshot).
 *
 * An export iterates for seconds and yields to the event loop between batches; on a shared
 * connection an open iterator makes every other statement fail ("connection is busy") and a
 * transaction would swallow other callers' writes. So an export opens its own read-only
 * connection to the same file (cheap; WAL readers never block the writer). Only an in-memory
 * database, or a caller already inside a transaction (its snapshot, its choice), uses `sqlite`.
 */
export async function inSnapshot<T>(
  sqlite: Database.Database,
  body: (conn: Database.Database) => Promise<T>,
): Promise<T> {
  if (sqlite.memory || sqlite.inTransaction) return body(sqlite);
  const conn = new Database(sqlite.name, { readonly: true, fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 5000');
    conn.exec('BEGIN');
    return await body(conn);
  } finally {
    conn.close();
  }
}
