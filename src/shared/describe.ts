import { entityLabel, fieldDef, type QueryEntity } from './fields.js';
import type { Filter, QueryPlan } from './query.js';
import { relationTarget } from './relations.js';

/** A byte count in binary units: `grid` rounds for table cells (16.0 GB, 118 GB), else exact-ish (16 GB). */
export function fmtBytes(n: number, style: 'exact' | 'grid' = 'exact'): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (style === 'grid') return `${i === 0 || v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

export function formatValue(entity: QueryEntity, field: string, value: unknown): string {
  const def = fieldDef(entity, field);
  if (typeof value === 'number') {
    if (def?.unit === 'mb') return value >= 1024 ? fmtBytes(value * 1024 * 1024) : `${value} MB`;
    if (def?.unit === 'bytes') return fmtBytes(value);
    if (def?.unit === 'percent') return `${value}%`;
    if (def?.unit === 'days') return `${value} day${value === 1 ? '' : 's'}`;
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (def?.type === 'date' && typeof value === 'string') return value.slice(0, 10);
  if (field === 'powerState' && typeof value === 'string') return value.replace(/^powered/, '').toLowerCase();
  return `"${String(value)}"`;
}

function label(entity: QueryEntity, field: string): string {
  return (fieldDef(entity, field)?.label ?? field).toLowerCase();
}

const OPS = { eq: '=', ne: '≠', lt: '<', lte: '≤', gt: '>', gte: '≥' } as const;

export function describeFilter(entity: QueryEntity, f: Filter): string {
  switch (f.kind) {
    case 'and':
      return f.filters.map((x) => describeFilter(entity, x)).join(' · ');
    case 'or':
      return `(${f.filters.map((x) => describeFilter(entity, x)).join(' or ')})`;
    case 'not':
      return `not ${describeFilter(entity, f.filter)}`;
    case 'cmp':
      if (fieldDef(entity, f.field)?.type === 'date') {
        return `${label(entity, f.field)} ${f.op === 'lt' || f.op === 'lte' ? 'before' : 'after'} ${formatValue(entity, f.field, f.value)}`;
      }
      return `${label(entity, f.field)} ${OPS[f.op]} ${formatValue(entity, f.field, f.value)}`;
    case 'between':
      return `${label(entity, f.field)} between ${formatValue(entity, f.field, f.min)} and ${formatValue(entity, f.field, f.max)}`;
    case 'text': {
      const words = {
        equals: '=',
        contains: 'contains',
        startsWith: 'starts with',
        endsWith: 'ends with',
        glob: 'matches',
      };
      const fieldType = fieldDef(entity, f.field)?.type;
      const op = fieldType === 'list' && f.op === 'equals' ? 'includes' : words[f.op];
      return `${label(entity, f.field)} ${op} "${f.value}"`;
    }
    case 'empty':
      return `${label(entity, f.field)} ${f.empty ? 'is empty' : 'is set'}`;
    case 'has':
      return describeHas(entity, f.relation, f.filter);
  }
}

/** "with disks (provisioning = "thin")", "tagged (category = "backup" or tag = "backup")", "attribute owner = "alice"". */
function describeHas(entity: QueryEntity, relation: string, inner: Filter | undefined): string {
  const target = relationTarget(entity, relation);
  if (target === 'attributes') {
    const parts = inner?.kind === 'and' ? inner.filters : inner ? [inner] : [];
    const name = parts.find((p) => p.kind === 'text' && p.field === 'name');
    const value = parts.find((p) => p.kind === 'text' && p.field === 'value');
    if (name?.kind === 'text' && (!value || value.kind === 'text') && parts.length <= 2)
      return value?.kind === 'text'
        ? `attribute ${name.value} = "${value.value}"`
        : `has attribute ${name.value}`;
    return 'has custom attributes';
  }
  const lead = relation === 'tags' ? 'tagged' : `with ${relation}`;
  if (!inner || !target) return lead;
  return `${lead} (${describeFilter(target, inner)})`;
}

/** "VMs · power state = on · cluster = "Production" · sorted by memory desc · first 10" */
export function describePlan(plan: QueryPlan): string {
  const parts: string[] = [entityLabel(plan.entity).replace(/^./, (c) => c.toUpperCase())];
  if (plan.filter) parts.push(describeFilter(plan.entity, plan.filter));
  if (plan.groupBy) parts.push(`grouped by ${label(plan.entity, plan.groupBy)}`);
  if (plan.aggregate && plan.aggregate.fn !== 'count') {
    const fn = { sum: 'total', avg: 'average', min: 'minimum', max: 'maximum', count: 'count' }[
      plan.aggregate.fn
    ];
    parts.push(`${fn} ${label(plan.entity, plan.aggregate.field ?? '')}`);
  } else if (plan.aggregate) parts.push('count');
  for (const s of plan.sort ?? []) parts.push(`sorted by ${label(plan.entity, s.field)} ${s.dir}`);
  if (plan.limit !== undefined) parts.push(`first ${plan.limit}`);
  return parts.join(' · ');
}
