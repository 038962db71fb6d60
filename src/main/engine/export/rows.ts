import { BATCH_ROWS } from '../query/reading.js';

/** Rows as values in a table's column order, a batch at a time. */
export type RowBatch = readonly (readonly unknown[])[];

/**
 * A table's rows, read lazily in batches: an export never holds all rows in memory, and the
 * writers await once per batch (a cursor's fetch, a flush), not once per row.
 */
export type Rows = AsyncIterable<RowBatch>;

/** Rows already in memory (records, groups, a grid's page) as batches. */
export async function* batchesOf(rows: Iterable<readonly unknown[]>, size = BATCH_ROWS): Rows {
  let batch: (readonly unknown[])[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Rows taken from the front a piece at a time: the first rows looked at before any is written
 * (column widths), then at most so many per sheet.
 */
export class RowQueue {
  private readonly it: AsyncIterator<RowBatch>;
  private readonly held: RowBatch[] = [];
  /** Rows of `held[0]` already taken. */
  private at = 0;
  private ended = false;

  constructor(rows: Rows) {
    this.it = rows[Symbol.asyncIterator]();
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.it.next();
    if (r.done) {
      this.ended = true;
      return false;
    }
    if (r.value.length > 0) this.held.push(r.value);
    return true;
  }

  private heldRows(): number {
    return this.held.reduce((n, b) => n + b.length, 0) - this.at;
  }

  /** Up to `n` rows from the front, left in place. */
  async peek(n: number): Promise<(readonly unknown[])[]> {
    while (this.heldRows() < n && (await this.pull()));
    const out: (readonly unknown[])[] = [];
    for (let b = 0; b < this.held.length && out.length < n; b++) {
      const batch = this.held[b]!;
      for (let i = b === 0 ? this.at : 0; i < batch.length && out.length < n; i++) out.push(batch[i]!);
    }
    return out;
  }

  /** Whether a row is left. */
  async more(): Promise<boolean> {
    while (this.held.length === 0) if (!(await this.pull())) return false;
    return true;
  }

  /** At most `limit` rows from the front, in batches. */
  async *take(limit: number): Rows {
    let n = 0;
    while (n < limit && (await this.more())) {
      const batch = this.held[0]!;
      const k = Math.min(batch.length - this.at, limit - n);
      yield this.at === 0 && k === batch.length ? batch : batch.slice(this.at, this.at + k);
      this.at += k;
      n += k;
      if (this.at === batch.length) {
        this.held.shift();
        this.at = 0;
      }
    }
  }

  /** Releases the source (a statement, a cursor) when the rows were not all taken. */
  async close(): Promise<void> {
    if (!this.ended) await this.it.return?.();
  }
}
