import { ENTITY_WORDS, RELATION_TARGETS } from './lexicon.js';
import { clampLimit, type ParseState } from './parse-state.js';
import { isFieldWord, isFieldWordOnly, SUPERLATIVE_FIELD_WORD, SUPERLATIVES } from './words.js';

/** "vms by power state" is a breakdown; "top 10 vms by memory" and "sorted by" are orders. */
const CATEGORICAL = new Set([
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
  'datastore',
  'network',
  'firmware',
  'provisioning',
  'adapter',
  'category',
  'controller',
]);
const SORT_WORDS = new Set(['sorted', 'sort', 'order', 'ordered', 'rank', 'ranked']);
const CONTAINERS = new Set(['clusters', 'hosts', 'datastores', 'datacenters', 'vcenters', 'networks']);
const VM_WORDS = new Set(['vms', 'vm', 'machines', 'servers', 'guests', 'workloads']);

/** A field phrase after "by": "free space", "vm count", "power state", "number of hosts", "esxi version". */
function fieldPhrase(s: ParseState, j: number): { word: string; span: number } | undefined {
  const w = s.n(j);
  let word = w;
  let span = 1;
  if (w === 'free' && s.n(j + 1) === 'space') span = 2;
  else if ((w === 'vm' || w === 'host' || w === 'snapshot') && s.n(j + 1) === 'count') {
    word = w === 'vm' ? 'vms' : w === 'host' ? 'hosts' : 'snapshots';
    span = 2;
  } else if (w === 'power' && s.n(j + 1) === 'state') span = 2;
  else if (w === 'tools' && (s.n(j + 1) === 'status' || s.n(j + 1) === 'state')) span = 2;
  else if (w === 'esxi' && s.n(j + 1) === 'version') {
    word = 'version';
    span = 2;
  } else if (w === 'guest' && (s.n(j + 1) === 'os' || s.n(j + 1) === 'operating'))
    span = s.n(j + 1) === 'os' ? 2 : 3;
  if (
    word &&
    (isFieldWord(word) ||
      ENTITY_WORDS[word] ||
      RELATION_TARGETS[word] ||
      ['os', 'power', 'state', 'type', 'version', 'vendor', 'model'].includes(word))
  )
    return { word, span };
  return undefined;
}

/** Where a field phrase starting at j (after skipping "the number of") really begins. */
function skipCountWords(s: ParseState, j: number): number {
  while (['the', 'number', 'of'].includes(s.n(j))) j++;
  return j;
}

/**
 * "which cluster has the most powered off vms", "top 3 hosts by number of windows vms": VMs that
 * match the words between, counted per container. Returns where those words start, or undefined.
 */
function groupTopAt(s: ParseState, j: number): number | undefined {
  const entity = s.q.entity;
  if (!entity || !CONTAINERS.has(entity)) return undefined;
  const start = skipCountWords(s, j);
  for (let k = start; k < s.tokens.length; k++) {
    if (VM_WORDS.has(s.n(k))) return k > start ? start : undefined;
    if (ENTITY_WORDS[s.n(k)]) return undefined;
  }
  return undefined;
}

function groupWordOf(entity: string): string {
  return entity === 'datastores' ? 'datastores' : entity.replace(/s$/, '');
}

/** Limits, superlatives, sorting and breakdowns. */
export function recogniseOrder(s: ParseState): boolean {
  const { q } = s;
  const i = s.i;
  const w = s.n(i);
  const t = s.tokens[i]!;

  // "top 10", "first 5", "bottom 3".
  if ((w === 'top' || w === 'first' || w === 'bottom' || w === 'last') && s.isNum(i + 1)) {
    q.limit = clampLimit(s.num(i + 1)!);
    if (w === 'bottom') q.sort = { fieldWord: '$default', dir: 'asc' };
    else if (w === 'top') q.sort = q.sort ?? { fieldWord: '$top', dir: 'desc' };
    s.i = i + 2;
    return true;
  }
  // "5 fullest datastores", "largest 2 clusters", "the 3 busiest hosts".
  if (SUPERLATIVES[w] || (t.kind === 'number' && SUPERLATIVES[s.n(i + 1)])) {
    let j = i;
    if (t.kind === 'number') {
      q.limit = clampLimit(t.value!);
      j++;
    }
    const sup = SUPERLATIVES[s.n(j)]!;
    j++;
    if (s.isNum(j) && q.limit === undefined) {
      q.limit = clampLimit(s.num(j)!);
      j++;
    }
    // "the biggest disks": the field named right after decides the order.
    if (sup.kind === 'size' && isFieldWordOnly(s.n(j))) {
      q.sort = { fieldWord: s.n(j), dir: sup.dir };
      s.i = j + 1;
      return true;
    }
    q.sort = { fieldWord: SUPERLATIVE_FIELD_WORD[sup.kind], dir: sup.dir };
    s.i = j;
    return true;
  }
  // "4 datastores …", "10 vms with the most memory": a count before the first entity word.
  if (t.kind === 'number' && q.entity === undefined && ENTITY_WORDS[s.n(i + 1)] && s.n(i - 1) !== 'with') {
    q.limit = clampLimit(t.value!);
    s.i = i + 1;
    return true;
  }
  // "with the most vms", "the fewest hosts", "the least free space".
  if (w === 'most' || w === 'fewest' || w === 'least') {
    const dir = w === 'most' ? 'desc' : 'asc';
    const top = groupTopAt(s, i + 1);
    if (top !== undefined) {
      q.groupTop = { dir, groupWord: groupWordOf(q.entity!) };
      s.i = top;
      return true;
    }
    const j0 = skipCountWords(s, i + 1);
    const f = fieldPhrase(s, j0);
    if (f && (isFieldWord(f.word) || f.word === 'free')) {
      q.sort = { fieldWord: f.word, dir };
      s.i = j0 + f.span;
      return true;
    }
    return false;
  }
  // "in each cluster", "does each host have", "for every datacenter".
  if (
    (w === 'each' || w === 'every') &&
    (RELATION_TARGETS[s.n(i + 1)] || ENTITY_WORDS[s.n(i + 1)]) &&
    q.entity
  ) {
    q.groupWord = s.n(i + 1);
    if (q.intent === 'rows') q.intent = 'count';
    s.i = i + 2;
    return true;
  }
  if (SORT_WORDS.has(w) || ((w === 'by' || w === 'per') && !q.groupWord)) {
    let j = i + 1;
    while (['them', 'it', 'those', 'results', 'the', 'by', 'on'].includes(s.n(j))) j++;
    // "top 3 hosts by number of windows vms": VMs counted per host.
    if (w === 'by' && q.limit !== undefined) {
      const top = groupTopAt(s, j);
      if (top !== undefined && s.at(j, ['number', 'of'])) {
        q.groupTop = { dir: 'desc', groupWord: groupWordOf(q.entity!) };
        s.i = top;
        return true;
      }
    }
    const j0 = skipCountWords(s, j);
    const f = fieldPhrase(s, j0);
    const fieldWord = f?.word;
    // "average vcpus per vm": the unit of the average, not a breakdown.
    if (w === 'per' && fieldWord && ENTITY_WORDS[fieldWord] && ENTITY_WORDS[fieldWord] === q.entity) {
      s.i = j + 1;
      return true;
    }
    const isGroup =
      (w === 'by' || w === 'per') &&
      (q.intent !== 'rows' ||
        w === 'per' ||
        (q.sort === undefined &&
          q.limit === undefined &&
          fieldWord !== undefined &&
          CATEGORICAL.has(fieldWord)));
    if (f && fieldWord) {
      let span = j0 - j + f.span;
      if (isGroup) q.groupWord = fieldWord;
      else {
        let dir: 'asc' | 'desc' | undefined;
        const after = s.n(j + span);
        if (
          ['asc', 'ascending', 'increasing'].includes(after) ||
          s.at(j + span, ['lowest', 'first']) ||
          s.at(j + span, ['smallest', 'first'])
        )
          dir = 'asc';
        if (
          ['desc', 'descending', 'decreasing'].includes(after) ||
          s.at(j + span, ['highest', 'first']) ||
          s.at(j + span, ['largest', 'first'])
        )
          dir = 'desc';
        q.sort = { fieldWord, dir: dir ?? q.sort?.dir };
        if (dir) span += after === 'asc' || after === 'desc' || after.endsWith('ing') ? 1 : 2;
      }
      s.i = j + span;
      return true;
    }
    if (w === 'by' || w === 'per') return false;
  }
  // "grouped by", "break down … by", "group hosts by …".
  if (
    s.at(i, ['grouped', 'by']) ||
    s.at(i, ['group', 'by']) ||
    s.at(i, ['breakdown', 'by']) ||
    s.at(i, ['broken', 'down', 'by'])
  ) {
    const j = i + (w === 'broken' ? 3 : 2);
    const f = fieldPhrase(s, j);
    q.groupWord = f?.word ?? s.n(j);
    if (q.intent === 'rows') q.intent = 'count';
    s.i = j + (f?.span ?? 1);
    return true;
  }
  if (w === 'group' || w === 'breakdown' || s.at(i, ['break', 'down'])) {
    if (q.intent === 'rows') q.intent = 'count';
    s.i = i + (w === 'break' ? 2 : 1);
    return true;
  }
  return false;
}
