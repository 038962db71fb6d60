/**
 * Tables only the team database has (no SQLite counterpart), kept beside the derived ones so the
 * same drizzle-kit run generates their migrations.
 *
 * `vault`: the team server's credential vault — one row per vault (`credentials`), whose
 * `content` is the same encrypted document as the desktop's `credentials.vault` file (AES-256-GCM
 * under a key derived from VMINER_SECRET_KEY; the row never holds a clear secret). `version` grows
 * by one with each write: instances compare it to notice another instance's change, and a write
 * holds the row lock (SELECT … FOR UPDATE) so no instance's change is lost.
 *
 * `team_leader`: the leader election's lease (team/leader.ts), one row per election name (`id`):
 * `backend_pid` is the lock session's server process (followers match it to the advisory lock's
 * holder in pg_locks); `term` grows by one with each election and fences the leader's writes (the
 * inventory store checks it in each write's transaction, db/pg/fenced-write.ts); `released_at` is
 * set by a clean stop. Its migration creates it IF NOT EXISTS: databases the elector used before
 * the migration existed already have it (team/leader-table.ts created it at run time).
 */
import { bigint, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const vault = pgTable('vault', {
  id: text('id').primaryKey(),
  content: text('content').notNull(),
  version: bigint('version', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
});

export const teamLeader = pgTable('team_leader', {
  id: text('id').primaryKey(),
  instance: text('instance').notNull(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  backendPid: integer('backend_pid').notNull(),
  term: bigint('term', { mode: 'number' }).notNull(),
  acquiredAt: timestamp('acquired_at', { withTimezone: true }).notNull(),
  renewedAt: timestamp('renewed_at', { withTimezone: true }).notNull(),
  releasedAt: timestamp('released_at', { withTimezone: true }),
});

/** The team-only tables, by name. */
export const teamTables = [vault, teamLeader] as const;
