import { CHANGE_VERBS, ENTITY_WORDS } from './lexicon.js';
import type { ParseState } from './parse-state.js';

const POLITE = new Set(['please', 'can', 'could', 'you', 'would', 'kindly']);
const FOLLOW_UP_STARTS = new Set([
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
]);

/**
 * The first stage: what kind of sentence this is. Requests to change something are refused,
 * "where is …" / "find …" / a bare name or IP are searches, "export …" exports. Returns true when
 * the question is settled here (nothing more to parse).
 */
export function classifySentence(s: ParseState): boolean {
  const { q, tokens } = s;
  const meaningful = tokens.filter((t) => !POLITE.has(t.norm));
  const first = meaningful[0]?.norm ?? '';
  if (FOLLOW_UP_STARTS.has(first)) q.followUpHint = true;
  if (first === 'only' || first === 'just') q.narrowing = true;

  // Refusals: vMiner reads, it never changes vCenter.
  if (
    CHANGE_VERBS.has(first) ||
    (first === 'power' && ['off', 'on', 'cycle', 'down'].includes(meaningful[1]?.norm ?? '')) ||
    (first === 'shut' && meaningful[1]?.norm === 'down')
  ) {
    q.kind = 'refused';
    q.refusedVerb = first === 'power' || first === 'shut' ? `${first} ${meaningful[1]!.norm}` : first;
    return true;
  }

  // Finding things: "where is web-prd-12", "where does web-01 live", "find sql01", "10.20.30.41".
  const whereDoes = s.at(0, ['where', 'does']) || s.at(0, ['where', 'do']);
  const whereIs =
    s.at(0, ['where', 'is']) ||
    s.at(0, ['where', 'are']) ||
    s.at(0, ["where's"]) ||
    s.at(0, ['locate']) ||
    s.at(0, ['lookup']);
  const findVerb =
    ['find', 'search', 'locate', 'lookup'].includes(s.n(0)) &&
    !tokens.slice(1).some((t) => ENTITY_WORDS[t.norm]);
  if (whereIs || findVerb || whereDoes) {
    const skip = s.at(0, ['where', 'is']) || s.at(0, ['where', 'are']) || whereDoes ? 2 : 1;
    const trailing = new Set(
      whereDoes ? ['live', 'lives', 'run', 'runs', 'sit', 'sits', 'reside', 'resides'] : [],
    );
    const rest = tokens
      .slice(skip)
      .filter(
        (t) =>
          (!['the', 'vm', 'host', 'for', 'a', 'an'].includes(t.norm) && !trailing.has(t.norm)) ||
          t.kind === 'quoted',
      );
    if (rest.length > 0) {
      q.kind = 'find';
      q.findText = rest.map((t) => t.raw).join(' ');
      return true;
    }
  }
  const only = tokens[0];
  if (
    tokens.length === 1 &&
    only &&
    (only.kind === 'ip' || (only.kind === 'word' && /[\d-]/.test(only.norm) && !ENTITY_WORDS[only.norm]))
  ) {
    q.kind = 'find';
    q.findText = only.raw;
    return true;
  }
  if (tokens.some((t) => t.norm === 'export' || t.norm === 'download')) {
    q.kind = 'export';
    const fmt = tokens.find((t) => ['excel', 'xlsx', 'csv', 'json', 'spreadsheet'].includes(t.norm))?.norm;
    q.exportFormat = fmt === 'csv' ? 'csv' : fmt === 'json' ? 'json' : fmt ? 'xlsx' : undefined;
    // "export powered off vms to csv" still carries a question; keep parsing it.
    if (!tokens.some((t) => ENTITY_WORDS[t.norm])) return true;
    for (const [k, t] of tokens.entries())
      if (['export', 'download', 'excel', 'xlsx', 'csv', 'json', 'spreadsheet'].includes(t.norm))
        s.consumed.add(k);
  }
  return false;
}
