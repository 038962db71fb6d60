import { csvLine } from '../engine/export/csv.js';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printCsv(rows: Record<string, unknown>[], columns?: string[]): void {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  process.stdout.write(csvLine(cols));
  for (const r of rows) process.stdout.write(csvLine(cols.map((c) => r[c])));
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** A plain aligned text table for terminals. */
export function printTable(rows: Record<string, unknown>[], columns: string[], headers?: string[]): void {
  const head = headers ?? columns;
  const cells = rows.map((r) => columns.map((c) => show(r[c])));
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...cells.map((row) => row[i]!.length))));
  const fmt = (row: string[]): string =>
    row
      .map((c, i) => (c.length > widths[i]! ? c.slice(0, widths[i]! - 1) + '…' : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  process.stdout.write(fmt(head) + '\n');
  process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  for (const row of cells) process.stdout.write(fmt(row) + '\n');
}
