/**
 * XLSX export with exceljs's streaming `WorkbookWriter`: rows are committed as they are read, so
 * memory stays bounded however many rows there are. Each table is one sheet with a bold, frozen
 * header row, an auto-filter over the data and column widths sized from the header and the first
 * rows. Numbers are number cells (byte/MB/MHz counts with a thousands separator), dates are date
 * cells (ISO strings → Date, shown in UTC), booleans are boolean cells. Strings are always written
 * as strings, so a value such as "=1+1" is never a formula. The last sheet, "About", records when
 * the data is from and which vCenters failed or are stale.
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

export class XlsxWriter {
  private readonly wb: ExcelJS.stream.xlsx.WorkbookWriter;

  constructor(private readonly sink: Sink) {
    this.wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: sink.stream,
      useStyles: true,
      // Inline strings: shared strings would keep every distinct string in memory to the end.
      useSharedStrings: false,
    });
    this.wb.creator = 'vMiner';
  }

  /** Writes one table as a sheet; returns its row count. `progress` hears the running count every 500 rows. */
  async addTable(t: ExportTable, progress?: (rows: number) => void): Promise<number> {
    const it = t.rows[Symbol.iterator]();
    try {
      return await this.writeSheet(t, it, progress);
    } finally {
      // Releases the SQLite statement when the sheet stopped early (an error).
      it.return?.();
    }
  }

  private async writeSheet(
    t: ExportTable,
    it: Iterator<readonly unknown[]>,
    progress: ((rows: number) => void) | undefined,
  ): Promise<number> {
    const cols = t.columns;
    const styles = cols.map(styleOf);
    // The first rows size the columns (widths go before the first row in the file).
    const sample: ExcelJS.CellValue[][] = [];
    let exhausted = false;
    while (sample.length < SAMPLE_ROWS) {
      const r = it.next();
      if (r.done) {
        exhausted = true;
        break;
      }
      sample.push(cols.map((c, i) => xlsxValue(c, r.value[i])));
    }
    const ws = this.wb.addWorksheet(t.sheet, {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    });
    ws.columns = cols.map((c, i) => {
      const longest = Math.max(
        headerOf(c).length + 3, // bold text and the filter button
        ...sample.map((row) => shownLength(c, row[i] ?? null) + 1),
      );
      return { key: c.field, width: Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, longest)) };
    });
    const header = ws.addRow(cols.map(headerOf));
    header.eachCell((cell) => {
      cell.style = HEADER_STYLE;
    });
    header.commit();

    let n = 0;
    const put = async (values: ExcelJS.CellValue[]): Promise<void> => {
      const row = ws.addRow(values);
      for (let i = 0; i < values.length; i++) {
        if (values[i] !== null) row.getCell(i + 1).style = styles[i]!;
      }
      row.commit();
      if (++n % YIELD_EVERY === 0) {
        progress?.(n);
        await tick();
        await drainQueue(ws);
        await this.sink.relieve();
      }
    };
    for (const values of sample) await put(values);
    sample.length = 0;
    if (!exhausted) {
      for (let r = it.next(); !r.done; r = it.next()) await put(cols.map((c, i) => xlsxValue(c, r.value[i])));
    }
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: n + 1, column: Math.max(1, cols.length) } };
    ws.commit();
    return n;
  }

  /** The "About" sheet: what was exported, as of when, which vCenters failed or are stale. */
  addAbout(meta: ExportMeta, sheets: { sheet: string; rows: number }[]): void {
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
    for (const s of sheets) line(`Rows in ${s.sheet}`, s.rows, COUNT_STYLE);
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
