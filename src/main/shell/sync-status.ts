import type { EngineEvents } from '../../shared/events.js';
import type { EventName } from '../../shared/ipc.js';
import type { VcenterStatus, VcenterWithState } from '../../shared/vcenter.js';

export type TrayState = 'idle' | 'syncing' | 'failed';

export interface SyncSnapshot {
  state: TrayState;
  syncing: number;
  /** Names of the vCenters whose last sync failed. */
  failed: string[];
  schedulerEnabled: boolean;
}

export interface ScheduledFailure {
  vcenter: string;
  message: string;
}

const FAILED: readonly VcenterStatus[] = ['failed', 'certificate_changed'];
const BUSY: readonly VcenterStatus[] = ['queued', 'syncing'];

/**
 * What the tray shows, worked out from the engine's events: syncing while any vCenter is queued or
 * syncing, failed while any last sync failed, idle otherwise. Also notices the end of a scheduled
 * run (scheduler `running` goes true → false) and reports the vCenters that failed during it.
 */
export class SyncStatus {
  private readonly vcenters = new Map<number, { name: string; status: VcenterStatus; error?: string }>();
  private schedulerEnabled = false;
  private scheduledRun: Map<string, string> | undefined;

  constructor(
    private readonly deps: {
      changed: (s: SyncSnapshot) => void;
      scheduledRunFailed: (failures: ScheduledFailure[]) => void;
    },
  ) {}

  get snapshot(): SyncSnapshot {
    const all = [...this.vcenters.values()];
    const syncing = all.filter((v) => BUSY.includes(v.status)).length;
    const failed = all.filter((v) => FAILED.includes(v.status)).map((v) => v.name);
    return {
      state: syncing > 0 ? 'syncing' : failed.length > 0 ? 'failed' : 'idle',
      syncing,
      failed,
      schedulerEnabled: this.schedulerEnabled,
    };
  }

  /** The full list (at start, and after the inventory changed: vCenters added or removed). */
  seed(list: readonly VcenterWithState[], scheduler?: { enabled: boolean }): void {
    this.vcenters.clear();
    for (const v of list)
      this.vcenters.set(v.id, {
        name: v.name,
        status: v.sync.status,
        ...(v.sync.error ? { error: v.sync.error.message } : {}),
      });
    if (scheduler) this.schedulerEnabled = scheduler.enabled;
    this.deps.changed(this.snapshot);
  }

  handle<E extends EventName>(name: E, payload: EngineEvents[E]): void {
    if (name === 'sync:progress') {
      const e = payload as EngineEvents['sync:progress'];
      this.vcenters.set(e.vcenterId, {
        name: e.vcenter,
        status: e.status,
        ...(e.error ? { error: e.error.message } : {}),
      });
      if (this.scheduledRun && e.phase === 'finished') {
        if (FAILED.includes(e.status)) this.scheduledRun.set(e.vcenter, e.error?.message ?? e.status);
        else this.scheduledRun.delete(e.vcenter);
      }
      this.deps.changed(this.snapshot);
    } else if (name === 'scheduler:state') {
      const s = payload as EngineEvents['scheduler:state'];
      if (s.running && !this.scheduledRun) this.scheduledRun = new Map();
      if (!s.running && this.scheduledRun) {
        const failures = [...this.scheduledRun].map(([vcenter, message]) => ({ vcenter, message }));
        this.scheduledRun = undefined;
        if (failures.length > 0) this.deps.scheduledRunFailed(failures);
      }
      if (this.schedulerEnabled !== s.enabled) {
        this.schedulerEnabled = s.enabled;
        this.deps.changed(this.snapshot);
      }
    }
  }
}

export function describeSnapshot(s: SyncSnapshot): string {
  if (s.state === 'syncing') return `Syncing ${s.syncing} vCenter${s.syncing === 1 ? '' : 's'}…`;
  if (s.state === 'failed')
    return s.failed.length === 1
      ? `${s.failed[0]} failed its last sync`
      : `${s.failed.length} vCenters failed their last sync`;
  return 'All vCenters synced';
}

export function scheduledFailureText(failures: readonly ScheduledFailure[]): { title: string; body: string } {
  const title =
    failures.length === 1
      ? `Scheduled sync: ${failures[0]!.vcenter} failed`
      : `Scheduled sync: ${failures.length} vCenters failed`;
  const body = failures
    .slice(0, 3)
    .map((f) => `${f.vcenter}: ${f.message}`)
    .concat(failures.length > 3 ? [`…and ${failures.length - 3} more`] : [])
    .join('\n');
  return { title, body };
}
