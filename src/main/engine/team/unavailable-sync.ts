/**
 * Sync, the schedule and live sessions of a team engine until TeamSync (team/team-sync.ts: the
 * leader runs them, followers forward requests) is wired in: every request to start something is
 * refused with NOT_AVAILABLE (HTTP 503) saying so; reads answer "nothing running".
 */
import { VminerError } from '../../../shared/errors.js';
import type { SchedulerStateEvent } from '../../../shared/events.js';
import type { SettingsStore } from '../settings-repo.js';
import type { LiveControls, SchedulerControls, SyncControls } from '../serving-engine.js';

export const SYNC_UNAVAILABLE =
  'syncing, the schedule and live updates are not available yet on PostgreSQL: the team server answers from the inventory already in the database';

const refuse = (what: string): never => {
  throw new VminerError(
    'NOT_AVAILABLE',
    `${what} is not available yet on PostgreSQL (vminer serve --database): the team server answers from ` +
      'the inventory already in the database; sync it with a desktop or `vminer sync` on SQLite and `vminer db copy`',
  );
};

export function unavailableSync(): SyncControls {
  return {
    // Thrown at the call, not as a rejected promise: 'sync.start' (which does not await the sync) answers 503.
    sync: () => refuse('syncing'),
    cancel: () => undefined,
    isSyncing: () => false,
    settled: async () => undefined,
  };
}

export function unavailableScheduler(settings: Pick<SettingsStore, 'get'>): SchedulerControls {
  const state = (): SchedulerStateEvent => {
    const s = settings.get().scheduler;
    return {
      enabled: s.enabled,
      running: false,
      nextRunAt: null,
      intervalMinutes: s.intervalMinutes,
      cron: s.cron,
    };
  };
  return {
    state,
    start: () => refuse('the sync schedule'),
    stop: () => refuse('the sync schedule'),
    configure: () => refuse('the sync schedule'),
    resume: () => undefined,
    wake: () => undefined,
    close: () => undefined,
  };
}

export function unavailableLive(): LiveControls {
  return {
    running: false,
    statusInfo: () => [],
    sessionsInfo: () => [],
    start: () => undefined,
    reconcile: () => undefined,
    wake: () => undefined,
    stop: async () => undefined,
    stopAll: async () => undefined,
    abortAll: () => undefined,
  };
}
