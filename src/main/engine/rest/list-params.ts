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

/**
 * REST list query parameters → a query-plan request: `field=value` (`*` wildcards allowed),
 * `field.gt=`, `.gte`, `.lt`, `.lte`, `.ne`, `.contains`, `.startsWith`, `.endsWith`, `.empty=true`,
 * `filter=<plan filter JSON>`, `sort=field:desc,…`, `limit`, `offset`, `cursor`. The same filter
 * language as questions and exports, spelled as parameters.
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
      req.sort = raw.split(',').map((part) => {
        const [field = '', dir = 'asc'] = part.split(':');
        if (!fieldDef(entity, field))
          throw new VminerError('INVALID_INPUT', `cannot sort ${entity} by "${field}"`);
        if (dir !== 'asc' && dir !== 'desc')
          throw new VminerError('INVALID_INPUT', `sort direction must be asc or desc, not "${dir}"`);
        return { field, dir };
      });
      continue;
    }
    if (key === 'filter') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new VminerError('INVALID_INPUT', 'filter must be a query-plan filter as JSON');
      }
      filters.push(FilterSchema.parse(parsed));
      continue;
    }
    const [field = '', op] = key.split('.');
    if (!fieldDef(entity, field)) {
      throw new VminerError(
        'INVALID_INPUT',
        `unknown parameter "${key}" for ${entity}; fields: ${Object.keys(FIELDS[entity]).join(', ')}`,
      );
    }
    if (op === undefined) {
      const t = fieldDef(entity, field)!.type;
      if ((t === 'text' || t === 'list') && /[*?]/.test(raw))
        filters.push({ kind: 'text', field, op: 'glob', value: raw });
      else if (t === 'text' || t === 'list') filters.push({ kind: 'text', field, op: 'equals', value: raw });
      else filters.push({ kind: 'cmp', field, op: 'eq', value: typed(entity, field, raw) });
      continue;
    }
    if (!(OPS as readonly string[]).includes(op)) {
      throw new VminerError('INVALID_INPUT', `unknown operator ".${op}" (use ${OPS.join(', ')})`);
    }
    if (op === 'empty') filters.push({ kind: 'empty', field, empty: parseBool(key, raw) });
    else if (op === 'contains' || op === 'startsWith' || op === 'endsWith')
      filters.push({ kind: 'text', field, op, value: raw });
    else
      filters.push({
        kind: 'cmp',
        field,
        op: op as 'gt' | 'gte' | 'lt' | 'lte' | 'ne',
        value: typed(entity, field, raw),
      });
  }
  if (filters.length === 1) req.filter = filters[0];
  else if (filters.length > 1) req.filter = { kind: 'and', filters };
  return req;
}
