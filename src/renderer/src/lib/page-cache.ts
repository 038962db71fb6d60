export interface Page<T> {
  items: T[];
  total: number;
}

/**
 * The rows a virtual grid has seen, fetched a page at a time by offset and kept for the most
 * recently used pages only: scrolling 100k rows never holds 100k rows. A new generation (filter,
 * sort or data changed) drops everything and ignores answers still in flight.
 */
export class PageCache<T> {
  /** Rows per page, with the data version they were read at. */
  private pages = new Map<number, { rows: T[]; version: number }>();
  private version = 0;
  private inflight = new Set<number>();
  private generation = 0;
  total: number | null = null;
  error: string | null = null;
  /** Pages requested, and pages that arrived (a grid re-renders its rows when this moves). */
  fetches = 0;
  loads = 0;

  constructor(
    private readonly fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
    private readonly onChange: () => void,
    readonly pageSize = 100,
    private readonly maxPages = 40,
  ) {}

  reset(): void {
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
    this.error = null;
  }

  /**
   * The data changed (a sync, a live update) but not the question: the rows on screen stay until
   * their page is read again, so a grid refreshes in place instead of blanking.
   */
  invalidate(): void {
    this.version++;
  }

  get(index: number): T | undefined {
    const p = Math.floor(index / this.pageSize);
    const page = this.pages.get(p);
    if (!page) return undefined;
    // Touch: most recently used pages are the last ones in the map.
    this.pages.delete(p);
    this.pages.set(p, page);
    return page.rows[index - p * this.pageSize];
  }

  /**
   * A cached page's rows if they were read at the current data version, without touching the
   * LRU order (a copy reads every page of its range; that must not evict the pages in view).
   */
  currentPage(p: number): readonly T[] | undefined {
    const page = this.pages.get(p);
    return page?.version === this.version ? page.rows : undefined;
  }

  /** Makes sure rows `from..to` (inclusive) are loaded or loading. */
  ensure(from: number, to: number): void {
    const first = Math.max(0, Math.floor(from / this.pageSize));
    const last = Math.max(first, Math.floor(Math.max(from, to) / this.pageSize));
    for (let p = first; p <= last; p++) {
      if (this.inflight.has(p) || this.pages.get(p)?.version === this.version) continue;
      if (this.total !== null && p * this.pageSize >= this.total && p > 0) continue;
      void this.load(p);
    }
  }

  private async load(p: number): Promise<void> {
    const gen = this.generation;
    const version = this.version;
    this.inflight.add(p);
    this.fetches++;
    try {
      const r = await this.fetchPage(p * this.pageSize, this.pageSize);
      if (gen !== this.generation) return;
      this.pages.set(p, { rows: r.items, version });
      this.loads++;
      this.total = r.total;
      this.error = null;
      while (this.pages.size > this.maxPages) {
        const oldest = this.pages.keys().next().value as number;
        this.pages.delete(oldest);
      }
    } catch (e) {
      if (gen !== this.generation) return;
      this.error = (e as Error).message;
    } finally {
      if (gen === this.generation) this.inflight.delete(p);
    }
    this.onChange();
  }

  get loadedPages(): number {
    return this.pages.size;
  }
}
