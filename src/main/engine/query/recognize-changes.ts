/**
 * Questions about the change history ("what changed since yesterday", "which vms were powered off
 * today", "what happened to web-01", "hosts that entered maintenance this month") as a plan of the
 * `changes` entity. A question is read here only when it says something happened — changed,
 * happened, history, was powered off, entered/left maintenance, was removed/deleted (in a time
 * window), renamed, moved, or "what was created"; "vms created this week" stays the VMs' creation
 * date, "which vms are powered off" the present state, and "vms powered on since monday" the VMs
 * on now and booted since then. Every word is either understood or named back.
 */
import type { Filter, QueryPlan } from '../../../shared/query.js';
import { OBJECT_HISTORY_ENTITIES } from '../../../shared/change-kinds.js';
import type { QueryEntity } from '../../../shared/fields.js';
import { resolveDateRange } from './dates.js';
import { ENTITY_WORDS, FIELD_WORDS } from './lexicon.js';
import { ParseState, type NameLookup } from './parse-state.js';
import { datePhrase } from './recognize-dates.js';
import type { Token } from './tokenize.js';

/** Words that say something happened (the triggers), and the other words read here. */
export const CHANGE_QUESTION_WORDS = [
  'changed',
  'changes',
  'change',
  'happened',
  'history',
  'powered',
  'turned',
  'switched',
  'entered',
  'exited',
  'went',
  'came',
  'removed',
  'deleted',
  'destroyed',
  'renamed',
  'moved',
  'vmotioned',
  'migrated',
] as const;

/** Filler words a history question may contain anywhere. */
const FILLERS = new Set([
  'what',
  'which',
  'who',
  'show',
  'me',
  'list',
  'display',
  'give',
  'get',
  'all',
  'the',
  'a',
  'an',
  'any',
  'anything',
  'everything',
  'something',
  'objects',
  'things',
  'that',
  'whose',
  'with',
  'were',
  'was',
  'has',
  'have',
  'had',
  'been',
  'got',
  'did',
  'is',
  'are',
  'recently',
  'recent',
  'please',
  'there',
  'ever',
  'its',
  'their',
  'state',
  'mode',
]);

const PAST = new Set(['were', 'was', 'got', 'been', 'did', 'had']);
/** Child rows are recorded as fields of their owner: "disk 2 capacityBytes", "tag backup". */
const CHILD_PREFIX: Record<string, string> = {
  disk: 'disk ',
  disks: 'disk ',
  nic: 'nic ',
  nics: 'nic ',
  tag: 'tag ',
  tags: 'tag ',
  attribute: 'attribute ',
  attributes: 'attribute ',
};

export interface ChangeQuestion {
  /** The plan of what was understood (absent when too little was). */
  plan?: QueryPlan;
  /** Words not understood: the question is then not answered. */
  unknown: string[];
  count: boolean;
}

const has = (tokens: readonly Token[], w: string): boolean => tokens.some((t) => t.norm === w);

/** Is this a question about what happened (rather than about the present inventory)? */
function isHistoryQuestion(s: ParseState, entity: QueryEntity | undefined): boolean {
  const t = s.tokens;
  const words = new Set(t.map((x) => x.norm));
  const dated = t.some((_, k) => datePhrase(s, k) !== undefined);
  const past = t.some((x) => PAST.has(x.norm));
  if (
    ['changed', 'changes', 'change', 'happened', 'history', 'renamed', 'vmotioned'].some((w) => words.has(w))
  )
    return true;
  // Removed in a time window; "vms that were deleted" (ever) is more than the history keeps.
  if (['removed', 'deleted', 'destroyed'].some((w) => words.has(w))) return dated;
  if (['moved', 'migrated'].some((w) => words.has(w))) return dated || past;
  if (words.has('maintenance') && ['entered', 'exited', 'went', 'came', 'left'].some((w) => words.has(w)))
    return true;
  // "were powered off today": an event; "powered off vms" is the present state. "Powered on since
  // monday" keeps its inventory reading: on now, and booted since then.
  const off = t.some(
    (x, k) => ['powered', 'turned', 'switched'].includes(x.norm) && t[k + 1]?.norm === 'off',
  );
  if (off || (words.has('shut') && words.has('down'))) return dated || past;
  // "what was created this week": nothing but the history knows objects created (and since removed);
  // "vms created this week" is the VMs' creation date.
  if (words.has('created') && entity === undefined) return dated || past;
  return false;
}

/**
 * Reads a history question, or returns undefined when the question is not one (it then goes
 * through the inventory parser as before).
 */
export function recogniseChangeQuestion(
  tokens: readonly Token[],
  names: NameLookup,
  now: Date,
): ChangeQuestion | undefined {
  const s = new ParseState(tokens, names);
  let entity: QueryEntity | undefined;
  for (const t of tokens) {
    const e = ENTITY_WORDS[t.norm];
    if (e && e !== 'templates' && OBJECT_HISTORY_ENTITIES.has(e)) {
      entity = e;
      break;
    }
  }
  if (!isHistoryQuestion(s, entity)) return undefined;

  const filters: Filter[] = [];
  const unknown: string[] = [];
  let count = false;
  let kind: string | undefined;
  let field: { eq?: string; prefix?: string } | undefined;
  let newValue: string | undefined;
  let object: string | undefined;
  let vcenter: string | undefined;
  let entityWord: QueryEntity | undefined;
  const fieldOf = (w: string): { eq?: string; prefix?: string } | undefined => {
    if (CHILD_PREFIX[w]) return { prefix: CHILD_PREFIX[w] };
    if (w === 'maintenance') return { eq: 'inMaintenanceMode' };
    const own = (FIELD_WORDS[entity ?? 'vms'] as Record<string, string>)[w];
    return own ? { eq: own } : undefined;
  };
  const takeName = (k: number): number => {
    const v = s.takeValue(k);
    if (!v) return k;
    object = v.value;
    return v.next;
  };

  let k = 0;
  while (k < tokens.length) {
    const w = s.n(k);
    const next = s.n(k + 1);
    // Time: "today", "since yesterday", "in the last 24 hours", "this week", "on monday".
    const when = datePhrase(s, k);
    if (when) {
      const r = resolveDateRange(when.range, now);
      if (r.from) filters.push({ kind: 'cmp', field: 'at', op: 'gte', value: r.from });
      if (r.to) filters.push({ kind: 'cmp', field: 'at', op: 'lt', value: r.to });
      k = when.next;
      continue;
    }
    if ((w === 'how' && next === 'many') || (w === 'number' && next === 'of')) {
      count = true;
      k += 2;
      continue;
    }
    if (w === 'count' && k === 0) {
      count = true;
      k++;
      continue;
    }
    // "in vcenter vc01", "on vcenter vc01".
    if ((w === 'in' || w === 'on' || w === 'from') && next === 'vcenter' && tokens[k + 2]) {
      const v = s.takeValue(k + 2)!;
      vcenter = v.value;
      k = v.next;
      continue;
    }
    // "what happened to web-01", "history of web-01", "changes to web-01", "changes for web-01".
    if (
      (w === 'to' || w === 'of' || w === 'for') &&
      tokens[k + 1] &&
      ['happened', 'history', 'changes', 'change', 'changed'].includes(s.n(k - 1))
    ) {
      k = takeName(k + 1);
      continue;
    }
    if (w === 'happened' || w === 'history') {
      k++;
      continue;
    }
    const e = ENTITY_WORDS[w];
    if (
      e &&
      e !== 'templates' &&
      OBJECT_HISTORY_ENTITIES.has(e) &&
      (entityWord === undefined || entityWord === e)
    ) {
      // "moved host": a field of a VM, not the entity (the entity came first).
      if (entityWord === undefined) {
        entityWord = e;
        k++;
        continue;
      }
    }
    if (w === 'changed' || w === 'changes' || w === 'change') {
      k++;
      continue;
    }
    if (w === 'powered' || w === 'turned' || w === 'switched') {
      if (next === 'off' || next === 'on') {
        field = { eq: 'powerState' };
        newValue = next === 'off' ? 'poweredOff' : 'poweredOn';
        k += 2;
        continue;
      }
    }
    if (w === 'shut' && next === 'down') {
      field = { eq: 'powerState' };
      newValue = 'poweredOff';
      k += 2;
      continue;
    }
    if (w === 'power') {
      field = { eq: 'powerState' };
      k++;
      continue;
    }
    // "entered maintenance", "went into maintenance mode", "exited / left / came out of maintenance".
    if (w === 'entered' || (w === 'went' && next === 'into')) {
      const j = w === 'went' ? k + 2 : k + 1;
      if (s.n(j) === 'maintenance') {
        field = { eq: 'inMaintenanceMode' };
        newValue = 'true';
        k = j + 1;
        continue;
      }
    }
    if (w === 'exited' || w === 'left' || (w === 'came' && next === 'out' && s.n(k + 2) === 'of')) {
      const j = w === 'came' ? k + 3 : k + 1;
      if (s.n(j) === 'maintenance') {
        field = { eq: 'inMaintenanceMode' };
        newValue = 'false';
        k = j + 1;
        continue;
      }
    }
    if (w === 'removed' || w === 'deleted' || w === 'destroyed') {
      kind = 'removed';
      k++;
      continue;
    }
    if (w === 'created') {
      kind = 'created';
      k++;
      continue;
    }
    if (w === 'renamed') {
      field = { eq: 'name' };
      k++;
      continue;
    }
    // "moved host", "moved to another host", "migrated", "vmotioned": a VM's host changed.
    if (w === 'moved' || w === 'migrated' || w === 'vmotioned') {
      field = { eq: 'host' };
      k++;
      while (['to', 'another', 'a', 'new', 'other', 'host', 'hosts'].includes(s.n(k))) k++;
      continue;
    }
    const f = fieldOf(w);
    if (f && !field) {
      field = f;
      k++;
      continue;
    }
    if (FILLERS.has(w) || w === 'in' || w === 'on' || w === 'since' || w === 'during') {
      // A preposition alone is a filler only when what follows is understood; the next word is
      // checked on its own turn.
      k++;
      continue;
    }
    unknown.push(tokens[k]!.raw);
    k++;
  }

  const e = entityWord ?? entity;
  if (e) filters.unshift({ kind: 'text', field: 'entity', op: 'equals', value: e });
  if (vcenter) filters.push({ kind: 'text', field: 'vcenter', op: 'equals', value: vcenter });
  if (object) filters.push({ kind: 'text', field: 'object', op: 'equals', value: object });
  if (kind) filters.push({ kind: 'text', field: 'kind', op: 'equals', value: kind });
  else if (e && !field && !object && (has(tokens, 'changed') || has(tokens, 'changes')))
    // "datastores changed this week": their fields changed (objects created or removed are not
    // "changed"); "what changed" is everything.
    filters.push({ kind: 'text', field: 'kind', op: 'equals', value: 'changed' });
  if (field?.eq) filters.push({ kind: 'text', field: 'field', op: 'equals', value: field.eq });
  if (field?.prefix) filters.push({ kind: 'text', field: 'field', op: 'startsWith', value: field.prefix });
  if (newValue) filters.push({ kind: 'text', field: 'new', op: 'equals', value: newValue });

  const plan: QueryPlan = { entity: 'changes' };
  if (filters.length === 1) plan.filter = filters[0]!;
  else if (filters.length > 1) plan.filter = { kind: 'and', filters };
  if (count) plan.aggregate = { fn: 'count' };
  return { plan, unknown, count };
}
