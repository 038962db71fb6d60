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
      const [stats, scheduler] = await Promise.all([
        api.call('stats.get', {}),
        api.call('scheduler.state', {}),
      ]);
      set({ stats, scheduler, error: null });
    } catch (e) {
      set({ error: (e as Error).message });
    }
  },
  start: () => {
    void get().refresh();
    // At most one refresh a second: live updates can change the inventory several times a second,
    // and a debounce would never fire while they keep coming.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refreshSoon = (): void => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void get().refresh();
      }, 1000);
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
