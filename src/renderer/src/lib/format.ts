import { fieldDef, type QueryEntity } from '../../../shared/fields.js';
import { shownUnit } from './filters.js';

/** A size in GB, the one unit of every size column (so a filter's bare number means GB too). */
function gb(n: number): string {
  const abs = Math.abs(n);
  const digits = abs >= 100 || abs === 0 ? 0 : abs >= 10 ? 1 : abs >= 0.1 ? 1 : 2;
  return `${n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} GB`;
}

/** A cell as people read it: units, yes/no, local dates, lists joined. */
export function formatCell(entity: QueryEntity, field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const def = fieldDef(entity, field);
  if (typeof value === 'number') {
    if (def?.unit === 'mb' || def?.unit === 'bytes') return gb(value / shownUnit(entity, field)!.stored);
    if (def?.unit === 'days') return `${value.toLocaleString()} d`;
    if (def?.unit === 'percent') return `${Math.round(value * 10) / 10}%`;
    if (def?.unit === 'mhz') return `${value.toLocaleString()} MHz`;
    return value.toLocaleString();
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.join(', ');
  if (def?.type === 'date' && typeof value === 'string') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? value : d.toLocaleString();
  }
  return String(value);
}

/** "3 minutes ago" for status lines. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (Number.isNaN(s)) return 'never';
  if (s < 0) return `in ${ago(new Date(now - s * 1000).toISOString(), now).replace(' ago', '')}`;
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

const tsvCell = (s: string): string => s.replace(/[\t\r\n]+/g, ' ');

/** The header line of a copy: the shown columns' labels. */
export function tsvHeader(entity: QueryEntity, columns: string[]): string {
  return columns.map((c) => tsvCell(fieldDef(entity, c)?.label ?? c)).join('\t');
}

/** One row of a copy, its cells as the grid shows them. */
export function tsvLine(entity: QueryEntity, columns: string[], row: Record<string, unknown>): string {
  return columns.map((c) => tsvCell(formatCell(entity, c, row[c]))).join('\t');
}

/** Rows as tab-separated text (what spreadsheets paste), header first. */
export function toTsv(entity: QueryEntity, columns: string[], rows: Record<string, unknown>[]): string {
  return [tsvHeader(entity, columns), ...rows.map((r) => tsvLine(entity, columns, r))].join('\n');
}
