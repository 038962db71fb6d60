import { describe, expect, it } from 'vitest';
import { PageCache, type Page } from './page-cache.js';

function source(total: number): { calls: number[]; fetch: (o: number, l: number) => Promise<Page<number>> } {
  const calls: number[] = [];
  return {
    calls,
    fetch: async (offset, limit) => {
      calls.push(offset);
      const items = Array.from(
        { length: Math.max(0, Math.min(limit, total - offset)) },
        (_, i) => offset + i,
      );
      return { items, total };
    },
  };
}
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('PageCache', () => {
  it('fetches each page once, by offset, and serves rows from it', async () => {
    const s = source(1000);
    const c = new PageCache(s.fetch, () => {}, 100, 5);
    c.ensure(150, 260);
    c.ensure(150, 260);
    await settle();
    expect(s.calls).toEqual([100, 200]);
    expect(c.get(150)).toBe(150);
    expect(c.get(299)).toBe(299);
    expect(c.get(300)).toBeUndefined();
    expect(c.total).toBe(1000);
  });

  it('keeps only the most recently used pages', async () => {
    const s = source(10_000);
    const c = new PageCache(s.fetch, () => {}, 100, 3);
    for (const p of [0, 1, 2]) c.ensure(p * 100, p * 100);
    await settle();
    c.get(0); // page 0 is now the most recent
    c.ensure(500, 500);
    await settle();
    expect(c.loadedPages).toBe(3);
    expect(c.get(0)).toBe(0);
    expect(c.get(100)).toBeUndefined();
  });

  it('drops answers that arrive after a reset (filter or sort changed)', async () => {
    let release: () => void = () => {};
    const c = new PageCache<number>(
      (o) => new Promise((r) => (release = () => r({ items: [o + 1], total: 1 }))),
      () => {},
      100,
    );
    c.ensure(0, 0);
    c.reset();
    release();
    await settle();
    expect(c.get(0)).toBeUndefined();
  });

  it('after a data change, shows the old rows until the page is read again', async () => {
    let base = 0;
    const c = new PageCache<number>(
      async (o, l) => ({ items: Array.from({ length: l }, (_, i) => base + o + i), total: 1000 }),
      () => {},
    );
    c.ensure(0, 0);
    await settle();
    expect(c.get(5)).toBe(5);
    base = 10_000;
    c.invalidate();
    expect(c.get(5)).toBe(5); // still on screen
    c.ensure(0, 0);
    await settle();
    expect(c.get(5)).toBe(10_005);
    c.ensure(0, 0); // fresh now: no new read
    await settle();
    expect(c.fetches).toBe(2);
  });

  it('hands a copy only current pages, without reordering the LRU', async () => {
    const s = source(10_000);
    const c = new PageCache(s.fetch, () => {}, 100, 2);
    c.ensure(0, 0);
    c.ensure(100, 100);
    await settle();
    expect(c.currentPage(0)?.[7]).toBe(7);
    expect(c.currentPage(5)).toBeUndefined();
    // Page 0 is still the least recently used: the next page evicts it, not page 1.
    c.ensure(200, 200);
    await settle();
    expect(c.currentPage(0)).toBeUndefined();
    expect(c.currentPage(1)?.[0]).toBe(100);
    c.invalidate();
    expect(c.currentPage(1)).toBeUndefined(); // stale rows are fetched again for a copy
  });

  it('keeps the error of a failed page for the grid to show', async () => {
    const c = new PageCache<number>(
      async () => Promise.reject(new Error('server gone')),
      () => {},
    );
    c.ensure(0, 10);
    await settle();
    expect(c.error).toBe('server gone');
  });

  it('does not ask beyond the end once the total is known', async () => {
    const s = source(150);
    const c = new PageCache(s.fetch, () => {}, 100);
    c.ensure(0, 0);
    await settle();
    c.ensure(0, 900);
    await settle();
    expect(s.calls).toEqual([0, 100]);
  });
});
