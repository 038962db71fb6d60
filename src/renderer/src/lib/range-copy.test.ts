import { describe, expect, it } from 'vitest';
import { normalize, selectRange } from './index-selection.js';
import type { Page } from './page-cache.js';
import { copyRefusal, fetchesIn, planCopy, rowsIn, runCopy, type CopySegment } from './range-copy.js';

/** Cached pages of 100 rows whose rows are their positions. */
function pages(...loaded: number[]): (p: number) => number[] | undefined {
  return (p) => (loaded.includes(p) ? Array.from({ length: 100 }, (_, i) => p * 100 + i) : undefined);
}

function source(
  total: number,
  delayMs = 0,
): {
  calls: [number, number][];
  inflight: { now: number; max: number };
  fetch: (o: number, l: number) => Promise<Page<number>>;
} {
  const calls: [number, number][] = [];
  const inflight = { now: 0, max: 0 };
  return {
    calls,
    inflight,
    fetch: async (offset, limit) => {
      calls.push([offset, limit]);
      inflight.max = Math.max(inflight.max, ++inflight.now);
      await new Promise((r) => setTimeout(r, delayMs));
      inflight.now--;
      const n = Math.max(0, Math.min(limit, total - offset));
      return { items: Array.from({ length: n }, (_, i) => offset + i), total };
    },
  };
}

const line = (n: number): string => `row ${n}`;

describe('planning a copy', () => {
  it('fetches rows 10 to 40,000 in requests of at most 1,000 when nothing is cached', () => {
    const plan = planCopy(selectRange(10, 40_000), 100_000, 100, pages());
    expect(plan.every((s) => s.kind === 'fetch')).toBe(true);
    expect(rowsIn(plan)).toBe(39_991);
    expect(fetchesIn(plan)).toBe(40);
    expect(plan[0]).toEqual({ kind: 'fetch', from: 10, limit: 1000 });
    expect(plan.at(-1)).toEqual({ kind: 'fetch', from: 39_010, limit: 991 });
  });

  it('takes cached rows from the cache and fetches only the gaps between them', () => {
    // Pages 0-1 on screen when the range started, 399-400 on screen where it ended.
    const plan = planCopy(selectRange(10, 40_000), 100_000, 100, pages(0, 1, 399, 400), 5000);
    expect(
      plan.map((s) => (s.kind === 'cached' ? ['cached', s.from, s.rows.length] : ['fetch', s.from, s.limit])),
    ).toEqual([
      ['cached', 10, 190],
      ['fetch', 200, 5000],
      ['fetch', 5200, 5000],
      ['fetch', 10_200, 5000],
      ['fetch', 15_200, 5000],
      ['fetch', 20_200, 5000],
      ['fetch', 25_200, 5000],
      ['fetch', 30_200, 5000],
      ['fetch', 35_200, 4700],
      ['cached', 39_900, 101],
    ]);
    expect((plan[0] as Extract<CopySegment<number>, { kind: 'cached' }>).rows[0]).toBe(10);
    expect(rowsIn(plan)).toBe(39_991);
  });

  it('keeps separate ranges separate and stops at the end of the list', () => {
    const sel = normalize([
      [5, 7],
      [250, 260],
      [990, 2000],
    ]);
    const plan = planCopy(sel, 1000, 100, pages(2));
    expect(plan).toEqual([
      { kind: 'fetch', from: 5, limit: 3 },
      { kind: 'cached', from: 250, rows: Array.from({ length: 11 }, (_, i) => 250 + i) },
      { kind: 'fetch', from: 990, limit: 10 },
    ]);
  });

  it('fetches a cached page that is short of the rows asked (the list grew since)', () => {
    const short = (p: number): number[] | undefined => (p === 0 ? [0, 1, 2] : undefined);
    expect(planCopy(selectRange(0, 9), 50, 100, short)).toEqual([{ kind: 'fetch', from: 0, limit: 10 }]);
  });

  it('refuses more than the cap, pointing to Export', () => {
    expect(copyRefusal(100_000)).toBeNull();
    expect(copyRefusal(150_000)).toBe(
      '150,000 rows are selected; Copy takes at most 100,000. Use Export (CSV or Excel) for more.',
    );
  });
});

describe('running a copy', () => {
  it('returns every line in selection order, cached and fetched, with progress', async () => {
    const s = source(100_000, 1);
    const plan = planCopy(
      normalize([
        [10, 4000],
        [9000, 9005],
      ]),
      100_000,
      100,
      pages(0, 20),
    );
    const progress: number[] = [];
    const lines = await runCopy(plan, {
      fetch: s.fetch,
      line,
      signal: new AbortController().signal,
      onProgress: (n) => progress.push(n),
    });
    expect(lines).toHaveLength(3991 + 6);
    expect(lines[0]).toBe('row 10');
    expect(lines[3990]).toBe('row 4000');
    expect(lines.at(-1)).toBe('row 9005');
    const expected = [...Array.from({ length: 3991 }, (_, i) => 10 + i), 9000, 9001, 9002, 9003, 9004, 9005];
    expect(lines).toEqual(expected.map(line));
    expect(progress.at(-1)).toBe(3997);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // Page 20 (rows 2000-2099) came from the cache.
    expect(s.calls.some(([o, l]) => o <= 2050 && 2050 < o + l)).toBe(false);
    expect(s.inflight.max).toBe(2);
  });

  it('stops fetching when cancelled and rejects with the abort', async () => {
    const s = source(100_000, 5);
    const ac = new AbortController();
    const run = runCopy(planCopy(selectRange(0, 39_999), 100_000, 100, pages()), {
      fetch: s.fetch,
      line,
      signal: ac.signal,
      onProgress: (n) => {
        if (n >= 3000) ac.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    await new Promise((r) => setTimeout(r, 30));
    expect(s.calls.length).toBeLessThan(8);
  });

  it('fails with the first failed request and starts no more', async () => {
    let calls = 0;
    const run = runCopy(planCopy(selectRange(0, 20_000), 100_000, 100, pages()), {
      fetch: async (offset, limit) => {
        calls++;
        await new Promise((r) => setTimeout(r, 1));
        if (offset === 2000) throw new Error('engine unreachable');
        return { items: Array.from({ length: limit }, (_, i) => offset + i), total: 100_000 };
      },
      line,
      signal: new AbortController().signal,
    });
    await expect(run).rejects.toThrow('engine unreachable');
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBeLessThanOrEqual(4);
  });

  it('copies what is there when the list shrank during the copy', async () => {
    const s = source(2500);
    const lines = await runCopy(planCopy(selectRange(0, 2999), 3000, 100, pages()), {
      fetch: s.fetch,
      line,
      signal: new AbortController().signal,
    });
    expect(lines).toHaveLength(2500);
    expect(lines.at(-1)).toBe('row 2499');
  });

  it('hands the main thread back between batches', async () => {
    let yields = 0;
    await runCopy(planCopy(selectRange(0, 9999), 10_000, 100, pages(0, 1, 2)), {
      fetch: source(10_000).fetch,
      line,
      signal: new AbortController().signal,
      yieldToUi: async () => {
        yields++;
      },
    });
    // One per cached stretch batch and one per request.
    expect(yields).toBe(1 + 10);
  });
});
