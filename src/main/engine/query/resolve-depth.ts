import { entityLabel, type QueryEntity } from '../../../shared/fields.js';
import type { Filter } from '../../../shared/query.js';
import { relationTarget } from '../../../shared/relations.js';
import type { AtomBody, DiskKind } from './atoms.js';
import type { NameIndex } from './names.js';
import { editDistance } from './spelling.js';

/** Why a depth phrase cannot be answered (the resolver turns it into its own problem type). */
export class DepthProblem extends Error {
  constructor(
    message: string,
    readonly kind: 'not_applicable' | 'not_found',
    readonly suggestions: string[] = [],
  ) {
    super(message);
  }
}

const eq = (field: string, value: string | boolean): Filter =>
  typeof value === 'boolean'
    ? { kind: 'cmp', field, op: 'eq', value }
    : { kind: 'text', field, op: 'equals', value };

/** A kind of disk as a condition on a disk row (provisioning as vSphere's backing says it). */
function diskFilter(kind: DiskKind): Filter {
  switch (kind) {
    case 'thin':
      return eq('provisioning', 'thin');
    case 'thick':
      return { kind: 'text', field: 'provisioning', op: 'startsWith', value: 'thick' };
    case 'eager':
      return eq('provisioning', 'thick eager');
    case 'lazy':
      return eq('provisioning', 'thick lazy');
    case 'rdm':
      return eq('raw', true);
    case 'independent':
      return { kind: 'text', field: 'diskMode', op: 'startsWith', value: 'independent' };
  }
}

/** `inner` on the entity's own rows, or through its related rows (a VM's disks, a host's tags). */
function through(
  entity: QueryEntity,
  child: QueryEntity,
  relation: string,
  inner: Filter,
  what: string,
): Filter {
  if (entity === child) return inner;
  if (relationTarget(entity, relation)) return { kind: 'has', relation, filter: inner };
  throw new DepthProblem(`${entityLabel(entity)} have no ${what}.`, 'not_applicable');
}

function closest(word: string, names: Iterable<string>): string[] {
  const lower = word.toLowerCase();
  return [...names]
    .map((n) => ({ n, d: editDistance(lower, n.toLowerCase(), 3) }))
    .filter((x) => x.d <= Math.max(1, Math.floor(lower.length / 3)))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, 3)
    .map((x) => x.n);
}

/** "tagged backup": tags of that name or of that category; "backup=gold": that tag of that category. */
function tagFilter(a: Extract<AtomBody, { t: 'tag' }>, names: NameIndex): Filter | undefined {
  const { tags, categories } = names.tagNames();
  const known = [...new Set([...categories.values(), ...tags.values()])];
  if (a.category !== undefined && a.tag !== undefined) {
    const cat = categories.get(a.category.toLowerCase());
    const tag = tags.get(a.tag.toLowerCase());
    if (!cat || !tag) {
      const missing = cat ? a.tag : a.category;
      throw new DepthProblem(
        `No tag ${cat ? '' : 'category '}is named "${missing}"${hint(closest(missing, cat ? tags.values() : categories.values()))}.`,
        'not_found',
        closest(missing, known),
      );
    }
    return { kind: 'and', filters: [eq('category', cat), eq('name', tag)] };
  }
  if (a.value === undefined) return undefined;
  const lower = a.value.toLowerCase();
  const parts: Filter[] = [];
  if (categories.has(lower)) parts.push(eq('category', categories.get(lower)!));
  if (tags.has(lower)) parts.push(eq('name', tags.get(lower)!));
  if (parts.length === 0) {
    const near = closest(a.value, known);
    throw new DepthProblem(
      known.length === 0
        ? `No tags are in the cache (a vCenter's tags are read through its tagging API), so "tagged ${a.value}" cannot be answered.`
        : `No tag or tag category is named "${a.value}"${hint(near)}.`,
      'not_found',
      near,
    );
  }
  return parts.length === 1 ? parts[0] : { kind: 'or', filters: parts };
}

const hint = (near: string[]): string => (near.length ? ` (closest: ${near.join(', ')})` : '');

/** The condition for a depth atom (disk kind, NIC adapter, tag, custom attribute) on `entity`. */
export function resolveDepthAtom(
  entity: QueryEntity,
  a: Extract<AtomBody, { t: 'disk' | 'nic' | 'tag' | 'attr' }>,
  names: NameIndex,
): Filter {
  switch (a.t) {
    case 'disk':
      return through(entity, 'disks', 'disks', diskFilter(a.kind), `disks ("${a.label}")`);
    case 'nic':
      return through(
        entity,
        'nics',
        'nics',
        eq('adapterType', a.adapter),
        `network adapters ("${a.adapter}")`,
      );
    case 'tag': {
      const inner = tagFilter(a, names);
      if (entity === 'tags') {
        if (!inner)
          throw new DepthProblem('Which tag? Name it, e.g. "tags in category backup".', 'not_applicable');
        return inner;
      }
      if (!relationTarget(entity, 'tags'))
        throw new DepthProblem(`${entityLabel(entity)} have no tags.`, 'not_applicable');
      return inner ? { kind: 'has', relation: 'tags', filter: inner } : { kind: 'has', relation: 'tags' };
    }
    case 'attr': {
      if (relationTarget(entity, 'attributes') !== 'attributes')
        throw new DepthProblem(
          `${entityLabel(entity)} have no custom attributes ("${a.name}"); VMs and hosts have.`,
          'not_applicable',
        );
      const name = eq('name', a.name);
      const filter: Filter =
        a.value === undefined ? name : { kind: 'and', filters: [name, eq('value', a.value)] };
      return { kind: 'has', relation: 'attributes', filter };
    }
  }
}
