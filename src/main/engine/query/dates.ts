import type { QueryEntity } from '../../../shared/fields.js';
import type { DateBound, DateRange } from './atoms.js';
import { DATE_FIELDS } from './lexicon.js';

/** The date field a word names for an entity: a field, `null` (known but not in the cache), or undefined. */
export function dateFieldFor(entity: QueryEntity, word: string | undefined): string | null | undefined {
  if (word) {
    for (const f of DATE_FIELDS) if (f.words.includes(word) && entity in f.fields) return f.fields[entity];
  }
  // No word, or a word that names no date of this entity: the entity's usual date.
  const fallback: Partial<Record<QueryEntity, string>> = {
    snapshots: 'createdAt',
    vms: 'oldestSnapshotAt',
    hosts: 'bootTime',
    vcenters: 'lastSuccessAt',
  };
  if (word && DATE_FIELDS.some((f) => f.words.includes(word))) return undefined;
  return fallback[entity];
}

const DAY = 86_400_000;

/** A bound in local time ("this week" starts on Monday 00:00 where the engine runs). */
export function resolveBound(b: DateBound, now: Date): Date {
  if ('daysAgo' in b) return new Date(now.getTime() - b.daysAgo * DAY);
  const d = new Date(now.getTime());
  d.setHours(0, 0, 0, 0);
  if ('startOf' in b) {
    switch (b.startOf) {
      case 'day':
        d.setDate(d.getDate() + b.offset);
        return d;
      case 'week':
        d.setDate(d.getDate() - ((d.getDay() + 6) % 7) + 7 * b.offset);
        return d;
      case 'month':
        d.setDate(1);
        d.setMonth(d.getMonth() + b.offset);
        return d;
      case 'year':
        d.setMonth(0, 1);
        d.setFullYear(d.getFullYear() + b.offset);
        return d;
    }
  }
  if ('weekday' in b) {
    d.setDate(d.getDate() - ((d.getDay() - b.weekday + 7) % 7));
    return d;
  }
  // A day of the year: the given year, else the most recent one that is not in the future.
  const out = new Date(b.year ?? d.getFullYear(), b.month - 1, b.day);
  if (b.year === undefined && out.getTime() > now.getTime()) out.setFullYear(out.getFullYear() - 1);
  return out;
}

function iso(d: Date): string {
  // Dates reach ±8.64e15 ms; "older than 99999999999 years" is simply before all of them.
  const ms = Math.max(-8.64e15, Math.min(8.64e15, d.getTime()));
  return new Date(Number.isNaN(ms) ? 0 : ms).toISOString();
}

/** `from` inclusive, `to` exclusive, as ISO strings (the cache stores dates as ISO UTC). */
export function resolveDateRange(r: DateRange, now: Date): { from?: string; to?: string } {
  return {
    ...(r.from ? { from: iso(resolveBound(r.from, now)) } : {}),
    ...(r.to ? { to: iso(resolveBound(r.to, now)) } : {}),
  };
}
