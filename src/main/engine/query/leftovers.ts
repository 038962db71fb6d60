import type { Token } from './tokenize.js';

/**
 * The only words a question may drop: they carry no condition, so leaving them out never makes an
 * answer broader than the question. Reviewed by hand; every other word the parser does not use
 * makes the answer "not understood" (with suggestions) instead of an answer to a broader question.
 * Do not add words that restrict (states, qualities, amounts): "big", "old", "many", "prod".
 */
export const FILLER_WORDS = new Set([
  // asking
  'show',
  'me',
  'us',
  'list',
  'get',
  'give',
  'display',
  'find',
  'search',
  'tell',
  'see',
  'view',
  'want',
  'need',
  'let',
  'like',
  'please',
  'kindly',
  'can',
  'could',
  'would',
  'will',
  'you',
  'i',
  'we',
  'our',
  'my',
  'your',
  'hey',
  'hi',
  'thanks',
  'thank',
  'ok',
  'okay',
  'info',
  'information',
  'details',
  // articles, pronouns, question words
  'the',
  'a',
  'an',
  'all',
  'any',
  'every',
  'each',
  'some',
  'what',
  'which',
  'who',
  'whose',
  'where',
  'that',
  'this',
  'these',
  'those',
  'them',
  'they',
  'it',
  'its',
  'their',
  'there',
  'here',
  'one',
  'ones',
  'how',
  // being and having
  'is',
  'are',
  'was',
  'were',
  'be',
  'been',
  'being',
  'do',
  'does',
  'did',
  'have',
  'has',
  'had',
  'having',
  'got',
  'exist',
  'exists',
  'existing',
  // glue between a word and its value
  'of',
  'for',
  'to',
  'in',
  'on',
  'at',
  'with',
  'from',
  'by',
  'as',
  'and',
  'or',
  'but',
  'about',
  'located',
  'sitting',
  'reside',
  'resides',
  'residing',
  'hosted',
  'belonging',
  'belong',
  'belongs',
  'use',
  'uses',
  'using',
  'consume',
  'consumes',
  'consuming',
  'take',
  'takes',
  'allocated',
  'run',
  'runs',
  'hold',
  'holds',
  'live',
  'lives',
  'assigned',
  'configured',
  'set',
  // time fillers that do not restrict
  'currently',
  'presently',
  'right',
  'now',
  'just',
  'only',
  'also',
  'still',
  'so',
  'total',
  'altogether',
  'both',
  'either',
  'overall',
  'together',
]);

/** Glue that cannot end a question: "vms with", "more than", "vms that are not". */
const DANGLING = new Set(['with', 'than', 'between', 'and', 'or', 'by', 'per', 'of', 'without', 'except']);

/**
 * The unknown-word policy: `leftover` are the tokens no recogniser used. Fillers are dropped;
 * everything else is reported, as is a glue word the question ends on.
 */
export function unknownWords(tokens: readonly Token[], leftover: readonly number[]): string[] {
  const out: string[] = [];
  for (const i of leftover) {
    const t = tokens[i]!;
    if (t.kind === 'symbol') {
      out.push(t.raw);
      continue;
    }
    if (t.kind === 'word' && FILLER_WORDS.has(t.norm)) {
      if (i === tokens.length - 1 && DANGLING.has(t.norm)) out.push(t.raw);
      continue;
    }
    out.push(t.raw);
  }
  return out;
}
