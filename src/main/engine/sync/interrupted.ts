import os from 'node:os';
import type { VcenterWithState } from '../../../shared/vcenter.js';
import { readLock } from '../data-lock.js';
import { interruptedDetail } from '../db/vcenter-repo.js';

/** Whether a writer (a sync, serve, the desktop app) holds the data folder right now. */
export function writerRunning(dataDir: string): boolean {
  const holder = readLock(dataDir);
  if (!holder) return false;
  if (holder.host !== os.hostname()) return true; // cannot tell: assume it runs
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * For a reader (`vminer vcenter list` beside no writer): a vCenter still marked queued or syncing
 * while no writer holds the folder was left so by a process that ended mid-sync. It is shown as
 * `interrupted`; the next writer to open the folder records it so (VcenterRepo.settleInterrupted).
 */
export function showInterrupted(list: VcenterWithState[], dataDir: string): VcenterWithState[] {
  if (!list.some((v) => v.sync.status === 'syncing' || v.sync.status === 'queued')) return list;
  if (writerRunning(dataDir)) return list;
  return list.map((v) =>
    v.sync.status === 'syncing' || v.sync.status === 'queued'
      ? {
          ...v,
          sync: {
            ...v.sync,
            status: 'interrupted',
            detail: interruptedDetail(v.sync.status, v.sync.startedAt, v.sync.lastSuccessAt),
          },
        }
      : v,
  );
}
