import { entityLabel, fieldDef, type QueryEntity } from '../../../shared/fields.js';
import { own } from '../../../shared/own.js';
import type { Filter, QueryPlan } from '../../../shared/query.js';
import type { Atom, ParsedQuestion, StateKey } from './atoms.js';
import { FIELD_WORDS, SIZE_FIELD, TIME_UNITS_DAYS, UNITS_MB } from './lexicon.js';
import type { NameIndex, NamedType } from './names.js';

export { entityLabel };

/** Why a question could not become a plan; `clarify` carries candidates to choose from. */
export class ResolveProblem extends Error {
  constructor(
    message: string,
    readonly kind: 'clarify' | 'not_applicable' | 'not_found',
    readonly suggestions: string[] = [],
  ) {
    super(message);
  }
}

const eq = (field: string, value: string | number | boolean): Filter => ({
  kind: 'cmp',
  field,
  op: 'eq',
  value,
});

function stateFilter(entity: QueryEntity, key: StateKey): Filter | undefined {
  switch (key) {
    case 'poweredOn':
    case 'poweredOff':
    case 'suspended':
      if (entity === 'vms' || entity === 'hosts')
        return eq('powerState', key === 'suspended' && entity === 'hosts' ? 'standBy' : key);
      if (entity === 'snapshots') return eq('state', key);
      return undefined;
    case 'connected':
    case 'disconnected':
    case 'notResponding':
      return entity === 'hosts' ? eq('connectionState', key) : undefined;
    case 'maintenance':
      if (entity === 'hosts') return eq('inMaintenanceMode', true);
      if (entity === 'datastores') return eq('maintenanceMode', 'inMaintenance');
      return undefined;
    case 'toolsNotRunning':
      return entity === 'vms' ? eq('toolsRunningStatus', 'guestToolsNotRunning') : undefined;
    case 'toolsRunning':
      return entity === 'vms' ? eq('toolsRunningStatus', 'guestToolsRunning') : undefined;
    case 'toolsOld':
      return entity === 'vms'
        ? {
            kind: 'or',
            filters: [eq('toolsStatus', 'toolsOld'), eq('toolsVersionStatus', 'guestToolsNeedUpgrade')],
          }
        : undefined;
    case 'toolsNotInstalled':
      return entity === 'vms' ? eq('toolsStatus', 'toolsNotInstalled') : undefined;
    case 'toolsOk':
      return entity === 'vms' ? eq('toolsStatus', 'toolsOk') : undefined;
    case 'template':
      return entity === 'vms' ? eq('template', true) : undefined;
    case 'empty':
      return fieldDef(entity, 'vmCount') ? eq('vmCount', 0) : undefined;
    case 'haOn':
    case 'haOff':
      return entity === 'clusters' ? eq('haEnabled', key === 'haOn') : undefined;
    case 'drsOn':
    case 'drsOff':
      return entity === 'clusters' ? eq('drsEnabled', key === 'drsOn') : undefined;
    case 'accessible':
    case 'inaccessible':
      return entity === 'datastores' ? eq('accessible', key === 'accessible') : undefined;
  }
}

/** Which field of `entity` a relation to an object of type `target` constrains. */
function relationField(entity: QueryEntity, target: QueryEntity): string | undefined {
  if (entity === target) return 'name';
  switch (target) {
    case 'clusters':
      return entity === 'vms' || entity === 'hosts' ? 'cluster' : undefined;
    case 'hosts':
      return entity === 'vms' ? 'host' : undefined;
    case 'datastores':
      return entity === 'vms' ? 'datastores' : undefined;
    case 'networks':
      return entity === 'vms' ? 'networks' : undefined;
    case 'datacenters':
      return fieldDef(entity, 'datacenter') ? 'datacenter' : undefined;
    case 'vcenters':
      return fieldDef(entity, 'vcenter') ? 'vcenter' : undefined;
    case 'vms':
      return entity === 'snapshots' ? 'vm' : undefined;
    default:
      return undefined;
  }
}

export interface ResolveContext {
  names: NameIndex;
  now: Date;
  /** Names corrected on the way, to show the user ("prodction" → "Production"). */
  corrections: string[];
}

export function fieldForWord(
  entity: QueryEntity,
  word: string | undefined,
  unit?: string,
): string | undefined {
  if (!word) return undefined;
  if (word === 'free' && entity === 'datastores') return unit === '%' ? 'freePercent' : 'freeBytes';
  const mapped = (FIELD_WORDS[entity] as Record<string, string>)[word];
  if (mapped) return mapped;
  if (fieldDef(entity, word)) return word;
  const singular = word.endsWith('s') ? word.slice(0, -1) : word;
  return (
    (FIELD_WORDS[entity] as Record<string, string>)[singular] ??
    (fieldDef(entity, singular) ? singular : undefined)
  );
}

/** Converts a typed number and unit to the field's storage unit (MB, bytes, percent). */
function scale(entity: QueryEntity, field: string, value: number, unit: string | undefined): number {
  const def = fieldDef(entity, field);
  if (def?.unit === 'mb') {
    const u = unit && UNITS_MB[unit] !== undefined ? UNITS_MB[unit]! : value < 1024 ? 1024 : 1; // "memory over 32" means GB
    return Math.round(value * u);
  }
  if (def?.unit === 'bytes') {
    const u = unit && UNITS_MB[unit] !== undefined ? UNITS_MB[unit]! : 1024; // bare numbers are GB
    return Math.round(value * u * 1024 * 1024);
  }
  return value;
}

function numericField(entity: QueryEntity, a: Extract<Atom, { t: 'num' }>): string {
  const f = fieldForWord(entity, a.fieldWord, a.unit);
  if (f && fieldDef(entity, f)?.type === 'number') {
    if (a.unit === '%' && entity === 'datastores' && f === 'freeBytes') return 'freePercent';
    return f;
  }
  if (a.unit === '%' && entity === 'datastores') return 'freePercent';
  if (a.unit && UNITS_MB[a.unit] !== undefined) {
    if (entity === 'vms') {
      const mb = a.value * UNITS_MB[a.unit]!;
      return a.unit.startsWith('t') || mb >= 512 * 1024 ? 'provisionedBytes' : 'memoryMb';
    }
    if (entity === 'datastores') return 'capacityBytes';
    if (entity === 'hosts') return 'memoryMb';
    if (entity === 'clusters') return 'totalMemoryBytes';
  }
  throw new ResolveProblem(
    `"${a.value}${a.unit ?? ''}" of what? Name the field, e.g. "more than ${a.value} cpus" or "over ${a.value} GB of memory".`,
    'not_applicable',
  );
}

export function resolveAtom(entity: QueryEntity, a: Atom, ctx: ResolveContext): Filter {
  const f = resolveAtomInner(entity, a, ctx);
  return a.negated ? { kind: 'not', filter: f } : f;
}

function resolveName(
  ctx: ResolveContext,
  target: NamedType,
  value: string,
  glob: boolean,
): { op: 'equals' | 'glob'; value: string } {
  if (glob) return { op: 'glob', value };
  const r = ctx.names.resolve(target, value);
  const label = entityLabel(target, false);
  if (r.kind === 'exact') return { op: 'equals', value: r.name };
  if (r.kind === 'fuzzy') {
    ctx.corrections.push(`${label} "${value}" → "${r.name}"`);
    return { op: 'equals', value: r.name };
  }
  if (r.kind === 'ambiguous') {
    throw new ResolveProblem(
      `Did you mean ${label} ${r.candidates.slice(0, -1).join(', ')} or ${r.candidates.at(-1)}?`,
      'clarify',
      r.candidates,
    );
  }
  throw new ResolveProblem(
    `There is no ${label} named "${value}"${r.closest.length ? ` (closest: ${r.closest.join(', ')})` : ''}.`,
    'not_found',
    r.closest,
  );
}

function resolveAtomInner(entity: QueryEntity, a: Atom, ctx: ResolveContext): Filter {
  const noFit = (what: string): ResolveProblem =>
    new ResolveProblem(`${entityLabel(entity)} cannot be filtered by ${what}.`, 'not_applicable');
  switch (a.t) {
    case 'state': {
      const f = stateFilter(entity, a.key);
      if (!f) throw noFit(`"${a.key.replace(/([A-Z])/g, ' $1').toLowerCase()}"`);
      return f;
    }
    case 'rel': {
      let target = a.target;
      if (target === undefined) {
        const types = ctx.names.guessTypes(a.value).filter((t) => relationField(entity, t));
        if (types.length === 0) {
          throw new ResolveProblem(
            `I don't know "${a.value}": no cluster, host, datastore, datacenter, network or vCenter has that name.`,
            'not_found',
          );
        }
        target = types[0]!;
      }
      const field = relationField(entity, target);
      if (!field) throw noFit(`${entityLabel(target, false)}`);
      const r = resolveName(ctx, target as NamedType, a.value, a.glob);
      return { kind: 'text', field, op: r.op, value: r.value };
    }
    case 'num': {
      if (a.fieldWord === 'full' && a.unit === '%') {
        // "more than 80% full" is less than 20% free: the space in use, not the space left.
        if (entity !== 'datastores') throw noFit('how full it is');
        const flip = { gt: 'lt', gte: 'lte', lt: 'gt', lte: 'gte', eq: 'eq', ne: 'ne' } as const;
        if (a.op === 'between') {
          const lo = Math.min(a.value, a.value2 ?? a.value);
          const hi = Math.max(a.value, a.value2 ?? a.value);
          return { kind: 'between', field: 'freePercent', min: 100 - hi, max: 100 - lo };
        }
        return { kind: 'cmp', field: 'freePercent', op: flip[a.op], value: 100 - a.value };
      }
      const field = numericField(entity, a);
      if (a.op === 'between') {
        const lo = scale(entity, field, Math.min(a.value, a.value2 ?? a.value), a.unit);
        const hi = scale(entity, field, Math.max(a.value, a.value2 ?? a.value), a.unit);
        return { kind: 'between', field, min: lo, max: hi };
      }
      return { kind: 'cmp', field, op: a.op, value: scale(entity, field, a.value, a.unit) };
    }
    case 'name': {
      if (a.value.startsWith('folder:')) {
        if (entity !== 'vms') throw noFit('folder');
        const v = a.value.slice(7);
        return { kind: 'text', field: 'folder', op: /[*?]/.test(v) ? 'glob' : 'contains', value: v };
      }
      return { kind: 'text', field: 'name', op: a.op, value: a.value };
    }
    case 'os': {
      if (entity !== 'vms') throw noFit('guest OS');
      const any: Filter = {
        kind: 'or',
        filters: a.needles.map((needle) => ({
          kind: 'text',
          field: 'guestFullName',
          op: 'contains',
          value: needle,
        })),
      };
      const base: Filter = any.kind === 'or' && any.filters.length === 1 ? any.filters[0]! : any;
      return a.version
        ? {
            kind: 'and',
            filters: [base, { kind: 'text', field: 'guestFullName', op: 'contains', value: a.version }],
          }
        : base;
    }
    case 'ip':
      if (entity !== 'vms') throw noFit('IP address');
      return {
        kind: 'text',
        field: 'ipAddresses',
        op: /[*?]/.test(a.value) ? 'glob' : 'equals',
        value: a.value,
      };
    case 'has': {
      const w = a.what;
      if (['ip', 'ips', 'address'].includes(w) && entity === 'vms')
        return { kind: 'empty', field: 'ipAddress', empty: !a.present };
      if (w.startsWith('snapshot') && entity === 'vms') {
        return { kind: 'cmp', field: 'snapshotCount', op: a.present ? 'gt' : 'eq', value: 0 };
      }
      if (['annotation', 'annotations', 'notes', 'note', 'description'].includes(w)) {
        const field = entity === 'vms' ? 'annotation' : entity === 'snapshots' ? 'description' : undefined;
        if (!field) throw noFit('notes');
        return { kind: 'empty', field, empty: !a.present };
      }
      const countField = fieldForWord(entity, w);
      if (countField && fieldDef(entity, countField)?.type === 'number') {
        return { kind: 'cmp', field: countField, op: a.present ? 'gt' : 'eq', value: 0 };
      }
      if (countField) return { kind: 'empty', field: countField, empty: !a.present };
      throw noFit(`"${w}"`);
    }
    case 'age': {
      let field: string | undefined;
      if (entity === 'snapshots') field = 'createdAt';
      else if (entity === 'vms' && (a.fieldWord === undefined || a.fieldWord.startsWith('snapshot')))
        field = 'oldestSnapshotAt';
      else if (
        (entity === 'vms' || entity === 'hosts') &&
        a.fieldWord &&
        ['boot', 'uptime', 'booted'].includes(a.fieldWord)
      )
        field = 'bootTime';
      if (!field) throw noFit('age');
      // Dates reach ±8.64e15 ms; "older than 99999999999 years" is simply before all of them.
      const ms = ctx.now.getTime() - a.days * 86_400_000;
      if (Number.isNaN(ms)) throw noFit('age');
      const cutoff = new Date(Math.max(-8.64e15, Math.min(8.64e15, ms))).toISOString();
      return { kind: 'cmp', field, op: a.older ? 'lt' : 'gt', value: cutoff };
    }
  }
}

/** Joins atoms: "or" binds adjacent atoms (windows or linux vms with 8 cpus → (win | linux) & cpu). */
export function combine(filters: Filter[], connectors: ('and' | 'or')[]): Filter | undefined {
  if (filters.length === 0) return undefined;
  const groups: Filter[][] = [[filters[0]!]];
  for (let i = 1; i < filters.length; i++) {
    if (connectors[i - 1] === 'or') groups.at(-1)!.push(filters[i]!);
    else groups.push([filters[i]!]);
  }
  // "powered on powered on vms" says it once; a plan holds at most 64 conditions per level.
  const unique = (xs: Filter[]): Filter[] => {
    const seen = new Set<string>();
    return xs.filter((x) => {
      const k = JSON.stringify(x);
      return seen.has(k) ? false : (seen.add(k), true);
    });
  };
  const parts = unique(
    groups.map((g) => {
      const u = unique(g);
      if (u.length > 64) throw new ResolveProblem('That question has too many conditions.', 'not_applicable');
      return u.length === 1 ? u[0]! : ({ kind: 'or', filters: u } as Filter);
    }),
  );
  if (parts.length > 64) throw new ResolveProblem('That question has too many conditions.', 'not_applicable');
  return parts.length === 1 ? parts[0] : { kind: 'and', filters: parts };
}

export function resolveSort(
  entity: QueryEntity,
  word: string,
  dir: 'asc' | 'desc' | undefined,
): { field: string; dir: 'asc' | 'desc' } {
  let field: string | undefined;
  if (word === '$size' || word === '$default' || word === '$top') field = SIZE_FIELD[entity];
  else if (word === '$freePercent') field = entity === 'datastores' ? 'freePercent' : SIZE_FIELD[entity];
  else if (word === '$age')
    field = entity === 'snapshots' ? 'createdAt' : entity === 'vms' ? 'oldestSnapshotAt' : 'bootTime';
  else if (word === '$busy') field = fieldDef(entity, 'vmCount') ? 'vmCount' : SIZE_FIELD[entity];
  else field = fieldForWord(entity, word) ?? (word === 'os' ? 'guestFullName' : undefined);
  if (!field || !fieldDef(entity, field)) {
    throw new ResolveProblem(`${entityLabel(entity)} cannot be sorted by "${word}".`, 'not_applicable');
  }
  const type = fieldDef(entity, field)!.type;
  return { field, dir: dir ?? (type === 'number' ? 'desc' : 'asc') };
}

export function resolveGroup(entity: QueryEntity, word: string): string {
  const aliases: Record<string, string> = {
    os: 'guestFullName',
    power: 'powerState',
    state: entity === 'hosts' ? 'connectionState' : 'powerState',
    version: entity === 'hosts' ? 'esxiVersion' : 'version',
    clusters: 'cluster',
    hosts: 'host',
    datacenters: 'datacenter',
    vcenters: 'vcenter',
    vc: 'vcenter',
    dc: 'datacenter',
    site: 'datacenter',
    datastores: 'datastores',
    networks: 'networks',
    tools: 'toolsStatus',
  };
  const alias = own(aliases, word);
  const field = alias && fieldDef(entity, alias) ? alias : fieldForWord(entity, word);
  if (!field || !fieldDef(entity, field)) {
    throw new ResolveProblem(`${entityLabel(entity)} cannot be grouped by "${word}".`, 'not_applicable');
  }
  return field;
}

export function timeUnitKnown(u: string): boolean {
  return TIME_UNITS_DAYS[u] !== undefined;
}

/** Builds the plan for a parsed question about `entity`. */
export function buildPlan(entity: QueryEntity, p: ParsedQuestion, ctx: ResolveContext): QueryPlan {
  const filters = p.atoms.map((a) => resolveAtom(entity, a, ctx));
  const plan: QueryPlan = { entity };
  const filter = combine(filters, p.connectors);
  if (filter) plan.filter = filter;
  if (p.sort) plan.sort = [resolveSort(entity, p.sort.fieldWord, p.sort.dir)];
  if (p.limit !== undefined) plan.limit = p.limit;
  if (p.groupWord) {
    plan.groupBy = resolveGroup(entity, p.groupWord);
    if (p.intent === 'rows') plan.aggregate = { fn: 'count' };
  }
  if (p.intent === 'count') plan.aggregate = { fn: 'count' };
  if (p.intent === 'aggregate' && p.aggregateFn) {
    const field = fieldForWord(entity, p.aggregateFieldWord);
    if (!field || fieldDef(entity, field)?.type !== 'number') {
      throw new ResolveProblem(
        `I can't ${p.aggregateFn === 'avg' ? 'average' : 'add up'} "${p.aggregateFieldWord ?? ''}" for ${entityLabel(entity)}.`,
        'not_applicable',
      );
    }
    plan.aggregate = { fn: p.aggregateFn, field };
  }
  return plan;
}
