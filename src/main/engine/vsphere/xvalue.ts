/** Readers for parsed vim25 values (`XValue`): typed, null where the vCenter did not say. */
import { MoRef, type XObject, type XValue } from './xml.js';

export function asArray(v: XValue | undefined): XValue[] {
  if (v === undefined || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

export function obj(v: XValue | undefined): XObject | undefined {
  return v !== undefined && typeof v === 'object' && !Array.isArray(v) && !(v instanceof MoRef)
    ? v
    : undefined;
}

export function str(v: XValue | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

export function num(v: XValue | undefined): number | null {
  if (typeof v !== 'string' || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** vSphere dateTimes may carry nanoseconds; store them as plain ISO 8601 (ms, UTC) so they sort and compare. */
export function date(v: XValue | undefined): string | null {
  const s = str(v);
  if (s === null) return null;
  const plain = plainUtcDate(s);
  if (plain !== null) return plain;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The digits `s[from..from+n)` as a number, or -1 if one of them is not a digit. */
function digits(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * What `new Date(Date.parse(s)).toISOString()` gives for the form vCenters send
 * (`2024-12-24T00:07:30.085366435Z`, UTC, any number of fraction digits), made from the
 * characters; null for anything else (an offset, a day or hour that the Date would roll over),
 * which goes through Date. A VM has two or three dates; a sync of an estate, many thousands.
 */
export function plainUtcDate(s: string): string | null {
  const n = s.length;
  if (n < 20 || s.charCodeAt(n - 1) !== 90 /* Z */) return null;
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return null;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return null;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1]! + (month === 2 && leap ? 1 : 0)) return null;
  let ms = '.000';
  if (n > 20) {
    // `.` and one or more digits, of which the first three count (the Date truncates).
    if (s[19] !== '.' || n === 21 || digits(s, 20, n - 21) < 0) return null;
    ms = n >= 24 ? s.slice(19, 23) : s.slice(19, n - 1).padEnd(4, '0');
  }
  return s.slice(0, 19) + ms + 'Z';
}

export function bool(v: XValue | undefined): boolean | null {
  return v === 'true' ? true : v === 'false' ? false : null;
}

export function ref(v: XValue | undefined): MoRef | undefined {
  return v instanceof MoRef ? v : undefined;
}

export function refs(v: XValue | undefined): MoRef[] {
  return asArray(v).filter((x): x is MoRef => x instanceof MoRef);
}

export function field(o: XObject | undefined, ...path: string[]): XValue | undefined {
  let cur: XValue | undefined = o;
  for (const p of path) {
    const next = obj(cur);
    if (!next) return undefined;
    cur = next[p];
  }
  return cur;
}

/** Strings of a list (an ArrayOfString, or one repeated element), empty ones left out. */
export function strs(v: XValue | undefined): string[] {
  return asArray(v).filter((x): x is string => typeof x === 'string' && x !== '');
}

/** `a, b, c`, or null for none: how list fields are stored (the planner matches one element). */
export function joinList(items: Iterable<string | null | undefined>): string | null {
  const list: string[] = [];
  for (const i of items) if (i) list.push(i);
  return list.length > 0 ? list.join(', ') : null;
}
