/**
 * PostgreSQL's counterpart of the SQLite cache's FTS5 trigram table `search_index`
 * (drizzle/0001_search_index.sql), which schema.ts cannot declare (drizzle has no virtual tables).
 * The same columns, with SQLite's `rowid` (vCenter id × 2^32 + n, so one vCenter's rows go by a
 * range) as `id`. pg_trgm's GIN indexes answer what FTS5's trigram tokenizer answers: substring
 * matches (`ILIKE '%…%'`) on 3+ characters over `name` and `extra`, and trigram similarity for the
 * fuzzy fallback; `lower(name)` answers the exact match of short questions (`name = ? COLLATE NOCASE`).
 * The extension itself is created by the hand-written first migration (drizzle-pg/0000_extensions.sql).
 */
import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, text } from 'drizzle-orm/pg-core';

export const searchIndex = pgTable(
  'search_index',
  {
    id: bigint('id', { mode: 'number' }).primaryKey(),
    name: text('name').notNull(),
    extra: text('extra').notNull(),
    entity: text('entity').notNull(),
    vcenterId: integer('vcenter_id').notNull(),
    moid: text('moid').notNull(),
  },
  (t) => [
    index('search_index_name_trgm').using('gin', t.name.op('gin_trgm_ops')),
    index('search_index_extra_trgm').using('gin', t.extra.op('gin_trgm_ops')),
    index('search_index_name_lower').on(sql`lower(${t.name})`),
  ],
);
