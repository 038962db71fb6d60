/**
 * A lean streaming XLSX writer for wide, long sheets (the RVTools-layout workbook: a hundred
 * columns × 100k rows, several sheets): the sheet XML is written directly — inline strings,
 * numbers, dates as Excel serial numbers with a date style, empty cells left out — and deflated as
 * it goes (zip-stream.ts). exceljs builds an object per cell, which is several times slower and
 * holds far more memory at this size; the other XLSX exports write through it too (xlsx.ts).
 *
 * Each sheet has its header row frozen and bold and an auto-filter. Strings are always strings
 * (never formulas), with characters XML 1.0 cannot carry removed.
 */
import type { Sink } from './sink.js';
import type { Rows } from './rows.js';
import { tick } from './sink.js';
import { ZipStream, type ZipEntry } from './zip-stream.js';

/** How a column's values are written ('boolean': boolean cells; 0/1 from SQLite count as booleans). */
export type CellKind = 'text' | 'number' | 'date' | 'boolean';

/** A number or date format other than the default (RVTools' layout uses the default everywhere). */
export type CellFormat = 'count' | 'percent' | 'iso-date';

export interface StreamColumn {
  header: string;
  kind: CellKind;
  format?: CellFormat;
  /** Column width in characters (default: from the header). */
  width?: number;
}

/** A cell of a small sheet written whole (`smallSheet`): a value, optionally bold or formatted. */
export interface SmallCell {
  value: string | number | Date | null;
  bold?: boolean;
  format?: CellFormat;
}

/** Escapes XML's special characters and drops the characters XML 1.0 cannot carry. */
function escapeText(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string;
    if (c === 38) rep = '&amp;';
    else if (c === 60) rep = '&lt;';
    else if (c === 62) rep = '&gt;';
    else if (c === 34) rep = '&quot;';
    else if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffe || c === 0xffff) rep = '';
    else continue;
    out += s.slice(last, i) + rep;
    last = i + 1;
  }
  return last === 0 ? s : out + s.slice(last);
}

function columnName(i: number): string {
  let n = i + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Excel's serial date (days since 1899-12-30, UTC). */
function serial(iso: string): number | null {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t / 86_400_000 + 25569;
}

/** Style ids of styles.xml below. */
const STYLE_DATE = 1;
const STYLE_HEADER = 2;
const FORMAT_STYLE: Record<CellFormat, number> = { 'iso-date': 3, count: 4, percent: 5 };

/** ` s="n"` for a cell of a column: its format, or the date style, or none. */
function styleAttr(kind: CellKind, format: CellFormat | undefined): string {
  if (format) return ` s="${FORMAT_STYLE[format]}"`;
  return kind === 'date' ? ` s="${STYLE_DATE}"` : '';
}

function inlineString(ref: string, s: string, style = ''): string {
  return `<c r="${ref}"${style} t="inlineStr"><is><t xml:space="preserve">${escapeText(s)}</t></is></c>`;
}

/** Any other value as text: objects as JSON. */
function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v as string | number | bigint);
}

const STYLES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy/mm/dd hh:mm:ss"/>' +
  '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/><numFmt numFmtId="166" formatCode="0.0"/></numFmts>' +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

const YIELD_EVERY = 2_000;
/** The running count goes to `progress` this often (its meter decides what is reported). */
const PROGRESS_EVERY = 500;
const BATCH_CHARS = 131_072;

export class XlsxStream {
  private readonly zip: ZipStream;
  private readonly sheets: string[] = [];

  constructor(private readonly sink: Sink) {
    this.zip = new ZipStream(sink);
  }

  /**
   * Writes one sheet from rows of values in column order (null/undefined: an empty cell).
   * Returns the number of data rows. `progress` hears the running count now and then.
   */
  async sheet(
    name: string,
    columns: readonly StreamColumn[],
    rows: Rows,
    progress?: (rows: number) => void,
  ): Promise<number> {
    const index = this.sheets.length + 1;
    this.sheets.push(name);
    const entry = await this.zip.entry(`xl/worksheets/sheet${index}.xml`);
    const letters = columns.map((_, i) => columnName(i));
    const widths = columns.map((c) => c.width ?? Math.min(40, Math.max(9, c.header.length + 3)));
    await entry.write(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
        '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>' +
        widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('') +
        '</cols><sheetData>',
    );
    await entry.write(
      '<row r="1">' +
        columns
          .map(
            (c, i) =>
              `<c r="${letters[i]}1" s="${STYLE_HEADER}" t="inlineStr"><is><t>${escapeText(c.header)}</t></is></c>`,
          )
          .join('') +
        '</row>',
    );
    let n = 0;
    const kinds = columns.map((c) => c.kind);
    const styles = columns.map((c) => styleAttr(c.kind, c.format));
    const width = columns.length;
    let batch = '';
    for await (const rowBatch of rows)
      for (const row of rowBatch) {
        n++;
        const r = n + 1;
        let xml = `<row r="${r}">`;
        for (let i = 0; i < width; i++) {
          const v = row[i];
          if (v === null || v === undefined || v === '') continue;
          const ref = letters[i]! + r;
          const kind = kinds[i];
          if (kind === 'boolean' && (typeof v === 'boolean' || v === 0 || v === 1)) {
            xml += `<c r="${ref}" t="b"><v>${v === true || v === 1 ? 1 : 0}</v></c>`;
          } else if (typeof v === 'number') {
            if (Number.isFinite(v)) xml += `<c r="${ref}"${kind === 'date' ? '' : styles[i]}><v>${v}</v></c>`;
          } else if (kind === 'date' && (typeof v === 'string' || v instanceof Date)) {
            const d = typeof v === 'string' ? serial(v) : v.getTime() / 86_400_000 + 25569;
            if (d === null || Number.isNaN(d))
              xml += `<c r="${ref}" t="inlineStr"><is><t>${escapeText(asText(v))}</t></is></c>`;
            else xml += `<c r="${ref}"${styles[i]}><v>${d}</v></c>`;
          } else {
            xml += inlineString(ref, asText(v));
          }
        }
        batch += xml + '</row>';
        // Handed on in pieces of ~128K characters: a batch of wide rows held whole would be megabytes.
        if (batch.length >= BATCH_CHARS) {
          await entry.write(batch);
          batch = '';
        }
        if (n % PROGRESS_EVERY === 0) progress?.(n);
        if (n % YIELD_EVERY === 0) await tick();
      }
    const last = `${letters[width - 1] ?? 'A'}${n + 1}`;
    await entry.write(`${batch}</sheetData><autoFilter ref="A1:${last}"/></worksheet>`);
    await entry.close();
    progress?.(n);
    return n;
  }

  /**
   * A small sheet written whole, cell by cell (no frozen header, no filter): the About sheet of
   * an export, whose second column mixes text, dates and counts.
   */
  async smallSheet(
    name: string,
    widths: readonly number[],
    rows: readonly (readonly SmallCell[])[],
  ): Promise<void> {
    const index = this.sheets.length + 1;
    this.sheets.push(name);
    const entry = await this.zip.entry(`xl/worksheets/sheet${index}.xml`);
    let xml =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
      '<sheetFormatPr defaultRowHeight="15"/><cols>' +
      widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('') +
      '</cols><sheetData>';
    rows.forEach((cells, ri) => {
      xml += `<row r="${ri + 1}">`;
      cells.forEach((c, ci) => {
        const ref = `${columnName(ci)}${ri + 1}`;
        const style = c.bold ? ` s="${STYLE_HEADER}"` : c.format ? ` s="${FORMAT_STYLE[c.format]}"` : '';
        const v = c.value;
        if (v === null) return;
        if (typeof v === 'string') xml += inlineString(ref, v, style);
        else if (v instanceof Date)
          xml += `<c r="${ref}"${style}><v>${v.getTime() / 86_400_000 + 25569}</v></c>`;
        else if (Number.isFinite(v)) xml += `<c r="${ref}"${style}><v>${v}</v></c>`;
      });
      xml += '</row>';
    });
    await entry.write(xml + '</sheetData></worksheet>');
    await entry.close();
  }

  /** Writes the workbook parts that list the sheets, and the zip's directory. */
  async finish(): Promise<void> {
    const put = async (name: string, text: string): Promise<void> => {
      const e: ZipEntry = await this.zip.entry(name);
      await e.write(text);
      await e.close();
    };
    const head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
    await put(
      '[Content_Types].xml',
      head +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        this.sheets
          .map(
            (_, i) =>
              `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
          )
          .join('') +
        '</Types>',
    );
    await put(
      '_rels/.rels',
      head +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
        '</Relationships>',
    );
    await put(
      'xl/workbook.xml',
      head +
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>' +
        this.sheets
          .map((s, i) => `<sheet name="${escapeText(s)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
          .join('') +
        '</sheets></workbook>',
    );
    await put(
      'xl/_rels/workbook.xml.rels',
      head +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        this.sheets
          .map(
            (_, i) =>
              `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
          )
          .join('') +
        `<Relationship Id="rId${this.sheets.length + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
        '</Relationships>',
    );
    await put('xl/styles.xml', STYLES);
    await this.zip.finish();
  }
}
