import type { QueryEntity } from '../../../shared/fields.js';
import { dict } from '../../../shared/own.js';
import type { AtomBody, CmpOp, ParsedQuestion, StateKey } from './atoms.js';
import {
  CHANGE_VERBS,
  ENTITY_WORDS,
  FIELD_WORDS,
  OS_FAMILIES,
  RELATION_TARGETS,
  STOP_WORDS,
  TIME_UNITS_DAYS,
  UNITS_MB,
} from './lexicon.js';
import type { Token } from './tokenize.js';

/** What the parser needs to know about the inventory's names. */
export interface NameLookup {
  /** Is this (lowercased) text the name of some object? */
  isName(text: string): boolean;
  /** The longest run of tokens from `start` that spells a known name (names may contain spaces). */
  longestName(tokens: readonly Token[], start: number): number;
}

const PREPS = new Set(['in', 'on', 'within', 'from', 'at', 'inside', 'under', 'across']);
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

const STATE_WORDS: Record<string, StateKey> = dict({
  poweredon: 'poweredOn',
  running: 'poweredOn',
  poweredoff: 'poweredOff',
  stopped: 'poweredOff',
  suspended: 'suspended',
  paused: 'suspended',
  connected: 'connected',
  disconnected: 'disconnected',
  notresponding: 'notResponding',
  maintenance: 'maintenance',
  empty: 'empty',
  unused: 'empty',
  accessible: 'accessible',
  inaccessible: 'inaccessible',
});

const SUPERLATIVES: Record<string, { kind: 'size' | 'free' | 'age' | 'busy'; dir: 'asc' | 'desc' }> = {
  largest: { kind: 'size', dir: 'desc' },
  biggest: { kind: 'size', dir: 'desc' },
  smallest: { kind: 'size', dir: 'asc' },
  fullest: { kind: 'free', dir: 'asc' },
  emptiest: { kind: 'free', dir: 'desc' },
  oldest: { kind: 'age', dir: 'asc' },
  newest: { kind: 'age', dir: 'desc' },
  latest: { kind: 'age', dir: 'desc' },
  youngest: { kind: 'age', dir: 'desc' },
  busiest: { kind: 'busy', dir: 'desc' },
};

export const SUPERLATIVE_FIELD_WORD: Record<'size' | 'free' | 'age' | 'busy', string> = {
  size: '$size',
  free: '$freePercent',
  age: '$age',
  busy: '$busy',
};

/** Words after which the next token is a name, never a typo to correct. */
export const NAME_SLOT_WORDS = new Set([
  'named',
  'called',
  'containing',
  'contains',
  'like',
  'matching',
  'with',
  'prefixed',
  'is',
  ...Object.keys(RELATION_TARGETS),
]);

/** "… or more" / "… or less" after a number. */
const ORDER_WORDS: Record<string, CmpOp> = dict({
  more: 'gte',
  greater: 'gte',
  above: 'gte',
  higher: 'gte',
  less: 'lte',
  fewer: 'lte',
  below: 'lte',
  lower: 'lte',
});

/** A plan's limit is 1…100 000 ("top 99999999999999999999" is all of them). */
function clampLimit(v: number): number {
  return Number.isFinite(v) ? Math.min(100_000, Math.max(1, Math.floor(v))) : 100_000;
}

function isNumber(t: Token | undefined): t is Token & { value: number } {
  return t?.kind === 'number' && t.value !== undefined;
}

export function parseQuestion(tokens: readonly Token[], names: NameLookup): ParsedQuestion {
  const q: ParsedQuestion = {
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
  };
  const n = (i: number): string => tokens[i]?.norm ?? '';
  const at = (i: number, words: string[]): boolean => words.every((w, k) => n(i + k) === w);
  let negate = false;
  let connector: 'and' | 'or' = 'and';
  let lastRelTarget: QueryEntity | undefined;
  let lastFieldWord: string | undefined;

  const push = (a: AtomBody): void => {
    if (q.atoms.length > 0) q.connectors.push(connector);
    q.atoms.push({ ...a, negated: negate });
    negate = false;
    connector = 'and';
  };

  // Leading politeness and follow-up markers.
  let i: number;
  const meaningful = tokens.filter(
    (t) => !['please', 'can', 'could', 'you', 'would', 'kindly'].includes(t.norm),
  );
  const first = meaningful[0]?.norm ?? '';
  if (
    [
      'only',
      'just',
      'and',
      'but',
      'what',
      'how',
      'now',
      'also',
      'then',
      'same',
      'those',
      'them',
      'sort',
      'order',
      'filter',
      'narrow',
      'exclude',
    ].includes(first)
  ) {
    q.followUpHint = true;
  }

  // Refusals: vMiner reads, it never changes vCenter.
  if (
    CHANGE_VERBS.has(first) ||
    (first === 'power' && ['off', 'on', 'cycle', 'down'].includes(meaningful[1]?.norm ?? '')) ||
    (first === 'shut' && meaningful[1]?.norm === 'down')
  ) {
    q.kind = 'refused';
    q.refusedVerb = first === 'power' || first === 'shut' ? `${first} ${meaningful[1]!.norm}` : first;
    return q;
  }

  // Finding things: "where is web-prd-12", "find sql01", "10.20.30.41".
  const whereIs =
    at(0, ['where', 'is']) ||
    at(0, ['where', 'are']) ||
    at(0, ["where's"]) ||
    at(0, ['locate']) ||
    at(0, ['lookup']);
  const findVerb =
    ['find', 'search', 'locate', 'lookup'].includes(n(0)) &&
    !tokens.slice(1).some((t) => ENTITY_WORDS[t.norm]);
  if (whereIs || findVerb) {
    const skip = at(0, ['where', 'is']) || at(0, ['where', 'are']) ? 2 : 1;
    const rest = tokens
      .slice(skip)
      .filter((t) => !['the', 'vm', 'host', 'for', 'a', 'an'].includes(t.norm) || t.kind === 'quoted');
    if (rest.length > 0) {
      q.kind = 'find';
      q.findText = rest.map((t) => t.raw).join(' ');
      return q;
    }
  }
  if (
    tokens.length === 1 &&
    (tokens[0]!.kind === 'ip' ||
      (tokens[0]!.kind === 'word' && /[\d-]/.test(tokens[0]!.norm) && !ENTITY_WORDS[tokens[0]!.norm]))
  ) {
    q.kind = 'find';
    q.findText = tokens[0]!.raw;
    return q;
  }
  if (tokens.some((t) => t.norm === 'export' || t.norm === 'download')) {
    q.kind = 'export';
    const fmt = tokens.find((t) => ['excel', 'xlsx', 'csv', 'json', 'spreadsheet'].includes(t.norm))?.norm;
    q.exportFormat = fmt === 'csv' ? 'csv' : fmt === 'json' ? 'json' : fmt ? 'xlsx' : undefined;
    // "export powered off vms to csv" still carries a question; keep parsing it.
    if (!tokens.some((t) => ENTITY_WORDS[t.norm])) return q;
  }

  /** A relation's value: quoted text, the longest known name, or one token. */
  const takeValue = (start: number): { value: string; next: number } | undefined => {
    const t = tokens[start];
    if (!t) return undefined;
    if (t.kind === 'quoted') return { value: t.raw, next: start + 1 };
    const len = names.longestName(tokens, start);
    if (len > 0)
      return {
        value: tokens
          .slice(start, start + len)
          .map((x) => x.raw)
          .join(' '),
        next: start + len,
      };
    if (t.kind === 'symbol') return undefined;
    return { value: t.raw, next: start + 1 };
  };

  const comparatorAt = (k: number): { op: CmpOp; len: number } | undefined => {
    for (const [words, op] of COMPARATORS) if (at(k, words)) return { op, len: words.length };
    return undefined;
  };

  /** number [unit] [of] [field word] starting at k; returns the atom parts. */
  const numberTail = (
    k: number,
  ): { value: number; unit?: string; fieldWord?: string; next: number } | undefined => {
    const t = tokens[k];
    if (!isNumber(t)) return undefined;
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
    } else if (unit === '%' && (n(j) === 'full' || n(j) === 'used')) {
      // "80% full": a share of the space in use (resolved against free %).
      fieldWord = 'full';
      j++;
    } else if (isFieldWord(n(j))) {
      fieldWord = n(j);
      j++;
    } else if (n(j - 1) === 'of' || n(j - 1) === 'in') j--;
    if (n(j) === 'ago') j++;
    return { value: t.value, unit, fieldWord, next: j };
  };

  for (i = 0; i < tokens.length;) {
    const w = n(i);
    const t = tokens[i]!;

    // Connectors and negation.
    if (w === 'or') {
      connector = 'or';
      // "in cluster A or B": the relation carries over to a bare value.
      const v = tokens[i + 1];
      if (lastRelTarget && v && (v.kind === 'quoted' || (!isKnownWord(v.norm) && v.kind === 'word'))) {
        const val = takeValue(i + 1)!;
        push({ t: 'rel', target: lastRelTarget, value: val.value, glob: /[*?]/.test(val.value) });
        i = val.next;
        continue;
      }
      i++;
      continue;
    }
    if (w === 'and' || w === 'but') {
      connector = 'and';
      i++;
      continue;
    }
    if (
      w === 'not' ||
      w === 'non' ||
      w === "isn't" ||
      w === "aren't" ||
      w === 'excluding' ||
      w === 'except'
    ) {
      // "not in maintenance", "not powered on"; "not running" after tools is handled there.
      negate = !negate;
      i++;
      continue;
    }

    // Intents.
    if (at(i, ['how', 'many'])) {
      q.intent = 'count';
      i += 2;
      continue;
    }
    if (w === 'count' || at(i, ['number', 'of'])) {
      q.intent = 'count';
      i += w === 'count' ? 1 : 2;
      continue;
    }
    if (
      ['sum', 'total', 'average', 'avg', 'mean', 'maximum', 'minimum'].includes(w) ||
      ((w === 'max' || w === 'min') && !isNumber(tokens[i + 1]))
    ) {
      if (
        (w === 'total' && (n(i + 1) === 'number' || n(i + 1) === 'count')) ||
        (w === 'total' && ENTITY_WORDS[n(i + 1)])
      ) {
        q.intent = 'count';
        i += n(i + 1) === 'number' ? 1 : 1;
        continue;
      }
      const fn =
        w === 'sum' || w === 'total'
          ? 'sum'
          : w === 'maximum' || w === 'max'
            ? 'max'
            : w === 'minimum' || w === 'min'
              ? 'min'
              : 'avg';
      let j = i + 1;
      while (['of', 'the', 'a'].includes(n(j))) j++;
      if (isFieldWord(n(j)) && !(ENTITY_WORDS[n(j)] && !isFieldWordOnly(n(j)))) {
        q.intent = 'aggregate';
        q.aggregateFn = fn;
        q.aggregateFieldWord = n(j) === 'free' && n(j + 1) === 'space' ? 'free' : n(j);
        i = j + (n(j) === 'free' && n(j + 1) === 'space' ? 2 : 1);
        continue;
      }
      if (w === 'total') {
        i++;
        continue;
      }
    }

    // Limits and superlatives: "top 10", "first 5", "5 fullest datastores", "largest datastores".
    if ((w === 'top' || w === 'first' || w === 'bottom' || w === 'last') && isNumber(tokens[i + 1])) {
      q.limit = clampLimit(tokens[i + 1]!.value!);
      if (w === 'bottom') q.sort = { fieldWord: '$default', dir: 'asc' };
      else if (w === 'top') q.sort = q.sort ?? { fieldWord: '$top', dir: 'desc' };
      i += 2;
      continue;
    }
    if (SUPERLATIVES[w] || (isNumber(t) && SUPERLATIVES[n(i + 1)])) {
      if (isNumber(t)) {
        q.limit = clampLimit(t.value!);
        i++;
      }
      const s = SUPERLATIVES[n(i)]!;
      q.sort = { fieldWord: SUPERLATIVE_FIELD_WORD[s.kind], dir: s.dir };
      i++;
      continue;
    }
    if ((w === 'most' || w === 'fewest' || w === 'least') && (isFieldWord(n(i + 1)) || n(i + 1) === 'free')) {
      q.sort = { fieldWord: n(i + 1), dir: w === 'most' ? 'desc' : 'asc' };
      i += 2;
      continue;
    }
    if (
      ['sorted', 'sort', 'order', 'ordered', 'rank', 'ranked'].includes(w) ||
      ((w === 'by' || w === 'per') && !q.groupWord)
    ) {
      let j = i + 1;
      while (['them', 'it', 'those', 'results', 'the', 'by', 'on'].includes(n(j))) j++;
      // "vms by power state" is a breakdown; "top 10 vms by memory" and "sorted by" are orders.
      const categorical = [
        'power',
        'state',
        'os',
        'guest',
        'cluster',
        'host',
        'datacenter',
        'vcenter',
        'version',
        'esxi',
        'vendor',
        'model',
        'type',
        'tools',
        'site',
      ];
      const isGroup =
        (w === 'by' || w === 'per') &&
        (q.intent !== 'rows' ||
          w === 'per' ||
          (q.sort === undefined && q.limit === undefined && categorical.includes(n(j))));
      let fieldWord = n(j);
      let span = 1;
      if (fieldWord === 'free' && n(j + 1) === 'space') span = 2;
      else if ((fieldWord === 'vm' || fieldWord === 'host') && n(j + 1) === 'count') {
        fieldWord = fieldWord === 'vm' ? 'vms' : 'hosts';
        span = 2;
      } else if (fieldWord === 'power' && n(j + 1) === 'state') span = 2;
      else if (fieldWord === 'guest' && (n(j + 1) === 'os' || n(j + 1) === 'operating'))
        span = n(j + 1) === 'os' ? 2 : 3;
      if (
        fieldWord &&
        (isFieldWord(fieldWord) ||
          ENTITY_WORDS[fieldWord] ||
          RELATION_TARGETS[fieldWord] ||
          ['os', 'power', 'state', 'type', 'version', 'vendor', 'model'].includes(fieldWord))
      ) {
        if (isGroup) q.groupWord = fieldWord;
        else {
          let dir: 'asc' | 'desc' | undefined;
          const after = n(j + span);
          if (
            ['asc', 'ascending', 'increasing'].includes(after) ||
            at(j + span, ['lowest', 'first']) ||
            at(j + span, ['smallest', 'first'])
          )
            dir = 'asc';
          if (
            ['desc', 'descending', 'decreasing'].includes(after) ||
            at(j + span, ['highest', 'first']) ||
            at(j + span, ['largest', 'first'])
          )
            dir = 'desc';
          q.sort = { fieldWord, dir: dir ?? q.sort?.dir };
          if (dir) span += after === 'asc' || after === 'desc' || after.endsWith('ing') ? 1 : 2;
        }
        i = j + span;
        continue;
      }
      if (w === 'by' || w === 'per') {
        i++;
        continue;
      }
    }
    if (
      at(i, ['grouped', 'by']) ||
      at(i, ['group', 'by']) ||
      at(i, ['breakdown', 'by']) ||
      at(i, ['broken', 'down', 'by'])
    ) {
      const j = i + (w === 'broken' ? 3 : 2);
      q.groupWord = n(j);
      if (q.intent === 'rows') q.intent = 'count';
      i = j + 1;
      continue;
    }

    // States.
    if (
      (w === 'powered' || w === 'power' || w === 'turned' || w === 'switched') &&
      (n(i + 1) === 'on' || n(i + 1) === 'off')
    ) {
      push({ t: 'state', key: n(i + 1) === 'on' ? 'poweredOn' : 'poweredOff' });
      i += 2;
      continue;
    }
    if (w === 'off' && ENTITY_WORDS[n(i + 1)]) {
      push({ t: 'state', key: 'poweredOff' });
      i++;
      continue;
    }
    if (w === 'shut' && n(i + 1) === 'down') {
      push({ t: 'state', key: 'poweredOff' });
      i += 2;
      continue;
    }
    if (at(i, ['not', 'responding']) || at(i, ['non', 'responsive']) || w === 'unresponsive') {
      push({ t: 'state', key: 'notResponding' });
      i += w === 'unresponsive' ? 1 : 2;
      continue;
    }
    if (w === 'tools' || (w === 'vmware' && n(i + 1) === 'tools')) {
      let j = w === 'vmware' ? i + 2 : i + 1;
      if (n(j) === 'are' || n(j) === 'is') j++;
      let key: StateKey | undefined;
      let len = 0;
      if (at(j, ['not', 'running'])) [key, len] = ['toolsNotRunning', 2];
      else if (at(j, ['not', 'installed'])) [key, len] = ['toolsNotInstalled', 2];
      else if (at(j, ['out', 'of', 'date'])) [key, len] = ['toolsOld', 3];
      else if (['outdated', 'old', 'upgrade', 'stale'].includes(n(j))) [key, len] = ['toolsOld', 1];
      else if (at(j, ['need', 'upgrade']) || at(j, ['needing', 'upgrade']) || at(j, ['needs', 'upgrade']))
        [key, len] = ['toolsOld', 2];
      else if (['missing', 'absent'].includes(n(j))) [key, len] = ['toolsNotInstalled', 1];
      else if (at(j, ['up', 'to', 'date'])) [key, len] = ['toolsOk', 3];
      else if (['ok', 'current', 'uptodate'].includes(n(j))) [key, len] = ['toolsOk', 1];
      else if (n(j) === 'running') [key, len] = ['toolsRunning', 1];
      else if (n(j) === 'stopped') [key, len] = ['toolsNotRunning', 1];
      if (key) {
        push({ t: 'state', key });
        i = j + len;
        continue;
      }
    }
    if ((w === 'outdated' || w === 'old') && (n(i + 1) === 'tools' || at(i + 1, ['vmware', 'tools']))) {
      push({ t: 'state', key: 'toolsOld' });
      i += n(i + 1) === 'tools' ? 2 : 3;
      continue;
    }
    if (
      (w === 'ha' || w === 'drs') &&
      ['enabled', 'disabled', 'on', 'off', 'active', 'inactive'].includes(n(i + 1))
    ) {
      const on = ['enabled', 'on', 'active'].includes(n(i + 1));
      push({ t: 'state', key: w === 'ha' ? (on ? 'haOn' : 'haOff') : on ? 'drsOn' : 'drsOff' });
      i += 2;
      continue;
    }
    if ((w === 'without' || w === 'no') && (n(i + 1) === 'ha' || n(i + 1) === 'drs')) {
      push({ t: 'state', key: n(i + 1) === 'ha' ? 'haOff' : 'drsOff' });
      i += 2;
      continue;
    }
    if (
      w === 'with' &&
      (n(i + 1) === 'ha' || n(i + 1) === 'drs') &&
      // "with ha disabled": the state word after it decides (handled above on the next token).
      !['enabled', 'disabled', 'on', 'off', 'active', 'inactive'].includes(n(i + 2))
    ) {
      push({ t: 'state', key: n(i + 1) === 'ha' ? 'haOn' : 'drsOn' });
      i += 2;
      continue;
    }
    if ((w === 'in' && n(i + 1) === 'maintenance') || w === 'maintenance') {
      push({ t: 'state', key: 'maintenance' });
      i += w === 'in' ? 2 : 1;
      if (n(i) === 'mode') i++;
      continue;
    }
    if (STATE_WORDS[w]) {
      push({ t: 'state', key: STATE_WORDS[w] });
      i++;
      continue;
    }

    // Missing / present data: "without an ip", "with no snapshots", "with snapshots".
    if (
      w === 'without' ||
      w === 'missing' ||
      w === 'lacking' ||
      at(i, ['with', 'no']) ||
      (w === 'no' && !isNumber(tokens[i + 1]))
    ) {
      let j = i + (at(i, ['with', 'no']) ? 2 : 1);
      while (['an', 'a', 'any', 'the'].includes(n(j))) j++;
      const what = n(j);
      if (what === 'ha' || what === 'drs') {
        push({ t: 'state', key: what === 'ha' ? 'haOff' : 'drsOff' });
        i = j + 1;
        continue;
      }
      if (what === 'tools' || at(j, ['vmware', 'tools'])) {
        push({ t: 'state', key: 'toolsNotInstalled' });
        i = j + (what === 'tools' ? 1 : 2);
        continue;
      }
      if (what) {
        push({ t: 'has', what: what === 'ip' && n(j + 1) === 'address' ? 'ip' : what, present: false });
        i = j + 1 + (what === 'ip' && (n(j + 1) === 'address' || n(j + 1) === 'addresses') ? 1 : 0);
        continue;
      }
    }
    if (
      w === 'with' &&
      tokens[i + 2]?.kind !== 'ip' &&
      ['snapshots', 'snapshot', 'ip', 'annotation', 'annotations', 'notes', 'vms'].includes(
        n(i + 1 + (['an', 'a', 'any'].includes(n(i + 1)) ? 1 : 0)),
      )
    ) {
      const j = i + 1 + (['an', 'a', 'any'].includes(n(i + 1)) ? 1 : 0);
      // "with snapshots older than 30 days": the age filter follows and says it all.
      if (!(n(j).startsWith('snapshot') && (n(j + 1) === 'older' || n(j + 1) === 'newer')))
        push({ t: 'has', what: n(j), present: true });
      lastFieldWord = n(j);
      i = j + 1;
      continue;
    }

    // Guest OS families: "windows", "linux", "windows server 2019", "ubuntu".
    if (OS_FAMILIES[w] || at(i, ['red', 'hat'])) {
      let j = i + (at(i, ['red', 'hat']) ? 2 : 1);
      const needles = OS_FAMILIES[w] ?? ['red hat'];
      let label = w === 'red' ? 'red hat' : w;
      let version: string | undefined;
      const parts: string[] = [];
      if (n(j) === 'server') {
        parts.push('server');
        j++;
      }
      if (isNumber(tokens[j]) || /^\d+(\.\d+)?$/.test(n(j))) {
        version = n(j);
        j++;
      }
      if (parts.length > 0 && w === 'windows') {
        push({
          t: 'os',
          needles: [['windows', ...parts, ...(version ? [version] : [])].join(' ')],
          version: undefined,
          label: ['windows', ...parts, version].filter(Boolean).join(' '),
        });
      } else {
        if (version) label += ` ${version}`;
        push({ t: 'os', needles, version, label });
      }
      i = j;
      continue;
    }

    // Ages: "older than 30 days", "created more than 2 weeks ago", "in the last 7 days".
    if (
      (w === 'older' || w === 'newer' || w === 'younger') &&
      n(i + 1) === 'than' &&
      isNumber(tokens[i + 2])
    ) {
      const unit = TIME_UNITS_DAYS[n(i + 3)] ?? 1;
      push({ t: 'age', fieldWord: lastFieldWord, older: w === 'older', days: tokens[i + 2]!.value! * unit });
      i += TIME_UNITS_DAYS[n(i + 3)] !== undefined ? 4 : 3;
      if (n(i) === 'old') i++;
      continue;
    }
    if (
      (at(i, ['in', 'the', 'last']) || at(i, ['within', 'the', 'last']) || at(i, ['in', 'the', 'past'])) &&
      isNumber(tokens[i + 3])
    ) {
      const unit = TIME_UNITS_DAYS[n(i + 4)] ?? 1;
      push({ t: 'age', fieldWord: lastFieldWord, older: false, days: tokens[i + 3]!.value! * unit });
      i += TIME_UNITS_DAYS[n(i + 4)] !== undefined ? 5 : 4;
      continue;
    }

    // Numbers: "more than 8 cpus", "memory over 32gb", "between 4 and 8 vcpus", "with 8 cpus".
    {
      let fieldBefore: string | undefined;
      let k = i;
      if (isFieldWord(w) && !ENTITY_WORDS[w]) {
        fieldBefore = w === 'free' && n(i + 1) === 'space' ? 'free' : w;
        k = i + (w === 'free' && n(i + 1) === 'space' ? 2 : 1);
        if (n(k) === 'is' || n(k) === 'of') k++;
      } else if (isFieldWord(w) && ENTITY_WORDS[w] && (comparatorAt(i + 1) || n(i + 1) === 'between')) {
        fieldBefore = w;
        k = i + 1;
      }
      if (n(k) === 'between' && isNumber(tokens[k + 1]) && n(k + 2) === 'and' && isNumber(tokens[k + 3])) {
        const tail = numberTail(k + 3)!;
        const unit2 = UNITS_MB[n(k + 2)] !== undefined ? n(k + 2) : tail.unit;
        push({
          t: 'num',
          fieldWord: fieldBefore ?? tail.fieldWord ?? lastFieldWord,
          op: 'between',
          value: tokens[k + 1]!.value!,
          value2: tail.value,
          unit: unit2,
        });
        i = tail.next;
        continue;
      }
      const cmp = comparatorAt(k);
      if (cmp && isNumber(tokens[k + cmp.len])) {
        const tail = numberTail(k + cmp.len)!;
        if (tail.unit && TIME_UNITS_DAYS[tail.unit] !== undefined && n(tail.next - 1) === 'ago') {
          push({
            t: 'age',
            fieldWord: fieldBefore ?? lastFieldWord,
            older: cmp.op === 'gt' || cmp.op === 'gte',
            days: tail.value * TIME_UNITS_DAYS[tail.unit]!,
          });
        } else {
          push({
            t: 'num',
            fieldWord: fieldBefore ?? tail.fieldWord,
            op: cmp.op,
            value: tail.value,
            unit: tail.unit,
          });
        }
        i = tail.next;
        continue;
      }
      // "4 or more cpus", "2 or fewer"
      if (
        isNumber(tokens[k]) &&
        n(k + 1) === 'or' &&
        ['more', 'less', 'fewer', 'greater', 'above', 'higher', 'lower', 'below'].includes(n(k + 2))
      ) {
        const tail = numberTail(k + 2);
        const rest = tail ?? { value: 0, next: k + 3 };
        const t2 = numberTail(k);
        const fieldWord = fieldBefore ?? (isFieldWord(n(k + 3)) ? n(k + 3) : t2?.fieldWord);
        push({
          t: 'num',
          fieldWord,
          op: ['more', 'greater', 'above', 'higher'].includes(n(k + 2)) ? 'gte' : 'lte',
          value: tokens[k]!.value!,
          unit: t2?.unit,
        });
        i = isFieldWord(n(k + 3)) ? k + 4 : rest.next;
        continue;
      }
      if (fieldBefore && isNumber(tokens[k])) {
        const tail = numberTail(k)!;
        push({ t: 'num', fieldWord: fieldBefore, op: 'eq', value: tail.value, unit: tail.unit });
        i = tail.next;
        continue;
      }
      if (isNumber(t) && !SUPERLATIVES[n(i + 1)]) {
        const tail = numberTail(i)!;
        if (tail.fieldWord || tail.unit) {
          // "with 8 cpus", "16gb vms", "8 vcpu vms"; "8 cpus or more", "2gb or less".
          const orMore = n(tail.next) === 'or' ? ORDER_WORDS[n(tail.next + 1)] : undefined;
          push({
            t: 'num',
            fieldWord: tail.fieldWord,
            op: orMore ?? 'eq',
            value: tail.value,
            unit: tail.unit,
          });
          i = tail.next + (orMore ? 2 : 0);
          continue;
        }
      }
    }

    // Names: "named web*", "containing sql", "starting with prod", "ending with 01".
    const nameOpNext = ['containing', 'contains', 'like', 'matching', 'including', 'starting', 'ending'];
    if (
      w === 'named' ||
      w === 'called' ||
      (at(i, ['with', 'name']) && !nameOpNext.includes(n(i + 2))) ||
      at(i, ['whose', 'name', 'is'])
    ) {
      const j = i + (w === 'named' || w === 'called' ? 1 : w === 'whose' ? 3 : 2);
      const v = takeValue(j);
      if (v) {
        push({ t: 'name', op: /[*?]/.test(v.value) ? 'glob' : 'equals', value: v.value });
        i = v.next;
        continue;
      }
    }
    if (
      ['containing', 'contains', 'like', 'matching', 'including'].includes(w) ||
      at(i, ['with', 'name', 'containing'])
    ) {
      const j = i + (w === 'with' ? 3 : 1);
      const v = takeValue(j);
      if (v) {
        push({ t: 'name', op: /[*?]/.test(v.value) ? 'glob' : 'contains', value: v.value });
        i = v.next;
        if (n(i) === 'in' && n(i + 1) === 'the' && n(i + 2) === 'name') i += 3;
        else if (n(i) === 'in' && n(i + 1) === 'name') i += 2;
        continue;
      }
    }
    if (
      (w === 'starting' || w === 'beginning' || w === 'starts' || w === 'begins' || w === 'prefixed') &&
      (n(i + 1) === 'with' || n(i + 1) === 'by')
    ) {
      const v = takeValue(i + 2);
      if (v) {
        push({ t: 'name', op: 'startsWith', value: v.value });
        i = v.next;
        continue;
      }
    }
    if (
      (w === 'ending' || w === 'ends' || w === 'suffixed') &&
      (n(i + 1) === 'with' || n(i + 1) === 'in' || n(i + 1) === 'by')
    ) {
      const v = takeValue(i + 2);
      if (v) {
        push({ t: 'name', op: 'endsWith', value: v.value });
        i = v.next;
        continue;
      }
    }
    if (t.kind === 'ip' || (w === 'ip' && tokens[i + 1]?.kind === 'ip')) {
      const ipTok = t.kind === 'ip' ? t : tokens[i + 1]!;
      push({ t: 'ip', value: ipTok.raw });
      i += t.kind === 'ip' ? 1 : 2;
      continue;
    }

    // Relations: "in cluster Prod-A", "on host esx01", "in the Production cluster", "in Prod-A".
    if (PREPS.has(w) || RELATION_TARGETS[w]) {
      let j = PREPS.has(w) ? i + 1 : i;
      while (n(j) === 'the' || n(j) === 'a') j++;
      const relWord = n(j);
      let target: QueryEntity | undefined = RELATION_TARGETS[relWord];
      if (
        target === undefined &&
        ENTITY_WORDS[relWord] &&
        ENTITY_WORDS[relWord] !== 'templates' &&
        ENTITY_WORDS[relWord] !== 'vms'
      ) {
        target = ENTITY_WORDS[relWord] as QueryEntity;
      }
      // vCenter names: "in vcenter vc01" / "in vc01 vcenter"
      if (target !== undefined) {
        const v = takeValue(j + 1);
        const valueTok = tokens[j + 1];
        if (
          v &&
          valueTok &&
          (valueTok.kind !== 'word' || !isKnownWord(valueTok.norm) || names.isName(valueTok.norm))
        ) {
          const isFolder = relWord === 'folder';
          push(
            isFolder
              ? { t: 'name', op: 'equals', value: `folder:${v.value}` }
              : { t: 'rel', target, value: v.value, glob: /[*?]/.test(v.value) },
          );
          lastRelTarget = target;
          i = v.next;
          continue;
        }
      }
      if (PREPS.has(w)) {
        const valueTok = tokens[j];
        if (
          valueTok &&
          (valueTok.kind === 'quoted' ||
            (valueTok.kind === 'word' && (!isKnownWord(valueTok.norm) || names.isName(valueTok.norm))))
        ) {
          const v = takeValue(j)!;
          const after = n(v.next);
          const afterTarget =
            RELATION_TARGETS[after] ??
            (ENTITY_WORDS[after] && ENTITY_WORDS[after] !== 'vms' && ENTITY_WORDS[after] !== 'templates'
              ? (ENTITY_WORDS[after] as QueryEntity)
              : undefined);
          push({ t: 'rel', target: afterTarget, value: v.value, glob: /[*?]/.test(v.value) });
          lastRelTarget = afterTarget;
          i = v.next + (afterTarget ? 1 : 0);
          continue;
        }
      }
    }

    // Entities.
    if (w === 'virtual' && (n(i + 1) === 'machine' || n(i + 1) === 'machines')) {
      q.entity ??= 'vms';
      i += 2;
      continue;
    }
    if (
      (w === 'port' && (n(i + 1) === 'group' || n(i + 1) === 'groups')) ||
      (w === 'vcenter' && (n(i + 1) === 'server' || n(i + 1) === 'servers'))
    ) {
      q.entity ??= w === 'port' ? 'networks' : 'vcenters';
      i += 2;
      continue;
    }
    if (ENTITY_WORDS[w]) {
      const e = ENTITY_WORDS[w];
      if (e === 'templates') {
        q.entity ??= 'vms';
        q.templatesOnly = true;
        push({ t: 'state', key: 'template' });
      } else if (q.entity === undefined) q.entity = e;
      else if (q.entity !== e && q.groupWord === undefined && n(i - 1) !== 'by' && n(i - 1) !== 'per') {
        // "vms with snapshots" is handled above; a second entity word is most often a field ("hosts with most vms").
        if (!isFieldWord(w)) q.unknown.push(t.raw);
      }
      lastFieldWord = w;
      i++;
      continue;
    }

    // A wildcard alone is a name pattern: "web*".
    if (t.kind === 'word' && /[*?]/.test(t.raw)) {
      push({ t: 'name', op: 'glob', value: t.raw });
      i++;
      continue;
    }
    // A known object name alone: "show vm web-prd-012", "what about Prod-B?" (a cluster): the
    // name's type decides the field when the entity is known.
    if ((t.kind === 'word' || t.kind === 'quoted') && names.isName(t.norm) && !isKnownWord(t.norm)) {
      const v = takeValue(i)!;
      push({ t: 'rel', target: undefined, value: v.value, glob: false });
      i = v.next;
      continue;
    }

    if (isFieldWord(w)) lastFieldWord = w;
    if (!STOP_WORDS.has(w) && !isFieldWord(w) && !['than', 'mode', 'space', 'of', 'with'].includes(w))
      q.unknown.push(t.raw);
    i++;
  }
  return q;
}

const ALL_FIELD_WORDS = new Set<string>(['free']);
for (const m of Object.values(FIELD_WORDS)) for (const k of Object.keys(m)) ALL_FIELD_WORDS.add(k);

export function isFieldWord(w: string): boolean {
  return ALL_FIELD_WORDS.has(w);
}

function isFieldWordOnly(w: string): boolean {
  return ALL_FIELD_WORDS.has(w) && !ENTITY_WORDS[w];
}

const KNOWN = new Set<string>([
  ...Object.keys(ENTITY_WORDS),
  ...Object.keys(RELATION_TARGETS),
  ...ALL_FIELD_WORDS,
  ...Object.keys(OS_FAMILIES),
  ...Object.keys(STATE_WORDS),
  ...Object.keys(SUPERLATIVES),
  ...STOP_WORDS,
  'powered',
  'power',
  'not',
  'no',
  'without',
  'than',
  'between',
  'named',
  'called',
  'containing',
  'sorted',
  'by',
  'per',
  'top',
  'count',
  'how',
  'many',
  'older',
  'newer',
  'tools',
  'maintenance',
  'mode',
  'ha',
  'drs',
  'off',
]);

export function isKnownWord(w: string): boolean {
  return KNOWN.has(w);
}
