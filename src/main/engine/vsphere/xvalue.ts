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
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
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
