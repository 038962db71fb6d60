/**
 * Keeps the change history within its retention (an age and a row cap, both settings): deletes the
 * oldest rows in small chunks, each its own short transaction, yielding to the event loop between
 * them, so a sync or a question waits for one chunk at most, never for the whole clean-up. Runs
 * outside any sync transaction: after a sync run and on an hourly timer.
 */
import type Database from 'better-sqlite3';
import { createLogger } from '../../log.js';

const log = createLogger('history');
const DAY_MS = 86_400_000;

export interface RetentionSettings {
  historyRetentionDays: number;
  historyMaxRows: number;
}

export interface HistorySize {
  rows: number;
  /** Approximate bytes of the table and its indexes (page counts). */
  bytes: number;
  /** ISO time of the oldest entry, null when the history is empty. */
  oldestAt: string | null;
}

export class HistoryRetention {
  private readonly byAge: Database.Statement;
  private readonly byCap: Database.Statement;
  private readonly count: Database.Statement;
  private running: Promise<number> | undefined;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly settings: () => RetentionSettings,
    private readonly chunk = 5_000,
  ) {
    // Both walk an index from its oldest end: the cost of a chunk does not grow with the history.
    this.byAge = sqlite.prepare(
      'DELETE FROM changes WHERE id IN (SELECT id FROM changes WHERE at < ? ORDER BY at, id LIMIT ?)',
    );
    this.byCap = sqlite.prepare(
      'DELETE FROM changes WHERE id IN (SELECT id FROM changes ORDER BY id LIMIT ?)',
    );
    this.count = sqlite.prepare('SELECT count(*) FROM changes').pluck();
  }

  /** Deletes one chunk of what is past the retention; returns the rows deleted (0: nothing left to do). */
  pruneChunk(now = Date.now()): number {
    const s = this.settings();
    const cutoff = new Date(now - s.historyRetentionDays * DAY_MS).toISOString();
    const aged = this.byAge.run(cutoff, this.chunk).changes;
    if (aged > 0) return aged;
    const excess = (this.count.get() as number) - s.historyMaxRows;
    if (excess <= 0) return 0;
    return this.byCap.run(Math.min(excess, this.chunk)).changes;
  }

  /** Prunes chunk by chunk until within the retention, yielding between chunks. */
  async prune(now = Date.now()): Promise<number> {
    let total = 0;
    for (;;) {
      const n = this.pruneChunk(now);
      total += n;
      if (n === 0) return total;
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  /** Starts a prune unless one runs; errors are logged, never thrown at the caller. */
  schedule(): Promise<number> {
    this.running ??= this.prune()
      .then((n) => {
        if (n > 0) log.info('change history pruned', { rows: n });
        return n;
      })
      .catch((err: unknown) => {
        log.warn('change history could not be pruned', { error: String(err) });
        return 0;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  size(): HistorySize {
    return historySize(this.sqlite);
  }
}

const HISTORY_BTREES = ['changes', 'changes_at', 'changes_object', 'changes_field'];

/** Rows, approximate bytes (the pages of the table and its indexes) and the oldest entry. */
export function historySize(sqlite: Database.Database): HistorySize {
  const rows = sqlite.prepare('SELECT count(*) FROM changes').pluck().get() as number;
  const oldestAt = (sqlite.prepare('SELECT min(at) FROM changes').pluck().get() as string | null) ?? null;
  let bytes: number;
  try {
    bytes = HISTORY_BTREES.reduce(
      (sum, name) =>
        sum +
        (sqlite
          .prepare('SELECT COALESCE(sum(pgsize), 0) FROM dbstat WHERE name = ? AND aggregate = TRUE')
          .pluck()
          .get(name) as number),
      0,
    );
  } catch {
    // A SQLite built without the dbstat table: estimated from the row count.
    bytes = rows * 200;
  }
  return { rows, bytes, oldestAt };
}
