import { z } from 'zod';

import {
  CHANGE_ENTITIES,
  CHANGE_KINDS,
  CHANGE_SOURCES,
  type ChangeKind,
  type ChangeSource,
} from './change-kinds.js';

export { CHANGE_ENTITIES, CHANGE_KINDS, CHANGE_SOURCES, type ChangeKind, type ChangeSource };

/**
 * A time bound as people type it: relative ("24h", "7d", "30m", "2w"), a date ("2026-11-01", the
 * start of that day in UTC) or an ISO time.
 */
const TimeBoundSchema = z.string().trim().min(1).max(64);

/** One page of the change history, newest first. */
export const ChangesRequestSchema = z.object({
  since: TimeBoundSchema.optional(),
  until: TimeBoundSchema.optional(),
  /** The vCenter's name (now, or when the change was recorded). */
  vcenter: z.string().trim().min(1).max(100).optional(),
  entity: z.enum(CHANGE_ENTITIES).optional(),
  /** A field name (`powerState`), or a child-row field prefix ("disk 2") with a trailing `*`. */
  field: z.string().trim().min(1).max(200).optional(),
  /** An object's name, current or at the time: all rows of the object(s) it names, renames included. */
  object: z.string().trim().min(1).max(300).optional(),
  /** One object by its key (the row drawer's History tab). */
  vcenterId: z.number().int().positive().optional(),
  moid: z.string().min(1).max(200).optional(),
  kind: z.array(z.enum(CHANGE_KINDS)).min(1).max(4).optional(),
  source: z.enum(CHANGE_SOURCES).optional(),
  limit: z.number().int().min(1).max(5000).default(100),
  /** The previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
  /** Leave out the counts per kind (a next page does not need them again). */
  counts: z.boolean().default(true),
});
export type ChangesRequest = z.input<typeof ChangesRequestSchema>;

export interface ChangeRow {
  id: number;
  at: string;
  vcenterId: number;
  vcenter: string;
  entity: string;
  moid: string;
  objectName: string | null;
  kind: ChangeKind;
  field: string | null;
  oldValue: string | null;
  newValue: string | null;
  source: ChangeSource;
}

export interface ChangesPage {
  items: ChangeRow[];
  nextCursor: string | null;
  /** Rows of the whole filtered set per kind (absent with `counts: false`). */
  counts?: Record<ChangeKind, number>;
  /** The bounds the request's since / until resolved to (ISO), for display. */
  since: string | null;
  until: string | null;
}
