import { ENTITY_WORDS } from './lexicon.js';
import type { ParseState } from './parse-state.js';
import { isFieldWord, isFieldWordOnly } from './words.js';

const AGGREGATE_WORDS: Record<string, 'sum' | 'avg' | 'min' | 'max'> = {
  sum: 'sum',
  total: 'sum',
  combined: 'sum',
  average: 'avg',
  avg: 'avg',
  mean: 'avg',
  maximum: 'max',
  max: 'max',
  minimum: 'min',
  min: 'min',
};

/** Words that, after "how much"/"total", mean storage in use rather than provisioned. */
const STORAGE_WORDS = new Set(['storage', 'disk', 'disks', 'space']);
const USE_VERBS = new Set(['use', 'uses', 'used', 'using', 'consume', 'consumes', 'consumed', 'consuming']);

function fieldAt(s: ParseState, j: number): { word: string; len: number } | undefined {
  const w = s.n(j);
  if (w === 'free' && s.n(j + 1) === 'space') return { word: 'free', len: 2 };
  if ((w === 'storage' || w === 'disk') && s.n(j + 1) === 'used') return { word: 'used', len: 2 };
  if ((w === 'disk' || w === 'storage') && s.n(j + 1) === 'space') return { word: w, len: 2 };
  if (w === 'used' && (s.n(j + 1) === 'storage' || s.n(j + 1) === 'space')) return { word: 'used', len: 2 };
  if (w === 'provisioned' && (s.n(j + 1) === 'storage' || s.n(j + 1) === 'space'))
    return { word: 'provisioned', len: 2 };
  // "vcpu count", "memory size": the field itself.
  if (isFieldWord(w) && ['count', 'size', 'amount', 'total'].includes(s.n(j + 1)) && !ENTITY_WORDS[w])
    return { word: w, len: 2 };
  if (isFieldWord(w)) return { word: w, len: 1 };
  return undefined;
}

/** Storage "used" when the question says so anywhere ("how much storage do templates use"). */
function storageWord(s: ParseState, word: string): string {
  if (!STORAGE_WORDS.has(word)) return word;
  return s.tokens.some((t) => USE_VERBS.has(t.norm)) ? 'used' : word;
}

/** Is an entity word named after `from` ("per host", "of the vms")? */
function entityAfter(s: ParseState, from: number): boolean {
  for (let k = from; k < s.tokens.length; k++) if (ENTITY_WORDS[s.n(k)]) return true;
  return false;
}

/**
 * Counting and adding up: "how many …", "count …", "number of …", "how much memory …",
 * "total / average / max … of …".
 */
export function recogniseIntent(s: ParseState): boolean {
  const { q } = s;
  const i = s.i;
  const w = s.n(i);

  if (s.at(i, ['how', 'many'])) {
    // "how many vcpus do the windows vms have": the sum of a field, not a count of objects.
    const f = fieldAt(s, i + 2);
    if (f && isFieldWordOnly(f.word) && entityAfter(s, i + 2 + f.len)) {
      q.intent = 'aggregate';
      q.aggregateFn = 'sum';
      q.aggregateFieldWord = f.word;
      s.i = i + 2 + f.len;
      return true;
    }
    q.intent = 'count';
    s.i = i + 2;
    return true;
  }
  if (s.at(i, ['how', 'much'])) {
    const f = fieldAt(s, i + 2);
    if (f) {
      q.intent = 'aggregate';
      q.aggregateFn = 'sum';
      q.aggregateFieldWord = storageWord(s, f.word);
      s.i = i + 2 + f.len;
      return true;
    }
    return false;
  }
  if (w === 'count' || s.at(i, ['number', 'of'])) {
    // "top 3 hosts by number of windows vms" is an order, read there.
    if (s.n(i - 1) === 'by' || (s.n(i - 1) === 'the' && s.n(i - 2) === 'by')) return false;
    q.intent = 'count';
    s.i = i + (w === 'count' ? 1 : 2);
    if (w === 'count' && s.n(s.i) === 'of') s.i++;
    return true;
  }
  const fn = AGGREGATE_WORDS[w];
  if (fn && !((w === 'max' || w === 'min') && s.isNum(i + 1))) {
    const multi = fieldAt(s, i + 1);
    if (
      w === 'total' &&
      !(multi && multi.len > 1) &&
      (s.n(i + 1) === 'number' || s.n(i + 1) === 'count' || ENTITY_WORDS[s.n(i + 1)])
    ) {
      q.intent = 'count';
      s.i = i + 1;
      if (s.n(s.i) === 'number' || s.n(s.i) === 'count') s.i++;
      if (s.n(s.i) === 'of') s.i++;
      return true;
    }
    let j = i + 1;
    while (['of', 'the', 'a', 'number', 'amount'].includes(s.n(j))) j++;
    const f = fieldAt(s, j);
    // "average number of vms per host": a field that is also an entity word, averaged per another.
    const perEntity = s.n(j + 1) === 'per' && ENTITY_WORDS[s.n(j + 2)];
    if (f && (isFieldWordOnly(f.word) || f.len > 1 || perEntity || !ENTITY_WORDS[f.word])) {
      q.intent = 'aggregate';
      q.aggregateFn = fn;
      q.aggregateFieldWord = storageWord(s, f.word);
      s.i = j + f.len;
      return true;
    }
    if (w === 'total') {
      s.i = i + 1;
      return true;
    }
  }
  return false;
}
