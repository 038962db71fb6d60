/**
 * Test support: reads the change history back (the read side proper lives in the engine's query
 * code), and composes it per object and field into before → after, as a reading's difference is.
 */
import type Database from 'better-sqlite3';

export interface ChangeRow {
  id: number;
  at: string;
  vcenterId: number;
  vcenter: string;
  entity: string;
  moid: string;
  objectName: string | null;
  kind: string;
  field: string | null;
  oldValue: string | null;
  newValue: string | null;
  source: string;
}

export function readChanges(sqlite: Database.Database, afterId = 0): ChangeRow[] {
  return sqlite
    .prepare(
      `SELECT id, at, vcenter_id AS vcenterId, vcenter, entity, moid, object_name AS objectName, kind, field,
              old_value AS oldValue, new_value AS newValue, source
       FROM changes WHERE id > ? ORDER BY id`,
    )
    .all(afterId) as ChangeRow[];
}

export function lastChangeId(sqlite: Database.Database): number {
  return (sqlite.prepare('SELECT COALESCE(max(id), 0) FROM changes').pluck().get() as number) ?? 0;
}

/**
 * `entity moid field` → first old value and last new value; fields that came back to where they
 * were drop out. `bridge` accepts a gap between one row's new value and the next row's old value
 * (a name column of another object keeps the name it had when it changed: that object's rename
 * in between is recorded on that object).
 */
export function composeChanges(
  rows: readonly ChangeRow[],
  bridge: (field: string, to: string | null, nextFrom: string | null) => boolean = () => false,
): Map<string, { from: string | null; to: string | null }> {
  const out = new Map<string, { from: string | null; to: string | null }>();
  for (const r of rows) {
    if (r.kind !== 'changed') continue;
    const k = `${r.entity} ${r.moid} ${r.field ?? ''}`;
    const cur = out.get(k);
    if (cur) {
      if (cur.to !== r.oldValue && !bridge(r.field ?? '', cur.to, r.oldValue))
        throw new Error(`${k}: history does not chain (${cur.to} then ${r.oldValue})`);
      cur.to = r.newValue;
    } else out.set(k, { from: r.oldValue, to: r.newValue });
  }
  for (const [k, v] of out) if (v.from === v.to) out.delete(k);
  return out;
}
