import type { SourceInfo, SourceRefreshResult } from '../../../shared/sources.js';
import { createLogger } from '../log.js';

const log = createLogger('sources');

export interface RefresherDeps {
  list: () => SourceInfo[];
  refresh: (source: SourceInfo) => Promise<SourceRefreshResult>;
  now?: () => Date;
  /** How often the timer looks for due sources. */
  checkEveryMs?: number;
}

/**
 * Each SQL source on its own refresh interval, independent of the vCenter sync schedule (with live
 * updates there may be no scheduled sync to hang it on). A source is due when its interval has
 * passed since its last refresh attempt, so a failing source is retried at its interval too.
 */
export class SourceRefresher {
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<number>();

  constructor(private readonly deps: RefresherDeps) {}

  isDue(s: SourceInfo, now: Date): boolean {
    if (!s.enabled || this.running.has(s.id)) return false;
    if (!s.lastRefreshAt) return true;
    return Date.parse(s.lastRefreshAt) + s.refreshMinutes * 60_000 <= now.getTime();
  }

  /** Refreshes every due source (one at a time) and returns their results. */
  async tick(now: Date = this.deps.now?.() ?? new Date()): Promise<SourceRefreshResult[]> {
    const due = this.deps.list().filter((s) => this.isDue(s, now));
    const out: SourceRefreshResult[] = [];
    for (const s of due) {
      this.running.add(s.id);
      try {
        out.push(await this.deps.refresh(s));
      } finally {
        this.running.delete(s.id);
      }
    }
    return out;
  }

  /** Starts the background timer (serve, the desktop app). */
  start(): void {
    if (this.timer) return;
    const every = this.deps.checkEveryMs ?? 30_000;
    const loop = (): void => {
      this.tick()
        .catch((err: unknown) => log.error('source refresh tick failed', { error: String(err) }))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(loop, every).unref();
        });
    };
    this.timer = setTimeout(loop, 1_000).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
