import type pg from 'pg';

/**
 * The lease table, owned by the PostgreSQL migrations (drizzle-pg/0004_team_leader.sql, declared
 * in db/pg/team-tables.ts, where its columns are explained). The elector still creates it IF NOT
 * EXISTS, with the same definition, so an election on a database that was not migrated yet (or
 * only up to 0003) works; the migration, which also says IF NOT EXISTS, then finds it in place.
 * The migrations test checks this DDL equals the migration's.
 */
export const DDL = `CREATE TABLE IF NOT EXISTS team_leader (
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
