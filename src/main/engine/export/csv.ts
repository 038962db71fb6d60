/**
 * CSV export: RFC 4180 (CRLF line ends, fields with `"` `,` CR or LF quoted, quotes doubled),
 * UTF-8, optionally with a byte-order mark so Excel reads it as UTF-8.
 *
 * Cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) are
 * neutralised with a leading apostrophe (the OWASP "CSV injection" advice). Numbers stay numbers.
 *
 * Where the metadata goes (as of, failed and stale vCenters): NOT into the CSV itself. A comment
 * line before the header or after the rows would be a record with one field to Excel, pandas and
 * every RFC 4180 parser, and "header + rows, every record the same width" is the contract people
 * script against. A file export therefore writes the metadata beside it, as `<file>.meta.json`
 * (written, like the CSV, through a temp file); a streamed export returns it (`ExportResult.meta`)
 * for the caller to send alongside, e.g. as HTTP headers.
 */
import type { ExportColumn } from './table.js';
import { cellValue } from './table.js';
import type { Sink } from './sink.js';
import type { Rows } from './rows.js';

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are neutralised with a leading quote. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}

export const UTF8_BOM = '\uFEFF';
const BATCH_CHARS = 64 * 1024;

/**
 * Writes a header line and the rows; returns the row count. `progress` hears the running count
 * at each flushed batch, not per row.
 */
export async function writeCsv(
  sink: Sink,
  columns: readonly ExportColumn[],
  rows: Rows,
  opts: { bom?: boolean; header?: 'label' | 'field'; progress?: (rows: number) => void } = {},
): Promise<number> {
  let buf =
    (opts.bom ? UTF8_BOM : '') + csvLine(columns.map((c) => (opts.header === 'field' ? c.field : c.label)));
  let n = 0;
  const cells: string[] = new Array<string>(columns.length);
  for await (const batch of rows)
    for (const row of batch) {
      for (let i = 0; i < columns.length; i++) {
        const col = columns[i]!;
        cells[i] = csvCell(cellValue(col, row[i]));
      }
      buf += cells.join(',') + '\r\n';
      n++;
      if (buf.length >= BATCH_CHARS) {
        await sink.write(buf);
        buf = '';
        opts.progress?.(n);
      }
    }
  if (buf) await sink.write(buf);
  return n;
}
