import { create } from 'zustand';
import { QUERY_ENTITIES, type QueryEntity } from '../../../shared/fields.js';

export const GRID_VIEWS = ['vms', 'hosts', 'datastores', 'clusters', 'networks', 'snapshots'] as const;
export type GridView = (typeof GRID_VIEWS)[number];
export type View = 'chat' | GridView | 'vcenters' | 'settings';

const VIEWS: readonly View[] = ['chat', ...GRID_VIEWS, 'vcenters', 'settings'];

export function isGridView(v: View): v is GridView & QueryEntity {
  return (GRID_VIEWS as readonly string[]).includes(v) && (QUERY_ENTITIES as string[]).includes(v);
}

function fromHash(): View {
  const h = typeof location === 'undefined' ? '' : location.hash.replace(/^#\/?/, '');
  return (VIEWS as readonly string[]).includes(h) ? (h as View) : 'chat';
}

interface NavState {
  view: View;
  go: (v: View) => void;
}

/** Which screen is shown; kept in the URL hash so reload and back/forward work. */
export const useNav = create<NavState>()((set) => ({
  view: fromHash(),
  go: (view) => {
    if (typeof location !== 'undefined' && location.hash !== `#/${view}`) location.hash = `#/${view}`;
    set({ view });
  },
}));

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => useNav.setState({ view: fromHash() }));
}
