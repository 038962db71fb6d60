import { entityLabel, fieldDef, type QueryEntity } from '../../../shared/fields.js';
import { own } from '../../../shared/own.js';
import type { Filter, QueryPlan } from '../../../shared/query.js';
import type { Atom, ParsedQuestion, StateKey } from './atoms.js';
import { resolveDateRange, dateFieldFor } from './dates.js';
import { FIELD_WORDS, SIZE_FIELD, TIME_UNITS_DAYS, UNITS_MB } from './lexicon.js';
import type { NameIndex, NamedType, VmPlacement } from './names.js';
import { DepthProblem, resolveDepthAtom } from './resolve-depth.js';

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
    // The tools states people name, each a union of vSphere's (docs/questions.md).
    case 'toolsOld':
      return entity === 'vms'
        ? {
            kind: 'or',
            filters: [
              eq('toolsStatus', 'toolsOld'),
              eq('toolsVersionStatus', 'guestToolsNeedUpgrade'),
              eq('toolsVersionStatus', 'guestToolsSupportedOld'),
              eq('toolsVersionStatus', 'guestToolsTooOld'),
            ],
          }
        : undefined;
    case 'toolsNotInstalled':
      return entity === 'vms'
        ? {
            kind: 'or',
            filters: [
              eq('toolsStatus', 'toolsNotInstalled'),
              eq('toolsVersionStatus', 'guestToolsNotInstalled'),
            ],
          }
        : undefined;
    case 'toolsOk':
      return entity === 'vms' ? eq('toolsStatus', 'toolsOk') : undefined;
    case 'toolsUnhealthy':
      return entity === 'vms' ? { kind: 'cmp', field: 'toolsStatus', op: 'ne', value: 'toolsOk' } : undefined;
    case 'standalone':
      return entity === 'hosts' ? { kind: 'empty', field: 'cluster', empty: true } : undefined;
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
    case 'efi':
    case 'bios':
      return entity === 'vms' ? { kind: 'text', field: 'firmware', op: 'equals', value: key } : undefined;
    case 'secureBoot':
      return entity === 'vms' ? eq('secureBoot', true) : undefined;
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
      return ['snapshots', 'disks', 'nics', 'partitions'].includes(entity) ? 'vm' : undefined;
    default:
      return undefined;
  }
}

export interface ResolveContext {
  names: NameIndex;
  now: Date;
  /** Names corrected on the way, to show the user ("prodction" → "Production"). */
  corrections: string[];
  /** The vCenter the question is about, when it names one (ties between names are settled by it). */
  vcenterScope?: string;
}

/** Entities with a free space percentage ("90% full" reads as "less than 10% free"). */
const HAS_FREE_PERCENT: ReadonlySet<QueryEntity> = new Set(['datastores', 'partitions']);

export function fieldForWord(
  entity: QueryEntity,
  word: string | undefined,
  unit?: string,
): string | undefined {
  if (!word) return undefined;
  if (word === 'free' && HAS_FREE_PERCENT.has(entity)) return unit === '%' ? 'freePercent' : 'freeBytes';
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
  // "more than 2 disks" counts disks; "disks over 100 gb" is their size.
  if (a.counted && entity === 'vms' && (a.fieldWord === 'disks' || a.fieldWord === 'disk'))
    return 'diskCount';
  const f = fieldForWord(entity, a.fieldWord, a.unit);
  if (a.fieldWord && (!f || fieldDef(entity, f)?.type !== 'number')) {
    throw new ResolveProblem(
      `${entityLabel(entity)} have no number "${a.fieldWord}" to compare (the cache holds no such value).`,
      'not_applicable',
    );
  }
  if (f && fieldDef(entity, f)?.type === 'number') {
    if (a.unit === '%' && HAS_FREE_PERCENT.has(entity) && f === 'freeBytes') return 'freePercent';
    if (a.unit === '%' && fieldDef(entity, f)?.unit !== 'percent') {
      throw new ResolveProblem(
        `"${a.value}%" of ${fieldDef(entity, f)!.label.toLowerCase()}: the cache holds no usage percentage for ${entityLabel(entity)}, only the configured amount.`,
        'not_applicable',
      );
    }
    return f;
  }
  if (a.unit === '%' && HAS_FREE_PERCENT.has(entity)) return 'freePercent';
  if (a.unit && UNITS_MB[a.unit] !== undefined) {
    if (entity === 'vms') {
      const mb = a.value * UNITS_MB[a.unit]!;
      return a.unit.startsWith('t') || mb >= 512 * 1024 ? 'provisionedBytes' : 'memoryMb';
    }
    if (entity === 'datastores' || entity === 'disks' || entity === 'partitions') return 'capacityBytes';
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
  if (r.kind === 'ambiguous' && ctx.vcenterScope && target !== 'vcenters') {
    // "host esx04 in vcenter vc-1": the vCenter named in the same question decides.
    const inScope = ctx.names.inVcenter(target, r.candidates, ctx.vcenterScope);
    if (inScope.length === 1) {
      ctx.corrections.push(`${label} "${value}" → "${inScope[0]!}"`);
      return { op: 'equals', value: inScope[0]! };
    }
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
        const all = ctx.names.guessTypes(a.value);
        // "which host runs web-01": the host (cluster, datastore, vCenter …) of that VM.
        if (
          all.includes('vms') &&
          !all.some((t) => t !== 'vms' && relationField(entity, t)) &&
          entity !== 'vms' &&
          entity !== 'snapshots'
        )
          return placementFilter(entity, placementOf(ctx, a.value));
        const types = all.filter((t) => relationField(entity, t));
        if (types.length === 0) {
          throw new ResolveProblem(
            `I don't know "${a.value}": no cluster, host, datastore, datacenter, network or vCenter has that name.`,
            'not_found',
          );
        }
        target = types[0]!;
      }
      let field = relationField(entity, target);
      if (!field) throw noFit(`${entityLabel(target, false)}`);
      // "vms on par-prod-d hosts": no host has that name, but a cluster does (the hosts of that cluster).
      if (
        a.target !== undefined &&
        !a.glob &&
        ctx.names.resolve(target as NamedType, a.value).kind === 'none'
      ) {
        const other = ctx.names
          .typesOf(a.value.toLowerCase())
          .find((t) => t !== 'vms' && relationField(entity, t));
        if (other) {
          target = other;
          field = relationField(entity, other)!;
        }
      }
      const r = resolveName(ctx, target as NamedType, a.value, a.glob);
      return { kind: 'text', field, op: r.op, value: r.value };
    }
    case 'num': {
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
      // The configured full name, the one VMware Tools report, or the guest id.
      const filters: Filter[] = [
        ...a.match.names.flatMap((needle): Filter[] => [
          { kind: 'text', field: 'guestFullName', op: 'contains', value: needle },
          { kind: 'text', field: 'guestFullNameReported', op: 'contains', value: needle },
        ]),
        ...a.match.ids.map((id): Filter => ({ kind: 'text', field: 'guestId', op: 'glob', value: id })),
      ];
      return filters.length === 1 ? filters[0]! : { kind: 'or', filters };
    }
    case 'dstype': {
      if (entity !== 'datastores')
        throw new ResolveProblem(
          `${entityLabel(entity)} cannot be filtered by datastore type ("${a.label}"); ask about datastores, e.g. "${a.label} datastores".`,
          'not_applicable',
        );
      const filters = a.types.map((t) => eq('type', t));
      return filters.length === 1 ? filters[0]! : { kind: 'or', filters };
    }
    case 'esxi': {
      if (entity !== 'hosts') throw noFit('ESXi version');
      if (/^\d+\.\d+\.\d+$/.test(a.version))
        return { kind: 'text', field: 'esxiVersion', op: 'equals', value: a.version };
      return {
        kind: 'or',
        filters: [
          { kind: 'text', field: 'esxiVersion', op: 'equals', value: a.version },
          { kind: 'text', field: 'esxiVersion', op: 'startsWith', value: `${a.version}.` },
        ],
      };
    }
    case 'sameAs': {
      const p = placementOf(ctx, a.vm);
      const field = relationField(entity, a.target);
      const value =
        a.target === 'hosts'
          ? p.host
          : a.target === 'clusters'
            ? p.cluster
            : a.target === 'datacenters'
              ? p.datacenter
              : undefined;
      if (!field || value === null || value === undefined)
        throw noFit(`the same ${entityLabel(a.target, false)} as ${a.vm}`);
      return {
        kind: 'and',
        filters: [
          { kind: 'text', field: 'vcenter', op: 'equals', value: p.vcenter },
          { kind: 'text', field, op: 'equals', value },
        ],
      };
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
    case 'disk':
    case 'nic':
    case 'tag':
    case 'attr':
      try {
        return resolveDepthAtom(entity, a, ctx.names);
      } catch (err) {
        if (err instanceof DepthProblem) throw new ResolveProblem(err.message, err.kind, err.suggestions);
        throw err;
      }
    case 'when': {
      const field = dateFieldFor(entity, a.fieldWord);
      if (field === null)
        throw new ResolveProblem(
          `${entityLabel(entity)} have no ${a.fieldWord === 'created' || !a.fieldWord ? 'creation' : `"${a.fieldWord}"`} date in the cache (vMiner does not collect it yet), so "${a.label}" cannot be answered.`,
          'not_applicable',
        );
      if (field === undefined) throw noFit(`a date ("${a.label}")`);
      // A VM row carries only its oldest snapshot's date: "older than" is exact with it, "a snapshot
      // from last week" is not (an older snapshot hides the new one). Said so, never approximated.
      if (field === 'oldestSnapshotAt' && a.form === 'period' && a.range.from)
        throw new ResolveProblem(
          `VMs carry only the date of their oldest snapshot, so "VMs with a snapshot ${a.label}" cannot be answered exactly. Ask for the snapshots themselves (each shows its VM): "snapshots ${a.label}".`,
          'not_applicable',
          [`snapshots ${a.label}`],
        );
      const { from, to } = resolveDateRange(a.range, ctx.now);
      const parts: Filter[] = [];
      if (from) parts.push({ kind: 'cmp', field, op: 'gte', value: from });
      if (to) parts.push({ kind: 'cmp', field, op: 'lt', value: to });
      if (parts.length === 0) throw noFit('date');
      return parts.length === 1 ? parts[0]! : { kind: 'and', filters: parts };
    }
  }
}

function placementOf(ctx: ResolveContext, vm: string): VmPlacement {
  const found = ctx.names.vmPlacement(vm);
  if (found.length === 0) throw new ResolveProblem(`There is no VM named "${vm}".`, 'not_found');
  if (found.length > 1)
    throw new ResolveProblem(
      `${vm} exists in ${found.map((p) => p.vcenter).join(' and ')}: which vCenter?`,
      'clarify',
      found.map((p) => `${vm} in vcenter ${p.vcenter}`),
    );
  return found[0]!;
}

/** The objects of `entity` that hold a VM: its host, cluster, datastores, networks, vCenter. */
function placementFilter(entity: QueryEntity, p: VmPlacement): Filter {
  const inVc: Filter = { kind: 'text', field: 'vcenter', op: 'equals', value: p.vcenter };
  const names = (xs: (string | null)[]): Filter => {
    const list = xs.filter((x): x is string => !!x);
    if (list.length === 0)
      throw new ResolveProblem(`${p.name} has no ${entityLabel(entity, false)}.`, 'not_applicable');
    const eqs = list.map((x): Filter => ({ kind: 'text', field: 'name', op: 'equals', value: x }));
    return { kind: 'and', filters: [inVc, eqs.length === 1 ? eqs[0]! : { kind: 'or', filters: eqs }] };
  };
  switch (entity) {
    case 'hosts':
      return names([p.host]);
    case 'clusters':
      return names([p.cluster]);
    case 'datacenters':
      return names([p.datacenter]);
    case 'datastores':
      return names(p.datastores);
    case 'networks':
      return names(p.networks);
    case 'vcenters':
      return { kind: 'text', field: 'name', op: 'equals', value: p.vcenter };
    default:
      throw new ResolveProblem(`${entityLabel(entity)} cannot hold a VM.`, 'not_applicable');
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
  else if (word === '$freePercent') field = HAS_FREE_PERCENT.has(entity) ? 'freePercent' : SIZE_FIELD[entity];
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
  const scope = p.atoms.find((a) => a.t === 'rel' && a.target === 'vcenters' && !a.negated);
  if (scope?.t === 'rel') {
    const r = ctx.names.resolve('vcenters', scope.value);
    if (r.kind === 'exact' || r.kind === 'fuzzy') ctx.vcenterScope = r.name;
  }
  const filters = p.atoms.map((a) => resolveAtom(entity, a, ctx));
  const plan: QueryPlan = { entity };
  const extra: Filter[] = [];
  if (p.sort) {
    plan.sort = [resolveSort(entity, p.sort.fieldWord, p.sort.dir)];
    // "the oldest snapshot": objects without the date have no place in the order.
    if (p.sort.fieldWord === '$age') extra.push({ kind: 'empty', field: plan.sort[0]!.field, empty: false });
  }
  if (p.limit !== undefined) plan.limit = p.limit;
  if (p.groupWord) {
    plan.groupBy = resolveGroup(entity, p.groupWord);
    if (p.intent === 'rows') plan.aggregate = { fn: 'count' };
    if (p.groupTop) {
      // "which cluster has the most …": VMs outside any cluster are no cluster's.
      plan.sort = [{ field: plan.groupBy, dir: p.groupTop.dir }];
      extra.push({ kind: 'empty', field: plan.groupBy, empty: false });
    }
  }
  const filter = combine([...filters, ...extra], [...p.connectors, ...extra.map(() => 'and' as const)]);
  if (filter) plan.filter = filter;
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
