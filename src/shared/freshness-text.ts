/**
 * "As of" lines under answers and exports. A list of vCenter names is shown whole while it is
 * short; a long one (an import of thousands that never synced) is counted, with the first few.
 */
export interface FreshnessLike {
  asOf: string | null;
  failedVcenters: readonly string[];
  staleVcenters: readonly string[];
  neverSyncedVcenters: readonly string[];
}

export const NAMES_SHOWN = 10;

/** `failed: a, b` or `1,234 vCenters failed; first 10: a, b, …`. */
export function nameList(label: string, names: readonly string[], max = NAMES_SHOWN): string {
  if (names.length <= max) return `${label}: ${names.join(', ')}`;
  return `${names.length.toLocaleString('en')} vCenters ${label}; first ${max}: ${names.slice(0, max).join(', ')}, …`;
}

export function freshnessText(f: FreshnessLike): string {
  const parts = [`as of ${f.asOf ?? 'never synced'}`];
  if (f.failedVcenters.length) parts.push(nameList('failed', f.failedVcenters));
  if (f.staleVcenters.length) parts.push(nameList('stale', f.staleVcenters));
  if (f.neverSyncedVcenters.length) parts.push(nameList('never synced', f.neverSyncedVcenters));
  return parts.join(' · ');
}
