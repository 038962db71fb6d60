import { describe, expect, it } from 'vitest';
import {
  addRange,
  clampSelection,
  countSelected,
  isSelected,
  normalize,
  NO_SELECTION,
  selectRange,
  toggleIndex,
} from './index-selection.js';

describe('index selection', () => {
  it('keeps a big shift-click range as one range, whichever way it was dragged', () => {
    expect(selectRange(40_000, 10)).toEqual([[10, 40_000]]);
    expect(countSelected(selectRange(10, 40_000))).toBe(39_991);
  });

  it('merges overlapping and touching ranges and sorts them', () => {
    expect(
      normalize([
        [20, 30],
        [0, 4],
        [5, 9],
        [25, 40],
        [50, 50],
      ]),
    ).toEqual([
      [0, 9],
      [20, 40],
      [50, 50],
    ]);
    expect(addRange([[0, 9]], 12, 11)).toEqual([
      [0, 9],
      [11, 12],
    ]);
  });

  it('answers membership at range edges', () => {
    const sel = normalize([
      [10, 20],
      [30, 30],
      [100, 200],
    ]);
    for (const i of [10, 20, 30, 100, 150, 200]) expect(isSelected(sel, i)).toBe(true);
    for (const i of [0, 9, 21, 29, 31, 99, 201]) expect(isSelected(sel, i)).toBe(false);
    expect(isSelected(NO_SELECTION, 0)).toBe(false);
  });

  it('toggles one row in or out, splitting a range', () => {
    const sel = selectRange(10, 20);
    expect(toggleIndex(sel, 15)).toEqual([
      [10, 14],
      [16, 20],
    ]);
    expect(toggleIndex(sel, 10)).toEqual([[11, 20]]);
    expect(toggleIndex(selectRange(5, 5), 5)).toEqual([]);
    expect(toggleIndex(sel, 21)).toEqual([[10, 21]]);
    expect(countSelected(toggleIndex(sel, 15))).toBe(10);
  });

  it('clamps to the rows the view still has', () => {
    const sel = normalize([
      [0, 5],
      [10, 50],
      [80, 90],
    ]);
    expect(clampSelection(sel, 30)).toEqual([
      [0, 5],
      [10, 29],
    ]);
    expect(clampSelection(sel, 0)).toEqual([]);
    expect(clampSelection(sel, 1000)).toEqual(sel);
  });
});
