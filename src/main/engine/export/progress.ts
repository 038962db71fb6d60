/**
 * Export progress at a bounded rate.
 *
 * Writers report their running row count at points they stop at anyway (a flushed 64 KB buffer,
 * every 500 XLSX rows), never per row. The meter passes a report on only when at least
 * `everyRows` rows AND `everyMs` milliseconds have gone by since the last one, so a fast export
 * sends a few reports a second at most and a slow one no more than one per `everyRows` rows:
 * whatever the speed, an export of n rows sends at most n / everyRows + 2 reports (the first, at
 * 0 rows, and the last, at the exported count, are always sent).
 */
import type { ExportRowsProgress } from '../../../shared/contract.js';
import { createLogger } from '../log.js';

export type OnExportProgress = (p: ExportRowsProgress) => void;

export interface ProgressPace {
  everyRows: number;
  everyMs: number;
  /** A clock in milliseconds (tests). */
  now?: () => number;
}

export const DEFAULT_PACE: ProgressPace = { everyRows: 1000, everyMs: 250 };

const log = createLogger('export');

export class ProgressMeter {
  private readonly now: () => number;
  private sentRows = 0;
  private sentAt = 0;
  /** Rows of the tables already finished (a full export writes several). */
  private base = 0;
  private failedOnce = false;

  constructor(
    private readonly listener: OnExportProgress | undefined,
    /** All rows the export will write, when counted up front. */
    readonly total: number | null,
    private readonly pace: ProgressPace = DEFAULT_PACE,
  ) {
    this.now = pace.now ?? Date.now;
  }

  /** The first report: nothing written yet, and how much there is to write. */
  start(): void {
    if (!this.listener) return;
    this.sentAt = this.now();
    this.send(0);
  }

  /** The current table has `rowsInTable` rows written; cheap when no report is due. */
  readonly at = (rowsInTable: number): void => {
    if (!this.listener) return;
    const rows = this.base + rowsInTable;
    if (rows - this.sentRows < this.pace.everyRows) return;
    const t = this.now();
    if (t - this.sentAt < this.pace.everyMs) return;
    this.sentAt = t;
    this.send(rows);
  };

  /** The current table is complete with `rows` rows; the next one counts on from there. */
  tableDone(rows: number): void {
    this.base += rows;
  }

  /** The last report: the export is complete (the file is in place) with `rows` rows. */
  done(rows: number): void {
    if (this.listener) this.send(rows);
  }

  private send(rows: number): void {
    this.sentRows = rows;
    // A count taken in the same snapshot matches; should it ever not, never show "12 of 10".
    const total = this.total === null ? null : Math.max(this.total, rows);
    try {
      this.listener?.({ rows, total });
    } catch (err) {
      // A listener's failure (a closed port) must not fail the export the user is waiting for.
      if (!this.failedOnce) log.warn('an export progress listener failed', { error: String(err) });
      this.failedOnce = true;
    }
  }
}
