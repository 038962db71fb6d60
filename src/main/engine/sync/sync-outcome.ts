/**
 * How a sync's outcome reads in summaries and logs. Besides synced and failed there is a third:
 * `stepped_down` — a team server instance stopped leading while it synced a vCenter (a write was
 * refused with NOT_LEADER). That is no failure of the vCenter: nothing more was written and the new
 * leader syncs it, so summaries count it apart and exit codes do not fail on it.
 */
import type { SyncProgressEvent } from '../../../shared/events.js';
import type { VcenterSyncResult } from './sync-runner.js';

/** What the serve log and the CLI say of a vCenter whose sync was handed over. */
export const HANDED_OVER = 'handed over to the new leader (this instance stopped leading mid-sync)';

export interface SyncTally {
  synced: VcenterSyncResult[];
  failed: VcenterSyncResult[];
  handedOver: VcenterSyncResult[];
}

export function tallySync(results: readonly VcenterSyncResult[]): SyncTally {
  const t: SyncTally = { synced: [], failed: [], handedOver: [] };
  for (const r of results)
    (r.status === 'ok' ? t.synced : r.status === 'stepped_down' ? t.handedOver : t.failed).push(r);
  return t;
}

/** "3 of 4 vCenters synced, 1 handed over to the new leader" (the "in …" and the end are the caller's). */
export function tallyText(t: SyncTally): string {
  const total = t.synced.length + t.failed.length + t.handedOver.length;
  return (
    `${t.synced.length} of ${total} vCenters synced` +
    (t.handedOver.length ? `, ${t.handedOver.length} handed over to the new leader` : '')
  );
}

/** A sync's `finished` event from an instance that stopped leading mid-sync (SyncRunner.steppedDown). */
export const isHandedOver = (e: Pick<SyncProgressEvent, 'phase' | 'status' | 'error'>): boolean =>
  e.phase === 'finished' && e.status === 'interrupted' && e.error?.code === 'NOT_LEADER';

/** One line of `vminer serve`'s output for a finished sync. */
export function finishedLine(e: SyncProgressEvent): string {
  if (isHandedOver(e)) return `${e.vcenter}: ${HANDED_OVER}`;
  return `${e.vcenter}: ${e.status}${e.error ? ` — ${e.error.message}` : ''}`;
}

/** One line of a CLI summary for a vCenter's result. */
export function resultLine(r: VcenterSyncResult): string {
  if (r.status === 'stepped_down') return `→ ${r.vcenter}: ${HANDED_OVER}`;
  return r.error
    ? `✗ ${r.vcenter}: ${r.error.message}`
    : `✓ ${r.vcenter}: ${r.counts?.vms ?? 0} VMs, ${r.counts?.hosts ?? 0} hosts`;
}
