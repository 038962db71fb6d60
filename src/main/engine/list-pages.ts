import type Database from 'better-sqlite3';
import type { ListRequest, ListResult } from '../../shared/contract.js';
import { VminerError } from '../../shared/errors.js';
import { fieldDef, type QueryEntity } from '../../shared/fields.js';
import type { QueryPlan } from '../../shared/query.js';
import {
  canSelectJson,
  cursorOf,
  encodeCursor,
  pageQueries,
  preferOrder,
  type SqlQuery,
} from './query/planner.js';
import type { QueryService } from './query/query-service.js';

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
 * Built JSON pages by request, least recently used first, all read at one version of the data:
 * a new version (any write) forgets them all.
 */
export class PageMemory {
  private readonly pages = new Map<string, JsonPage>();
  private bytes = 0;
  private at = -1;

  /** `version()`: the data's version now (see `ListPages.dataVersion`). */
  constructor(private readonly version: () => number) {}

  /** The data's version now; pages remembered at an older one are dropped. */
  current(): number {
    const v = this.version();
    if (v !== this.at) {
      this.pages.clear();
      this.bytes = 0;
      this.at = v;
    }
    return v;
  }

  get(key: string): JsonPage | undefined {
    this.current();
    const hit = this.pages.get(key);
    if (hit !== undefined) {
      // A hit moves to the end: the least recently used go first.
      this.pages.delete(key);
      this.pages.set(key, hit);
    }
    return hit;
  }

  /** Remembers a page built at `version`, unless the data has moved on since. */
  set(key: string, page: JsonPage, version: number): void {
    if (this.current() !== version || page.body.length > CACHE_MAX_PAGE) return;
    this.pages.set(key, page);
    this.bytes += page.body.length;
    for (const [k, v] of this.pages) {
      if (this.bytes <= CACHE_MAX_TOTAL) break;
      this.pages.delete(k);
      this.bytes -= v.body.length;
    }
  }
}

/**
 * Pages of an entity for grids and the REST list routes: `{items, total, nextCursor}` with keyset
 * cursors, as row objects (`page`) or as the JSON bytes of exactly that result (`build`, and
 * `json` which remembers them), which SQLite writes itself — the REST routes send them as they are.
 */
export class ListPages {
  private readonly statements = new Map<string, Database.Statement>();
  private versionStatement: Database.Statement | undefined;
  readonly memory = new PageMemory(() => this.dataVersion());

  constructor(
    private readonly sqlite: Database.Database,
    private readonly query: Pick<QueryService, 'countOf'>,
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
    return { items: withBooleans(req.entity, items), total, nextCursor };
  }

  /**
   * `JSON.stringify(this.page(req))` as UTF-8, without building the rows as objects. Pages are remembered
   * until the data changes: grids and dashboards ask for the same first pages over and over.
   */
  json(req: ListRequest): JsonPage {
    const key = JSON.stringify(req);
    const hit = this.memory.get(key);
    if (hit !== undefined) return hit;
    const version = this.memory.current();
    const page = this.build(req);
    this.memory.set(key, page, version);
    return page;
  }

  /**
   * Moves with every write on this connection — sync, vCenter edits, settings, logout — which is
   * the only connection that writes: a data folder belongs to one engine (its lock file), and
   * every other connection opens it read-only. (`PRAGMA data_version`, which also sees other
   * connections, costs a read transaction: 0.05-0.25 ms a request.)
   */
  dataVersion(): number {
    this.versionStatement ??= this.sqlite.prepare('SELECT total_changes()').pluck();
    return this.versionStatement.get() as number;
  }

  /** `json` without the memory: the page as it is now. */
  build(req: ListRequest): JsonPage {
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
    return jsonPage(rows, req.limit, total);
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

/** Boolean fields as true/false (both back ends give them as 0/1). */
export function withBooleans(
  entity: QueryEntity,
  items: Record<string, unknown>[],
): Record<string, unknown>[] {
  for (const r of items)
    for (const [k, v] of Object.entries(r))
      if (fieldDef(entity, k)?.type === 'boolean' && v !== null) r[k] = v === 1;
  return items;
}

/** A JSON page from its rows as the planner selects them: [row JSON, sort key 0, sort key 1, …]. */
export function jsonPage(rows: [string, ...unknown[]][], limit: number, total: number): JsonPage {
  const last = rows.at(-1);
  const nextCursor = rows.length === limit && last ? cursorOf(last.slice(1)) : null;
  let items = '';
  for (const r of rows) items += items ? `,${r[0]}` : r[0];
  // Kept as bytes: a remembered page is sent again without encoding it again.
  const body = Buffer.from(
    `{"items":[${items}],"total":${total},"nextCursor":${JSON.stringify(nextCursor)}}`,
  );
  return { body, total, nextCursor };
}

export function planOf(req: ListRequest): QueryPlan {
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
