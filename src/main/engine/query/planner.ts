import { getTableColumns } from 'drizzle-orm';
import { dict } from '../../../shared/own.js';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { FIELDS, fieldDef, type FieldDef, type QueryEntity } from '../../../shared/fields.js';
import { VminerError } from '../../../shared/errors.js';
import type { Filter, QueryPlan } from '../../../shared/query.js';
import { ENTITY_TABLES } from '../db/inventory-store.js';
import { changes as changesTable } from '../db/schema.js';
import { getTableConfig } from 'drizzle-orm/sqlite-core';

import {
  aggregateExpr,
  boolParam,
  folded,
  joinVcenters,
  likeOp,
  listAgg,
  nocaseCompare,
  orderTerm,
  SqlParams,
  sqlFalse,
  sqlTrue,
  wholeDaysSince,
  type Dialect,
  type Param,
  type SqlQuery,
} from './sql-dialect.js';

export type { Dialect, SqlQuery } from './sql-dialect.js';

/** A vCenter "table" with the same shape as the others: one row per vCenter with its sync state. */
const VCENTER_SOURCE = `(SELECT v.id AS vcenter_id, v.name AS name, v.url AS url, v.version AS version,
  COALESCE(s.status, 'idle') AS status, s.last_success_at AS last_success_at,
  (SELECT count(*) FROM vms x WHERE x.vcenter_id = v.id) AS vm_count,
  (SELECT count(*) FROM hosts x WHERE x.vcenter_id = v.id) AS host_count
  FROM vcenters v LEFT JOIN sync_state s ON s.vcenter_id = v.id)`;

const VCENTER_COLUMNS: Record<string, string> = {
  name: 'name',
  url: 'url',
  version: 'version',
  status: 'status',
  lastSuccessAt: 'last_success_at',
  vmCount: 'vm_count',
  hostCount: 'host_count',
};

/** The change history's fields: its own table, with the vCenter's name as recorded. */
const CHANGE_COLUMNS: Record<string, string> = {
  at: 'at',
  vcenter: 'vcenter',
  entity: 'entity',
  object: 'object_name',
  kind: 'kind',
  field: 'field',
  old: 'old_value',
  new: 'new_value',
  source: 'source',
};

/** Live tables whose objects a history question names ("what happened to web-01"). */
const NAMED_TABLES = ['vms', 'hosts', 'clusters', 'datastores', 'networks', 'datacenters', 'snapshots'];

/**
 * The history rows of the objects a name stands for, now or in the history: a rename keeps an
 * object's rows together by its key (vCenter id + moid).
 */
function objectNamedSql(b: SqlParams, name: string): string {
  const parts = [
    `SELECT vcenter_id, moid FROM changes WHERE ${nocaseCompare(b.dialect, 'object_name', b.bind(name))}`,
  ];
  for (const t of NAMED_TABLES)
    parts.push(`SELECT vcenter_id, moid FROM "${t}" WHERE ${nocaseCompare(b.dialect, 'name', b.bind(name))}`);
  return `(t.vcenter_id, t.moid) IN (${parts.join(' UNION ')})`;
}

/** A vCenter of the history: by the name it had then, or the one it has now (as changes.list reads it). */
function historyVcenterSql(b: SqlParams, name: string, negate: boolean): string {
  const d = b.dialect;
  const recorded = nocaseCompare(d, 't.vcenter', b.bind(name));
  return `${negate ? 'NOT ' : ''}(${recorded} OR t.vcenter_id IN (SELECT id FROM vcenters WHERE ${nocaseCompare(d, 'name', b.bind(name))}))`;
}

/** `t.vcenter_id` among the vCenters of that name (now). */
function vcenterNamedSql(b: SqlParams, name: string, negate: boolean): string {
  return `t.vcenter_id ${negate ? 'NOT ' : ''}IN (SELECT id FROM vcenters WHERE ${nocaseCompare(b.dialect, 'name', b.bind(name))})`;
}

/**
 * Fields computed from child tables: a row's tags (`Category: tag`) and custom attributes
 * (`name=value`), as lists. `$` stands for the row's table alias.
 */
const tagList = (d: Dialect): string =>
  `(SELECT ${listAgg(d, "x.category || ': ' || x.name")} FROM tag_assignments x WHERE x.vcenter_id = $.vcenter_id AND x.object_moid = $.moid)`;
const attributeList = (d: Dialect, table: string, owner: string): string =>
  `(SELECT ${listAgg(d, "x.name || '=' || COALESCE(x.value, '')")} FROM ${table} x WHERE x.vcenter_id = $.vcenter_id AND x.${owner} = $.moid)`;
/** Also worked out from stored columns when read: a datastore's used space, a snapshot's age in whole days. */
/** An object's latest change: one seek of the history's (vcenter_id, moid, at) index per row shown. */
const lastChanged = `(SELECT max(x.at) FROM changes x WHERE x.vcenter_id = $.vcenter_id AND x.moid = $.moid)`;
const computed = (d: Dialect): Partial<Record<QueryEntity, Record<string, string>>> => ({
  vms: {
    tags: tagList(d),
    attributes: attributeList(d, 'vm_custom_values', 'vm_moid'),
    lastChangedAt: lastChanged,
  },
  hosts: {
    tags: tagList(d),
    attributes: attributeList(d, 'host_custom_values', 'host_moid'),
    lastChangedAt: lastChanged,
  },
  clusters: { tags: tagList(d), lastChangedAt: lastChanged },
  datastores: {
    tags: tagList(d),
    usedBytes: '($."capacity_bytes" - $."free_bytes")',
    lastChangedAt: lastChanged,
  },
  networks: { tags: tagList(d), lastChangedAt: lastChanged },
  snapshots: { ageDays: wholeDaysSince(d, '$."created_at"') },
});

type ColumnMaps = Record<QueryEntity, Record<string, string>>;

/** field → SQL expression with `$` for the table alias, per entity, from the drizzle schema (stated once). */
function columnSql(d: Dialect): ColumnMaps {
  const extra = computed(d);
  return Object.fromEntries(
    (Object.keys(FIELDS) as QueryEntity[]).map((entity) => {
      const map: Record<string, string> = dict({});
      if (entity === 'vcenters') {
        for (const [f, c] of Object.entries(VCENTER_COLUMNS)) map[f] = `$."${c}"`;
      } else if (entity === 'changes') {
        for (const [f, c] of Object.entries(CHANGE_COLUMNS)) map[f] = `$."${c}"`;
      } else {
        const cols = getTableColumns(ENTITY_TABLES[entity]) as Record<string, SQLiteColumn>;
        for (const f of Object.keys(FIELDS[entity])) {
          if (f === 'vcenter') map[f] = 'vc."name"';
          else if (cols[f]) map[f] = `$."${cols[f].name}"`;
          else if (extra[entity]?.[f]) map[f] = extra[entity][f];
        }
      }
      return [entity, map];
    }),
  ) as ColumnMaps;
}

/** field → SQL expression on the list's table (alias `t`). */
function columnExprs(sql: ColumnMaps): ColumnMaps {
  return Object.fromEntries(
    Object.entries(sql).map(([entity, map]) => [
      entity,
      dict(Object.fromEntries(Object.entries(map).map(([f, e]) => [f, e.replaceAll('$.', 't.')]))),
    ]),
  ) as ColumnMaps;
}

const COLUMN_SQL: Record<Dialect, ColumnMaps> = { sqlite: columnSql('sqlite'), pg: columnSql('pg') };
const COLUMN_EXPR: Record<Dialect, ColumnMaps> = {
  sqlite: columnExprs(COLUMN_SQL.sqlite),
  pg: columnExprs(COLUMN_SQL.pg),
};

function fromClause(entity: QueryEntity, d: Dialect, needsVcenter = true): string {
  if (entity === 'vcenters') return `FROM ${VCENTER_SOURCE} t`;
  // The history records the vCenter's name: no join (a removed vCenter's history stays readable).
  if (entity === 'changes') return 'FROM "changes" t';
  const table = getTableConfig(ENTITY_TABLES[entity]).name;
  // CROSS JOIN keeps the inventory table as the outer loop, so its indexes serve WHERE and ORDER BY.
  return needsVcenter
    ? `FROM "${table}" t ${joinVcenters(d)} vcenters vc ON vc.id = t.vcenter_id`
    : `FROM "${table}" t`;
}

/** Counts and groups skip the join to vcenters unless a vCenter name is asked for. */
function usesVcenter(plan: QueryPlan): boolean {
  const walk = (f: Filter | undefined): boolean =>
    !!f &&
    (f.kind === 'and' || f.kind === 'or'
      ? f.filters.some(walk)
      : f.kind === 'not'
        ? walk(f.filter)
        : f.kind === 'has'
          ? false
          : f.field === 'vcenter');
  return walk(plan.filter) || plan.groupBy === 'vcenter';
}

export function columnExpr(entity: QueryEntity, field: string, d: Dialect = 'sqlite'): string {
  const e = COLUMN_EXPR[d][entity][field];
  if (!e) throw new VminerError('INVALID_INPUT', `unknown field "${field}" for ${entity}`);
  return e;
}

/**
 * Where a filter's fields come from: a list's own table (`t`), or the related table of a `has`
 * filter (`r1`, `r2`… when nested).
 */
interface Scope {
  entity: QueryEntity | null;
  label: string;
  column(field: string): string;
  def(field: string): FieldDef | undefined;
  /** How `has` finds this scope's related rows. */
  relations: Record<string, Relation>;
  depth: number;
}

interface Relation {
  table: string;
  /** The related table's column naming the owner row. */
  owner: string;
  /** The related rows' fields: an entity's catalog, or a small one of its own. */
  entity?: QueryEntity;
  fields?: Record<string, { column: string; def: FieldDef }>;
}

const text = (label: string): FieldDef => ({ type: 'text', label });
const ATTRIBUTES = (table: string, owner: string): Relation => ({
  table,
  owner,
  fields: {
    name: { column: 'name', def: text('Attribute') },
    value: { column: 'value', def: text('Value') },
  },
});
const TAGS: Relation = { table: 'tag_assignments', owner: 'object_moid', entity: 'tags' };

/** The relations `has` filters may name, per entity. */
export const RELATIONS: Partial<Record<QueryEntity, Record<string, Relation>>> = {
  vms: {
    disks: { table: 'vm_disks', owner: 'vm_moid', entity: 'disks' },
    nics: { table: 'vm_nics', owner: 'vm_moid', entity: 'nics' },
    partitions: { table: 'vm_partitions', owner: 'vm_moid', entity: 'partitions' },
    tags: TAGS,
    attributes: ATTRIBUTES('vm_custom_values', 'vm_moid'),
  },
  hosts: { tags: TAGS, attributes: ATTRIBUTES('host_custom_values', 'host_moid') },
  clusters: { tags: TAGS },
  datastores: { tags: TAGS },
  networks: { tags: TAGS },
};

function entityScope(entity: QueryEntity, d: Dialect): Scope {
  return {
    entity,
    label: entity,
    column: (field) => columnExpr(entity, field, d),
    def: (field) => fieldDef(entity, field),
    relations: RELATIONS[entity] ?? {},
    depth: 0,
  };
}

function relationScope(rel: Relation, name: string, alias: string, depth: number, d: Dialect): Scope {
  const unknown = (field: string): never => {
    throw new VminerError('INVALID_INPUT', `unknown field "${field}" for ${name}`);
  };
  if (rel.entity) {
    const entity = rel.entity;
    return {
      entity,
      label: name,
      column: (field) => {
        const sql = field === 'vcenter' ? undefined : COLUMN_SQL[d][entity][field];
        return sql ? sql.replaceAll('$.', `${alias}.`) : unknown(field);
      },
      def: (field) => (field === 'vcenter' ? undefined : fieldDef(entity, field)),
      relations: {},
      depth,
    };
  }
  const fields = rel.fields ?? {};
  return {
    entity: null,
    label: name,
    column: (field) => (fields[field] ? `${alias}."${fields[field].column}"` : unknown(field)),
    def: (field) => fields[field]?.def,
    relations: {},
    depth,
  };
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function globToLike(s: string): string {
  return likeEscape(s).replace(/\*/g, '%').replace(/\?/g, '_');
}

/**
 * How filter terms may use indexes: `unindexed` puts a unary + before columns, which keeps SQLite
 * from using an index for the term (see `preferOrder`) — except for an equality on a field in
 * `keepEq`, in the filter's top-level AND, whose index also serves the order (`eqServingOrder`).
 */
interface IndexUse {
  unindexed: boolean;
  keepEq?: ReadonlySet<string>;
}

function compile(scope: Scope, f: Filter, b: SqlParams, use: IndexUse = { unindexed: false }): string {
  const entity = scope.entity;
  const d = b.dialect;
  // PostgreSQL has no unary + on text; it picks its plan from statistics instead (see `preferOrder`).
  const colOf = (field: string, eq = false): string =>
    (use.unindexed && d === 'sqlite' && !(eq && use.keepEq?.has(field)) ? '+' : '') + scope.column(field);
  // Below an OR or a NOT every term goes unindexed: only a top-level equality narrows a seek.
  const nested: IndexUse = { unindexed: use.unindexed };
  const like = likeOp(d);
  switch (f.kind) {
    case 'and':
    case 'or': {
      if (f.filters.length === 0) return f.kind === 'and' ? sqlTrue(d) : sqlFalse(d);
      const inner = f.kind === 'and' ? use : nested;
      return `(${f.filters.map((x) => compile(scope, x, b, inner)).join(f.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
    case 'not':
      // NULL-safe: "not in cluster X" keeps VMs that have no cluster.
      return `NOT COALESCE(${compile(scope, f.filter, b, nested)}, ${sqlFalse(d)})`;
    case 'has': {
      const rel = scope.relations[f.relation];
      if (!rel || scope.depth > 0) {
        const names = Object.keys(scope.relations);
        throw new VminerError(
          'INVALID_INPUT',
          `${scope.label} have no related "${f.relation}"${names.length ? `; they have: ${names.join(', ')}` : ''}`,
        );
      }
      const alias = `r${scope.depth + 1}`;
      const inner = f.filter
        ? ` AND (${compile(relationScope(rel, f.relation, alias, scope.depth + 1, d), f.filter, b, { unindexed: false })})`
        : '';
      return `EXISTS (SELECT 1 FROM "${rel.table}" ${alias} WHERE ${alias}.vcenter_id = t.vcenter_id AND ${alias}."${rel.owner}" = t.moid${inner})`;
    }
    case 'cmp': {
      if (entity === 'changes' && scope.depth === 0 && f.field === 'object' && f.op === 'eq')
        return objectNamedSql(b, String(f.value));
      if (
        entity === 'changes' &&
        scope.depth === 0 &&
        f.field === 'vcenter' &&
        (f.op === 'eq' || f.op === 'ne')
      )
        return historyVcenterSql(b, String(f.value), f.op === 'ne');
      if (
        f.field === 'vcenter' &&
        (f.op === 'eq' || f.op === 'ne') &&
        entity !== 'vcenters' &&
        entity !== 'changes' &&
        scope.depth === 0
      )
        return vcenterNamedSql(b, String(f.value), f.op === 'ne');
      const col = colOf(f.field, f.op === 'eq');
      const type = scope.def(f.field)?.type;
      const ops = { eq: '=', ne: '!=', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;
      if (type === 'boolean') {
        const v = boolParam(d, f.value === true || f.value === 'true');
        return `COALESCE(${col}, ${sqlFalse(d)}) ${f.op === 'ne' ? '!=' : '='} ${b.bind(v)}`;
      }
      if (type === 'list' && (f.op === 'eq' || f.op === 'ne')) {
        const list = `(', ' || COALESCE(${col}, '') || ', ')`;
        return `${f.op === 'ne' ? 'NOT ' : ''}${list} ${like} ${b.bind(`%, ${likeEscape(String(f.value))}, %`)} ESCAPE '\\'`;
      }
      const v: Param = typeof f.value === 'boolean' ? (f.value ? 1 : 0) : f.value;
      if (type === 'text' && (f.op === 'eq' || f.op === 'ne'))
        return nocaseCompare(d, col, b.bind(v), ops[f.op]);
      return `${col} ${ops[f.op]} ${b.bind(v)}`;
    }
    case 'between': {
      const col = colOf(f.field);
      return `${col} BETWEEN ${b.bind(f.min)} AND ${b.bind(f.max)}`;
    }
    case 'text': {
      if (entity === 'changes' && scope.depth === 0 && f.field === 'object' && f.op === 'equals')
        return objectNamedSql(b, f.value);
      if (entity === 'changes' && scope.depth === 0 && f.field === 'vcenter' && f.op === 'equals')
        return historyVcenterSql(b, f.value, false);
      if (
        f.field === 'vcenter' &&
        f.op === 'equals' &&
        entity !== 'vcenters' &&
        entity !== 'changes' &&
        scope.depth === 0
      )
        return vcenterNamedSql(b, f.value, false);
      const col = colOf(f.field, f.op === 'equals');
      const type = scope.def(f.field)?.type;
      const list = `(', ' || COALESCE(${col}, '') || ', ')`;
      if (
        entity === 'vms' &&
        scope.depth === 0 &&
        f.field === 'ipAddresses' &&
        f.op === 'equals' &&
        f.value.length >= 3
      ) {
        // An IP among all of a VM's IPs: the trigram search index finds the few candidates, the
        // list match confirms the exact address (10.1.1.1 must not match 10.1.1.10).
        const candidates =
          d === 'pg'
            ? // pg_trgm's GIN indexes answer a substring ILIKE as FTS5's trigram phrase does.
              `SELECT vcenter_id, moid FROM search_index WHERE name ILIKE ${b.bind(`%${likeEscape(f.value)}%`)} ESCAPE '\\' OR extra ILIKE ${b.bind(`%${likeEscape(f.value)}%`)} ESCAPE '\\'`
            : `SELECT vcenter_id, moid FROM search_index WHERE search_index MATCH ${b.bind(`"${f.value.replace(/"/g, '""')}"`)}`;
        return `((t.vcenter_id, t.moid) IN (${candidates}) AND ${list} ${like} ${b.bind(`%, ${likeEscape(f.value)}, %`)} ESCAPE '\\')`;
      }
      if (type === 'list' && (f.op === 'equals' || f.op === 'glob')) {
        // One element of a ", "-joined list (a VM's datastores, networks, IPs).
        const v = f.op === 'glob' ? globToLike(f.value) : likeEscape(f.value);
        return `${list} ${like} ${b.bind(`%, ${v}, %`)} ESCAPE '\\'`;
      }
      switch (f.op) {
        case 'equals':
          return nocaseCompare(d, col, b.bind(f.value));
        case 'contains':
          return `${col} ${like} ${b.bind(`%${likeEscape(f.value)}%`)} ESCAPE '\\'`;
        case 'startsWith':
          return `${col} ${like} ${b.bind(`${likeEscape(f.value)}%`)} ESCAPE '\\'`;
        case 'endsWith':
          return `${col} ${like} ${b.bind(`%${likeEscape(f.value)}`)} ESCAPE '\\'`;
        case 'glob':
          return `${col} ${like} ${b.bind(globToLike(f.value))} ESCAPE '\\'`;
      }
      return sqlFalse(d);
    }
    case 'empty': {
      const col = colOf(f.field);
      const type = scope.def(f.field)?.type;
      const isEmpty =
        type === 'text' || type === 'list' ? `(${col} IS NULL OR ${col} = '')` : `${col} IS NULL`;
      return f.empty ? isEmpty : `NOT ${isEmpty}`;
    }
  }
}

export function whereClause(plan: QueryPlan, b: SqlParams, preferOrder = false): string {
  return plan.filter
    ? `WHERE ${compile(entityScope(plan.entity, b.dialect), plan.filter, b, indexUse(plan, preferOrder))}`
    : '';
}

/** The filter alone (TRUE without one), for statements that add their own conditions. */
function filterSql(plan: QueryPlan, b: SqlParams, preferOrder = false): string {
  return plan.filter
    ? compile(entityScope(plan.entity, b.dialect), plan.filter, b, indexUse(plan, preferOrder))
    : sqlTrue(b.dialect);
}

function indexUse(plan: QueryPlan, preferOrder = false): IndexUse {
  return preferOrder ? { unindexed: true, keepEq: eqServingOrder(plan) } : { unindexed: false };
}

/** A list row's fields in order: the catalog's fields, then the row's key. */
function rowColumns(entity: QueryEntity, d: Dialect): [field: string, expr: string][] {
  const cols = Object.entries(COLUMN_EXPR[d][entity]);
  if (entity === 'changes') cols.push(['id', 't.id'], ['vcenterId', 't.vcenter_id'], ['moid', 't.moid']);
  else if (entity !== 'vcenters') cols.push(['vcenterId', 't.vcenter_id'], ['moid', 't.moid']);
  else cols.push(['id', 't.vcenter_id']);
  return cols;
}

function selectList(entity: QueryEntity, d: Dialect): string {
  return rowColumns(entity, d)
    .map(([f, e]) => `${e} AS "${f}"`)
    .join(', ');
}

/** The row-as-JSON expressions by dialect and entity: the same text for every page, built once. */
const rowJsonExprs = new Map<string, string>();

/** One list row as JSON text: the same keys, order and values as the row object. */
function rowJsonExpr(entity: QueryEntity, d: Dialect): string {
  const key = `${d}:${entity}`;
  let expr = rowJsonExprs.get(key);
  if (expr === undefined) {
    // row_to_json keeps the columns' order (jsonb would sort the keys) and takes any number of
    // them (json_build_object stops at 100 arguments); its text is compact, as json_object's.
    expr =
      d === 'pg'
        ? `(SELECT CAST(row_to_json(r) AS text) FROM (SELECT ${selectList(entity, d)}) r)`
        : `json_object(${rowColumns(entity, d)
            .map(([f, e]) => {
              // PostgreSQL's booleans are JSON booleans already; SQLite's are 0/1.
              const v =
                fieldDef(entity, f)?.type === 'boolean'
                  ? `json(CASE WHEN ${e} IS NULL THEN NULL WHEN ${e} = 1 THEN 'true' ELSE 'false' END)`
                  : e;
              return `'${f}', ${v}`;
            })
            .join(', ')})`;
    rowJsonExprs.set(key, expr);
  }
  return expr;
}

/**
 * Entities whose rows SQLite can write as JSON exactly as `JSON.stringify` writes the row objects:
 * every column is text or integer. (SQLite prints REAL values with 15 significant digits, where
 * JavaScript prints the shortest round-trip form, so an entity with a REAL column is left out.)
 */
const JSON_EXACT: Record<QueryEntity, boolean> = Object.fromEntries(
  (Object.keys(FIELDS) as QueryEntity[]).map((entity) => [
    entity,
    entity === 'vcenters' ||
      entity === 'changes' ||
      Object.values(getTableColumns(ENTITY_TABLES[entity]) as Record<string, SQLiteColumn>).every(
        (c) => c.columnType !== 'SQLiteReal',
      ),
  ]),
) as Record<QueryEntity, boolean>;

export function canSelectJson(entity: QueryEntity): boolean {
  return JSON_EXACT[entity];
}

/**
 * The select list of a JSON page: one column holding the row as JSON text (the same keys, order
 * and values as the row object, booleans as true/false), then the row's sort-key values for the
 * next cursor. Building the JSON in SQLite spares a JavaScript object per row and its
 * serialisation — most of the cost of a 100-row page of 40 fields.
 */
function jsonSelectList(plan: QueryPlan, d: Dialect): string {
  const keys = sortKeys(plan, d).map((k, i) => `${k.expr} AS "k${i}"`);
  return [`${rowJsonExpr(plan.entity, d)} AS "json"`, ...keys].join(', ');
}

function pageSelect(plan: QueryPlan, page: PageShape, d: Dialect): string {
  return page.json ? jsonSelectList(plan, d) : selectList(plan.entity, d);
}

/**
 * ORDER BY the plan's sort keys, then name, vCenter and moid as tie-breakers in the direction of
 * the first key (VMs sorted last by cluster: host first). NULLs take SQLite's native place (first ascending, last descending): that keeps
 * every key index-friendly, and with one direction throughout, keyset pages become a single
 * row-value comparison an index can seek to.
 */
function orderBy(plan: QueryPlan, d: Dialect): string {
  return `ORDER BY ${sortKeys(plan, d)
    .map((k) => orderTerm(d, k.expr, k.nocase === true, k.dir, NOT_NULL[plan.entity].has(k.field)))
    .join(', ')}`;
}

/**
 * The fields that are never NULL, per entity (with the row keys `vcenterId`, `moid`, `id`): on
 * PostgreSQL their ORDER BY terms leave the NULL placement unsaid, so the indexes (NULLs last)
 * serve them both ways.
 */
const NOT_NULL = Object.fromEntries(
  (Object.keys(FIELDS) as QueryEntity[]).map((entity) => {
    const set = new Set(['vcenterId', 'moid', 'id']);
    if (entity === 'vcenters') for (const f of ['name', 'status']) set.add(f);
    else if (entity === 'changes') {
      const byName = new Map(
        Object.values(getTableColumns(changesTable) as Record<string, SQLiteColumn>).map((c) => [c.name, c]),
      );
      for (const [f, c] of Object.entries(CHANGE_COLUMNS)) if (byName.get(c)?.notNull) set.add(f);
    } else {
      set.add('vcenter');
      const cols = getTableColumns(ENTITY_TABLES[entity]) as Record<string, SQLiteColumn>;
      for (const [f, c] of Object.entries(cols)) if (c.notNull && f in FIELDS[entity]) set.add(f);
    }
    return [entity, set];
  }),
) as unknown as Record<QueryEntity, ReadonlySet<string>>;

/** The plan's rows (one page). */
/** Fields whose index can serve an ORDER BY (leading key), per entity. */
const ORDER_INDEXED: Partial<Record<QueryEntity, string[]>> = {
  vms: ['name', 'memoryMb', 'numCpu', 'cluster', 'host', 'powerState', 'guestFullName', 'ipAddress'],
  hosts: ['name', 'cluster'],
  datastores: ['name'],
  clusters: ['name'],
  networks: ['name'],
  datacenters: ['name'],
  changes: ['at'],
};

/**
 * The VM indexes that list every key of the order they walk: an index on the field, then these
 * fields, then the tie-breakers (name, vCenter, moid). Mirrors `vms` in db/schema.ts.
 */
const VM_ORDER_INDEXES: Record<string, string[]> = {
  name: [],
  memoryMb: [],
  numCpu: [],
  cluster: ['host'],
  host: [],
  powerState: [],
  guestFullName: [],
  ipAddress: [],
};

/**
 * Fields whose equality filter (`powerState = 'poweredOff'`) seeks an index that then runs in the
 * page's order, so keeping that index beats walking the order's own index and skipping rows.
 */
function eqServingOrder(plan: QueryPlan): Set<string> {
  const keep = new Set<string>();
  if (plan.entity !== 'vms') return keep;
  // Sorting by name repeats it as the tie-breaker: the order is the same without the repeat.
  const keys = sortKeys(plan).filter((k, i, all) => all.findIndex((x) => x.field === k.field) === i);
  for (const [field, then] of Object.entries(VM_ORDER_INDEXES)) {
    const rest = keys[0]!.field === field ? keys.slice(1) : keys;
    const walks = field === 'name' ? ['vcenterId', 'moid'] : [...then, 'name', 'vcenterId', 'moid'];
    if (rest.length === walks.length && rest.every((k, i) => k.field === walks[i] && k.dir === rest[0]!.dir))
      keep.add(field);
  }
  return keep;
}

/**
 * When a filter matches more than a couple of pages of rows (the caller knows the total) and an index
 * serves the order, walking that index and filtering as it goes finds a page fastest; SQLite would
 * otherwise often collect every match through the filter's index and sort them all.
 */
export function preferOrder(plan: QueryPlan, total: number): boolean {
  const lead = plan.sort?.[0]?.field ?? (plan.entity === 'changes' ? 'at' : 'name');
  return total > 200 && (ORDER_INDEXED[plan.entity] ?? []).includes(lead);
}

/** How a page is selected: `json` gives one JSON text per row plus its sort keys (`jsonSelectList`). */
export interface PageShape {
  preferOrder?: boolean;
  json?: boolean;
  /** The back end the statements are for (SQLite unless said). */
  dialect?: Dialect;
}

export function rowsQuery(plan: QueryPlan, page: { limit: number; offset: number } & PageShape): SqlQuery {
  const d = page.dialect ?? 'sqlite';
  const b = new SqlParams(d);
  const where = whereClause(plan, b, page.preferOrder);
  const limit = Math.min(
    page.limit,
    plan.limit !== undefined ? Math.max(0, plan.limit - page.offset) : page.limit,
  );
  return b.query(
    `SELECT ${pageSelect(plan, page, d)} ${fromClause(plan.entity, d)} ${where} ${orderBy(plan, d)} LIMIT ${b.bind(limit)} OFFSET ${b.bind(page.offset)}`,
  );
}

/** How many rows the plan matches (capped by its limit). */
export function countQuery(plan: QueryPlan, d: Dialect = 'sqlite'): SqlQuery {
  const b = new SqlParams(d);
  const where = whereClause(plan, b);
  return b.query(`SELECT count(*) AS n ${fromClause(plan.entity, d, usesVcenter(plan))} ${where}`);
}

/** A single aggregate value (sum/avg/min/max of a field). */
export function aggregateQuery(plan: QueryPlan, d: Dialect = 'sqlite'): SqlQuery {
  const agg = plan.aggregate!;
  const b = new SqlParams(d);
  const where = whereClause(plan, b);
  const expr = aggregateExpr(d, agg.fn, agg.fn === 'count' ? '' : columnExpr(plan.entity, agg.field!, d));
  return b.query(`SELECT ${expr} AS value ${fromClause(plan.entity, d, usesVcenter(plan))} ${where}`);
}

/** Grouped counts or aggregates: one row per group key. */
export function groupQuery(plan: QueryPlan, maxGroups = 500, d: Dialect = 'sqlite'): SqlQuery {
  const agg = plan.aggregate ?? { fn: 'count' as const };
  const b = new SqlParams(d);
  const key = columnExpr(plan.entity, plan.groupBy!, d);
  const expr = aggregateExpr(d, agg.fn, agg.fn === 'count' ? '' : columnExpr(plan.entity, agg.field!, d));
  const where = whereClause(plan, b);
  const dir = plan.sort?.[0]?.dir === 'asc' ? 'asc' : 'desc';
  const order =
    d === 'sqlite'
      ? `2 ${dir === 'asc' ? 'ASC' : 'DESC'}, 1`
      : `${orderTerm(d, '2', false, dir)}, ${orderTerm(d, '1', false, 'asc')}`;
  return b.query(
    `SELECT ${key} AS "key", ${expr} AS "value" ${fromClause(plan.entity, d, usesVcenter(plan))} ${where} GROUP BY 1 ORDER BY ${order} LIMIT ${b.bind(Math.min(plan.limit ?? maxGroups, maxGroups))}`,
  );
}

interface SortKey {
  expr: string;
  field: string;
  dir: 'asc' | 'desc';
  nocase?: boolean;
}

function sortKeys(plan: QueryPlan, d: Dialect = 'sqlite'): SortKey[] {
  const keys: SortKey[] = (plan.sort ?? []).map((s) => ({
    expr: columnExpr(plan.entity, s.field, d),
    field: s.field,
    dir: s.dir,
    // Text sorts ignore case, as people read lists; it also lets the NOCASE indexes serve them.
    nocase: fieldDef(plan.entity, s.field)?.type === 'text',
  }));
  if (plan.entity === 'changes') {
    // Newest first unless asked otherwise; the history's key (at, id) breaks ties, as its index runs.
    const d = plan.sort?.[0]?.dir ?? 'desc';
    if (!keys.some((k) => k.field === 'at')) keys.push({ expr: 't.at', field: 'at', dir: d });
    keys.push({ expr: 't.id', field: 'id', dir: d });
    return keys;
  }
  const dir = plan.sort?.[0]?.dir ?? 'asc';
  // VMs by cluster come host by host (as ops read them, and as the cluster index runs).
  if (plan.entity === 'vms' && keys.at(-1)?.field === 'cluster' && !keys.some((k) => k.field === 'host'))
    keys.push({ expr: columnExpr('vms', 'host', d), field: 'host', dir, nocase: true });
  keys.push({ expr: columnExpr(plan.entity, 'name', d), field: 'name', dir, nocase: true });
  if (plan.entity === 'vcenters') keys.push({ expr: 't.vcenter_id', field: 'id', dir });
  else keys.push({ expr: 't.vcenter_id', field: 'vcenterId', dir }, { expr: 't.moid', field: 'moid', dir });
  return keys;
}

export function encodeCursor(plan: QueryPlan, row: Record<string, unknown>): string {
  return cursorOf(sortKeys(plan).map((k) => row[k.field]));
}

/** The cursor of a row from its sort-key values in `sortKeys` order (a JSON page's `k0…kn`). */
export function cursorOf(keyValues: unknown[]): string {
  return Buffer.from(JSON.stringify(keyValues.map((v) => v ?? null))).toString('base64url');
}

function decodeCursor(cursor: string, n: number): (string | number | null)[] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (
    !Array.isArray(v) ||
    v.length !== n ||
    !v.every((x) => x === null || typeof x === 'string' || typeof x === 'number')
  ) {
    throw new VminerError('INVALID_INPUT', 'the cursor is not valid for this list (start again without one)');
  }
  return v as (string | number | null)[];
}

/**
 * A key compared with a cursor value: `(expr COLLATE NOCASE) > ?` on SQLite, `lower(expr) >
 * lower($n)` on PostgreSQL.
 */
function keyCompare(b: SqlParams, k: SortKey, op: string, v: Param): string {
  if (!k.nocase) return `${k.expr} ${op} ${b.bind(v)}`;
  const left = folded(b.dialect, k.expr);
  const ph = b.bind(v);
  return `${left} ${op} ${b.dialect === 'pg' ? `lower(${ph})` : ph}`;
}

/**
 * `(keys…) > (values…)` as one row-value comparison. On SQLite the collation goes on the value
 * side: SQLite seeks an index with a row-value comparison only as far as its left side lists bare
 * columns, so `(name COLLATE NOCASE, …) > (…)` scanned the whole order up to the cursor (page 1,000
 * of 100k names cost 14 ms, not 0.04 ms). PostgreSQL compares `lower(name)`, what its index holds.
 */
function rowCompare(b: SqlParams, ks: SortKey[], cmp: string, values: Param[]): string {
  const pg = b.dialect === 'pg';
  const left = ks.map((k) => (pg && k.nocase ? `lower(${k.expr})` : k.expr));
  const right = ks.map((k, i) => {
    const ph = b.bind(values[i]!);
    if (!k.nocase) return ph;
    return pg ? `lower(${ph})` : `${ph} COLLATE NOCASE`;
  });
  return `(${left.join(', ')}) ${cmp} (${right.join(', ')})`;
}

/** One stretch of the order after a cursor: its condition, binding its values when written. */
type Segment = (b: SqlParams) => string;

/**
 * The rows after a cursor when every key runs one way, as consecutive stretches of the order,
 * each one a row-value comparison or a plain NULL test an index can seek to: NULLs of the first
 * key sit at the start (asc) or the end (desc) of the order. `undefined` when the keys run both
 * ways or a later key of the cursor is NULL.
 */
function keysetSegments(keys: SortKey[], values: (string | number | null)[]): Segment[] | undefined {
  const dir = keys[0]!.dir;
  if (!keys.every((k) => k.dir === dir) || values.slice(1).some((v) => v === null)) return undefined;
  const cmp = dir === 'asc' ? '>' : '<';
  const first = keys[0]!.expr;
  if (values[0] === null) {
    const rest = keys.slice(1);
    const nulls: Segment = (b) =>
      `${first} IS NULL AND ${rowCompare(b, rest, cmp, values.slice(1) as Param[])}`;
    return dir === 'asc' ? [nulls, () => `${first} IS NOT NULL`] : [nulls];
  }
  const after: Segment = (b) => rowCompare(b, keys, cmp, values as Param[]);
  return dir === 'desc' ? [after, () => `${first} IS NULL`] : [after];
}

/**
 * One page after a cursor as statements to run in order until the page is full (each one's last
 * parameter is its LIMIT: give the rows still missing). `pageQuery` joins the stretches of the
 * order with OR, and an OR keeps SQLite from seeking: descending sorts and pages among the NULLs
 * of the first key scanned the order (or sorted every NULL row) for each page.
 */
export function pageQueries(
  plan: QueryPlan,
  page: { limit: number; cursor?: string; offset?: number } & PageShape,
): SqlQuery[] {
  if (!page.cursor) return [pageQuery(plan, page)];
  const d = page.dialect ?? 'sqlite';
  const keys = sortKeys(plan, d);
  const segments = keysetSegments(keys, decodeCursor(page.cursor, keys.length));
  if (!segments || segments.length === 1) return [pageQuery(plan, page)];
  return segments.map((seg) => {
    const b = new SqlParams(d);
    const where = filterSql(plan, b, page.preferOrder);
    const after = seg(b);
    return b.query(
      `SELECT ${pageSelect(plan, page, d)} ${fromClause(plan.entity, d)} WHERE (${where}) AND (${after}) ${orderBy(plan, d)} LIMIT ${b.bind(page.limit)}`,
    );
  });
}

/**
 * One page in keyset order: rows strictly after the cursor's row in (sort…, name, vCenter, moid)
 * order, NULLs last, so page 2,000 costs what page 1 costs.
 */
export function pageQuery(
  plan: QueryPlan,
  page: { limit: number; cursor?: string; offset?: number } & PageShape,
): SqlQuery {
  const d = page.dialect ?? 'sqlite';
  if (!page.cursor) {
    return rowsQuery(plan, {
      limit: page.limit,
      offset: page.offset ?? 0,
      preferOrder: page.preferOrder,
      json: page.json,
      dialect: d,
    });
  }
  const keys = sortKeys(plan, d);
  const values = decodeCursor(page.cursor, keys.length);
  const b = new SqlParams(d);
  const where = filterSql(plan, b, page.preferOrder);
  const branches: string[] = [];
  const segments = keysetSegments(keys, values);
  if (segments) {
    branches.push(segments.map((seg) => `(${seg(b)})`).join(' OR '));
  } else {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = values[i]!;
      // Native NULL order: first when ascending, last when descending. (Nothing sorts after a
      // NULL of a descending key; the branch's parameters must not be added then either.)
      if (v === null && k.dir === 'desc') continue;
      const parts: string[] = [];
      for (let j = 0; j < i; j++) {
        const kj = keys[j]!;
        const vj = values[j]!;
        if (vj === null) parts.push(`${kj.expr} IS NULL`);
        else parts.push(keyCompare(b, kj, '=', vj));
      }
      if (v === null) {
        parts.push(`${k.expr} IS NOT NULL`);
      } else if (k.dir === 'asc') {
        parts.push(keyCompare(b, k, '>', v));
      } else {
        parts.push(`(${keyCompare(b, k, '<', v)} OR ${k.expr} IS NULL)`);
      }
      branches.push(`(${parts.join(' AND ')})`);
    }
  }
  const after = branches.length > 0 ? branches.join(' OR ') : sqlFalse(d);
  return b.query(
    `SELECT ${pageSelect(plan, page, d)} ${fromClause(plan.entity, d)} WHERE (${where}) AND (${after}) ${orderBy(plan, d)} LIMIT ${b.bind(page.limit)}`,
  );
}

/** One row by its key (vCenter id + managed object id), in the same shape as list rows. */
export function rowByKeyQuery(
  entity: Exclude<QueryEntity, 'vcenters' | 'changes'>,
  d: Dialect = 'sqlite',
): string {
  const [id, moid] = d === 'pg' ? ['$1', '$2'] : ['?', '?'];
  return `SELECT ${selectList(entity, d)} ${fromClause(entity, d)} WHERE t.vcenter_id = ${id} AND t.moid = ${moid}`;
}

/**
 * A plan's rows under another select list (`vminer list` prints every stored column): the same
 * FROM, WHERE and ORDER BY as `rowsQuery`, then the plan's limit.
 */
export function planRowsQuery(plan: QueryPlan, select: string, d: Dialect = 'sqlite'): SqlQuery {
  const b = new SqlParams(d);
  const where = whereClause(plan, b);
  const limit = plan.limit !== undefined ? ` LIMIT ${b.bind(plan.limit)}` : '';
  return b.query(`SELECT ${select} ${fromClause(plan.entity, d)} ${where} ${orderBy(plan, d)}${limit}`);
}
