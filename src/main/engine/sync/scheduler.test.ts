import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SchedulerSettings } from '../../../shared/settings.js';
import { EventBus } from '../events.js';
import { Scheduler } from './scheduler.js';

describe('Scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  function make(runSync: () => Promise<unknown>, canRun?: () => true | string) {
    let stored: SchedulerSettings = { enabled: false, intervalMinutes: 30, cron: null };
    const bus = new EventBus();
    const states: unknown[] = [];
    bus.on('scheduler:state', (s) => states.push(s));
    const s = new Scheduler({
      bus,
      load: () => stored,
      save: (next) => {
        stored = next;
      },
      runSync,
      canRun,
    });
    return { s, states, stored: () => stored };
  }

  it('runs on its interval, persists its state and reports the next run', async () => {
    const runSync = vi.fn(() => Promise.resolve());
    const { s, stored } = make(runSync);
    const st = s.start();
    expect(stored().enabled).toBe(true);
    expect(st.nextRunAt).toBe('2026-01-01T00:30:00.000Z');
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(runSync).toHaveBeenCalledTimes(1);
    expect(s.state().nextRunAt).toBe('2026-01-01T01:00:00.000Z');
    s.stop();
    expect(stored().enabled).toBe(false);
    await vi.advanceTimersByTimeAsync(120 * 60_000);
    expect(runSync).toHaveBeenCalledTimes(1);
  });

  it('after sleep runs a missed tick at once, and otherwise keeps the planned time', async () => {
    const runSync = vi.fn(() => Promise.resolve());
    const { s } = make(runSync);
    s.start();
    // The clock jumps while timers stand still (the machine slept): 10 minutes, then 40 more.
    vi.setSystemTime(new Date('2026-01-01T00:10:00Z'));
    s.wake();
    expect(s.state().nextRunAt).toBe('2026-01-01T00:30:00.000Z');
    await vi.advanceTimersByTimeAsync(19 * 60_000);
    expect(runSync).not.toHaveBeenCalled();
    vi.setSystemTime(new Date('2026-01-01T01:10:00Z'));
    s.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(runSync).toHaveBeenCalledTimes(1);
    expect(s.state().nextRunAt).toBe('2026-01-01T01:40:00.000Z');
    s.close();
  });

  it('never overlaps a running sync', async () => {
    let finish: () => void = () => undefined;
    const runSync = vi.fn(() => new Promise<void>((r) => (finish = r)));
    const { s } = make(runSync);
    s.start();
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(runSync).toHaveBeenCalledTimes(1);
    finish();
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(runSync).toHaveBeenCalledTimes(2);
    s.close();
  });

  it('follows a cron expression and rejects a bad one', async () => {
    const runSync = vi.fn(() => Promise.resolve());
    const { s } = make(runSync);
    s.configure({ cron: '15 2 * * *' });
    expect(s.start().nextRunAt).toBe('2026-01-01T02:15:00.000Z');
    expect(() => s.configure({ cron: 'every tuesday' })).toThrow(/not a valid cron/);
    s.close();
  });

  it('skips due runs while the update mode or the pause switch says no, and runs again after', async () => {
    const runSync = vi.fn(() => Promise.resolve());
    let gate: true | string = 'updates are paused';
    const { s } = make(runSync, () => gate);
    s.start();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(runSync).not.toHaveBeenCalled();
    expect(s.state().nextRunAt).toBe('2026-01-01T01:30:00.000Z');
    gate = true;
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(runSync).toHaveBeenCalledTimes(1);
    s.close();
  });
});
