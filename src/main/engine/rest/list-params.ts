import { fieldDef, FIELDS, type QueryEntity } from '../../../shared/fields.js';
import { VminerError } from '../../../shared/errors.js';
import { FilterSchema, type Filter } from '../../../shared/query.js';
import type { ListRequest } from '../../../shared/contract.js';

const OPS = ['gt', 'gte', 'lt', 'lte', 'ne', 'contains', 'startsWith', 'endsWith', 'empty'] as const;

function parseBool(key: string, raw: string): boolean {
  const v = raw.toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(v))
    throw new VminerError('INVALID_INPUT', `${key} takes true or false, not "${raw}"`);
  return ['true', '1', 'yes'].includes(v);
}

function typed(entity: QueryEntity, field: string, raw: string): string | number | boolean {
  const t = fieldDef(entity, field)?.type;
  if (t === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new VminerError('INVALID_INPUT', `${field} takes a number, not "${raw}"`);
    return n;
  }
  if (t === 'boolean') return parseBool(field, raw);
  return raw;
}

/** `sort=field:desc,other` → the plan's sort keys (asc unless said). */
export function parseSort(entity: QueryEntity, raw: string): { field: string; dir: 'asc' | 'desc' }[] {
  return raw.split(',').map((part) => {
    const [field = '', dir = 'asc'] = part.trim().split(':');
    if (!fieldDef(entity, field))
      throw new VminerError('INVALID_INPUT', `cannot sort ${entity} by "${field}"`);
    if (dir !== 'asc' && dir !== 'desc')
      throw new VminerError('INVALID_INPUT', `sort direction must be asc or desc, not "${dir}"`);
    return { field, dir };
  });
}

/**
 * One filter parameter → a plan filter: `field=value` (`*` wildcards on text), `field.gt=`, `.gte`,
 * `.lt`, `.lte`, `.ne`, `.contains`, `.startsWith`, `.endsWith`, `.empty=true`, `filter=<JSON>`.
 */
export function paramFilter(entity: QueryEntity, key: string, raw: string): Filter {
  if (key === 'filter') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new VminerError('INVALID_INPUT', 'filter must be a query-plan filter as JSON');
    }
    const checked = FilterSchema.safeParse(parsed);
    if (!checked.success)
      throw new VminerError(
        'INVALID_INPUT',
        `filter is not a query-plan filter: ${checked.error.issues[0]?.message ?? 'invalid'}`,
      );
    return checked.data;
  }
  const [field = '', op] = key.split('.');
  if (!fieldDef(entity, field)) {
    throw new VminerError(
      'INVALID_INPUT',
      `unknown field "${field}" for ${entity}; fields: ${Object.keys(FIELDS[entity]).join(', ')}`,
    );
  }
  if (op === undefined) {
    const t = fieldDef(entity, field)!.type;
    if ((t === 'text' || t === 'list') && /[*?]/.test(raw))
      return { kind: 'text', field, op: 'glob', value: raw };
    if (t === 'text' || t === 'list') return { kind: 'text', field, op: 'equals', value: raw };
    return { kind: 'cmp', field, op: 'eq', value: typed(entity, field, raw) };
  }
  if (!(OPS as readonly string[]).includes(op)) {
    throw new VminerError('INVALID_INPUT', `unknown operator ".${op}" (use ${OPS.join(', ')})`);
  }
  if (op === 'empty') return { kind: 'empty', field, empty: parseBool(key, raw) };
  if (op === 'contains' || op === 'startsWith' || op === 'endsWith')
    return { kind: 'text', field, op, value: raw };
  return {
    kind: 'cmp',
    field,
    op: op as 'gt' | 'gte' | 'lt' | 'lte' | 'ne',
    value: typed(entity, field, raw),
  };
}

const WHERE_OPS: Record<string, string> = { '>=': 'gte', '<=': 'lte', '!=': 'ne', '>': 'gt', '<': 'lt' };

/**
 * A `--where` expression of the command line → a plan filter, in the list parameters' language:
 * `field=value`, `field!=value`, `field>=n`, `field<=n`, `field>n`, `field<n`, the parameters'
 * own spelling `field.op=value` (`name.startsWith=web`, `cluster.empty=true`), or a plan filter as
 * JSON (`{"kind":"or",…}`).
 */
export function whereFilter(entity: QueryEntity, expr: string): Filter {
  const text = expr.trim();
  if (text.startsWith('{')) return paramFilter(entity, 'filter', text);
  const m = /^([A-Za-z][\w]*(?:\.[A-Za-z]+)?)\s*(>=|<=|!=|=|>|<)\s*(.*)$/s.exec(text);
  if (!m)
    throw new VminerError(
      'INVALID_INPUT',
      `--where "${expr}": write FIELD=VALUE, FIELD!=VALUE, FIELD>=N, FIELD<=N, FIELD>N, FIELD<N or FIELD.OP=VALUE`,
    );
  const [, key = '', sign = '=', raw = ''] = m;
  if (sign === '=') return paramFilter(entity, key, raw);
  if (key.includes('.'))
    throw new VminerError(
      'INVALID_INPUT',
      `--where "${expr}": ${sign} cannot follow an operator (.${key.split('.')[1]})`,
    );
  return paramFilter(entity, `${key}.${WHERE_OPS[sign]!}`, raw);
}

/** Several filters as one: none, the one, or all of them (AND). */
export function allOf(filters: Filter[]): Filter | undefined {
  if (filters.length === 0) return undefined;
  return filters.length === 1 ? filters[0] : { kind: 'and', filters };
}

/**
 * REST list query parameters → a query-plan request: `field=value` (`*` wildcards allowed),
 * `field.gt=`, `.gte`, `.lt`, `.lte`, `.ne`, `.contains`, `.startsWith`, `.endsWith`, `.empty=true`,
 * `filter=<plan filter JSON>`, `sort=field:desc,…`, `limit`, `offset`, `cursor`. The same filter
 * language as questions and exports, spelled as parameters (and, on the command line, as `--where`).
 */
export function listRequestFromQuery(entity: QueryEntity, query: Record<string, unknown>): ListRequest {
  const filters: Filter[] = [];
  const req: ListRequest = { entity, limit: 100 };
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) throw new VminerError('INVALID_INPUT', `${key} is given more than once`);
    const raw = String(value);
    if (key === 'limit' || key === 'offset') {
      const n = Number(raw);
      if (
        !Number.isInteger(n) ||
        n < (key === 'limit' ? 1 : 0) ||
        n > (key === 'limit' ? 5000 : 10_000_000)
      ) {
        throw new VminerError(
          'INVALID_INPUT',
          `${key} must be a whole number${key === 'limit' ? ' from 1 to 5000' : ''}`,
        );
      }
      req[key] = n;
      continue;
    }
    if (key === 'cursor') {
      req.cursor = raw;
      continue;
    }
    if (key === 'sort') {
      req.sort = parseSort(entity, raw);
      continue;
    }
    if (key !== 'filter' && !fieldDef(entity, key.split('.')[0] ?? '')) {
      throw new VminerError(
        'INVALID_INPUT',
        `unknown parameter "${key}" for ${entity}; fields: ${Object.keys(FIELDS[entity]).join(', ')}`,
      );
    }
    filters.push(paramFilter(entity, key, raw));
  }
  const filter = allOf(filters);
  if (filter) req.filter = filter;
  return req;
}
