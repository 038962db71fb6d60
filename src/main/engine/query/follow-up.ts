import type { QueryEntity } from '../../../shared/fields.js';
import type { Filter, QueryPlan } from '../../../shared/query.js';
import type { ParsedQuestion } from './atoms.js';
import {
  buildPlan,
  combine,
  ResolveProblem,
  resolveAtom,
  resolveGroup,
  resolveSort,
  type ResolveContext,
} from './resolve.js';

/** The column that shows what a `has` filter looked at (an answer's rows show it). */
const HAS_COLUMN: Record<string, string> = {
  tags: 'tags',
  attributes: 'attributes',
  disks: 'diskCount',
  nics: 'nicCount',
};

export function fieldsOf(f: Filter | undefined, out = new Set<string>()): Set<string> {
  if (!f) return out;
  if (f.kind === 'and' || f.kind === 'or') f.filters.forEach((x) => fieldsOf(x, out));
  else if (f.kind === 'not') fieldsOf(f.filter, out);
  else if (f.kind === 'has') out.add(HAS_COLUMN[f.relation] ?? `has:${f.relation}`);
  else out.add(f.field);
  return out;
}

/** How a follow-up starts decides how it refines: "and in cluster B?" swaps, "show them" lists. */
export interface FollowUpHints {
  swap: boolean;
  rows: boolean;
}

function isSwap(p: ParsedQuestion, hints: FollowUpHints): boolean {
  return hints.swap || (p.followUpHint && p.unknown.length === 0 && p.atoms.every((a) => a.t === 'rel'));
}

export function inferEntity(p: ParsedQuestion): QueryEntity | undefined {
  for (const a of p.atoms) {
    if (a.t === 'state') {
      if (['maintenance', 'connected', 'disconnected', 'notResponding', 'standalone'].includes(a.key))
        return 'hosts';
      if (['haOn', 'haOff', 'drsOn', 'drsOff'].includes(a.key)) return 'clusters';
      if (['accessible', 'inaccessible', 'empty'].includes(a.key)) return 'datastores';
      return 'vms';
    }
    if (a.t === 'dstype') return 'datastores';
    if (a.t === 'esxi') return 'hosts';
    if (a.t === 'os' || a.t === 'ip' || a.t === 'when' || a.t === 'sameAs') return 'vms';
    if (a.t === 'num' || a.t === 'has' || a.t === 'name' || a.t === 'rel') return 'vms';
  }
  return undefined;
}

export function looksLikeFollowUp(p: ParsedQuestion): boolean {
  return (
    p.followUpHint ||
    p.atoms.length > 0 ||
    p.sort !== undefined ||
    p.limit !== undefined ||
    p.intent !== 'rows' ||
    p.groupWord !== undefined ||
    p.kind === 'export'
  );
}

/** A follow-up narrows the previous plan; "and in cluster B?" swaps the constraint on the same field. */
export function refinePlan(
  prev: QueryPlan,
  p: ParsedQuestion,
  ctx: ResolveContext,
  hints: FollowUpHints,
): QueryPlan {
  const entity = prev.entity;
  const plan: QueryPlan = { entity };
  let filter = prev.filter;
  const added = p.atoms.map((a) => resolveAtom(entity, a, ctx));
  if (added.length > 0) {
    const add = combine(added, p.connectors)!;
    const swap = !p.atoms.some((a) => a.negated) && !p.narrowing && isSwap(p, hints);
    if (filter) {
      // "and in cluster B?" swaps every condition on the fields it names; any follow-up replaces
      // an equality on the same field ("powered on vms" → "only the powered off ones").
      const fields = fieldsOf(add);
      const eqFields = new Set(
        (add.kind === 'and' ? add.filters : [add])
          .filter((x) => x.kind === 'cmp' && x.op === 'eq')
          .map((x) => (x as { field: string }).field),
      );
      const parts = filter.kind === 'and' ? filter.filters : [filter];
      const kept = parts.filter((x) => {
        const xf = [...fieldsOf(x)];
        if (swap) return !xf.some((f) => fields.has(f));
        return !(x.kind === 'cmp' && x.op === 'eq' && eqFields.has(x.field));
      });
      filter = kept.length === 0 ? undefined : kept.length === 1 ? kept[0] : { kind: 'and', filters: kept };
    }
    const merged = [
      ...(filter ? (filter.kind === 'and' ? filter.filters : [filter]) : []),
      ...(add.kind === 'and' ? add.filters : [add]),
    ];
    if (merged.length > 64)
      throw new ResolveProblem(
        'That conversation has too many conditions; start a new question.',
        'not_applicable',
      );
    filter = merged.length === 1 ? merged[0] : { kind: 'and', filters: merged };
  }
  if (filter) plan.filter = filter;
  // "top 3" after "sort them by cpu" keeps the cpu order.
  const sort =
    p.sort && !(p.sort.fieldWord === '$top' && prev.sort)
      ? [resolveSort(entity, p.sort.fieldWord, p.sort.dir)]
      : prev.sort;
  if (sort) plan.sort = sort;
  const limit = p.limit ?? prev.limit;
  if (limit !== undefined) plan.limit = limit;
  if (p.groupWord) {
    plan.groupBy = resolveGroup(entity, p.groupWord);
    plan.aggregate = { fn: 'count' };
  } else if (p.intent === 'count') plan.aggregate = { fn: 'count' };
  else if (p.intent === 'aggregate' && p.aggregateFn) {
    const built = buildPlan(
      entity,
      { ...p, atoms: [], connectors: [], sort: undefined, limit: undefined },
      ctx,
    );
    if (built.aggregate) plan.aggregate = built.aggregate;
  } else if (prev.aggregate && !hints.rows && !p.sort && p.limit === undefined) {
    // A follow-up that only narrows keeps the question's shape: "count vms by cluster" → "only windows".
    plan.aggregate = prev.aggregate;
    if (prev.groupBy) plan.groupBy = prev.groupBy;
  }
  return plan;
}
