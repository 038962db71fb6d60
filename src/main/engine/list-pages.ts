import type Database from 'better-sqlite3';
import type { ListRequest, ListResult } from '../../shared/contract.js';
import { VminerError } from '../../shared/errors.js';
import { fieldDef } from '../../shared/fields.js';
import type { QueryPlan } from '../../shared/query.js';
import { canSelectJson, cursorOf, encodeCursor, pageQuery, preferOrder } from './query/planner.js';
import type { QueryEngine } from './query/query-engine.js';

/**
 * Pages of an entity for grids and the REST list routes: `{items, total, nextCursor}` with keyset
 * cursors, as row objects (`page`) or as the JSON text of exactly that result (`json`), which
 * SQLite writes itself — the REST routes send it as it is.
 */
export class ListPages {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly sqlite: Database.Database,
    private readonly query: Pick<QueryEngine, 'countOf'>,
  ) {}

  page(req: ListRequest): ListResult {
    const plan = planOf(req);
    const total = this.query.countOf(plan);
    const q = pageQuery(plan, {
      limit: req.limit,
      cursor: req.cursor,
      offset: req.offset,
      preferOrder: preferOrder(plan, total),
    });
    const items = this.statement(q.sql, false).all(...q.params) as Record<string, unknown>[];
    // The cursor holds the row's SQL values: taken before booleans become true/false (a cursor
    // with `true` in it would not decode, so paging a list sorted by a boolean field failed).
    const last = items.at(-1);
    const nextCursor = items.length === req.limit && last ? encodeCursor(plan, last) : null;
    for (const r of items)
      for (const [k, v] of Object.entries(r))
        if (fieldDef(req.entity, k)?.type === 'boolean' && v !== null) r[k] = v === 1;
    return { items, total, nextCursor };
  }

  /** `JSON.stringify(this.page(req))`, without building the rows as objects. */
  json(req: ListRequest): string {
    if (!canSelectJson(req.entity)) return JSON.stringify(this.page(req));
    const plan = planOf(req);
    const total = this.query.countOf(plan);
    const q = pageQuery(plan, {
      limit: req.limit,
      cursor: req.cursor,
      offset: req.offset,
      preferOrder: preferOrder(plan, total),
      json: true,
    });
    // Each row: [row JSON, sort key 0, sort key 1, …].
    const rows = this.statement(q.sql, true).all(...q.params) as [string, ...unknown[]][];
    const last = rows.at(-1);
    const nextCursor = rows.length === req.limit && last ? cursorOf(last.slice(1)) : null;
    let items = '';
    for (const r of rows) items += items ? `,${r[0]}` : r[0];
    return `{"items":[${items}],"total":${total},"nextCursor":${JSON.stringify(nextCursor)}}`;
  }

  private statement(sql: string, raw: boolean): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.sqlite.prepare(sql);
      if (raw) stmt.raw(true);
      if (this.statements.size > 200) this.statements.clear();
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}

function planOf(req: ListRequest): QueryPlan {
  const plan: QueryPlan = { entity: req.entity };
  if (req.filter) plan.filter = req.filter;
  if (req.sort) {
    for (const s of req.sort) {
      if (!fieldDef(req.entity, s.field))
        throw new VminerError('INVALID_INPUT', `cannot sort ${req.entity} by "${s.field}"`);
    }
    plan.sort = req.sort;
  }
  return plan;
}
