import { create } from 'zustand';
import type { VcenterWithState } from '../../../shared/vcenter.js';
import { api } from '../api/client.js';

interface VcentersState {
  list: VcenterWithState[] | null;
  error: string | null;
  load: () => Promise<void>;
}

/** The registered vCenters with their sync state (reloaded as sync events arrive). */
export const useVcenters = create<VcentersState>()((set) => ({
  list: null,
  error: null,
  load: async () => {
    try {
      set({ list: await api.call('vcenters.list', {}), error: null });
    } catch (e) {
      set({ error: (e as Error).message });
    }
  },
}));
