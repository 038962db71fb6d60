import { ENTITY_WORDS, NUMBER_WORDS, TIME_UNITS_DAYS } from './lexicon.js';
import type { Token } from './tokenize.js';
import { isFieldWord, isKnownWord } from './words.js';

const COUNT_CONTEXT = new Set([
  'than',
  'least',
  'most',
  'exactly',
  'with',
  'having',
  'have',
  'has',
  'only',
  'just',
]);

function numberToken(t: Token, value: number): Token {
  return { raw: t.raw, norm: String(value), kind: 'number', value };
}

/**
 * After spelling: number words become numbers ("six months", "more than one snapshot", "a week"),
 * "non-windows" becomes "non windows", and a hyphenated pair of known words is split
 * ("ha-enabled" stays one word only when it is an object's name).
 */
export function normalizeTokens(tokens: readonly Token[], isName: (w: string) => boolean): Token[] {
  const out: Token[] = [];
  for (const [i, t] of tokens.entries()) {
    if (t.kind !== 'word') {
      out.push(t);
      continue;
    }
    const next = tokens[i + 1]?.norm ?? '';
    const prev = tokens[i - 1]?.norm ?? '';
    const unitNext = TIME_UNITS_DAYS[next] !== undefined;
    const countable = unitNext || isFieldWord(next) || ENTITY_WORDS[next] !== undefined;
    if (
      NUMBER_WORDS[t.norm] !== undefined &&
      t.norm !== 'one' &&
      t.norm !== 'single' &&
      t.norm !== 'couple'
    ) {
      out.push(numberToken(t, NUMBER_WORDS[t.norm]!));
      continue;
    }
    if (
      (t.norm === 'one' || t.norm === 'single') &&
      countable &&
      (COUNT_CONTEXT.has(prev) || prev === 'a' || unitNext)
    ) {
      if (prev === 'a' && out.at(-1)?.norm === 'a') out.pop();
      out.push(numberToken(t, 1));
      continue;
    }
    if ((t.norm === 'a' || t.norm === 'an') && unitNext) {
      out.push(numberToken(t, 1));
      continue;
    }
    if (t.norm.startsWith('non-') && t.norm.length > 4 && !isName(t.norm)) {
      out.push({ raw: 'non', norm: 'non', kind: 'word' });
      const rest = t.raw.slice(4);
      out.push({ raw: rest, norm: rest.toLowerCase(), kind: 'word' });
      continue;
    }
    const parts = t.norm.split('-');
    if (parts.length === 2 && parts.every((p) => p && isKnownWord(p)) && !isName(t.norm)) {
      const raws = t.raw.split('-');
      parts.forEach((p, k) => out.push({ raw: raws[k]!, norm: p, kind: 'word' }));
      continue;
    }
    out.push(t);
  }
  return out;
}
