import { clampSelection, type IndexSelection } from './index-selection.js';
import type { Page } from './page-cache.js';

/**
 * Copy puts text on the clipboard, not a file: past this many rows Export (streamed by the
 * engine, bounded memory) is the tool. 100k rows of a dozen columns is ~20 MB of text.
 */
export const COPY_MAX_ROWS = 100_000;
/** Rows per request for a copy: ten of the grid's pages in one round trip (the contract allows 5,000). */
export const COPY_FETCH_ROWS = 1000;
/** Requests in flight at once: enough to hide a round trip, few enough to leave the engine to others. */
export const COPY_CONCURRENCY = 2;

/** Rows already in the grid's cache (taken now: the cache may drop them while the copy runs), or rows to fetch. */
export type CopySegment<T> =
  { kind: 'cached'; from: number; rows: T[] } | { kind: 'fetch'; from: number; limit: number };

/** Why a selection of `count` rows cannot be copied, or null when it can. */
export function copyRefusal(count: number, max = COPY_MAX_ROWS): string | null {
  if (count <= max) return null;
  return (
    `${count.toLocaleString('en-US')} rows are selected; Copy takes at most ${max.toLocaleString('en-US')}. ` +
    'Use Export (CSV or Excel) for more.'
  );
}

/**
 * The selected rows in order, as cached stretches and requests for the rest. `page(p)` gives a
 * cached page's rows (page `p` holds rows `p * pageSize` onwards) when it is current, else
 * undefined. Contiguous missing rows become one request, split at `maxRequestRows`.
 */
export function planCopy<T>(
  sel: IndexSelection,
  total: number,
  pageSize: number,
  page: (p: number) => readonly T[] | undefined,
  maxRequestRows = COPY_FETCH_ROWS,
): CopySegment<T>[] {
  const out: CopySegment<T>[] = [];
  const fetchSpan = (from: number, to: number): void => {
    while (from <= to) {
      const last = out.at(-1);
      if (last?.kind === 'fetch' && last.from + last.limit === from && last.limit < maxRequestRows) {
        const take = Math.min(maxRequestRows - last.limit, to - from + 1);
        last.limit += take;
        from += take;
      } else {
        const take = Math.min(maxRequestRows, to - from + 1);
        out.push({ kind: 'fetch', from, limit: take });
        from += take;
      }
    }
  };
  for (const [a, b] of clampSelection(sel, total)) {
    for (let p = Math.floor(a / pageSize); p <= Math.floor(b / pageSize); p++) {
      const start = p * pageSize;
      const from = Math.max(a, start);
      const to = Math.min(b, start + pageSize - 1);
      const rows = page(p);
      if (!rows || rows.length <= to - start) {
        fetchSpan(from, to);
        continue;
      }
      const slice = rows.slice(from - start, to - start + 1);
      const last = out.at(-1);
      if (last?.kind === 'cached' && last.from + last.rows.length === from) last.rows.push(...slice);
      else out.push({ kind: 'cached', from, rows: slice });
    }
  }
  return out;
}

export function rowsIn(segments: readonly CopySegment<unknown>[]): number {
  let n = 0;
  for (const s of segments) n += s.kind === 'cached' ? s.rows.length : s.limit;
  return n;
}

export function fetchesIn(segments: readonly CopySegment<unknown>[]): number {
  return segments.filter((s) => s.kind === 'fetch').length;
}

export interface RunCopyOptions<T> {
  fetch: (offset: number, limit: number) => Promise<Page<T>>;
  /** One row as a line of text. */
  line: (row: T) => string;
  signal: AbortSignal;
  onProgress?: (done: number) => void;
  concurrency?: number;
  /** Hands the main thread back between batches, so the grid scrolls and Cancel is clickable. */
  yieldToUi?: () => Promise<void>;
}

const FORMAT_BATCH = 1000;
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Fetches what the plan lacks, a few requests at a time, and turns every row into its line as
 * it arrives (never 100k rows formatted in one go). Resolves with the lines in selection order;
 * rejects with the signal's reason when cancelled, or the first failed request's error.
 */
export async function runCopy<T>(
  segments: readonly CopySegment<T>[],
  opts: RunCopyOptions<T>,
): Promise<string[]> {
  const { signal, line } = opts;
  const yieldToUi = opts.yieldToUi ?? nextTask;
  const out: string[][] = Array.from({ length: segments.length }, () => []);
  let done = 0;
  const progress = (n: number): void => {
    done += n;
    opts.onProgress?.(done);
  };

  for (const [i, s] of segments.entries()) {
    if (s.kind !== 'cached') continue;
    for (let k = 0; k < s.rows.length; k += FORMAT_BATCH) {
      signal.throwIfAborted();
      const batch = s.rows.slice(k, k + FORMAT_BATCH);
      out[i]!.push(...batch.map(line));
      progress(batch.length);
      await yieldToUi();
    }
  }

  const queue = [...segments.keys()].filter((i) => segments[i]!.kind === 'fetch');
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < queue.length && !failed) {
      signal.throwIfAborted();
      const i = queue[next++]!;
      const s = segments[i] as Extract<CopySegment<T>, { kind: 'fetch' }>;
      let page: Page<T>;
      try {
        page = await opts.fetch(s.from, s.limit);
      } catch (e) {
        failed = true;
        throw e;
      }
      signal.throwIfAborted();
      // Fewer rows than asked: the list shrank while copying (a sync, a live update); copy what is there.
      const rows = page.items.slice(0, s.limit);
      out[i] = rows.map(line);
      progress(rows.length);
      await yieldToUi();
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(opts.concurrency ?? COPY_CONCURRENCY, queue.length) }, worker),
  );
  signal.throwIfAborted();
  return out.flat();
}
