import type { QueryEntity } from '../../../shared/fields.js';
import type { AtomBody, CmpOp, ParsedQuestion } from './atoms.js';
import { ENTITY_WORDS, TIME_UNITS_DAYS, UNITS_MB } from './lexicon.js';
import { isFieldWord } from './words.js';
import type { Token } from './tokenize.js';

/** What the parser needs to know about the inventory's names. */
export interface NameLookup {
  /** Is this (lowercased) text the name of some object? */
  isName(text: string): boolean;
  /** The longest run of tokens from `start` that spells a known name (names may contain spaces). */
  longestName(tokens: readonly Token[], start: number): number;
  /** A custom attribute's name as stored, when this (lowercased) word names one ("owner"). */
  attribute?(lower: string): string | undefined;
}

export function emptyQuestion(): ParsedQuestion {
  return {
    kind: 'query',
    entity: undefined,
    templatesOnly: false,
    intent: 'rows',
    aggregateFn: undefined,
    aggregateFieldWord: undefined,
    atoms: [],
    connectors: [],
    sort: undefined,
    limit: undefined,
    groupWord: undefined,
    followUpHint: false,
    findText: undefined,
    exportFormat: undefined,
    refusedVerb: undefined,
    unknown: [],
    narrowing: false,
    singular: false,
    groupTop: undefined,
  };
}

const COMPARATORS: [string[], CmpOp][] = [
  [['more', 'than'], 'gt'],
  [['greater', 'than'], 'gt'],
  [['bigger', 'than'], 'gt'],
  [['larger', 'than'], 'gt'],
  [['higher', 'than'], 'gt'],
  [['over'], 'gt'],
  [['above'], 'gt'],
  [['exceeding'], 'gt'],
  [['>'], 'gt'],
  [['at', 'least'], 'gte'],
  [['atleast'], 'gte'],
  [['no', 'less', 'than'], 'gte'],
  [['not', 'less', 'than'], 'gte'],
  [['minimum', 'of'], 'gte'],
  [['min'], 'gte'],
  [['>='], 'gte'],
  [['less', 'than'], 'lt'],
  [['fewer', 'than'], 'lt'],
  [['smaller', 'than'], 'lt'],
  [['lower', 'than'], 'lt'],
  [['under'], 'lt'],
  [['below'], 'lt'],
  [['<'], 'lt'],
  [['at', 'most'], 'lte'],
  [['atmost'], 'lte'],
  [['no', 'more', 'than'], 'lte'],
  [['not', 'more', 'than'], 'lte'],
  [['up', 'to'], 'lte'],
  [['maximum', 'of'], 'lte'],
  [['<='], 'lte'],
  [['exactly'], 'eq'],
  [['equal', 'to'], 'eq'],
  [['equals'], 'eq'],
  [['='], 'eq'],
  [['!='], 'ne'],
  [['<>'], 'ne'],
];

/** A plan's limit is 1…100 000 ("top 99999999999999999999" is all of them). */
export function clampLimit(v: number): number {
  return Number.isFinite(v) ? Math.min(100_000, Math.max(1, Math.floor(v))) : 100_000;
}

/**
 * The parser's cursor over the tokens and what it has understood so far. Recognisers read tokens
 * at `i`, push conditions, and advance `i` past what they consumed.
 */
export class ParseState {
  readonly q: ParsedQuestion = emptyQuestion();
  i = 0;
  /** Index of a pending "not" / "non" / "except": it applies to the next condition only. */
  negateAt = -1;
  connector: 'and' | 'or' = 'and';
  lastRelTarget: QueryEntity | undefined;
  lastFieldWord: string | undefined;
  /** The verb a date phrase refers to ("created", "booted", "snapshot"). */
  dateWord: string | undefined;
  /** Tokens a recogniser consumed without a condition (fillers inside a phrase). */
  consumed = new Set<number>();

  constructor(
    readonly tokens: readonly Token[],
    readonly names: NameLookup,
  ) {}

  n(k: number): string {
    return this.tokens[k]?.norm ?? '';
  }

  at(k: number, words: readonly string[]): boolean {
    return words.every((w, j) => this.n(k + j) === w);
  }

  num(k: number): number | undefined {
    const t = this.tokens[k];
    return t?.kind === 'number' ? t.value : undefined;
  }

  isNum(k: number): boolean {
    return this.num(k) !== undefined;
  }

  get negating(): boolean {
    return this.negateAt >= 0;
  }

  push(a: AtomBody): void {
    const q = this.q;
    if (q.atoms.length > 0) q.connectors.push(this.connector);
    q.atoms.push({ ...a, negated: this.negating });
    this.negateAt = -1;
    this.connector = 'and';
  }

  /** A negation that no condition followed stays a word the question did not make clear. */
  dropNegation(): void {
    if (this.negateAt >= 0) {
      this.q.unknown.push(this.tokens[this.negateAt]!.raw);
      this.negateAt = -1;
    }
  }

  /** A relation's value: quoted text, the longest known name, or one token. */
  takeValue(start: number): { value: string; next: number } | undefined {
    const t = this.tokens[start];
    if (!t) return undefined;
    if (t.kind === 'quoted') return { value: t.raw, next: start + 1 };
    const len = this.names.longestName(this.tokens, start);
    if (len > 0)
      return {
        value: this.tokens
          .slice(start, start + len)
          .map((x) => x.raw)
          .join(' '),
        next: start + len,
      };
    if (t.kind === 'symbol') return undefined;
    return { value: t.raw, next: start + 1 };
  }

  comparatorAt(k: number): { op: CmpOp; len: number } | undefined {
    for (const [words, op] of COMPARATORS) if (this.at(k, words)) return { op, len: words.length };
    return undefined;
  }

  /** number [unit] [of] [field word] starting at k. */
  numberTail(k: number): { value: number; unit?: string; fieldWord?: string; next: number } | undefined {
    const value = this.num(k);
    if (value === undefined) return undefined;
    const n = (x: number): string => this.n(x);
    let j = k + 1;
    let unit: string | undefined;
    if (
      UNITS_MB[n(j)] !== undefined ||
      n(j) === '%' ||
      n(j) === 'percent' ||
      TIME_UNITS_DAYS[n(j)] !== undefined
    ) {
      unit = n(j) === 'percent' ? '%' : n(j);
      j++;
    }
    if (n(j) === 'of' || n(j) === 'in') j++;
    let fieldWord: string | undefined;
    if (n(j) === 'free' && n(j + 1) === 'space') {
      fieldWord = 'free';
      j += 2;
    } else if (isFieldWord(n(j)) && !(unit && UNITS_MB[unit] !== undefined && ENTITY_WORDS[n(j)])) {
      fieldWord = n(j);
      j++;
    } else if (n(j - 1) === 'of' || n(j - 1) === 'in') j--;
    if (n(j) === 'ago') j++;
    return { value, unit, fieldWord, next: j };
  }
}
