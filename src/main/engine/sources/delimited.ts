/**
 * A tolerant reader for the CSV files people export from Excel, CMDBs and scripts: UTF-8 with or
 * without a BOM, UTF-16 with a BOM, Windows-1252 (what older Excel versions save as "CSV"),
 * `,`/`;`/tab delimiters (detected from the header line), quoted fields with doubled quotes and
 * line breaks inside, CRLF/LF/CR line ends, blank lines. Tolerant, not lenient: a quote that never
 * closes is an error naming its line, never the rest of the file swallowed into one cell.
 */
import { VminerError } from '../../../shared/errors.js';

export interface DelimitedRow {
  /** Physical line the record starts on (1-based). */
  line: number;
  cells: string[];
}

export interface DelimitedTable {
  delimiter: string;
  rows: DelimitedRow[];
}

export function decodeText(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  try {
    // Not UTF-8 (a byte sequence UTF-8 cannot hold): Windows-1252, not U+FFFD in place of "ü".
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return new TextDecoder('windows-1252').decode(buf);
  }
}

/** The delimiter that splits the first non-blank line most often, quotes respected. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let inQuotes = false;
  let seen = false;
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (seen) break;
    } else if (!inQuotes && counts.has(ch)) {
      counts.set(ch, counts.get(ch)! + 1);
      seen = true;
    } else if (ch.trim()) seen = true;
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

export function parseDelimited(input: string, delimiter?: string): DelimitedTable {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const d = delimiter ?? detectDelimiter(text);
  const rows: DelimitedRow[] = [];
  let line = 1;
  let startLine = 1;
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  /** Where the open quoted field started, for the error when it never closes. */
  let quoteLine = 0;
  let i = 0;
  const endRecord = (): void => {
    cells.push(cell);
    if (cells.some((c) => c.trim() !== '')) rows.push({ line: startLine, cells: cells.map((c) => c.trim()) });
    cells = [];
    cell = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
        cell += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && cell.trim() === '') {
      // A quote opens a quoted field only at its start (spaces before it are dropped).
      cell = '';
      quoted = true;
      quoteLine = line;
    } else if (ch === d) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      startLine = line;
    } else cell += ch;
    i++;
  }
  if (quoted)
    throw new VminerError(
      'INVALID_INPUT',
      `line ${quoteLine}: a quoted field starts here and never ends (a closing " is missing); fix the file and import it again`,
    );
  if (cell !== '' || cells.length > 0) endRecord();
  return { delimiter: d, rows };
}
