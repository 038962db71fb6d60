/**
 * Tables only the team database has (no SQLite counterpart), kept beside the derived ones so the
 * same drizzle-kit run generates their migrations.
 *
 * `vault`: the team server's credential vault — one row per vault (`credentials`), whose
 * `content` is the same encrypted document as the desktop's `credentials.vault` file (AES-256-GCM
 * under a key derived from VMINER_SECRET_KEY; the row never holds a clear secret). `version` grows
 * by one with each write: instances compare it to notice another instance's change, and a write
 * holds the row lock (SELECT … FOR UPDATE) so no instance's change is lost.
 */
import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const vault = pgTable('vault', {
  id: text('id').primaryKey(),
  content: text('content').notNull(),
  version: bigint('version', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
});

/** The team-only tables, by name. */
export const teamTables = [vault] as const;
