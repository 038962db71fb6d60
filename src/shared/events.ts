import type { ErrorInfo } from './errors.js';
import type { EntityCounts } from './inventory.js';
import type { VcenterStatus } from './vcenter.js';
import type { SourceRefreshResult } from './sources.js';

export type SyncPhase = 'queued' | 'started' | 'collecting' | 'storing' | 'finished';

export interface SyncProgressEvent {
  vcenterId: number;
  vcenter: string;
  phase: SyncPhase;
  status: VcenterStatus;
  objects?: number;
  counts?: EntityCounts;
  durationMs?: number;
  error?: ErrorInfo;
}

export interface SchedulerStateEvent {
  enabled: boolean;
  running: boolean;
  nextRunAt: string | null;
  intervalMinutes: number;
  cron: string | null;
}

/** A live session changed state (live, catching up, reconnecting with the reason, stopped). */
export interface LiveStateEvent {
  vcenterId: number;
  vcenter: string;
  status: VcenterStatus;
  error: ErrorInfo | null;
  detail: string | null;
}

/** Every event the engine emits, by name. */
export interface EngineEvents {
  'sync:progress': SyncProgressEvent;
  'inventory:changed': { vcenterIds: number[] };
  'scheduler:state': SchedulerStateEvent;
  /** A SQL source was refreshed (on its interval or on request); `ok: false` keeps the last good list. */
  'sources:refreshed': SourceRefreshResult;
  'live:state': LiveStateEvent;
}
