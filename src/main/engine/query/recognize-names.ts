import type { QueryEntity } from '../../../shared/fields.js';
import { ENTITY_WORDS, PREPS, RELATION_TARGETS } from './lexicon.js';
import type { ParseState } from './parse-state.js';
import { isFieldWord, isKnownWord, SINGULAR_ENTITY_WORDS } from './words.js';

const NAME_OPS: Record<string, 'contains' | 'startsWith' | 'endsWith'> = {
  containing: 'contains',
  contains: 'contains',
  contain: 'contains',
  including: 'contains',
  includes: 'contains',
  include: 'contains',
  starting: 'startsWith',
  starts: 'startsWith',
  start: 'startsWith',
  beginning: 'startsWith',
  begins: 'startsWith',
  begin: 'startsWith',
  prefixed: 'startsWith',
  ending: 'endsWith',
  ends: 'endsWith',
  end: 'endsWith',
  suffixed: 'endsWith',
};

const globOr = (v: string, op: 'equals' | 'contains' | 'startsWith' | 'endsWith') =>
  /[*?]/.test(v) ? 'glob' : op;

function relTarget(word: string): QueryEntity | undefined {
  const t = RELATION_TARGETS[word];
  if (t) return t;
  const e = ENTITY_WORDS[word];
  return e && e !== 'templates' && e !== 'vms' ? e : undefined;
}

/** "in their name", "in the names", "in it". */
function inNameAt(s: ParseState, k: number): number {
  if (s.n(k) !== 'in') return 0;
  let j = k + 1;
  if (['the', 'their', 'its', 'his', 'her'].includes(s.n(j))) j++;
  return s.n(j) === 'name' || s.n(j) === 'names' ? j - k + 1 : 0;
}

/**
 * Names and relations: "named web*", "with sql in their name", "whose name doesn't contain web",
 * "in cluster prod a", "on esx07", "which host runs web-01", "on the same host as web-01",
 * entity words, and a known object name anywhere.
 */
export function recogniseNames(s: ParseState): boolean {
  const { q, names } = s;
  const i = s.i;
  const w = s.n(i);
  const t = s.tokens[i]!;
  const n = (k: number): string => s.n(k);

  // "with sql in their name", "that have web in their names", "without sql in the name".
  if (['with', 'have', 'has', 'having', 'without'].includes(w)) {
    const v = s.takeValue(i + 1);
    const tail = v ? inNameAt(s, v.next) : 0;
    if (v && tail) {
      if (w === 'without') s.negateAt = s.negating ? -1 : i;
      s.push({ t: 'name', op: globOr(v.value, 'contains'), value: v.value });
      s.i = v.next + tail;
      return true;
    }
  }
  // "whose name(s) start with par-db", "with name containing web", "name doesn't contain web".
  if (w === 'whose' || w === 'with' || w === 'name' || w === 'names') {
    let j = w === 'name' || w === 'names' ? i + 1 : i + 1;
    if (w !== 'name' && w !== 'names') {
      if (n(j) !== 'name' && n(j) !== 'names') j = -1;
      else j++;
    }
    if (j > 0) {
      let negate = false;
      while (['is', 'does', 'do', 'not'].includes(n(j))) {
        if (n(j) === 'not') negate = !negate;
        j++;
      }
      const op = NAME_OPS[n(j)];
      if (op) {
        let k = j + 1;
        if (['with', 'in', 'by'].includes(n(k))) k++;
        const v = s.takeValue(k);
        if (v) {
          if (negate) s.negateAt = s.negating ? -1 : i;
          s.push({ t: 'name', op: globOr(v.value, op), value: v.value });
          s.i = v.next;
          return true;
        }
      }
      // "whose name is web-01", "with name web-01".
      if (n(j - 1) === 'is' || w === 'with') {
        const v = s.takeValue(j);
        if (v && !isKnownWord(n(j))) {
          if (negate) s.negateAt = s.negating ? -1 : i;
          s.push({ t: 'name', op: globOr(v.value, 'equals'), value: v.value });
          s.i = v.next;
          return true;
        }
      }
    }
  }
  if ((w === 'named' || w === 'called') && s.n(i + 1) === 'like') {
    const v = s.takeValue(i + 2);
    if (v) {
      s.push({ t: 'name', op: globOr(v.value, 'contains'), value: v.value });
      s.i = v.next;
      return true;
    }
  }
  if (w === 'named' || w === 'called') {
    const v = s.takeValue(i + 1);
    if (v) {
      s.push({ t: 'name', op: globOr(v.value, 'equals'), value: v.value });
      s.i = v.next;
      return true;
    }
  }
  if (['containing', 'contains', 'like', 'matching', 'including'].includes(w)) {
    const v = s.takeValue(i + 1);
    if (v) {
      s.push({ t: 'name', op: globOr(v.value, 'contains'), value: v.value });
      s.i = v.next + inNameAt(s, v.next);
      return true;
    }
  }
  if (NAME_OPS[w] && NAME_OPS[w] !== 'contains' && ['with', 'by', 'in'].includes(n(i + 1))) {
    const v = s.takeValue(i + 2);
    if (v) {
      s.push({ t: 'name', op: NAME_OPS[w]!, value: v.value });
      s.i = v.next;
      return true;
    }
  }
  if (t.kind === 'ip' || (w === 'ip' && s.tokens[i + 1]?.kind === 'ip')) {
    const ipTok = t.kind === 'ip' ? t : s.tokens[i + 1]!;
    s.push({ t: 'ip', value: ipTok.raw });
    s.i = i + (t.kind === 'ip' ? 1 : 2);
    return true;
  }

  // "on the same host as web-prd-007".
  {
    let j = PREPS.has(w) ? i + 1 : i;
    if (n(j) === 'the') j++;
    if (n(j) === 'same' && relTarget(n(j + 1)) && n(j + 2) === 'as') {
      const v = s.takeValue(j + 3);
      if (v) {
        s.push({ t: 'sameAs', target: relTarget(n(j + 1))!, vm: v.value });
        s.i = v.next;
        return true;
      }
    }
  }

  // Relations: "in cluster Prod-A", "on host esx01", "in the Production cluster", "outside cluster X".
  const outside = w === 'outside';
  if (PREPS.has(w) || outside || RELATION_TARGETS[w]) {
    let j = PREPS.has(w) || outside ? i + 1 : i;
    while (n(j) === 'the' || n(j) === 'a') j++;
    const relWord = n(j);
    const target = relTarget(relWord) ?? (RELATION_TARGETS[relWord] as QueryEntity | undefined);
    if (target !== undefined) {
      const v = s.takeValue(j + 1);
      const valueTok = s.tokens[j + 1];
      if (
        v &&
        valueTok &&
        (valueTok.kind !== 'word' || !isKnownWord(valueTok.norm) || names.isName(valueTok.norm))
      ) {
        if (outside) s.negateAt = s.negating ? -1 : i;
        if (relWord === 'folder') s.push({ t: 'name', op: 'equals', value: `folder:${v.value}` });
        else s.push({ t: 'rel', target, value: v.value, glob: /[*?]/.test(v.value) });
        s.lastRelTarget = target;
        s.i = v.next;
        return true;
      }
    }
    if (PREPS.has(w) || outside) {
      const valueTok = s.tokens[j];
      if (
        valueTok &&
        (valueTok.kind === 'quoted' ||
          (valueTok.kind === 'word' && (!isKnownWord(valueTok.norm) || names.isName(valueTok.norm))))
      ) {
        const v = s.takeValue(j)!;
        const afterTarget = relTarget(n(v.next));
        if (outside) s.negateAt = s.negating ? -1 : i;
        s.push({ t: 'rel', target: afterTarget, value: v.value, glob: /[*?]/.test(v.value) });
        s.lastRelTarget = afterTarget;
        s.i = v.next + (afterTarget ? 1 : 0);
        return true;
      }
    }
  }

  // Entities.
  if (w === 'virtual' && (n(i + 1) === 'machine' || n(i + 1) === 'machines')) {
    if (q.entity === undefined) q.singular = n(i + 1) === 'machine';
    q.entity ??= 'vms';
    s.i = i + 2;
    return true;
  }
  if (
    (w === 'port' && (n(i + 1) === 'group' || n(i + 1) === 'groups')) ||
    (w === 'vcenter' && (n(i + 1) === 'server' || n(i + 1) === 'servers'))
  ) {
    q.entity ??= w === 'port' ? 'networks' : 'vcenters';
    s.i = i + 2;
    return true;
  }
  if (ENTITY_WORDS[w]) {
    const e = ENTITY_WORDS[w];
    if (e === 'templates') {
      q.entity ??= 'vms';
      q.templatesOnly = true;
      s.push({ t: 'state', key: 'template' });
    } else if (q.entity === undefined) {
      q.entity = e;
      q.singular = SINGULAR_ENTITY_WORDS.has(w);
    } else if (q.entity !== e && q.groupWord === undefined && n(i - 1) !== 'by' && n(i - 1) !== 'per') {
      // "vms with snapshots" is read above; a second entity word is most often a field ("hosts with most vms").
      if (!isFieldWord(w) && !(q.groupTop && e === 'vms')) q.unknown.push(t.raw);
    }
    s.lastFieldWord = w;
    s.i = i + 1;
    return true;
  }
  // A wildcard alone is a name pattern: "web*".
  if (t.kind === 'word' && /[*?]/.test(t.raw)) {
    s.push({ t: 'name', op: 'glob', value: t.raw });
    s.i = i + 1;
    return true;
  }
  // A known object name alone: "show vm web-prd-012", "which host runs web-01", "what about Prod-B?".
  if ((t.kind === 'word' || t.kind === 'quoted') && names.isName(t.norm) && !isKnownWord(t.norm)) {
    const v = s.takeValue(i)!;
    s.push({ t: 'rel', target: undefined, value: v.value, glob: false });
    s.i = v.next;
    return true;
  }
  if (t.kind === 'quoted') {
    s.push({ t: 'rel', target: undefined, value: t.raw, glob: false });
    s.i = i + 1;
    return true;
  }
  return false;
}
