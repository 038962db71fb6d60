import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { DEFAULT_COLUMNS, type QueryEntity } from '../../../shared/fields.js';
import type { Filter } from '../../../shared/query.js';
import type { GridSort } from '../components/DataGrid.js';

/** One grid's query state (what it asks SQLite for) and its layout; never the rows themselves. */
export interface GridState {
  columns: string[];
  widths: Record<string, number>;
  sort: GridSort[];
  quick: string;
  columnFilters: Record<string, string>;
  /** Filters that came from a chat answer or a related-object link, shown as chips. */
  chips: Filter[];
}

const initial = (entity: QueryEntity): GridState => ({
  columns: [...DEFAULT_COLUMNS[entity]],
  widths: {},
  sort: [],
  quick: '',
  columnFilters: {},
  chips: [],
});

interface GridsState {
  grids: Partial<Record<QueryEntity, GridState>>;
  patch: (entity: QueryEntity, p: Partial<GridState>) => void;
  resetLayout: (entity: QueryEntity) => void;
}

export const useGrids = create<GridsState>()(
  persist(
    (set, get) => ({
      grids: {},
      patch: (entity, p) =>
        set({ grids: { ...get().grids, [entity]: { ...(get().grids[entity] ?? initial(entity)), ...p } } }),
      resetLayout: (entity) => {
        const g = get().grids[entity] ?? initial(entity);
        set({
          grids: { ...get().grids, [entity]: { ...g, columns: [...DEFAULT_COLUMNS[entity]], widths: {} } },
        });
      },
    }),
    {
      name: 'vminer.grids',
      storage: createJSONStorage(() => localStorage),
      // Column choice, order, widths and sort are remembered per grid; filters are not.
      partialize: (s) => ({
        grids: Object.fromEntries(
          Object.entries(s.grids).map(([k, g]) => [
            k,
            { columns: g.columns, widths: g.widths, sort: g.sort },
          ]),
        ),
      }),
      merge: (persisted, current) => {
        const p = (persisted ?? {}) as { grids?: Record<string, Partial<GridState>> };
        const grids: Partial<Record<QueryEntity, GridState>> = {};
        for (const [k, g] of Object.entries(p.grids ?? {})) {
          const e = k as QueryEntity;
          if (!DEFAULT_COLUMNS[e]) continue;
          grids[e] = { ...initial(e), ...g, quick: '', columnFilters: {}, chips: [] };
        }
        return { ...current, grids };
      },
    },
  ),
);

export function gridOf(entity: QueryEntity): GridState {
  return useGrids.getState().grids[entity] ?? initial(entity);
}

export function useGrid(entity: QueryEntity): GridState {
  return useGrids((s) => s.grids[entity]) ?? initialCache(entity);
}

const initials = new Map<QueryEntity, GridState>();
function initialCache(entity: QueryEntity): GridState {
  let g = initials.get(entity);
  if (!g) initials.set(entity, (g = initial(entity)));
  return g;
}
