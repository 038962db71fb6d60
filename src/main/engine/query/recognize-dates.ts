import type { DateBound, DateRange } from './atoms.js';
import { DATE_FIELDS, MONTHS, TIME_UNITS_DAYS, WEEKDAYS } from './lexicon.js';
import type { ParseState } from './parse-state.js';

const DATE_VERBS = new Set(
  DATE_FIELDS.flatMap((f) => f.words).filter((w) => !['snapshot', 'snapshots', 'running'].includes(w)),
);
const CALENDAR_UNITS: Record<string, 'day' | 'week' | 'month' | 'year'> = {
  day: 'day',
  week: 'week',
  month: 'month',
  year: 'year',
};
const ORDINAL = new Set(['st', 'nd', 'rd', 'th']);

interface Phrase {
  range: DateRange;
  label: string;
  next: number;
  form: 'age' | 'period';
}

const words = (s: ParseState, from: number, to: number): string =>
  s.tokens
    .slice(from, to)
    .map((t) => t.raw)
    .join(' ');

/** A calendar date or day: "1 nov", "nov 1st", "2026-11-01", "monday", "yesterday", "2025". */
function pointAt(s: ParseState, k: number): { bound: DateBound; next: number } | undefined {
  const w = s.n(k);
  if (w === 'today') return { bound: { startOf: 'day', offset: 0 }, next: k + 1 };
  if (w === 'yesterday') return { bound: { startOf: 'day', offset: -1 }, next: k + 1 };
  if ((w === 'last' || w === 'this') && WEEKDAYS[s.n(k + 1)] !== undefined)
    return { bound: { weekday: WEEKDAYS[s.n(k + 1)]! }, next: k + 2 };
  if (WEEKDAYS[w] !== undefined) return { bound: { weekday: WEEKDAYS[w] }, next: k + 1 };
  if ((w === 'last' || w === 'this' || w === 'previous') && CALENDAR_UNITS[s.n(k + 1)])
    return { bound: { startOf: CALENDAR_UNITS[s.n(k + 1)]!, offset: w === 'this' ? 0 : -1 }, next: k + 2 };
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(w);
  if (iso)
    return { bound: { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) }, next: k + 1 };
  const day = s.num(k);
  if (day !== undefined && Number.isInteger(day)) {
    let j = k + 1;
    if (ORDINAL.has(s.n(j))) j++;
    if (s.n(j) === 'of') j++;
    if (MONTHS[s.n(j)] !== undefined && day >= 1 && day <= 31) {
      const month = MONTHS[s.n(j)]!;
      const year = s.num(j + 1);
      if (year !== undefined && year >= 1970 && year <= 2100)
        return { bound: { month, day, year }, next: j + 2 };
      return { bound: { month, day }, next: j + 1 };
    }
    if (j === k + 1 && day >= 1970 && day <= 2100)
      return { bound: { year: day, month: 1, day: 1 }, next: k + 1 };
  }
  if (MONTHS[w] !== undefined) {
    const month = MONTHS[w];
    const d = s.num(k + 1);
    if (d !== undefined && Number.isInteger(d) && d >= 1 && d <= 31) {
      let j = k + 2;
      if (ORDINAL.has(s.n(j))) j++;
      const year = s.num(j);
      if (year !== undefined && year >= 1970 && year <= 2100)
        return { bound: { month, day: d, year }, next: j + 1 };
      return { bound: { month, day: d }, next: j };
    }
    return { bound: { month, day: 1 }, next: k + 1 };
  }
  return undefined;
}

/** "N units" at k: days. */
function spanAt(s: ParseState, k: number): { days: number; next: number } | undefined {
  const v = s.num(k);
  const unit = TIME_UNITS_DAYS[s.n(k + 1)];
  if (v === undefined || unit === undefined) return undefined;
  return { days: v * unit, next: k + 2 };
}

/** A date phrase starting at k (see docs/questions.md for the forms). */
export function datePhrase(s: ParseState, k: number): Phrase | undefined {
  const start = k;
  const done = (range: DateRange, next: number, form: 'age' | 'period' = 'period'): Phrase => ({
    range,
    label: words(s, start, next),
    next,
    form,
  });
  let j = k;
  while (['in', 'during', 'within', 'over', 'from', 'on', 'for'].includes(s.n(j))) j++;
  const the = s.n(j) === 'the';
  if (the) j++;
  const w = s.n(j);
  // "in 100 days", "within 2 weeks", "for 90 days" (after a verb in the past): the last N days.
  if (j > start && !the) {
    const span = spanAt(s, j);
    if (span && s.n(span.next) !== 'ago' && s.n(span.next) !== 'old')
      return done({ from: { daysAgo: span.days } }, span.next);
  }

  if (w === 'today') return done({ from: { startOf: 'day', offset: 0 } }, j + 1);
  if (w === 'yesterday')
    return done({ from: { startOf: 'day', offset: -1 }, to: { startOf: 'day', offset: 0 } }, j + 1);
  if (w === 'this' || w === 'current') {
    const unit = CALENDAR_UNITS[s.n(j + 1)];
    if (unit) return done({ from: { startOf: unit, offset: 0 } }, j + 2);
  }
  if (w === 'last' || w === 'past' || w === 'previous' || w === 'prior') {
    const span = spanAt(s, j + 1);
    if (span) return done({ from: { daysAgo: span.days } }, span.next);
    const unit = CALENDAR_UNITS[s.n(j + 1)];
    if (unit) {
      // "in the last week": the last seven days; "last week": the calendar week before this one.
      if (the || s.n(j - 1) === 'within' || s.n(j - 1) === 'over')
        return done({ from: { daysAgo: TIME_UNITS_DAYS[unit]! } }, j + 2);
      return done({ from: { startOf: unit, offset: -1 }, to: { startOf: unit, offset: 0 } }, j + 2);
    }
  }
  if (w === 'since' || w === 'after' || w === 'before' || w === 'until') {
    const p = pointAt(s, j + 1);
    if (p) return done(w === 'since' || w === 'after' ? { from: p.bound } : { to: p.bound }, p.next);
    const span = spanAt(s, j + 1);
    if (span && s.n(span.next) === 'ago')
      return done(
        w === 'before' ? { to: { daysAgo: span.days } } : { from: { daysAgo: span.days } },
        span.next + 1,
      );
  }
  if ((w === 'older' || w === 'newer' || w === 'younger') && s.n(j + 1) === 'than') {
    const span = spanAt(s, j + 2);
    if (span) {
      const next = s.n(span.next) === 'old' ? span.next + 1 : span.next;
      return done(
        w === 'older' ? { to: { daysAgo: span.days } } : { from: { daysAgo: span.days } },
        next,
        'age',
      );
    }
    const p = pointAt(s, j + 2);
    if (p) return done(w === 'older' ? { to: p.bound } : { from: p.bound }, p.next);
  }
  // "between 30 and 60 days old": from the older bound to the newer one.
  if (w === 'between' && s.isNum(j + 1) && s.n(j + 2) === 'and') {
    const span = spanAt(s, j + 3);
    if (span && (s.n(span.next) === 'old' || s.n(span.next) === 'ago')) {
      const unit = span.days / s.num(j + 3)!;
      const a = s.num(j + 1)! * unit;
      return done(
        { from: { daysAgo: Math.max(a, span.days) }, to: { daysAgo: Math.min(a, span.days) } },
        span.next + 1,
        'age',
      );
    }
  }
  // "more than 90 days old", "over a year ago", "less than 30 days old", "at least 2 weeks old".
  const cmp = s.comparatorAt(j);
  if (cmp && cmp.op !== 'eq' && cmp.op !== 'ne') {
    const span = spanAt(s, j + cmp.len);
    if (span && (s.n(span.next) === 'old' || s.n(span.next) === 'ago')) {
      const older = cmp.op === 'gt' || cmp.op === 'gte';
      return done(
        older ? { to: { daysAgo: span.days } } : { from: { daysAgo: span.days } },
        span.next + 1,
        'age',
      );
    }
  }
  return undefined;
}

/** Uptime reads the other way: "up for more than 200 days" = booted more than 200 days ago. */
function uptimePhrase(s: ParseState, k: number): Phrase | undefined {
  let j = k;
  while (['for', 'of', 'is', 'over'].includes(s.n(j)) && !s.comparatorAt(j)) j++;
  const cmp = s.comparatorAt(j);
  if (!cmp || cmp.op === 'eq' || cmp.op === 'ne') return undefined;
  const span = spanAt(s, j + cmp.len);
  if (!span) return undefined;
  const longer = cmp.op === 'gt' || cmp.op === 'gte';
  return {
    range: longer ? { to: { daysAgo: span.days } } : { from: { daysAgo: span.days } },
    label: words(s, k, span.next),
    next: span.next,
    form: 'age',
  };
}

/**
 * Relative dates wherever a date field exists: "created last week", "booted since monday",
 * "snapshots older than six months", "up for more than 200 days", "not rebooted in 90 days".
 */
export function recogniseDates(s: ParseState): boolean {
  const i = s.i;
  const w = s.n(i);
  if (DATE_VERBS.has(w) || (w === 'up' && (s.n(i + 1) === 'for' || s.n(i + 1) === 'since'))) {
    const uptime = w === 'uptime' || w === 'up';
    const p = (uptime ? uptimePhrase(s, i + 1) : undefined) ?? datePhrase(s, i + 1);
    if (!p) return false;
    let range = p.range;
    // "hosts not rebooted in 100 days": booted before then (an unknown boot time is not counted).
    if (
      s.negating &&
      range.from &&
      !range.to &&
      'daysAgo' in range.from &&
      ['in', 'within', 'for'].includes(s.n(i + 1))
    ) {
      range = { to: range.from };
      s.negateAt = -1;
    }
    s.push({ t: 'when', fieldWord: w, range, label: `${s.tokens[i]!.raw} ${p.label}`, form: p.form });
    s.i = p.next;
    return true;
  }
  const p = datePhrase(s, i);
  if (!p) return false;
  s.push({
    t: 'when',
    fieldWord: s.dateWord ?? s.lastFieldWord,
    range: p.range,
    label: p.label,
    form: p.form,
  });
  s.i = p.next;
  return true;
}
