/**
 * XLSX export with exceljs's streaming `WorkbookWriter`: rows are committed as they are read, so
 * memory stays bounded however many rows there are. Each table is one sheet with a bold, frozen
 * header row, an auto-filter over the data and column widths sized from the header and the first
 * rows. Numbers are number cells (byte/MB/MHz counts with a thousands separator), dates are date
 * cells (ISO strings → Date, shown in UTC), booleans are boolean cells. Strings are always written
 * as strings, so a value such as "=1+1" is never a formula. The last sheet, "About", records when
 * the data is from and which vCenters failed or are stale.
 *
 * A sheet holds at most 1,048,576 rows, Excel's limit (its header included): a longer table goes on
 * in further sheets ("VMs (2)", "VMs (3)", each with the header), and the About sheet says where.
 */
import ExcelJS from 'exceljs';
import type { ExportColumn, ExportMeta, ExportTable } from './table.js';
import { cellValue, freshnessLine } from './table.js';
import { tick, type Sink } from './sink.js';

type Style = Partial<ExcelJS.Style>;

const HEADER_STYLE: Style = { font: { bold: true } };
const DATE_STYLE: Style = { numFmt: 'yyyy-mm-dd hh:mm:ss' };
const COUNT_STYLE: Style = { numFmt: '#,##0' };
const PERCENT_STYLE: Style = { numFmt: '0.0' };
const PLAIN_STYLE: Style = {};
const SAMPLE_ROWS = 200;
const MIN_WIDTH = 6;
const MAX_WIDTH = 60;
const YIELD_EVERY = 500;
/** Sheet XML allowed to wait for compression before the writer pauses (keeps RSS flat). */
const MAX_BACKLOG = 4 * 1024 * 1024;
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

/** One shared style object per kind of column: exceljs maps a seen object to its style id at once. */
function styleOf(col: ExportColumn): Style {
  if (col.type === 'date') return DATE_STYLE;
  if (col.type === 'number') {
    if (col.unit === 'percent') return PERCENT_STYLE;
    return col.unit ? COUNT_STYLE : PLAIN_STYLE;
  }
  return PLAIN_STYLE;
}

function xlsxValue(col: ExportColumn, raw: unknown): ExcelJS.CellValue {
  const v = cellValue(col, raw);
  if (v === null) return null;
  if (col.type === 'date' && typeof v === 'string') {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? v : d;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function shownLength(col: ExportColumn, v: ExcelJS.CellValue): number {
  if (v === null || v === undefined) return 0;
  if (v instanceof Date) return 19;
  if (typeof v === 'number') {
    return col.unit && col.unit !== 'percent'
      ? Math.round(v).toLocaleString('en-US').length
      : String(v).length;
  }
  return String(v).length;
}

function headerOf(col: ExportColumn): string {
  return col.type === 'date' ? `${col.label} (UTC)` : col.label;
}

/** Node or readable-stream (archiver's copy) stream state: the bytes each side holds. */
interface QueueState {
  _writableState?: { length?: unknown };
  _readableState?: { length?: unknown };
}

/**
 * Bytes of sheet XML waiting for the zip's compressor. exceljs's sheet stream ignores
 * back-pressure: it pushes XML into archiver's input stream (a readable-stream PassThrough) as
 * fast as rows are added, and the deflate stream behind it falls behind, so without a check the
 * whole sheet piles up in memory. This reads exceljs/archiver internals; when their shape
 * differs it returns 0 and there is simply no throttle.
 */
function queuedBytes(ws: ExcelJS.Worksheet): number {
  const stream = (ws as unknown as { stream?: { pipes?: unknown[] } }).stream;
  const q = stream?.pipes?.[0] as QueueState | undefined;
  const w = q?._writableState?.length;
  const r = q?._readableState?.length;
  return (typeof w === 'number' ? w : 0) + (typeof r === 'number' ? r : 0);
}

async function drainQueue(ws: ExcelJS.Worksheet): Promise<void> {
  while (queuedBytes(ws) > MAX_BACKLOG) await new Promise((resolve) => setTimeout(resolve, 2));
}

export interface XlsxOptions {
  /** Rows per sheet, the header included (default Excel's 1,048,576; tests use a few). */
  maxRowsPerSheet?: number;
}

export class XlsxWriter {
  private readonly wb: ExcelJS.stream.xlsx.WorkbookWriter;
  private readonly perSheet: number;
  /** Every table written so far and the sheets it took. */
  readonly written: TableSheets[] = [];

  constructor(
    private readonly sink: Sink,
    opts: XlsxOptions = {},
  ) {
    // Data rows per sheet: the header takes one of Excel's rows.
    this.perSheet = Math.max(1, (opts.maxRowsPerSheet ?? EXCEL_MAX_ROWS) - 1);
    this.wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: sink.stream,
      useStyles: true,
      // Inline strings: shared strings would keep every distinct string in memory to the end.
      useSharedStrings: false,
    });
    this.wb.creator = 'vMiner';
  }

  /**
   * Writes one table as a sheet — or several, past Excel's row limit; returns its row count.
   * `progress` hears the running count every 500 rows.
   */
  async addTable(t: ExportTable, progress?: (rows: number) => void): Promise<number> {
    const it = t.rows[Symbol.iterator]();
    const record: TableSheets = { table: t.sheet, rows: 0, sheets: [] };
    this.written.push(record);
    try {
      // The first rows size the columns of every sheet (widths go before the first row in the file).
      const pending: ExcelJS.CellValue[][] = [];
      let done = false;
      const read = (): ExcelJS.CellValue[] | undefined => {
        if (done) return undefined;
        const r = it.next();
        if (r.done) {
          done = true;
          return undefined;
        }
        return t.columns.map((c, i) => xlsxValue(c, r.value[i]));
      };
      while (pending.length < SAMPLE_ROWS) {
        const row = read();
        if (!row) break;
        pending.push(row);
      }
      const rows = { next: (): ExcelJS.CellValue[] | undefined => pending.shift() ?? read() };
      const widths = this.widths(t.columns, pending);
      for (;;) {
        const name = continuationName(t.sheet, record.sheets.length + 1);
        const n = await this.writeSheet(name, t.columns, widths, rows, (r) => progress?.(record.rows + r));
        record.sheets.push({ name, rows: n });
        record.rows += n;
        // Another sheet only when a row is left over.
        const left = rows.next();
        if (!left) break;
        pending.unshift(left);
      }
      return record.rows;
    } finally {
      // Releases the SQLite statement when the sheet stopped early (an error).
      it.return?.();
    }
  }

  private widths(cols: readonly ExportColumn[], sample: ExcelJS.CellValue[][]): number[] {
    return cols.map((c, i) => {
      const longest = Math.max(
        headerOf(c).length + 3, // bold text and the filter button
        ...sample.map((row) => shownLength(c, row[i] ?? null) + 1),
      );
      return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, longest));
    });
  }

  /** One sheet with the header and rows from `rows` until they end or the sheet is full; returns its data rows. */
  private async writeSheet(
    name: string,
    cols: readonly ExportColumn[],
    widths: number[],
    rows: { next(): ExcelJS.CellValue[] | undefined },
    progress: (rows: number) => void,
  ): Promise<number> {
    const styles = cols.map(styleOf);
    const ws = this.wb.addWorksheet(name, {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    });
    ws.columns = cols.map((c, i) => ({ key: c.field, width: widths[i]! }));
    const header = ws.addRow(cols.map(headerOf));
    header.eachCell((cell) => {
      cell.style = HEADER_STYLE;
    });
    header.commit();

    let n = 0;
    while (n < this.perSheet) {
      const values = rows.next();
      if (!values) break;
      const row = ws.addRow(values);
      for (let i = 0; i < values.length; i++) {
        if (values[i] !== null) row.getCell(i + 1).style = styles[i]!;
      }
      row.commit();
      if (++n % YIELD_EVERY === 0) {
        progress(n);
        await tick();
        await drainQueue(ws);
        await this.sink.relieve();
      }
    }
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: n + 1, column: Math.max(1, cols.length) } };
    ws.commit();
    return n;
  }

  /** The "About" sheet: what was exported, as of when, which vCenters failed or are stale, which sheets hold what. */
  addAbout(meta: ExportMeta): void {
    const ws = this.wb.addWorksheet('About');
    ws.columns = [{ width: 24 }, { width: 80 }];
    const line = (label: string, value: ExcelJS.CellValue, style?: Style): void => {
      const row = ws.addRow([label, value]);
      row.getCell(1).style = HEADER_STYLE;
      if (style) row.getCell(2).style = style;
      row.commit();
    };
    const list = (xs: string[]): string => (xs.length ? xs.join(', ') : 'none');
    line('vMiner export', freshnessLine(meta));
    line('Exported at (UTC)', new Date(meta.exportedAt), DATE_STYLE);
    line(
      'Data as of (UTC)',
      meta.asOf ? new Date(meta.asOf) : 'never synced',
      meta.asOf ? DATE_STYLE : undefined,
    );
    line('Failed vCenters', list(meta.failedVcenters));
    line('Stale vCenters', list(meta.staleVcenters));
    line('Never synced vCenters', list(meta.neverSyncedVcenters));
    if (meta.question !== undefined) line('Question', meta.question);
    if (meta.interpretation !== undefined) line('Understood as', meta.interpretation);
    for (const t of this.written) {
      line(`Rows in ${t.table}`, t.rows, COUNT_STYLE);
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
    ws.commit();
  }

  /** Finishes the workbook (the sink's stream is ended by exceljs). */
  async commit(): Promise<void> {
    this.sink.check();
    await this.sink.guard(this.wb.commit());
    this.sink.check();
  }
}
