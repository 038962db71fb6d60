import type Database from 'better-sqlite3';
import type { ListRequest, ListResult } from '../../shared/contract.js';
import { VminerError } from '../../shared/errors.js';
import { fieldDef } from '../../shared/fields.js';
import type { QueryPlan } from '../../shared/query.js';
import {
  canSelectJson,
  cursorOf,
  encodeCursor,
  pageQueries,
  preferOrder,
  type SqlQuery,
} from './query/planner.js';
import type { QueryEngine } from './query/query-engine.js';

/** Remembered JSON pages at most, in bytes (about 300 pages of 100 VMs). */
const CACHE_MAX_TOTAL = 32 * 1024 * 1024;
/** A page longer than this (thousands of rows) is not remembered. */
const CACHE_MAX_PAGE = 2 * 1024 * 1024;

/** A list page as the UTF-8 JSON of its `ListResult`, with the two values a response header needs. */
export interface JsonPage {
  body: Buffer;
  total: number;
  nextCursor: string | null;
}

/**
 * Pages of an entity for grids and the REST list routes: `{items, total, nextCursor}` with keyset
 * cursors, as row objects (`page`) or as the JSON bytes of exactly that result (`json`), which
 * SQLite writes itself — the REST routes send them as they are.
 */
export class ListPages {
  private readonly statements = new Map<string, Database.Statement>();
  /** JSON pages by request, all read at `cachedVersion` of the data. */
  private readonly cache = new Map<string, JsonPage>();
  private cachedBytes = 0;
  private cachedVersion = -1;
  private versionStatement: Database.Statement | undefined;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly query: Pick<QueryEngine, 'countOf'>,
  ) {}

  page(req: ListRequest): ListResult {
    const plan = planOf(req);
    const total = this.query.countOf(plan);
    const queries = pageQueries(plan, {
      limit: req.limit,
      cursor: req.cursor,
      offset: req.offset,
      preferOrder: preferOrder(plan, total),
    });
    const items = this.rows<Record<string, unknown>>(queries, req.limit, false);
    // The cursor holds the row's SQL values: taken before booleans become true/false (a cursor
    // with `true` in it would not decode, so paging a list sorted by a boolean field failed).
    const last = items.at(-1);
    const nextCursor = items.length === req.limit && last ? encodeCursor(plan, last) : null;
    for (const r of items)
      for (const [k, v] of Object.entries(r))
        if (fieldDef(req.entity, k)?.type === 'boolean' && v !== null) r[k] = v === 1;
    return { items, total, nextCursor };
  }

  /**
   * `JSON.stringify(this.page(req))` as UTF-8, without building the rows as objects. Pages are remembered
   * until the data changes: grids and dashboards ask for the same first pages over and over.
   */
  json(req: ListRequest): JsonPage {
    const version = this.dataVersion();
    if (version !== this.cachedVersion) {
      this.cache.clear();
      this.cachedBytes = 0;
      this.cachedVersion = version;
    }
    const key = JSON.stringify(req);
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      // Least recently used first: a hit moves to the end.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const page = this.build(req);
    if (page.body.length <= CACHE_MAX_PAGE) {
      this.cache.set(key, page);
      this.cachedBytes += page.body.length;
      for (const [k, v] of this.cache) {
        if (this.cachedBytes <= CACHE_MAX_TOTAL) break;
        this.cache.delete(k);
        this.cachedBytes -= v.body.length;
      }
    }
    return page;
  }

  /**
   * Moves with every write on this connection — sync, vCenter edits, settings, logout — which is
   * the only connection that writes: a data folder belongs to one engine (its lock file), and
   * every other connection opens it read-only. (`PRAGMA data_version`, which also sees other
   * connections, costs a read transaction: 0.05-0.25 ms a request.)
   */
  private dataVersion(): number {
    this.versionStatement ??= this.sqlite.prepare('SELECT total_changes()').pluck();
    return this.versionStatement.get() as number;
  }

  private build(req: ListRequest): JsonPage {
    if (!canSelectJson(req.entity)) {
      const page = this.page(req);
      return { body: Buffer.from(JSON.stringify(page)), total: page.total, nextCursor: page.nextCursor };
    }
    const plan = planOf(req);
    const total = this.query.countOf(plan);
    const queries = pageQueries(plan, {
      limit: req.limit,
      cursor: req.cursor,
      offset: req.offset,
      preferOrder: preferOrder(plan, total),
      json: true,
    });
    // Each row: [row JSON, sort key 0, sort key 1, …].
    const rows = this.rows<[string, ...unknown[]]>(queries, req.limit, true);
    const last = rows.at(-1);
    const nextCursor = rows.length === req.limit && last ? cursorOf(last.slice(1)) : null;
    let items = '';
    for (const r of rows) items += items ? `,${r[0]}` : r[0];
    // Kept as bytes: a remembered page is sent again without encoding it again.
    const body = Buffer.from(
      `{"items":[${items}],"total":${total},"nextCursor":${JSON.stringify(nextCursor)}}`,
    );
    return { body, total, nextCursor };
  }

  /** Runs a page's statements in order until it has `limit` rows (see `pageQueries`). */
  private rows<T>(queries: SqlQuery[], limit: number, raw: boolean): T[] {
    const [head, ...rest] = queries;
    const rows = this.statement(head!.sql, raw).all(...head!.params) as T[];
    for (const q of rest) {
      if (rows.length >= limit) break;
      const more = this.statement(q.sql, raw).all(...q.params.slice(0, -1), limit - rows.length) as T[];
      for (const r of more) rows.push(r);
    }
    return rows;
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
