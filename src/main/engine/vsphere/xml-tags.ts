/** Reading the parts of a SOAP answer's tags that vMiner uses (see `SoapStreamParser`). */

const ENTITY_RE = /&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY_RE, (_, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(
          e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10),
        )
      : NAMED[e]!,
  );
}

/** `&#x10FFFF;` is the longest entity: a text piece ending in an `&` this close may be cut in half. */
export const LONGEST_ENTITY = 10;
export const NON_SPACE = /\S/;

export const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * A copy of `s` that does not keep a larger string alive. V8 makes a slice of 13 or more
 * characters a view into the string it was cut from: one element's text kept from a 16 kB chunk
 * of an answer would keep the whole chunk, and a sync keeps values of every object of the answer
 * until it maps them (the whole answer, tens of MB, copied by every young-generation collection
 * on the way to the old one). Flattening a concatenation is the cheapest copy JavaScript can ask
 * for; the slice taken from the copy keeps only the copy (one character longer than `s`).
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * Element names, type attributes and property names come from a small vocabulary and repeat on
 * every object: one copy of each is kept and handed out, found by the characters themselves
 * (`s[start..end)`), so a name seen before costs no string, no hash and no copy. Bounded, so a
 * hostile answer made of unique names costs a copy per name, never an ever-growing table.
 */
export class Interner {
  /** Known strings by length, first and last character (a short list per bucket). */
  private readonly buckets: (string[] | undefined)[] = new Array<string[] | undefined>(1024);
  private count = 0;
  constructor(private readonly max = 4096) {}

  /** `s.slice(start, end)`, the one copy kept of it. */
  intern(s: string, start = 0, end = s.length): string {
    const len = end - start;
    if (len <= 0) return '';
    const b = (len * 961 + s.charCodeAt(start) * 31 + s.charCodeAt(end - 1)) & 1023;
    let bucket = this.buckets[b];
    if (bucket !== undefined) {
      for (let i = 0; i < bucket.length; i++) {
        const k = bucket[i]!;
        if (k.length === len && s.startsWith(k, start)) return k;
      }
    }
    const own = ownString(start === 0 && end === s.length ? s : s.slice(start, end));
    if (this.count < this.max) {
      if (bucket === undefined) {
        bucket = [];
        this.buckets[b] = bucket;
      }
      bucket.push(own);
      this.count++;
    }
    return own;
  }

  get size(): number {
    return this.count;
  }
}

/** The part of a qualified name after its prefix. */
function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/** What a start tag says; one object is reused for every tag. */
export interface StartTag {
  /** The local name (after the first colon). */
  name: string;
  /** `…:type` (xsi:type), without its prefix. */
  xsiType: string | undefined;
  /** `type` (a managed object reference's type). */
  moType: string | undefined;
  selfClosing: boolean;
}

/**
 * Reads the start tag `s[start..end)` (without `<`, `>` and a self-closing `/`) into `out`, any
 * spacing and quoting; false when it has no name. Only `type` and `…:type` are read of the
 * attributes (vim25 carries its types in them); anything unreadable is passed over.
 */
export function readStartTag(s: string, start: number, end: number, out: StartTag, names: Interner): boolean {
  let i = start;
  let local = start;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47) break;
    if (c === 58 /* : */ && local === start) local = i + 1;
    i++;
  }
  if (i === start) return false;
  out.name = names.intern(s, local, i);
  out.xsiType = undefined;
  out.moType = undefined;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || c === 47) {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < end) {
      const d = s.charCodeAt(i);
      if (isSpace(d) || d === 61 /* = */ || d === 47) break;
      i++;
    }
    const nameEnd = i;
    while (i < end && isSpace(s.charCodeAt(i))) i++;
    if (i >= end || s.charCodeAt(i) !== 61) {
      if (i === nameStart) i++;
      continue;
    }
    i++;
    while (i < end && isSpace(s.charCodeAt(i))) i++;
    const q = s.charCodeAt(i);
    if (q !== 34 && q !== 39) continue;
    const close = s.indexOf(q === 34 ? '"' : "'", i + 1);
    if (close === -1 || close >= end) break;
    readTypeAttribute(s, nameStart, nameEnd, i + 1, close, out, names);
    i = close + 1;
  }
  return true;
}

function readTypeAttribute(
  s: string,
  nameStart: number,
  nameEnd: number,
  valueStart: number,
  valueEnd: number,
  out: StartTag,
  names: Interner,
): void {
  const len = nameEnd - nameStart;
  const moType = len === 4 && s.startsWith('type', nameStart);
  if (!moType && !(len >= 5 && s.startsWith(':type', nameEnd - 5))) return;
  // The value's own characters are searched, not the rest of the chunk (`indexOf` would run to
  // the chunk's end for every attribute of an answer without entities: most of the tag's cost).
  let amp = valueStart;
  while (amp < valueEnd && s.charCodeAt(amp) !== 38 /* & */) amp++;
  if (amp < valueEnd) {
    // Written with entities (never seen from a vCenter): decoded first.
    const v = decodeEntities(s.slice(valueStart, valueEnd));
    if (moType) out.moType = names.intern(v);
    else out.xsiType = names.intern(localName(v));
    return;
  }
  if (moType) out.moType = names.intern(s, valueStart, valueEnd);
  else {
    // xsi:type="xsd:string": the part after the prefix.
    let colon = valueStart;
    while (colon < valueEnd && s.charCodeAt(colon) !== 58 /* : */) colon++;
    out.xsiType = names.intern(s, colon < valueEnd ? colon + 1 : valueStart, valueEnd);
  }
}

/**
 * The fast path for the tags a vim25 answer is made of: a complete start tag at `lt` with plainly
 * written attributes (`name="value"` after one or more spaces). Returns the index after the tag,
 * with `out` filled in, or -1 for anything else (cut by the end of `s`, tabs or newlines inside,
 * spaces around `=`), which the general path then reads.
 */
export function readPlainStartTag(s: string, lt: number, out: StartTag, names: Interner): number {
  // Every read is bounds-checked: a read past the end would make V8 drop the optimised code.
  const len = s.length;
  const start = lt + 1;
  let j = start;
  let local = start;
  let c = 0;
  for (; j < len; j++) {
    c = s.charCodeAt(j);
    // Letters (most of a name) are above '>' (62): one comparison for them.
    if (c > 62) continue;
    if (c === 62 || c === 32 || c === 47) break;
    if (c === 58 /* : */) {
      if (local === start) local = j + 1;
    } else if (c === 34 || c === 39 || c === 60 || c === 9 || c === 10 || c === 13) return -1;
  }
  if (j === start || j >= len) return -1;
  const nameEnd = j;
  out.xsiType = undefined;
  out.moType = undefined;
  for (;;) {
    while (c === 32) {
      if (++j >= len) return -1;
      c = s.charCodeAt(j);
    }
    if (c === 62 /* > */) break;
    if (c === 47 /* / */) {
      if (j + 1 >= len || s.charCodeAt(j + 1) !== 62) return -1;
      j++;
      break;
    }
    const attrStart = j;
    for (; j < len; j++) {
      c = s.charCodeAt(j);
      if (c > 62) continue; // a letter, as above
      if (c === 61 /* = */) break;
      if (
        c === 32 ||
        c === 62 ||
        c === 47 ||
        c === 34 ||
        c === 39 ||
        c === 60 ||
        c === 9 ||
        c === 10 ||
        c === 13
      )
        return -1;
    }
    if (j + 1 >= len) return -1;
    const q = s.charCodeAt(j + 1);
    if (q !== 34 && q !== 39) return -1;
    const close = s.indexOf(q === 34 ? '"' : "'", j + 2);
    if (close === -1 || close + 1 >= len) return -1;
    readTypeAttribute(s, attrStart, j, j + 2, close, out, names);
    j = close + 1;
    c = s.charCodeAt(j);
    if (c !== 32 && c !== 62 && c !== 47) return -1;
  }
  // j is at the closing '>' (after a '/' for a self-closing tag).
  out.name = names.intern(s, local, nameEnd);
  out.selfClosing = s.charCodeAt(j - 1) === 47;
  return j + 1;
}
