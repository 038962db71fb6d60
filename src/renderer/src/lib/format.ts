import { fmtBytes } from '../../../shared/describe.js';
import { fieldDef, type QueryEntity } from '../../../shared/fields.js';

const bytes = (n: number): string => fmtBytes(n, 'grid');

/** A cell as people read it: units, yes/no, local dates, lists joined. */
export function formatCell(entity: QueryEntity, field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const def = fieldDef(entity, field);
  if (typeof value === 'number') {
    if (def?.unit === 'mb') return value >= 1024 ? bytes(value * 1024 * 1024) : `${value} MB`;
    if (def?.unit === 'bytes') return bytes(value);
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
