import { describeFilter } from '../../../shared/describe.js';
import { fieldDef, type QueryEntity } from '../../../shared/fields.js';
import type { Filter } from '../../../shared/query.js';

/** One removable piece of a filter, as shown on a chip. */
export interface Chip {
  label: string;
  filter: Filter;
}

/** The top-level AND parts of a filter, each a chip. */
export function chipsOf(entity: QueryEntity, filter: Filter | undefined): Chip[] {
  if (!filter) return [];
  const parts = filter.kind === 'and' ? filter.filters : [filter];
  return parts.map((f) => ({ label: describeFilter(entity, f), filter: f }));
}

/** A filter from chips (AND), or undefined when none are left. */
export function fromChips(chips: Filter[]): Filter | undefined {
  if (chips.length === 0) return undefined;
  if (chips.length === 1) return chips[0];
  return { kind: 'and', filters: chips };
}

export function and(...parts: (Filter | undefined)[]): Filter | undefined {
  return fromChips(parts.flatMap((p) => (!p ? [] : p.kind === 'and' ? p.filters : [p])));
}

const QUICK_FIELDS: Partial<Record<QueryEntity, string[]>> = {
  vms: ['name', 'ipAddress', 'guestHostName', 'host', 'cluster', 'guestFullName', 'annotation'],
  hosts: ['name', 'cluster', 'model', 'esxiVersion'],
  datastores: ['name', 'type', 'url'],
  snapshots: ['name', 'vm', 'description'],
};

/** The quick search box: any of the entity's main text fields contains the text. */
export function quickSearchFilter(entity: QueryEntity, text: string): Filter | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const fields = (QUICK_FIELDS[entity] ?? ['name']).filter((f) => fieldDef(entity, f));
  const parts: Filter[] = fields.map((field) => ({ kind: 'text', field, op: 'contains', value: t }));
  return parts.length === 1 ? parts[0] : { kind: 'or', filters: parts };
}

/**
 * The unit a number column is shown in, and so the unit a bare number in its filter means: sizes in
 * GB (binary, as vSphere counts them) whatever the field is stored in, clock speeds in MHz, shares
 * in %, ages in days.
 */
export function shownUnit(entity: QueryEntity, field: string): { label: string; stored: number } | null {
  switch (fieldDef(entity, field)?.unit) {
    case 'mb':
      return { label: 'GB', stored: 1024 };
    case 'bytes':
      return { label: 'GB', stored: 1024 ** 3 };
    case 'mhz':
      return { label: 'MHz', stored: 1 };
    case 'percent':
      return { label: '%', stored: 1 };
    case 'days':
      return { label: 'days', stored: 1 };
    default:
      return null;
  }
}

/** Size units a filter may name, in bytes (KB and KiB alike: vSphere's sizes are binary). */
const SIZE_BYTES: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
  pb: 1024 ** 5,
  pib: 1024 ** 5,
};
const DAYS: Record<string, number> = {
  d: 1,
  day: 1,
  days: 1,
  w: 7,
  wk: 7,
  week: 7,
  weeks: 7,
  m: 30,
  mo: 30,
  month: 30,
  months: 30,
  y: 365,
  yr: 365,
  year: 365,
  years: 365,
};

/** A number as stored in the field, from text in the shown unit or with an explicit unit. */
function num(entity: QueryEntity, field: string, raw: string): number | null {
  const m = /^(-?\d+(?:[.,]\d+)?)\s*([a-z%]*)$/i.exec(raw.trim());
  if (!m) return null;
  const n = Number(m[1]!.replace(',', '.'));
  const unit = (m[2] ?? '').toLowerCase();
  const def = fieldDef(entity, field);
  const shown = shownUnit(entity, field);
  if (!unit || unit === shown?.label.toLowerCase()) return shown ? round(n * shown.stored) : n;
  if (def?.unit === 'mb' && SIZE_BYTES[unit]) return round((n * SIZE_BYTES[unit]) / 1024 ** 2);
  if (def?.unit === 'bytes' && SIZE_BYTES[unit]) return round(n * SIZE_BYTES[unit]);
  if (def?.unit === 'mhz' && unit === 'ghz') return n * 1000;
  if (def?.unit === 'days' && DAYS[unit]) return n * DAYS[unit];
  return null;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

/** The placeholder of a column's filter box: what to type, in the unit shown. */
export function filterHint(entity: QueryEntity, field: string): string {
  const def = fieldDef(entity, field);
  if (def?.type === 'date') return '>30d, <2024-06-01';
  if (def?.type === 'boolean') return 'yes / no';
  if (def?.type !== 'number') return 'contains…';
  const shown = shownUnit(entity, field);
  if (shown?.label === 'GB') return '>16 (GB), <2 TB';
  if (shown) return `>8 (${shown.label}), 4-8`;
  return '>8, 4-8';
}

export type ColumnFilterResult = { filter: Filter | undefined; understood?: string } | { error: string };

const OPS = { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte', '=': 'eq', '!=': 'ne' } as const;
type OpText = keyof typeof OPS;

/** A date column: `>30d` (older than 30 days), `<7d` (newer), `>2024-01-01` (after), `30-90d`. */
function dateFilter(entity: QueryEntity, field: string, t: string, now: number): ColumnFilterResult {
  const label = (fieldDef(entity, field)?.label ?? field).toLowerCase();
  const daysAgo = (n: number): string => new Date(now - n * 86_400_000).toISOString();
  const age = (raw: string): number | null => {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(raw.trim());
    const per = m ? DAYS[m[2]!.toLowerCase()] : undefined;
    return m && per ? Number(m[1]) * per : null;
  };
  const range = /^(.+?)\s*(?:-|\.\.)\s*(\d+(?:\.\d+)?\s*[a-z]+)$/i.exec(t);
  if (range && age(range[2]!) !== null) {
    const lo = age(/[a-z]$/i.test(range[1]!) ? range[1]! : `${range[1]}${/[a-z]+$/i.exec(range[2]!)![0]}`);
    const hi = age(range[2]!);
    if (lo === null || hi === null) return { error: 'an age range is like 30-90d' };
    return {
      filter: { kind: 'between', field, min: daysAgo(Math.max(lo, hi)), max: daysAgo(Math.min(lo, hi)) },
      understood: `${label} between ${Math.min(lo, hi)} and ${Math.max(lo, hi)} days ago`,
    };
  }
  const m = /^(>=|<=|>|<|=)?\s*(.+)$/.exec(t)!;
  const op = (m[1] ?? '>') as OpText;
  const days = age(m[2]!);
  if (days !== null) {
    // An age: more than 30 days old is a date before 30 days ago.
    const older = op === '>' || op === '>=' || op === '=';
    return {
      filter: { kind: 'cmp', field, op: older ? 'lt' : 'gt', value: daysAgo(days) },
      understood: `${label} ${older ? 'more' : 'less'} than ${days} day${days === 1 ? '' : 's'} ago`,
    };
  }
  const d = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$/.test(m[2]!.trim())
    ? new Date(m[2]!.trim())
    : null;
  if (!d || Number.isNaN(d.getTime()))
    return { error: 'an age like >30d (older than 30 days), <7d, or a date like >2024-06-01' };
  const cmp = m[1] === undefined || m[1] === '=' ? 'gte' : OPS[op as OpText];
  const after = cmp === 'gt' || cmp === 'gte';
  return {
    filter: { kind: 'cmp', field, op: cmp as 'gt' | 'gte' | 'lt' | 'lte', value: d.toISOString() },
    understood: `${label} ${after ? 'on or after' : 'before'} ${m[2]!.trim()}`,
  };
}

const OP_TEXT = { eq: '=', ne: '≠', lt: '<', lte: '≤', gt: '>', gte: '≥' } as const;

/** A filter said back in the column's own unit ("free < 1,000 GB", never "free < 1.3 TB"). */
function echo(entity: QueryEntity, f: Filter): string {
  const shown = shownUnit(entity, 'field' in f ? f.field : '');
  if (!shown || shown.label !== 'GB' || (f.kind !== 'cmp' && f.kind !== 'between'))
    return describeFilter(entity, f);
  const label = (fieldDef(entity, f.field)?.label ?? f.field).toLowerCase();
  const v = (n: number | string | boolean): string =>
    `${(Number(n) / shown.stored).toLocaleString('en-US', { maximumFractionDigits: 2 })} GB`;
  return f.kind === 'cmp'
    ? `${label} ${OP_TEXT[f.op]} ${v(f.value)}`
    : `${label} between ${v(f.min)} and ${v(f.max)}`;
}

/**
 * A column's filter box: text columns match "contains" (or `=exact`, `!text`, `empty`); numbers
 * take `>8`, `<=4`, `4-8`, `=2`, read in the unit the column shows (GB for sizes) unless the text
 * names one (`>16 GB`, `<500 GiB`, `>1TB`); dates take ages (`>30d`) or dates; yes/no columns take
 * `yes` / `no`. `understood` says back what the filter was read as.
 */
export function columnFilter(
  entity: QueryEntity,
  field: string,
  text: string,
  now = Date.now(),
): ColumnFilterResult {
  const t = text.trim();
  if (!t) return { filter: undefined };
  const def = fieldDef(entity, field);
  if (!def) return { error: `unknown column ${field}` };
  const said = (filter: Filter): ColumnFilterResult => ({
    filter,
    understood: echo(entity, filter),
  });
  if (/^(empty|blank)$/i.test(t)) return said({ kind: 'empty', field, empty: true });
  if (/^(not empty|!empty)$/i.test(t)) return said({ kind: 'empty', field, empty: false });
  if (def.type === 'boolean') {
    if (/^(yes|y|true|on|1)$/i.test(t)) return said({ kind: 'cmp', field, op: 'eq', value: true });
    if (/^(no|n|false|off|0)$/i.test(t)) return said({ kind: 'cmp', field, op: 'eq', value: false });
    return { error: 'type yes or no' };
  }
  if (def.type === 'date') return dateFilter(entity, field, t, Math.floor(now / 60_000) * 60_000);
  if (def.type === 'number') {
    const shown = shownUnit(entity, field);
    const example = shown
      ? `>8 (in ${shown.label})${shown.label === 'GB' ? ', <500 GiB or >2TB' : ''}`
      : '>8';
    const range = /^(.+?)\s*(?:-|\.\.)\s*(.+)$/.exec(t);
    if (range && !t.startsWith('-')) {
      // "4-8 GB": the unit after the second number applies to both.
      const unit = /[a-z%]+$/i.exec(range[2]!)?.[0] ?? '';
      const first = /[a-z%]$/i.test(range[1]!) ? range[1]! : `${range[1]}${unit}`;
      const min = num(entity, field, first);
      const max = num(entity, field, range[2]!);
      if (min === null || max === null)
        return { error: `a range is like 4-8${shown ? ` (in ${shown.label})` : ''}` };
      return said({ kind: 'between', field, min, max });
    }
    const m = /^(>=|<=|>|<|=|!=)?\s*(.+)$/.exec(t)!;
    const n = num(entity, field, m[2]!);
    if (n === null) return { error: `a number, like ${example}` };
    return said({ kind: 'cmp', field, op: OPS[(m[1] ?? '=') as OpText], value: n });
  }
  if (t.startsWith('=')) return said({ kind: 'text', field, op: 'equals', value: t.slice(1).trim() });
  if (t.startsWith('!'))
    return said({ kind: 'not', filter: { kind: 'text', field, op: 'contains', value: t.slice(1).trim() } });
  if (/[*?]/.test(t)) return said({ kind: 'text', field, op: 'glob', value: t });
  return said({ kind: 'text', field, op: 'contains', value: t });
}
