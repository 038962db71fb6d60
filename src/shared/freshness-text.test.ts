import { describe, expect, it } from 'vitest';
import { freshnessText, nameList } from './freshness-text.js';

describe('freshness lines', () => {
  it('names a short list whole', () => {
    expect(nameList('failed', ['vc1', 'vc2'])).toBe('failed: vc1, vc2');
    expect(
      freshnessText({
        asOf: null,
        failedVcenters: [],
        staleVcenters: ['a'],
        neverSyncedVcenters: ['b', 'c'],
      }),
    ).toBe('as of never synced · stale: a · never synced: b, c');
  });

  it('counts a long list and names only the first ten', () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `vc-${i}`);
    const line = freshnessText({
      asOf: null,
      failedVcenters: [],
      staleVcenters: [],
      neverSyncedVcenters: names,
    });
    expect(line).toBe(
      'as of never synced · 100,000 vCenters never synced; first 10: vc-0, vc-1, vc-2, vc-3, vc-4, vc-5, vc-6, vc-7, vc-8, vc-9, …',
    );
  });
});
