import { Cron } from 'croner';
import { VminerError } from '../../../shared/errors.js';
import type { SchedulerStateEvent } from '../../../shared/events.js';
import type { SchedulerSettings } from '../../../shared/settings.js';
import type { EventBus } from '../events.js';
import { createLogger } from '../log.js';

const log = createLogger('scheduler');

export interface SchedulerDeps {
  bus: EventBus;
  load: () => SchedulerSettings;
  save: (s: SchedulerSettings) => void;
  /** Runs a full sync of every enabled vCenter. */
  runSync: () => Promise<unknown>;
  /** true, or why a due run is skipped (live-only mode, paused). */
  canRun?: () => true | string;
  now?: () => Date;
}

export function validateCron(expr: string): void {
  try {
    new Cron(expr, { paused: true }).stop();
  } catch (err) {
    throw new VminerError(
      'INVALID_INPUT',
      `"${expr}" is not a valid cron expression: ${(err as Error).message}`,
    );
  }
}

/**
 * Background sync on an interval or a cron expression. Persisted in the settings table, so a
 * restarted engine resumes its schedule; a tick that finds a sync still running is skipped.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private nextRun: Date | null = null;
  private running = false;
  private closed = false;

  constructor(private readonly deps: SchedulerDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  state(): SchedulerStateEvent {
    const s = this.deps.load();
    return {
      enabled: s.enabled,
      running: this.running,
      nextRunAt: s.enabled && this.nextRun ? this.nextRun.toISOString() : null,
      intervalMinutes: s.intervalMinutes,
      cron: s.cron,
    };
  }

  /** Arms the timer if the persisted settings say the scheduler is on. */
  resume(): void {
    if (this.deps.load().enabled) this.arm();
  }

  start(): SchedulerStateEvent {
    this.deps.save({ ...this.deps.load(), enabled: true });
    this.arm();
    return this.state();
  }

  stop(): SchedulerStateEvent {
    this.deps.save({ ...this.deps.load(), enabled: false });
    this.disarm();
    this.publish();
    return this.state();
  }

  configure(patch: Partial<Pick<SchedulerSettings, 'intervalMinutes' | 'cron'>>): SchedulerStateEvent {
    if (patch.cron) validateCron(patch.cron);
    const next = { ...this.deps.load(), ...patch };
    this.deps.save(next);
    if (next.enabled) this.arm();
    else this.publish();
    return this.state();
  }

  /**
   * After the computer slept (timers may not have run): a run that fell due meanwhile starts now;
   * otherwise the timer is set again for the time that is really left.
   */
  wake(): void {
    if (this.closed || !this.deps.load().enabled) return;
    const next = this.nextRun;
    if (!next) {
      this.arm();
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, next.getTime() - this.now().getTime());
    this.timer = setTimeout(() => this.fire(), Math.min(delay, 2 ** 31 - 1));
  }

  close(): void {
    this.closed = true;
    this.disarm();
  }

  private computeNext(): Date {
    const s = this.deps.load();
    const now = this.now();
    if (s.cron) {
      const next = new Cron(s.cron, { paused: true }).nextRun(now);
      if (next) return next;
    }
    return new Date(now.getTime() + s.intervalMinutes * 60_000);
  }

  private arm(): void {
    this.disarm();
    if (this.closed) return;
    this.nextRun = this.computeNext();
    const delay = Math.max(0, this.nextRun.getTime() - this.now().getTime());
    // setTimeout cannot wait longer than ~24.8 days; re-arm in steps.
    this.timer = setTimeout(() => this.fire(), Math.min(delay, 2 ** 31 - 1));
    this.publish();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextRun = null;
  }

  private fire(): void {
    if (this.nextRun && this.nextRun.getTime() > this.now().getTime()) {
      this.arm();
      return;
    }
    if (this.running) {
      log.info('skipping a scheduled sync: the previous one is still running');
      this.arm();
      return;
    }
    const can = this.deps.canRun?.() ?? true;
    if (can !== true) {
      log.info(`skipping a scheduled sync: ${can}`);
      this.arm();
      return;
    }
    this.running = true;
    this.arm();
    this.deps
      .runSync()
      .catch((err: unknown) => log.error('scheduled sync failed', { error: String(err) }))
      .finally(() => {
        this.running = false;
        this.publish();
      });
  }

  private publish(): void {
    this.deps.bus.emit('scheduler:state', this.state());
  }
}
