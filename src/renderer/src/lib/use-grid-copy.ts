import { useCallback, useEffect, useRef, useState } from 'react';
import type { QueryEntity } from '../../../shared/fields.js';
import { tsvHeader, tsvLine } from './format.js';
import { clampSelection, countSelected, type IndexSelection } from './index-selection.js';
import type { Page } from './page-cache.js';
import { copyRefusal, fetchesIn, planCopy, runCopy } from './range-copy.js';

type Row = Record<string, unknown>;

/** What a copy reads from the grid: its cached pages, page size and row count. */
export interface CopySource {
  readonly pageSize: number;
  readonly total: number | null;
  currentPage(p: number): readonly Row[] | undefined;
}

export type CopyState =
  | { phase: 'idle' }
  | { phase: 'copying'; count: number; done: number }
  | { phase: 'message'; text: string; error: boolean }
  /** The rows are ready but the browser refused the write (focus lost, no user gesture left). */
  | { phase: 'ready'; text: string; count: number };

const plural = (n: number): string => `${n.toLocaleString()} row${n === 1 ? '' : 's'}`;

function copiedMessage(copied: number, selected: number): string {
  const gone = selected - copied;
  return gone > 0
    ? `Copied ${plural(copied)} (${plural(gone)} no longer in the list)`
    : `Copied ${plural(copied)}`;
}

/**
 * Copy of a grid selection of any shape: rows in the grid's cache are used as they are, the rest
 * fetched through the same list request, then the whole selection goes on the clipboard as TSV.
 * One copy at a time; cancellable; a page that closes cancels its copy.
 */
export function useGridCopy(opts: {
  entity: QueryEntity;
  columns: string[];
  fetchPage: (offset: number, limit: number) => Promise<Page<Row>>;
}): {
  state: CopyState;
  copy: (sel: IndexSelection, source: CopySource | null) => void;
  cancel: () => void;
  writeReady: () => void;
  dismiss: () => void;
} {
  const [state, setState] = useState<CopyState>({ phase: 'idle' });
  const running = useRef<AbortController | null>(null);
  const latest = useRef(opts);
  latest.current = opts;

  useEffect(() => () => running.current?.abort(), []);

  const write = useCallback(async (text: string, copied: number, selected: number): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setState({ phase: 'message', text: copiedMessage(copied, selected), error: false });
    } catch (e) {
      // Browsers refuse a clipboard write without focus or, in some, a recent click: a long
      // copy can outlast both. Keep the text for one more click.
      if ((e as Error).name === 'NotAllowedError') setState({ phase: 'ready', text, count: copied });
      else setState({ phase: 'message', text: `Copy failed: ${(e as Error).message}`, error: true });
    }
  }, []);

  const copy = useCallback(
    (sel: IndexSelection, source: CopySource | null): void => {
      if (running.current || !source || source.total === null) return;
      const { entity, columns, fetchPage } = latest.current;
      const count = countSelected(clampSelection(sel, source.total));
      if (count === 0) return;
      const refusal = copyRefusal(count);
      if (refusal) {
        setState({ phase: 'message', text: refusal, error: true });
        return;
      }
      const plan = planCopy(sel, source.total, source.pageSize, (p) => source.currentPage(p));
      const ac = new AbortController();
      running.current = ac;
      if (fetchesIn(plan) > 0) setState({ phase: 'copying', count, done: 0 });
      runCopy(plan, {
        fetch: fetchPage,
        line: (r) => tsvLine(entity, columns, r),
        signal: ac.signal,
        onProgress: (done) => setState({ phase: 'copying', count, done }),
      })
        .then((lines) => write([tsvHeader(entity, columns), ...lines].join('\n'), lines.length, count))
        .catch((e: unknown) => {
          if (ac.signal.aborted) setState({ phase: 'message', text: 'Copy cancelled', error: false });
          else setState({ phase: 'message', text: `Copy failed: ${(e as Error).message}`, error: true });
        })
        .finally(() => {
          if (running.current === ac) running.current = null;
        });
    },
    [write],
  );

  const cancel = useCallback(() => running.current?.abort(), []);
  const writeReady = useCallback(() => {
    if (state.phase === 'ready') void write(state.text, state.count, state.count);
  }, [state, write]);
  const dismiss = useCallback(() => setState({ phase: 'idle' }), []);
  return { state, copy, cancel, writeReady, dismiss };
}
