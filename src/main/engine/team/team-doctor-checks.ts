/**
 * The team doctor's checks of the database itself (team-doctor.ts runs them): the server and its
 * version, the migrations, pg_trgm, the collation, and who leads with how fresh a lease.
 */
import type pg from 'pg';
import type { DoctorCheck } from '../../../shared/doctor.js';
import { collationWarnings, pendingPgMigrations, pgJournal } from '../db/pg/migrate.js';
import { check } from '../doctor/check.js';
import { lockKeys } from './leader.js';
import type { PgTarget } from './pg-connection.js';

/** A lease not renewed for this long belongs to a stalled leader (leader.ts: leaseTimeoutMs). */
const LEASE_TIMEOUT_MS = 10_000;

const ago = (ms: number): string =>
  ms < 120_000 ? `${Math.round(ms / 1000)} s ago` : `${Math.round(ms / 60_000)} min ago`;

export async function serverVersion(client: pg.Client, target: PgTarget): Promise<DoctorCheck> {
  const r = await client.query<{ v: string; n: string }>(
    `SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n`,
  );
  const v = r.rows[0]!;
  if (Number(v.n) < 130_000)
    return check(
      'database',
      'reachable',
      'warn',
      `PostgreSQL ${v.v} at ${target.display}: older than 13, where pg_trgm is not a trusted extension (a superuser must create it); upgrade to 13 or later`,
    );
  return check('database', 'reachable', 'ok', `PostgreSQL ${v.v} at ${target.display}`);
}

export async function migrations(client: pg.Client, target: PgTarget): Promise<DoctorCheck> {
  const journal = pgJournal();
  const pending = await pendingPgMigrations(client, journal);
  const applied = journal.length - pending.length;
  if (pending.length === 0)
    return check('database', 'migrations', 'ok', `${applied} of ${journal.length} applied`);
  return check(
    'database',
    'migrations',
    'fail',
    `${applied} of ${journal.length} applied; missing: ${pending.map((m) => m.tag).join(', ')}. Run \`vminer db migrate --database ${target.display}\` (instances refuse to start until then)`,
  );
}

export async function collation(client: pg.Client): Promise<DoctorCheck> {
  const warnings = await collationWarnings(client);
  if (warnings.length === 0) return check('database', 'collation', 'ok', 'C: lists sort as on the desktop');
  return check('database', 'collation', 'warn', warnings.join(' '));
}

export async function trigram(client: pg.Client, target: PgTarget): Promise<DoctorCheck> {
  const r = await client.query<{ v: string }>(
    `SELECT extversion AS v FROM pg_extension WHERE extname = 'pg_trgm'`,
  );
  const v = r.rows[0]?.v;
  if (v) return check('database', 'pg_trgm', 'ok', `extension pg_trgm ${v} (the "where is" search)`);
  return check(
    'database',
    'pg_trgm',
    'fail',
    `the extension pg_trgm is missing: the "where is" search and its indexes need it. Run \`vminer db migrate --database ${target.display}\`; if the server has no pg_trgm, install PostgreSQL's contrib modules there (postgresql-contrib), or have a superuser run CREATE EXTENSION pg_trgm in this database`,
  );
}

interface LeaseRow {
  instance: string | null;
  host: string | null;
  pid: number | null;
  backend_pid: number | null;
  term: number | null;
  acquired_at: Date | null;
  released_at: Date | null;
  silent_ms: number | null;
  holder: number | null;
}

/** Who leads: the session holding the election's lock, and whether its lease is fresh. */
export async function leader(
  client: pg.Client,
  name: string,
  self: string | undefined,
): Promise<DoctorCheck> {
  const table = await client.query<{ t: string | null }>(`SELECT to_regclass('team_leader') AS t`);
  const start =
    'start `vminer serve --database …`: the instance that starts first leads (syncs and live updates)';
  if (!table.rows[0]?.t)
    return check('leader', 'lease', 'warn', `no instance has led on this database yet: ${start}`);
  const { ns, key } = lockKeys(name);
  const r = await client.query<LeaseRow>(
    `SELECT t.instance, t.host, t.pid, t.backend_pid, t.term, t.acquired_at, t.released_at,
            (extract(epoch FROM now() - t.renewed_at) * 1000)::float8 AS silent_ms, h.pid AS holder
       FROM (SELECT 1) one
       LEFT JOIN team_leader t ON t.id = $3
       LEFT JOIN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid
                  AND objid = $2::oid AND objsubid = 2 AND granted
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) h ON true`,
    [ns, key, name],
  );
  const row = r.rows[0];
  if (!row?.instance) {
    if (row?.holder)
      return check(
        'leader',
        'lease',
        'ok',
        'an instance is taking the lead (it holds the lock, its lease follows)',
      );
    return check('leader', 'lease', 'warn', `no instance has led on this database yet: ${start}`);
  }
  const who = `${row.instance === self ? 'this instance' : row.instance} (host ${row.host}, pid ${row.pid})`;
  const silent = Number(row.silent_ms);
  if (row.holder === null) {
    return check(
      'leader',
      'lease',
      'warn',
      row.released_at
        ? `no instance leads: the last leader, ${who}, stepped down at ${row.released_at.toISOString()}; syncs and live updates wait until one runs: ${start}`
        : `no instance leads: the last leader, ${who}, stopped without stepping down (renewed ${ago(silent)}: killed or crashed); ${start}`,
    );
  }
  if (row.holder !== row.backend_pid)
    return check(
      'leader',
      'lease',
      'warn',
      `the election's lock is held by session ${row.holder}, which has no lease: an instance is taking over, or something else holds advisory lock (${ns}, ${key}); the followers end such a session after 20 s`,
    );
  if (silent >= LEASE_TIMEOUT_MS)
    return check(
      'leader',
      'lease',
      'warn',
      `${who} holds the lock but last renewed its lease ${ago(silent)}: it is stalled (it steps down on its own, and a follower ends its session after 20 s). Look at that instance's log`,
    );
  return check(
    'leader',
    'lease',
    'ok',
    `${who} leads, term ${row.term}, since ${row.acquired_at?.toISOString()}; lease renewed ${ago(silent)}`,
  );
}
