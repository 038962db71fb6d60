/**
 * JSON export, streamed: `{"meta": {...}, "<key>": [ {...}, ... ], ...}` with one row per line.
 * The closing `]}` is written last, so a transfer cut off midway is not valid JSON and is
 * recognisable as incomplete. Rows carry the columns' field names; booleans are true/false,
 * dates stay ISO 8601 strings, numbers stay numbers.
 */
import type { ExportColumn, ExportMeta, ExportTable } from './table.js';
import { cellValue } from './table.js';
import type { Sink } from './sink.js';

const BATCH_CHARS = 64 * 1024;

function rowJson(columns: readonly ExportColumn[], row: readonly unknown[]): string {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) out[columns[i]!.field] = cellValue(columns[i]!, row[i]);
  return JSON.stringify(out);
}

/**
 * Writes the whole document; returns the row count per table key. `progress` hears the running
 * count of the current table at each flushed batch and `tableDone` each table's count.
 */
export async function writeJson(
  sink: Sink,
  meta: ExportMeta,
  tables: readonly ExportTable[],
  progress?: { at(rowsInTable: number): void; tableDone(rows: number): void },
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let buf = `{"meta":${JSON.stringify(meta)}`;
  for (const t of tables) {
    buf += `,\n${JSON.stringify(t.key)}:[`;
    let n = 0;
    for await (const batch of t.rows)
      for (const row of batch) {
        buf += (n === 0 ? '\n' : ',\n') + rowJson(t.columns, row);
        n++;
        if (buf.length >= BATCH_CHARS) {
          await sink.write(buf);
          buf = '';
          progress?.at(n);
        }
      }
    buf += n > 0 ? '\n]' : ']';
    counts[t.key] = n;
    progress?.tableDone(n);
  }
  buf += '}\n';
  await sink.write(buf);
  return counts;
}
