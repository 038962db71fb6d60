import { create } from 'zustand';
import { QUERY_ENTITIES, type QueryEntity } from '../../../shared/fields.js';

export const GRID_VIEWS = [
  'vms',
  'hosts',
  'datastores',
  'clusters',
  'networks',
  'snapshots',
  'disks',
  'nics',
  'partitions',
  'tags',
] as const;
export type GridView = (typeof GRID_VIEWS)[number];
export type View = 'chat' | GridView | 'changes' | 'vcenters' | 'settings';

const VIEWS: readonly View[] = ['chat', ...GRID_VIEWS, 'changes', 'vcenters', 'settings'];

export function isGridView(v: View): v is GridView & QueryEntity {
  return (GRID_VIEWS as readonly string[]).includes(v) && (QUERY_ENTITIES as string[]).includes(v);
}

function fromHash(): View {
  const h = typeof location === 'undefined' ? '' : location.hash.replace(/^#\/?/, '');
  return (VIEWS as readonly string[]).includes(h) ? (h as View) : 'chat';
}

/** What the vCenters page lists: all, or only the failing ones (from the status bar). */
export type VcenterFilter = 'all' | 'failing';

interface NavState {
  view: View;
  vcenterFilter: VcenterFilter;
  go: (v: View, opts?: { vcenterFilter?: VcenterFilter }) => void;
  setVcenterFilter: (f: VcenterFilter) => void;
}

/** Which screen is shown; kept in the URL hash so reload and back/forward work. */
export const useNav = create<NavState>()((set) => ({
  view: fromHash(),
  vcenterFilter: 'all',
  go: (view, opts) => {
    if (typeof location !== 'undefined' && location.hash !== `#/${view}`) location.hash = `#/${view}`;
    set({ view, vcenterFilter: opts?.vcenterFilter ?? 'all' });
  },
  setVcenterFilter: (vcenterFilter) => set({ vcenterFilter }),
}));

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    const view = fromHash();
    if (view !== useNav.getState().view) useNav.setState({ view, vcenterFilter: 'all' });
  });
}
