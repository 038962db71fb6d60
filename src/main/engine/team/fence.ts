/**
 * Fencing for the writes only the leader makes (a sync's or a live change's rows, sync state, live
 * state): the write's transaction compares the `team_leader` row's term (team/leader.ts) with the
 * one the writer was elected with. A newer term means another instance leads now: the write is
 * refused (`StaleTermError`, code NOT_LEADER) and nothing is written.
 *
 * The check that decides is made FOR SHARE as the transaction's last statement before COMMIT: a
 * new election's term bump either committed before it (the write sees the new term and rolls back)
 * or waits for this commit (the write happened under the old term), so a write is never committed
 * after the term moved on. The share lock also holds up the leader's own lease renewal (an UPDATE
 * of the same row) until the transaction ends: taken at the start of a write that then runs longer
 * than the lease timeout (10 s), it would make the leader step down as stalled. A plain check
 * (no lock) may come first too, so a stale writer stops before any work.
 */
import { VminerError } from '../../../shared/errors.js';
import type { Queryable } from './notify-bus.js';

/** The election name LeaderElector uses by default (its `name` option). */
export const DEFAULT_ELECTION = 'vminer';

/** The writer's leadership: the election's name (team_leader.id) and the term it won. */
export interface Fence {
  election: string;
  term: number;
}

/**
 * The write was refused because the writer no longer leads with its term (another instance was
 * elected since, or nobody holds the lease): nothing was written. Stop syncing and live sessions.
 */
export class StaleTermError extends VminerError {
  constructor(
    readonly election: string,
    readonly term: number,
    readonly current: number | null,
  ) {
    super(
      'NOT_LEADER',
      current === null
        ? `this instance writes as the leader of term ${term} of "${election}", but no instance leads on this database: nothing was written; it stops syncing until elected again`
        : `this instance writes as the leader of term ${term} of "${election}", but term ${current} has begun (another instance leads now): nothing was written; it stops syncing until elected again`,
    );
  }
}

/**
 * Throws StaleTermError unless the election's lease carries `term`; `lock` (the default) reads the
 * row FOR SHARE: make that check the transaction's last statement before COMMIT.
 */
export async function checkTerm(
  client: Queryable,
  term: number | undefined,
  election = DEFAULT_ELECTION,
  lock = true,
): Promise<void> {
  if (term === undefined)
    throw new VminerError(
      'INTERNAL',
      'a leader-only write on the team database was made without the leader term (a bug: pass the term the instance was elected with)',
    );
  let current: number | null = null;
  try {
    const r = (await client.query(`SELECT term FROM team_leader WHERE id = $1${lock ? ' FOR SHARE' : ''}`, [
      election,
    ])) as { rows: { term: string | number }[] };
    current = r.rows[0] === undefined ? null : Number(r.rows[0].term);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P01') throw err; // no team_leader table: nobody leads
  }
  if (current !== term) throw new StaleTermError(election, term, current);
}
