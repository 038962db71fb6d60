import { create } from 'zustand';
import type { StatsResult } from '../../../shared/contract.js';
import type { SchedulerStateEvent, SyncProgressEvent } from '../../../shared/events.js';
import { api } from '../api/client.js';

interface StatusState {
  stats: StatsResult | null;
  scheduler: SchedulerStateEvent | null;
  /** Running syncs by vCenter id (the last progress event of each). */
  syncing: Record<number, SyncProgressEvent>;
  /** Bumped when the cached inventory changed: open grids and lists reload. */
  inventoryVersion: number;
  error: string | null;
  refresh: () => Promise<void>;
  start: () => () => void;
}

/** The status bar's data and the live sync progress, fed by engine events. */
export const useStatus = create<StatusState>()((set, get) => ({
  stats: null,
  scheduler: null,
  syncing: {},
  inventoryVersion: 0,
  error: null,
  refresh: async () => {
    try {
      const [stats, settings] = await Promise.all([api.call('stats.get', {}), api.call('settings.get', {})]);
      set({ stats, error: null });
      if (!get().scheduler) set({ scheduler: { ...settings.scheduler, running: false, nextRunAt: null } });
    } catch (e) {
      set({ error: (e as Error).message });
    }
  },
  start: () => {
    void get().refresh();
    void api
      .call('scheduler.state', {})
      .then((s) => set({ scheduler: s }))
      .catch(() => undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refreshSoon = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => void get().refresh(), 300);
    };
    const offs = [
      api.on('sync:progress', (e) => {
        const syncing = { ...get().syncing };
        if (e.phase === 'finished') delete syncing[e.vcenterId];
        else syncing[e.vcenterId] = e;
        set({ syncing });
        if (e.phase === 'finished') refreshSoon();
      }),
      api.on('inventory:changed', () => {
        set({ inventoryVersion: get().inventoryVersion + 1 });
        refreshSoon();
      }),
      api.on('scheduler:state', (s) => set({ scheduler: s })),
      api.on('live:state', (e) => {
        // A live session reading everything (first load, "sync now", recovery) shows as a running sync.
        const syncing = { ...get().syncing };
        if (e.status === 'catching_up')
          syncing[e.vcenterId] = {
            vcenterId: e.vcenterId,
            vcenter: e.vcenter,
            phase: 'collecting',
            status: 'syncing',
          };
        else delete syncing[e.vcenterId];
        set({ syncing });
        refreshSoon();
      }),
    ];
    return () => {
      clearTimeout(timer);
      for (const off of offs) off();
    };
  },
}));
