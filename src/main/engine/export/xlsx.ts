/**
 * XLSX export, streamed (xlsx-stream.ts: the sheet XML written directly and deflated as it goes),
 * so memory stays bounded however many rows there are. Each table is one sheet with a bold, frozen
 * header row, an auto-filter over the data and column widths sized from the header and the first
 * rows. Numbers are number cells (byte/MB/MHz counts with a thousands separator), dates are date
 * cells (ISO strings → Excel dates, shown in UTC), booleans are boolean cells. Strings are always
 * written as strings, so a value such as "=1+1" is never a formula. The last sheet, "About",
 * records when the data is from and which vCenters failed or are stale.
 *
 * A sheet holds at most 1,048,576 rows, Excel's limit (its header included): a longer table goes on
 * in further sheets ("VMs (2)", "VMs (3)", each with the header), and the About sheet says where.
 *
 * (exceljs's streaming writer did this before: an object per cell made the 100k-VM sheet with the
 * RVTools-depth columns take twice as long and twice the memory.)
 */
import type { ExportColumn, ExportMeta, ExportTable } from './table.js';
import { cellValue, freshnessLine } from './table.js';
import type { Sink } from './sink.js';
import { RowQueue } from './rows.js';
import { XlsxStream, type CellFormat, type SmallCell, type StreamColumn } from './xlsx-stream.js';

const SAMPLE_ROWS = 200;
const MIN_WIDTH = 6;
const MAX_WIDTH = 60;
/** Rows in one Excel worksheet at most, the header row included (Excel 2007 and later). */
export const EXCEL_MAX_ROWS = 1_048_576;

/** Where one table went: its sheets, in order, with their data rows. */
export interface TableSheets {
  table: string;
  rows: number;
  sheets: { name: string; rows: number }[];
}

/** The n-th sheet of a table: "VMs", "VMs (2)", … (sheet names have 31 characters at most). */
export function continuationName(sheet: string, n: number): string {
  if (n === 1) return sheet.slice(0, 31);
  const suffix = ` (${n})`;
  return sheet.slice(0, 31 - suffix.length) + suffix;
}

/** The cell format of a column: dates in ISO order, counts with a thousands separator. */
function formatOf(col: ExportColumn): CellFormat | undefined {
  if (col.type === 'date') return 'iso-date';
  if (col.type === 'number' && col.unit) return col.unit === 'percent' ? 'percent' : 'count';
  return undefined;
}

function streamColumn(col: ExportColumn, width: number): StreamColumn {
  const kind =
    col.type === 'date'
      ? 'date'
      : col.type === 'number'
        ? 'number'
        : col.type === 'boolean'
          ? 'boolean'
          : 'text';
  const format = formatOf(col);
  return { header: headerOf(col), kind, width, ...(format ? { format } : {}) };
}

function shownLength(col: ExportColumn, raw: unknown): number {
  const v = cellValue(col, raw);
  if (v === null) return 0;
  if (col.type === 'date' && typeof v === 'string' && !Number.isNaN(Date.parse(v))) return 19;
  if (typeof v === 'number') {
    return col.unit && col.unit !== 'percent'
      ? Math.round(v).toLocaleString('en-US').length
      : String(v).length;
  }
  if (typeof v === 'object') return JSON.stringify(v).length;
  return String(v as string | boolean).length;
}

function headerOf(col: ExportColumn): string {
  return col.type === 'date' ? `${col.label} (UTC)` : col.label;
}

export interface XlsxOptions {
  /** Rows per sheet, the header included (default Excel's 1,048,576; tests use a few). */
  maxRowsPerSheet?: number;
}

export class XlsxWriter {
  private readonly xs: XlsxStream;
  private readonly perSheet: number;
  /** Every table written so far and the sheets it took. */
  readonly written: TableSheets[] = [];

  constructor(sink: Sink, opts: XlsxOptions = {}) {
    // Data rows per sheet: the header takes one of Excel's rows.
    this.perSheet = Math.max(1, (opts.maxRowsPerSheet ?? EXCEL_MAX_ROWS) - 1);
    this.xs = new XlsxStream(sink);
  }

  /**
   * Writes one table as a sheet — or several, past Excel's row limit; returns its row count.
   * `progress` hears the running count now and then.
   */
  async addTable(t: ExportTable, progress?: (rows: number) => void): Promise<number> {
    const queue = new RowQueue(t.rows);
    const record: TableSheets = { table: t.sheet, rows: 0, sheets: [] };
    this.written.push(record);
    try {
      // The first rows size the columns of every sheet (widths go before the first row in the file).
      const sample = await queue.peek(SAMPLE_ROWS);
      const columns = this.widths(t.columns, sample).map((w, i) => streamColumn(t.columns[i]!, w));
      do {
        const name = continuationName(t.sheet, record.sheets.length + 1);
        const before = record.rows;
        const n = await this.xs.sheet(name, columns, queue.take(this.perSheet), (r) =>
          progress?.(before + r),
        );
        record.sheets.push({ name, rows: n });
        record.rows += n;
        // Another sheet only when a row is left over.
      } while (await queue.more());
      return record.rows;
    } finally {
      // Releases the statement or cursor when the sheet stopped early (an error).
      await queue.close();
    }
  }

  private widths(cols: readonly ExportColumn[], sample: (readonly unknown[])[]): number[] {
    return cols.map((c, i) => {
      const longest = Math.max(
        headerOf(c).length + 3, // bold text and the filter button
        ...sample.map((row) => shownLength(c, row[i] ?? null) + 1),
      );
      return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, longest));
    });
  }

  /** The "About" sheet: what was exported, as of when, which vCenters failed or are stale, which sheets hold what. */
  async addAbout(meta: ExportMeta): Promise<void> {
    const rows: SmallCell[][] = [];
    const line = (label: string, value: string | number | Date, format?: CellFormat): void => {
      rows.push([
        { value: label, bold: true },
        { value, ...(format ? { format } : {}) },
      ]);
    };
    const list = (xs: string[]): string => (xs.length ? xs.join(', ') : 'none');
    line('vMiner export', freshnessLine(meta));
    line('Exported at (UTC)', new Date(meta.exportedAt), 'iso-date');
    if (meta.asOf) line('Data as of (UTC)', new Date(meta.asOf), 'iso-date');
    else line('Data as of (UTC)', 'never synced');
    line('Failed vCenters', list(meta.failedVcenters));
    line('Stale vCenters', list(meta.staleVcenters));
    line('Never synced vCenters', list(meta.neverSyncedVcenters));
    if (meta.question !== undefined) line('Question', meta.question);
    if (meta.interpretation !== undefined) line('Understood as', meta.interpretation);
    for (const t of this.written) {
      line(`Rows in ${t.table}`, t.rows, 'count');
      if (t.sheets.length > 1) {
        let first = 1;
        const parts = t.sheets.map((sh) => {
          const part = `rows ${first.toLocaleString('en-US')}–${(first + sh.rows - 1).toLocaleString('en-US')} on "${sh.name}"`;
          first += sh.rows;
          return part;
        });
        line(
          `${t.table}: continued`,
          `${t.rows.toLocaleString('en-US')} rows are more than one Excel sheet holds (${EXCEL_MAX_ROWS.toLocaleString('en-US')} with its header): ${parts.join(', ')}.`,
        );
      }
    }
    line('Note', '"As of" is the oldest last good sync among the vCenters involved; times are UTC.');
    await this.xs.smallSheet('About', [24, 80], rows);
  }

  /** Finishes the workbook: the parts that list the sheets and the zip's directory. */
  async commit(): Promise<void> {
    await this.xs.finish();
  }
}
