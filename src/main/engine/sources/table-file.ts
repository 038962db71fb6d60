import { VminerError } from '../../../shared/errors.js';
import { decodeText, parseDelimited, type DelimitedRow } from './delimited.js';
import { checkZipBudget } from './zip-guard.js';

export interface FileTable {
  format: 'csv' | 'xlsx';
  delimiter: string | null;
  header: DelimitedRow;
  rows: DelimitedRow[];
}

const isZip = (buf: Buffer): boolean => buf.length > 4 && buf.readUInt32LE(0) === 0x04034b50;

/** Reads a CSV or the first non-empty sheet of an XLSX workbook into a header and rows of text. */
export async function readTableFile(buf: Buffer, format?: 'csv' | 'xlsx'): Promise<FileTable> {
  const fmt = format ?? (isZip(buf) ? 'xlsx' : 'csv');
  let rows: DelimitedRow[];
  let delimiter: string | null = null;
  if (fmt === 'xlsx') {
    if (!isZip(buf)) throw new VminerError('INVALID_INPUT', 'this is not an XLSX workbook (not a ZIP file)');
    checkZipBudget(buf);
    // Loaded for a workbook only: a CSV import (and every other command) never pays for exceljs.
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(buf as unknown as ArrayBuffer);
    } catch (err) {
      throw new VminerError('INVALID_INPUT', `cannot read the workbook: ${(err as Error).message}`);
    }
    const sheet = wb.worksheets.find((ws) => ws.actualRowCount > 0);
    rows = [];
    sheet?.eachRow({ includeEmpty: false }, (row, n) => {
      const cells: string[] = [];
      for (let c = 1; c <= row.cellCount; c++) cells.push(row.getCell(c).text.trim());
      if (cells.some((x) => x !== '')) rows.push({ line: n, cells });
    });
  } else {
    const t = parseDelimited(decodeText(buf));
    rows = t.rows;
    delimiter = t.delimiter;
  }
  const [header, ...rest] = rows;
  if (!header) throw new VminerError('INVALID_INPUT', 'the file is empty');
  return { format: fmt, delimiter, header, rows: rest };
}
