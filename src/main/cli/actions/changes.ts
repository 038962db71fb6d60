import type { ChangeKind, ChangeRow, ChangesRequest, ChangeSource } from '../../../shared/changes.js';
import { csvLine } from '../../engine/export/csv.js';
import { ChangesReader } from '../../engine/db/history/changes-read.js';
import type { OutputOptions } from '../options.js';
import { printTable, writeAsync } from '../output.js';
import { withDatabase } from '../session.js';
import { VminerError } from '../../../shared/errors.js';

interface ChangesOptions extends OutputOptions {
  since?: string;
  until?: string;
  vcenter?: string;
  entity?: ChangesRequest['entity'];
  field?: string;
  object?: string;
  kind?: ChangeKind;
  source?: ChangeSource;
  limit?: string;
}

const COLUMNS: (keyof ChangeRow)[] = [
  'at',
  'vcenter',
  'entity',
  'objectName',
  'kind',
  'field',
  'oldValue',
  'newValue',
  'source',
  'moid',
  'vcenterId',
  'id',
];
/** The table shows the first nine; the ids are for scripts. */
const TABLE_COLUMNS = COLUMNS.slice(0, 9);
const PAGE = 1000;

function limitOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new VminerError('INVALID_INPUT', '--limit takes a whole number ≥ 1');
  return n;
}
const BATCH = 64 * 1024;

/**
 * `vminer changes`: the change history, newest first, read page by page (keyset) from a read-only
 * connection and written as it goes — a year of history as `--csv` never sits in memory.
 */
export async function changes(opts: ChangesOptions): Promise<void> {
  const machine = !!(opts.json || opts.jsonl || opts.csv);
  const limit = limitOf(opts.limit) ?? (machine ? Infinity : 100);
  const filter: ChangesRequest = {
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.until ? { until: opts.until } : {}),
    ...(opts.vcenter ? { vcenter: opts.vcenter } : {}),
    ...(opts.entity ? { entity: opts.entity } : {}),
    ...(opts.field ? { field: opts.field } : {}),
    ...(opts.object ? { object: opts.object } : {}),
    ...(opts.kind ? { kind: [opts.kind] } : {}),
    ...(opts.source ? { source: opts.source } : {}),
  };
  await withDatabase(opts, async (db) => {
    const reader = new ChangesReader(db.sqlite);
    const out = process.stdout;
    let cursor: string | undefined;
    let written = 0;
    let counts: Record<ChangeKind, number> | undefined;
    let buf = opts.csv ? csvLine(COLUMNS) : opts.json ? '[' : '';
    const table: ChangeRow[] = [];
    do {
      const page = reader.page({
        ...filter,
        limit: Math.min(PAGE, limit - written),
        counts: counts === undefined,
        ...(cursor ? { cursor } : {}),
      });
      counts ??= page.counts;
      for (const r of page.items) {
        if (opts.csv) buf += csvLine(COLUMNS.map((k) => r[k]));
        else if (opts.json)
          buf += `${written === 0 ? '' : ','}\n  ${JSON.stringify(r, COLUMNS, 2).replaceAll('\n', '\n  ')}`;
        else if (opts.jsonl) buf += JSON.stringify(r, COLUMNS) + '\n';
        else table.push(r);
        written++;
      }
      if (buf.length >= BATCH) {
        await writeAsync(out, buf);
        buf = '';
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor && written < limit);
    if (machine) {
      if (opts.json) buf += written === 0 ? ']\n' : '\n]\n';
      await writeAsync(out, buf);
      return;
    }
    printTable(table as unknown as Record<string, unknown>[], TABLE_COLUMNS, [
      'at',
      'vCenter',
      'entity',
      'object',
      'kind',
      'field',
      'old',
      'new',
      'source',
    ]);
    const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : written;
    const per = counts
      ? Object.entries(counts)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')
      : '';
    out.write(
      `${written} of ${total} change${total === 1 ? '' : 's'}${per ? ` (${per})` : ''}` +
        (total > written ? ' — more with --limit N, or all with --csv / --jsonl' : '') +
        '\n',
    );
  });
}
