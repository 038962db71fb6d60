import { describeFilter } from '../../../shared/describe.js';
import { fieldDef, type QueryEntity } from '../../../shared/fields.js';
import type { Filter } from '../../../shared/query.js';

/** One removable piece of a filter, as shown on a chip. */
export interface Chip {
  label: string;
  filter: Filter;
}

/** The top-level AND parts of a filter, each a chip. */
export function chipsOf(entity: QueryEntity, filter: Filter | undefined): Chip[] {
  if (!filter) return [];
  const parts = filter.kind === 'and' ? filter.filters : [filter];
  return parts.map((f) => ({ label: describeFilter(entity, f), filter: f }));
}

/** A filter from chips (AND), or undefined when none are left. */
export function fromChips(chips: Filter[]): Filter | undefined {
  if (chips.length === 0) return undefined;
  if (chips.length === 1) return chips[0];
  return { kind: 'and', filters: chips };
}

export function and(...parts: (Filter | undefined)[]): Filter | undefined {
  return fromChips(parts.flatMap((p) => (!p ? [] : p.kind === 'and' ? p.filters : [p])));
}

const QUICK_FIELDS: Partial<Record<QueryEntity, string[]>> = {
  vms: ['name', 'ipAddress', 'guestHostName', 'host', 'cluster', 'guestFullName', 'annotation'],
  hosts: ['name', 'cluster', 'model', 'esxiVersion'],
  datastores: ['name', 'type', 'url'],
  snapshots: ['name', 'vm', 'description'],
};

/** The quick search box: any of the entity's main text fields contains the text. */
export function quickSearchFilter(entity: QueryEntity, text: string): Filter | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const fields = (QUICK_FIELDS[entity] ?? ['name']).filter((f) => fieldDef(entity, f));
  const parts: Filter[] = fields.map((field) => ({ kind: 'text', field, op: 'contains', value: t }));
  return parts.length === 1 ? parts[0] : { kind: 'or', filters: parts };
}

const UNIT_MB: Record<string, number> = { mb: 1, gb: 1024, tb: 1024 * 1024 };
const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

function num(entity: QueryEntity, field: string, raw: string): number | null {
  const m = /^(-?\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const def = fieldDef(entity, field);
  if (!unit) return n;
  if (def?.unit === 'mb' && UNIT_MB[unit]) return n * UNIT_MB[unit];
  if (def?.unit === 'bytes' && UNIT_BYTES[unit]) return Math.round(n * UNIT_BYTES[unit]);
  return null;
}

export type ColumnFilterResult = { filter: Filter | undefined } | { error: string };

/**
 * A column's filter box: text columns match "contains" (or `=exact`, `!text`, `empty`);
 * numbers take `>8`, `<=4`, `4-8`, `=2`, with units where the column has one (`>16GB`);
 * yes/no columns take `yes` / `no`.
 */
export function columnFilter(entity: QueryEntity, field: string, text: string): ColumnFilterResult {
  const t = text.trim();
  if (!t) return { filter: undefined };
  const def = fieldDef(entity, field);
  if (!def) return { error: `unknown column ${field}` };
  if (/^(empty|blank)$/i.test(t)) return { filter: { kind: 'empty', field, empty: true } };
  if (/^(not empty|!empty)$/i.test(t)) return { filter: { kind: 'empty', field, empty: false } };
  if (def.type === 'boolean') {
    if (/^(yes|y|true|on|1)$/i.test(t)) return { filter: { kind: 'cmp', field, op: 'eq', value: true } };
    if (/^(no|n|false|off|0)$/i.test(t)) return { filter: { kind: 'cmp', field, op: 'eq', value: false } };
    return { error: 'type yes or no' };
  }
  if (def.type === 'number') {
    const range = /^(.+?)\s*(?:-|\.\.)\s*(.+)$/.exec(t);
    if (range && !t.startsWith('-')) {
      const min = num(entity, field, range[1]!);
      const max = num(entity, field, range[2]!);
      if (min === null || max === null) return { error: 'a range is like 4-8' };
      return { filter: { kind: 'between', field, min, max } };
    }
    const m = /^(>=|<=|>|<|=|!=)?\s*(.+)$/.exec(t)!;
    const n = num(entity, field, m[2]!);
    if (n === null)
      return { error: `a number, like >8${def.unit === 'mb' || def.unit === 'bytes' ? ' or >16GB' : ''}` };
    const op = ({ '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte', '=': 'eq', '!=': 'ne' } as const)[
      (m[1] ?? '=') as '>' | '>=' | '<' | '<=' | '=' | '!='
    ];
    return { filter: { kind: 'cmp', field, op, value: n } };
  }
  if (t.startsWith('=')) return { filter: { kind: 'text', field, op: 'equals', value: t.slice(1).trim() } };
  if (t.startsWith('!'))
    return {
      filter: { kind: 'not', filter: { kind: 'text', field, op: 'contains', value: t.slice(1).trim() } },
    };
  if (/[*?]/.test(t)) return { filter: { kind: 'text', field, op: 'glob', value: t } };
  return { filter: { kind: 'text', field, op: 'contains', value: t } };
}
