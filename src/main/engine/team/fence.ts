/**
 * Fencing for the writes only the leader makes (sync state, live state, what a sync learns of a
 * vCenter): the write's transaction first reads the `team_leader` row (team/leader.ts) with a
 * share lock and compares its term with the one the writer was elected with. A newer term means
 * another instance leads now: the write is refused and nothing is written. The share lock keeps a
 * new election's term bump waiting until the write's transaction ends, so a write is either
 * committed under its term or refused, never committed after the term moved on.
 *
 * That share lock also holds up the leader's own lease renewal (an UPDATE of the same row) until
 * the transaction ends: check the term as the transaction's last statement before COMMIT, so it
 * is held for the commit only. A check at the start of a transaction that then runs for longer
 * than the lease timeout (10 s) would make the leader step down as stalled.
 */
import { VminerError } from '../../../shared/errors.js';
import type { Queryable } from './notify-bus.js';

/** The election name LeaderElector uses by default (its `name` option). */
export const DEFAULT_ELECTION = 'vminer';

export async function checkTerm(
  client: Queryable,
  term: number | undefined,
  election = DEFAULT_ELECTION,
): Promise<void> {
  if (term === undefined)
    throw new VminerError(
      'INTERNAL',
      'a leader-only write on the team database was made without the leader term (a bug: pass the term the instance was elected with)',
    );
  let current: number | undefined;
  try {
    const r = (await client.query('SELECT term FROM team_leader WHERE id = $1 FOR SHARE', [election])) as {
      rows: { term: string | number }[];
    };
    current = r.rows[0] === undefined ? undefined : Number(r.rows[0].term);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P01') throw err; // no team_leader table: nobody leads
  }
  if (current !== term)
    throw new VminerError(
      'NOT_LEADER',
      current === undefined
        ? `this instance writes as the leader of term ${term}, but no instance leads on this database: nothing was written`
        : `this instance writes as the leader of term ${term}, but term ${current} has begun (another instance leads now): nothing was written`,
    );
}
