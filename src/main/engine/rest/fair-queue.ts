import { performance } from 'node:perf_hooks';

/**
 * Runs synchronous jobs (SQLite page builds) in arrival order, at most `sliceMs` of them per
 * event-loop turn, then lets the loop turn.
 *
 * Node's libuv accepts one new connection per turn (libuv#3696). Without slicing, a turn ran the
 * page builds of every request that had arrived — 100 busy clients × 2 ms — before it accepted the
 * next connection, so the 60th client to connect waited ~10 s for its first answer. A slice keeps
 * each turn short: new connections are taken in, and requests are answered in the order they came.
 */
export class FairQueue {
  private readonly jobs: (() => void)[] = [];
  private head = 0;
  private scheduled = false;

  constructor(private readonly sliceMs = 4) {}

  /** `job()` on a later turn, in arrival order; its value or error. */
  run<T>(job: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push(() => {
        try {
          resolve(job());
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.drain);
      }
    });
  }

  /** Jobs waiting for their turn. */
  get waiting(): number {
    return this.jobs.length - this.head;
  }

  private readonly drain = (): void => {
    const end = performance.now() + this.sliceMs;
    while (this.head < this.jobs.length) {
      const job = this.jobs[this.head]!;
      this.jobs[this.head++] = noop;
      job();
      if (performance.now() >= end) break;
    }
    if (this.head >= this.jobs.length) {
      this.jobs.length = 0;
      this.head = 0;
      this.scheduled = false;
    } else {
      if (this.head > 1024) {
        this.jobs.splice(0, this.head);
        this.head = 0;
      }
      setImmediate(this.drain);
    }
  };
}

const noop = (): void => {};
