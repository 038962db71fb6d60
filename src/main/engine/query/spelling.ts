import Fuse from 'fuse.js';
import { isEnglishWord } from './english-words.js';
import { CHANGE_VERBS, DOMAIN_TERMS, keywordVocabulary } from './lexicon.js';
import type { Token } from './tokenize.js';

/** Damerau–Levenshtein distance (optimal string alignment), bounded by `max`. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
  }
  return d[a.length]![b.length]!;
}

const VOCAB = keywordVocabulary();
const VOCAB_SET = new Set(VOCAB);
const fuse = new Fuse(VOCAB, { includeScore: true, threshold: 0.45, distance: 20 });

/** Typos allowed by word length: short words are never touched ("no"/"on", "vm"/"vms"). */
function allowedEdits(word: string): number {
  return word.length < 4 ? 0 : word.length < 7 ? 1 : 2;
}

export function isKeyword(word: string): boolean {
  return VOCAB_SET.has(word);
}

/**
 * Corrects a misspelt keyword ("powred" → "powered", "datastors" → "datastores"). fuse.js finds
 * candidates; an edit-distance bound keeps names safe, and a word that is real English or a
 * vSphere term is never corrected ("last week" stays "last week", "vmfs" stays "vmfs"): correction
 * is only for tokens that are neither.
 */
export function correctKeyword(word: string): string | undefined {
  if (VOCAB_SET.has(word) || DOMAIN_TERMS.has(word)) return undefined;
  // A typo costs a fuse.js search (~0.5 ms); people repeat their typos.
  if (memo.has(word)) return memo.get(word);
  const fixed = findCorrection(word);
  if (memo.size > 5000) memo.clear();
  memo.set(word, fixed);
  return fixed;
}

const memo = new Map<string, string | undefined>();

function findCorrection(word: string): string | undefined {
  const max = allowedEdits(word);
  if (/[\d*?.@/_]/.test(word) || word.length < 3) return undefined;
  if (isRealWord(word)) return undefined;
  // Three letters: only two swapped letters of one keyword ("hwo" → "how", "vsm" → "vms").
  if (max === 0) {
    const swapped = VOCAB.filter(
      (v) =>
        v.length === 3 &&
        [...v].sort().join('') === [...word].sort().join('') &&
        editDistance(word, v, 1) === 1,
    );
    return swapped.length === 1 ? swapped[0] : undefined;
  }
  let best: { word: string; dist: number; rank: number } | undefined;
  let candidates: { item: string; score?: number }[] = fuse.search(word, { limit: 8 });
  // fuse.js ranks transpositions low ("lsit"): when it proposes nothing close, scan the vocabulary.
  if (!candidates.some((r) => editDistance(word, r.item, max) <= max))
    candidates = VOCAB.filter((v) => Math.abs(v.length - word.length) <= max).map((item) => ({ item }));
  for (const r of candidates) {
    const dist = editDistance(word, r.item, max);
    if (dist > max) continue;
    // Ties: a dropped letter is the commonest typo, so prefer the candidate ending like the word.
    // A request to change something never wins a tie against a question word ("suspened").
    const rank =
      (r.item.at(-1) === word.at(-1) ? 0 : 1) + (r.score ?? 1) + (CHANGE_VERBS.has(r.item) ? 0.5 : 0);
    if (!best || dist < best.dist || (dist === best.dist && rank < best.rank))
      best = { word: r.item, dist, rank };
  }
  return best?.word;
}

/** A real English word (the list holds inflected forms) or a vSphere term. */
export function isRealWord(word: string): boolean {
  const w = word.replace(/-/g, '');
  return isEnglishWord(w) || DOMAIN_TERMS.has(w);
}

/**
 * Real words typed for another: fixed pairs that only apply in their context, reviewed by hand
 * (the fuzzy corrector never touches a real word). "more then 8" → "more than 8", "shoe me" → "show me".
 */
const CONFUSABLES: { word: string; fix: string; when: (prev: string, next: string) => boolean }[] = [
  {
    word: 'then',
    fix: 'than',
    when: (prev) =>
      [
        'more',
        'less',
        'fewer',
        'greater',
        'bigger',
        'larger',
        'smaller',
        'higher',
        'lower',
        'older',
        'newer',
        'other',
      ].includes(prev),
  },
  {
    word: 'shoe',
    fix: 'show',
    when: (prev, next) => prev === '' && ['me', 'all', 'the', 'us'].includes(next),
  },
];

/**
 * Applies keyword corrections to tokens that are neither keywords nor names known in the
 * inventory. `protect(i)` says a token is a name slot (after "named", "in cluster", …).
 */
export function correctTokens(
  tokens: Token[],
  isKnownName: (word: string) => boolean,
  protect: (index: number) => boolean,
): { tokens: Token[]; changed: boolean } {
  let changed = false;
  const out = tokens.map((t, i) => {
    if (t.kind !== 'word') return t;
    const c = CONFUSABLES.find(
      (x) => x.word === t.norm && x.when(tokens[i - 1]?.norm ?? '', tokens[i + 1]?.norm ?? ''),
    );
    if (c && !isKnownName(t.norm)) {
      changed = true;
      return { ...t, norm: c.fix, raw: c.fix };
    }
    if (protect(i) || isKnownName(t.norm)) return t;
    const fixed = correctKeyword(t.norm);
    if (!fixed) return t;
    changed = true;
    return { ...t, norm: fixed, raw: fixed };
  });
  return { tokens: out, changed };
}

/** Keywords near a word (for suggestions, real words included): nearest first. */
export function closestKeywords(word: string, n: number): string[] {
  if (word.length < 3) return [];
  const max = word.length < 6 ? 1 : 2;
  return VOCAB.map((v) => ({ v, d: editDistance(word, v, max) }))
    .filter((x) => x.d <= max && x.v !== word)
    .sort((a, b) => a.d - b.d || a.v.localeCompare(b.v))
    .slice(0, n)
    .map((x) => x.v);
}

/** The question as typed, with each corrected word swapped in (spacing and punctuation kept). */
export function withCorrections(question: string, raw: Token[], fixed: Token[]): string {
  let out = question;
  let from = 0;
  for (const [i, t] of raw.entries()) {
    const f = fixed[i]!;
    const at = out.toLowerCase().indexOf(t.raw.toLowerCase(), from);
    if (at < 0) continue;
    if (f.norm !== t.norm) {
      out = out.slice(0, at) + f.raw + out.slice(at + t.raw.length);
      from = at + f.raw.length;
    } else from = at + t.raw.length;
  }
  return out;
}
