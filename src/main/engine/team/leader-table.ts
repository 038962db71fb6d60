import type pg from 'pg';

/**
 * The lease table. THIS PARCEL'S OWN DDL (issue 18, leader election): it moves into the PostgreSQL
 * migrations when the store is ported to drizzle's PostgreSQL dialect; until then each elector
 * creates it if missing. One row per election name (`id`); `backend_pid` is the lock session's
 * server process, so followers can match the lease to the advisory lock's holder in pg_locks;
 * `term` grows by one with each election (a fencing number for the leader's writes);
 * `released_at` is set by a clean stop.
 */
const DDL = `CREATE TABLE IF NOT EXISTS team_leader (
  id text PRIMARY KEY,
  instance text NOT NULL,
  host text NOT NULL,
  pid integer NOT NULL,
  backend_pid integer NOT NULL,
  term bigint NOT NULL,
  acquired_at timestamptz NOT NULL,
  renewed_at timestamptz NOT NULL,
  released_at timestamptz
)`;

/** Creates team_leader once; a transaction-scoped advisory lock keeps concurrent creators apart. */
export async function ensureLeaderTable(client: pg.Client, lockNamespace: number): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, 0)', [lockNamespace]);
    await client.query(DDL);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
