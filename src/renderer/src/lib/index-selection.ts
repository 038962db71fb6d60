/**
 * A grid selection as row positions in the current view (sort + filter), kept as sorted,
 * disjoint, non-adjacent inclusive ranges: selecting rows 10 to 40,000 is one range, not 39,991
 * keys, and it needs none of those rows loaded. Positions mean something only for one sort and
 * filter, so the grid clears the selection when either changes.
 */
export type IndexRange = readonly [from: number, to: number];
export type IndexSelection = readonly IndexRange[];

export const NO_SELECTION: IndexSelection = [];

/** Sorts and merges overlapping or touching ranges; drops empty or negative ones. */
export function normalize(ranges: readonly IndexRange[]): IndexSelection {
  const sorted = ranges
    .map(([a, b]): IndexRange => (a <= b ? [Math.max(0, a), b] : [Math.max(0, b), a]))
    .filter(([, b]) => b >= 0)
    .sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function selectRange(from: number, to: number): IndexSelection {
  return normalize([[from, to]]);
}

export function addRange(sel: IndexSelection, from: number, to: number): IndexSelection {
  return normalize([...sel, [from, to]]);
}

export function isSelected(sel: IndexSelection, index: number): boolean {
  let lo = 0;
  let hi = sel.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = sel[mid]!;
    if (index < a) hi = mid - 1;
    else if (index > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Ctrl-click: one row in or out. */
export function toggleIndex(sel: IndexSelection, index: number): IndexSelection {
  if (!isSelected(sel, index)) return addRange(sel, index, index);
  const out: IndexRange[] = [];
  for (const [a, b] of sel) {
    if (index < a || index > b) out.push([a, b]);
    else {
      if (a < index) out.push([a, index - 1]);
      if (index < b) out.push([index + 1, b]);
    }
  }
  return out;
}

export function countSelected(sel: IndexSelection): number {
  let n = 0;
  for (const [a, b] of sel) n += b - a + 1;
  return n;
}

/** The part of a selection that exists in a view of `total` rows (the list may have shrunk). */
export function clampSelection(sel: IndexSelection, total: number): IndexSelection {
  const out: IndexRange[] = [];
  for (const [a, b] of sel) {
    if (a >= total) break;
    out.push([a, Math.min(b, total - 1)]);
  }
  return out;
}
