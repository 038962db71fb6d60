/**
 * One way out for everything a command prints: `emit(opts, value, human)` writes `value` as JSON
 * (`--json`), JSON lines (`--jsonl`), CSV of the table a person would see (`--csv`), or what
 * `human` makes of it for a terminal. Errors go the same way (see run.ts).
 */
import { once } from 'node:events';
import { csvLine } from '../engine/export/csv.js';
import type { OutputOptions } from './options.js';

/** A table as a terminal shows it; `--csv` prints the same rows and columns. */
export interface Table {
  rows: Record<string, unknown>[];
  columns: string[];
  /** Column headings for people (default: the field names). */
  headers?: string[];
  /** A line (or lines) under the table, for people only. */
  after?: string;
  /** Of several tables, the one `--csv` prints (default: the first). */
  primary?: boolean;
}

/** What a command shows a person: text, a table, or tables and text in order. */
export type Human = string | Table | (string | Table)[];

export function isTable(h: unknown): h is Table {
  return typeof h === 'object' && h !== null && Array.isArray((h as Table).rows);
}

export function printJson(value: unknown, out: NodeJS.WritableStream = process.stdout): void {
  out.write(JSON.stringify(value, null, 2) + '\n');
}

export function printCsv(
  rows: Record<string, unknown>[],
  columns?: string[],
  out: NodeJS.WritableStream = process.stdout,
): void {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  out.write(csvLine(cols));
  for (const r of rows) out.write(csvLine(cols.map((c) => r[c])));
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** A plain aligned text table for terminals. */
export function printTable(
  rows: Record<string, unknown>[],
  columns: string[],
  headers?: string[],
  out: NodeJS.WritableStream = process.stdout,
): void {
  const head = headers ?? columns;
  const cells = rows.map((r) => columns.map((c) => show(r[c])));
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...cells.map((row) => row[i]!.length))));
  const fmt = (row: string[]): string =>
    row
      .map((c, i) => (c.length > widths[i]! ? c.slice(0, widths[i]! - 1) + '…' : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  out.write(fmt(head) + '\n');
  out.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  for (const row of cells) out.write(fmt(row) + '\n');
}

function printHuman(h: Human, out: NodeJS.WritableStream): void {
  for (const part of Array.isArray(h) ? h : [h]) {
    if (typeof part === 'string') out.write(part.endsWith('\n') ? part : part + '\n');
    else {
      printTable(part.rows, part.columns, part.headers, out);
      if (part.after !== undefined) out.write(part.after.endsWith('\n') ? part.after : part.after + '\n');
    }
  }
}

/**
 * Prints a command's result: `value` as JSON or JSON lines, else what `human(value)` gives — as
 * text, or with `--csv` its (first) table as CSV. `human` runs only when a person's form is wanted.
 */
export function emit<T>(
  opts: OutputOptions,
  value: T,
  human: (value: T) => Human,
  out: NodeJS.WritableStream = process.stdout,
): void {
  if (opts.json) return printJson(value, out);
  if (opts.jsonl) {
    for (const item of Array.isArray(value) ? value : [value]) out.write(JSON.stringify(item) + '\n');
    return;
  }
  const h = human(value);
  if (opts.csv) {
    const tables = (Array.isArray(h) ? h : [h]).filter(isTable);
    const table = tables.find((t) => t.primary) ?? tables[0];
    if (table) printCsv(table.rows, table.columns, out);
    return;
  }
  printHuman(h, out);
}

/** Writes `text`, waiting when the stream's buffer is full (a slow pipe: `vminer list … | less`). */
export async function writeAsync(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}
