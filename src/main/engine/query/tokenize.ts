export type TokenKind = 'word' | 'number' | 'quoted' | 'ip' | 'symbol';

export interface Token {
  /** As typed (names keep their case). */
  raw: string;
  /** Lowercased, and spelling-corrected where that applies. */
  norm: string;
  kind: TokenKind;
  /** For numbers: the value; a unit typed against it ("32gb", "10%", "10 %") becomes the next token. */
  value?: number;
}

const TOKEN_RE =
  /"([^"]*)"|'([^']*)'|(\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?)|(\d{4}-\d{2}-\d{2}|\d+\.\d+\.\d+)(?![\d.])|(\d+(?:\.\d+)?)( ?%|[a-z%]+)?|(>=|<=|!=|<>|[<>=])|([\p{L}\p{N}_*?][\p{L}\p{N}_*?.\-/@:]*)/giu;

/** "don't" → "do not", "isn't" → "is not", "what's" → "what is", "host's" → "host". */
function expandContractions(text: string): string {
  return text
    .replace(/\b(can)['’]t\b/gi, '$1 not')
    .replace(/\b(\p{L}+)n['’]t\b/giu, '$1 not')
    .replace(/\b(what|where|who|that|there|it|here)['’]s\b/gi, '$1 is')
    .replace(/(\p{L})['’]s\b/giu, '$1');
}

/** Splits a question into tokens; everything outside the recognised shapes is dropped as punctuation. */
export function tokenize(question: string): Token[] {
  const out: Token[] = [];
  const text = expandContractions(question.slice(0, 2000));
  for (const m of text.matchAll(TOKEN_RE)) {
    const [, dq, sq, ip, dotted, num, unit, sym, word] = m;
    if (dq !== undefined || sq !== undefined) {
      const q = (dq ?? sq)!;
      if (q) out.push({ raw: q, norm: q.toLowerCase(), kind: 'quoted' });
    } else if (ip !== undefined) out.push({ raw: ip, norm: ip, kind: 'ip' });
    else if (dotted !== undefined) out.push({ raw: dotted, norm: dotted, kind: 'word' });
    else if (num !== undefined) {
      out.push({ raw: num, norm: num, kind: 'number', value: Number(num) });
      // "90 %" is "90%".
      if (unit) out.push({ raw: unit.trim(), norm: unit.trim().toLowerCase(), kind: 'word' });
    } else if (sym !== undefined) out.push({ raw: sym, norm: sym, kind: 'symbol' });
    else if (word !== undefined) {
      // A trailing dot or hyphen is punctuation, not part of a name ("web01." at the end of a sentence).
      const w = word.replace(/[.\-:/?]+$/, '');
      if (w) out.push({ raw: w, norm: w.toLowerCase(), kind: 'word' });
    }
  }
  return out;
}
