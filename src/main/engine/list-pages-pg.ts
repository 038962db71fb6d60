import type { ListRequest, ListResult } from '../../shared/contract.js';
import { jsonPage, PageMemory, planOf, withBooleans, type JsonPage } from './list-pages.js';
import { encodeCursor, pageQueries, preferOrder, type SqlQuery } from './query/planner.js';
import type { PgQueryBackend } from './query/pg-backend.js';
import type { QueryService } from './query/query-service.js';

/**
 * The list pages of `ListPages` on a team server's PostgreSQL: the same plans, cursors and
 * results, with the statements in the planner's 'pg' dialect and run through a pool. JSON pages
 * are built by PostgreSQL (`row_to_json`, keys in the row's order) for every entity: its
 * doubles print in the shortest form that reads back exactly, as JavaScript's do, so the pages
 * parse to the same values as SQLite's (the text differs in spacing only).
 *
 * Built pages are remembered (`json`) as `ListPages` remembers SQLite's, until the inventory
 * changes: the engine calls `changed()` on every `inventory:changed`, whichever instance wrote,
 * the same signal that drops the query service's cached totals. While the notification listener
 * is not listening (`fresh` says so), another instance's writes would go unheard: nothing is
 * remembered then, and the reconnect counts as a change.
 */
export class PgListPages {
  #version = 0;
  readonly #inflight = new Map<string, Promise<JsonPage>>();
  readonly memory = new PageMemory(() => this.#version);

  constructor(
    private readonly backend: PgQueryBackend,
    private readonly query: Pick<QueryService, 'countOfAsync'>,
    private readonly fresh: () => boolean = () => true,
  ) {}

  /** The inventory changed (or may have): remembered pages are forgotten. */
  changed(): void {
    this.#version++;
  }

  /**
   * `build(req)`, remembered until the inventory changes: grids and REST clients ask for the same
   * first pages over and over. Requests for a page being built wait for that build (clients that
   * open the same list at once cost one statement); a page whose build overlapped a change is not
   * remembered.
   */
  async json(req: ListRequest): Promise<JsonPage> {
    const key = JSON.stringify(req);
    const hit = this.memory.get(key);
    if (hit !== undefined) return hit;
    const version = this.memory.current();
    const flightKey = `${version}\u0000${key}`;
    const flying = this.#inflight.get(flightKey);
    if (flying) return flying;
    const remember = this.fresh();
    const build = this.build(req).then((page) => {
      if (remember && this.fresh()) this.memory.set(key, page, version);
      return page;
    });
    this.#inflight.set(flightKey, build);
    try {
      return await build;
    } finally {
      this.#inflight.delete(flightKey);
    }
  }

  async page(req: ListRequest): Promise<ListResult> {
    const plan = planOf(req);
    const total = await this.query.countOfAsync(plan);
    const queries = pageQueries(plan, {
      limit: req.limit,
      cursor: req.cursor,
      offset: req.offset,
      preferOrder: preferOrder(plan, total),
      dialect: 'pg',
    });
    const items = await this.rows(queries, req.limit, (q) => this.backend.all(q));
    // The cursor holds the row's SQL values (booleans as 0/1), as on SQLite.
    const last = items.at(-1);
    const nextCursor = items.length === req.limit && last ? encodeCursor(plan, last) : null;
    return { items: withBooleans(req.entity, items), total, nextCursor };
  }

  /** The page as the UTF-8 JSON of its `ListResult`, written by PostgreSQL. */
  async build(req: ListRequest): Promise<JsonPage> {
    const plan = planOf(req);
    const total = await this.query.countOfAsync(plan);
    const queries = pageQueries(plan, {
      limit: req.limit,
      cursor: req.cursor,
      offset: req.offset,
      preferOrder: preferOrder(plan, total),
      json: true,
      dialect: 'pg',
    });
    // Each row: [row JSON, sort key 0, sort key 1, …], read as an array (no object per row).
    const rows = await this.rows(queries, req.limit, (q) => this.backend.arrays(q));
    return jsonPage(rows as [string, ...unknown[]][], req.limit, total);
  }

  /** Runs a page's statements in order until it has `limit` rows (see `pageQueries`). */
  private async rows<T>(
    queries: SqlQuery[],
    limit: number,
    run: (q: SqlQuery) => Promise<T[]>,
  ): Promise<T[]> {
    const [head, ...rest] = queries;
    const rows = await run(head!);
    for (const q of rest) {
      if (rows.length >= limit) break;
      const more = await run({
        sql: q.sql,
        params: [...q.params.slice(0, -1), limit - rows.length],
      });
      for (const r of more) rows.push(r);
    }
    return rows;
  }
}
