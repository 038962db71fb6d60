/**
 * One write of the team database's inventory, as the leader makes it: one PostgreSQL transaction
 * that checks the writer still leads with the term it was elected with (the `team_leader` row of
 * team/leader.ts), takes the vCenter's write lock (two writes of one vCenter never interleave),
 * runs the write, checks the term again under a share lock of the row, publishes
 * `inventory:changed` through the notification bus in the same transaction (delivered on commit,
 * never on rollback) and commits; any failure rolls everything back.
 *
 * The first check is plain (a stale writer stops before any work); the second one, FOR SHARE,
 * comes last: an election that bumps the term either committed before it (the write sees the new
 * term and rolls back) or waits for this commit (the write happened under the old term). The share
 * lock is held only from that check to the commit, so the leader's lease renewals (an UPDATE of the
 * same row every 2 s) never wait behind a long write.
 */
import type pg from 'pg';
import { checkTerm, type Fence } from '../../team/fence.js';
import type { Queryable } from '../../team/notify-bus.js';
import type { TeamEvents } from '../../team/notify-payload.js';

/** What publishes an event inside the caller's transaction (NotifyBus.publishIn). */
export interface TransactionalPublisher {
  publishIn(
    db: Queryable,
    name: 'inventory:changed',
    payload: TeamEvents['inventory:changed'],
  ): Promise<void>;
}

/** The advisory lock namespace of a vCenter's inventory writes ("vinv"). */
const WRITE_LOCK_NS = 0x76696e76;

export interface FencedWriteOptions {
  fence: Fence;
  vcenterId: number;
  /** Publishes `inventory:changed` for the vCenter in the transaction when given. */
  bus?: TransactionalPublisher | undefined;
}

/** Runs `write` in one fenced transaction on a client of `pool` (see the module comment). */
export async function fencedWrite<T>(
  pool: pg.Pool,
  opts: FencedWriteOptions,
  write: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      await checkTerm(client, opts.fence.term, opts.fence.election, false);
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [WRITE_LOCK_NS, opts.vcenterId]);
      const out = await write(client);
      await checkTerm(client, opts.fence.term, opts.fence.election);
      await opts.bus?.publishIn(client, 'inventory:changed', { vcenterIds: [opts.vcenterId] });
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    }
  } finally {
    // A connection whose rollback failed is not given back to the pool.
    client.release(broken);
  }
}
