import type { ListRequest, ListResult } from '../../shared/contract.js';
import { jsonPage, planOf, withBooleans, type JsonPage } from './list-pages.js';
import { encodeCursor, pageQueries, preferOrder, type SqlQuery } from './query/planner.js';
import type { PgQueryBackend } from './query/pg-backend.js';
import type { QueryService } from './query/query-service.js';
import type { Row } from './query/reading.js';

/**
 * The list pages of `ListPages` on a team server's PostgreSQL: the same plans, cursors and
 * results, with the statements in the planner's 'pg' dialect and run through a pool. JSON pages
 * are built by PostgreSQL (`row_to_json`, keys in the row's order) for every entity: its
 * doubles print in the shortest form that reads back exactly, as JavaScript's do, so the pages
 * parse to the same values as SQLite's (the text differs in spacing only).
 */
export class PgListPages {
  constructor(
    private readonly backend: PgQueryBackend,
    private readonly query: Pick<QueryService, 'countOfAsync'>,
  ) {}

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
    const items = await this.rows(queries, req.limit);
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
    const rows = (await this.rows(queries, req.limit)).map((r) => Object.values(r) as [string, ...unknown[]]);
    return jsonPage(rows, req.limit, total);
  }

  /** Runs a page's statements in order until it has `limit` rows (see `pageQueries`). */
  private async rows(queries: SqlQuery[], limit: number): Promise<Row[]> {
    const [head, ...rest] = queries;
    const rows = await this.backend.all(head!);
    for (const q of rest) {
      if (rows.length >= limit) break;
      const more = await this.backend.all({
        sql: q.sql,
        params: [...q.params.slice(0, -1), limit - rows.length],
      });
      for (const r of more) rows.push(r);
    }
    return rows;
  }
}
