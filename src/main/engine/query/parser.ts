import type { Atom, ParsedQuestion } from './atoms.js';
import { unknownWords } from './leftovers.js';
import { RELATION_TARGETS } from './lexicon.js';
import { ParseState, type NameLookup } from './parse-state.js';
import { recogniseDates } from './recognize-dates.js';
import { recogniseDepth } from './recognize-depth.js';
import { recogniseIntent } from './recognize-intent.js';
import { recogniseNames } from './recognize-names.js';
import { recogniseNumbers } from './recognize-numbers.js';
import { recogniseOrder } from './recognize-order.js';
import { recogniseOs } from './recognize-os.js';
import { recogniseState } from './recognize-state.js';
import { classifySentence } from './sentence.js';
import type { Token } from './tokenize.js';
import { isKnownWord, SUPERLATIVE_FIELD_WORD } from './words.js';

export type { NameLookup } from './parse-state.js';
export { isFieldWord, isKnownWord, SUPERLATIVE_FIELD_WORD } from './words.js';

/** Words after which the next token is a name, never a typo to correct. */
export const NAME_SLOT_WORDS = new Set([
  'named',
  'called',
  'containing',
  'contains',
  'like',
  'matching',
  'prefixed',
  'is',
  'tagged',
  'tag',
  '=',
  ...Object.keys(RELATION_TARGETS),
]);

const NEGATIONS = new Set(['not', 'non', 'excluding', 'except', 'without']);

/** "and", "or", "but", and the negations: "not", "non-", "except", "other than", "apart from". */
function recogniseConnectors(s: ParseState): boolean {
  const i = s.i;
  const w = s.n(i);
  if (w === 'or') {
    s.connector = 'or';
    // "in cluster A or B": the relation carries over to a bare value.
    const v = s.tokens[i + 1];
    if (s.lastRelTarget && v && (v.kind === 'quoted' || (v.kind === 'word' && !isKnownWord(v.norm)))) {
      const val = s.takeValue(i + 1)!;
      s.push({ t: 'rel', target: s.lastRelTarget, value: val.value, glob: /[*?]/.test(val.value) });
      s.i = val.next;
      return true;
    }
    s.i = i + 1;
    return true;
  }
  if (w === 'and' || w === 'but') {
    s.connector = 'and';
    // "in prod-a and prod-b": a second value of the same relation, either of them.
    const v = s.tokens[i + 1];
    const last = s.q.atoms.at(-1);
    if (
      w === 'and' &&
      last?.t === 'rel' &&
      !last.negated &&
      v &&
      (v.kind === 'quoted' || (v.kind === 'word' && !isKnownWord(v.norm) && s.names.isName(v.norm)))
    ) {
      const val = s.takeValue(i + 1)!;
      s.connector = 'or';
      s.push({ t: 'rel', target: last.target, value: val.value, glob: /[*?]/.test(val.value) });
      s.i = val.next;
      return true;
    }
    s.i = i + 1;
    return true;
  }
  const two =
    s.at(i, ['other', 'than']) ||
    s.at(i, ['apart', 'from']) ||
    s.at(i, ['aside', 'from']) ||
    s.at(i, ['but', 'not']);
  if (s.at(i, ['not', 'responding']) || s.at(i, ['non', 'responsive'])) return false;
  if (two || (NEGATIONS.has(w) && w !== 'without')) {
    // "not in maintenance", "non-windows", "except templates": the next condition, negated.
    s.negateAt = s.negating ? -1 : i;
    s.i = i + (two ? 2 : 1);
    return true;
  }
  return false;
}

const RECOGNISERS: ((s: ParseState) => boolean)[] = [
  recogniseConnectors,
  recogniseIntent,
  recogniseDates,
  recogniseOrder,
  recogniseOs,
  recogniseDepth,
  recogniseState,
  recogniseNumbers,
  recogniseNames,
];

const POWER = new Set(['poweredOn', 'poweredOff', 'suspended']);
const CONNECTION = new Set(['connected', 'disconnected', 'notResponding']);

/** Two values of one attribute joined by "and" mean either: "windows and linux vms", "suspended and off". */
function sameAttribute(a: Atom, b: Atom): boolean {
  if (a.negated || b.negated) return false;
  if (a.t === 'os' && b.t === 'os') return true;
  if (a.t === 'dstype' && b.t === 'dstype') return true;
  if (a.t === 'state' && b.t === 'state')
    return (POWER.has(a.key) && POWER.has(b.key)) || (CONNECTION.has(a.key) && CONNECTION.has(b.key));
  return false;
}

/** Settles what the recognisers left open: top groups, "the largest datastore" (one), negations. */
function finish(s: ParseState): void {
  const q = s.q;
  s.dropNegation();
  q.connectors.forEach((c, k) => {
    if (c === 'and' && sameAttribute(q.atoms[k]!, q.atoms[k + 1]!)) q.connectors[k] = 'or';
  });
  if (q.groupTop) {
    q.entity = 'vms';
    q.groupWord = q.groupTop.groupWord;
    q.intent = 'count';
    q.sort = undefined;
    q.limit ??= 1;
  } else if (
    q.singular &&
    q.limit === undefined &&
    q.sort &&
    (Object.values(SUPERLATIVE_FIELD_WORD).includes(q.sort.fieldWord) || q.sort.dir !== undefined) &&
    q.intent === 'rows'
  ) {
    q.limit = 1;
  }
}

/**
 * Question → what it asks, in stages: the kind of sentence (refusal, search, export), then the
 * recognisers in order at each position (connectors, counting, dates, order, guest OS, states,
 * numbers, names and entities), then the leftovers policy: a word no stage used is either a filler
 * from a fixed list or makes the question "not understood" — it is never silently dropped.
 */
export function parseQuestion(tokens: readonly Token[], names: NameLookup): ParsedQuestion {
  const s = new ParseState(tokens, names);
  if (classifySentence(s)) return s.q;
  const leftover: number[] = [];
  while (s.i < tokens.length) {
    if (s.consumed.has(s.i)) {
      s.i++;
      continue;
    }
    const start = s.i;
    const atoms = s.q.atoms.length;
    const negation = s.negateAt;
    let matched = false;
    for (const r of RECOGNISERS) {
      if (r(s)) {
        matched = true;
        break;
      }
      s.i = start;
    }
    if (!matched) {
      leftover.push(start);
      s.i = start + 1;
      continue;
    }
    if (s.i <= start) s.i = start + 1;
    // A negation applies to the next condition; anything else in between leaves it unclear.
    if (negation >= 0 && s.negateAt === negation && s.q.atoms.length === atoms) s.dropNegation();
  }
  finish(s);
  s.q.unknown.push(...unknownWords(tokens, leftover));
  return s.q;
}
