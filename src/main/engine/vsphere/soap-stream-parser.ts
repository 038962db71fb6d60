import type { XNode } from './xml.js';
import {
  decodeEntities,
  Interner,
  isSpace,
  LONGEST_ENTITY,
  NON_SPACE,
  ownString,
  readPlainStartTag,
  readStartTag,
  type StartTag,
} from './xml-tags.js';

/**
 * Receives an emitted element as events instead of a tree (see `StreamHandlers.builder`): the
 * emitted element itself opens first, and its close is the last event. Building the wanted value
 * directly saves allocating a node per element, which is most of what parsing a large answer costs.
 */
export interface SubtreeBuilder {
  /** `name` is the local name; `moType` is '' for a ManagedObjectReference without a type attribute. */
  open(name: string, xsiType: string | undefined, moType: string | undefined): void;
  /**
   * The innermost open element closed; `text` is its text if it had no child elements, else ''.
   * Unlike the rest of what the parser hands out, `text` may be a view into an input chunk: a
   * builder keeps it with `ownString` (or an `Interner`), so that a value looked up and dropped
   * costs no copy.
   */
  close(text: string): void;
}

export interface StreamHandlers {
  /**
   * Elements at `emitDepth` (1 = Envelope) whose local name is `emitName` are handed over and not
   * kept in the tree, so a large answer is never held whole: to `builder` as events when there is
   * one, else to `onEmit` as a node.
   */
  emitName?: string;
  emitDepth?: number;
  onEmit?: (node: XNode) => void;
  builder?: SubtreeBuilder;
}

/** Bounds on what one answer may make the parser hold (a hostile or broken server). */
export interface ParserLimits {
  /** Deepest element nesting accepted (1 = the root). */
  maxDepth?: number;
  /** Most elements held at once (the tree so far plus the element being built for `onEmit`). */
  maxHeldElements?: number;
}

/**
 * vim25 answers nest about 12 levels (a VM's guest.net); a snapshot tree adds one level per
 * snapshot in a chain (32 at most is what VMware supports). 256 leaves a wide margin.
 */
export const DEFAULT_MAX_DEPTH = 256;
/**
 * A VM is a few hundred elements; the largest legitimate element is a list of references (a
 * datastore's or network's VMs: one element per VM). A million is far above that, and about
 * 150 MB of parsed nodes.
 */
export const DEFAULT_MAX_HELD_ELEMENTS = 1_000_000;

/** The document is not well-formed XML; says where. */
export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} (line ${line}, column ${column})`);
  }
}

/** The document is well-formed so far but passes a bound of `ParserLimits`. */
export class XmlLimitError extends Error {
  override readonly name = 'XmlLimitError';
  constructor(
    readonly limit: 'depth' | 'elements',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Incremental SOAP parser: feed text chunks, get the (possibly pruned) tree at the end.
 *
 * A scanner written for vim25 answers (elements, attributes, text, entities; the prolog, comments
 * and CDATA are handled, DTDs are not used by vSphere). It works on indexes into the chunk and
 * reads only the attributes vim25 types travel in (`type`, `xsi:type`), so a tag costs one pass
 * and a slice for its name; parsing is most of the CPU a sync costs.
 *
 * Every character is scanned once: text is handed to its element as it arrives (only a possibly
 * cut entity waits for the next chunk), and a tag, comment or CDATA section that spans chunks is
 * resumed where the last chunk ended, so a text node of any length costs linear time. Text is only
 * kept for elements without children (vim25 has no mixed content).
 *
 * No string handed out (names, types, the text of nodes) refers to an input chunk (`ownString`):
 * what a caller keeps of an answer costs what it keeps, never the chunks it was read from. (A
 * `SubtreeBuilder` gets the raw text and keeps what it keeps itself.)
 */
export class SoapStreamParser {
  /** Input not consumed yet: an incomplete tag, comment or CDATA section, or a cut entity. */
  private buf = '';
  /** Where to go on searching the end of the construct `buf` starts with (0: from its start). */
  private resume = 0;
  /** The quote a resumed tag is inside of (0: none). */
  private resumeQuote = 0;
  /** Local names of the open elements (all of them, emitted subtrees included). */
  private readonly names: string[] = [];
  /** The tree's open elements (not those of a subtree going to the builder). */
  private readonly nodes: XNode[] = [];
  /** Text of the innermost open element so far (appending builds a rope: linear). */
  private pendingText = '';
  /** Whether the innermost open element has a child element (its text is then not kept). */
  private topHasChildren = false;
  private root: XNode | undefined;
  private opened = 0;
  private held = 0;
  /** `opened` when the element being emitted opened (-1: none open); its subtree size at close. */
  private emitOpenedAt = -1;
  /** The builder receives the open emitted element's events. */
  private building = false;
  /** Line (1-based) and column offset (0-based) of `buf`'s first character. */
  private line = 1;
  private column = 0;
  /** For error positions: the string being scanned and the offset of the construct at hand. */
  private current = '';
  private at = 0;
  private readonly maxDepth: number;
  private readonly maxHeld: number;
  private readonly emitName: string | undefined;
  private readonly emitDepth: number;
  private readonly builder: SubtreeBuilder | undefined;
  /** One copy per element name and type, found without making a string (see `Interner`). */
  private readonly interner = new Interner();
  /** The start tag being read (one object for all of them). */
  private readonly tag: StartTag = { name: '', xsiType: undefined, moType: undefined, selfClosing: false };

  constructor(
    private readonly handlers: StreamHandlers = {},
    limits: ParserLimits = {},
  ) {
    this.maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxHeld = limits.maxHeldElements ?? DEFAULT_MAX_HELD_ELEMENTS;
    this.builder = handlers.builder;
    const emits = handlers.builder !== undefined || handlers.onEmit !== undefined;
    this.emitName = emits ? handlers.emitName : undefined;
    this.emitDepth = emits ? (handlers.emitDepth ?? -1) : -1;
  }

  private fail(reason: string): never {
    let line = this.line;
    let column = this.column;
    const s = this.current;
    for (let nl = s.indexOf('\n'); nl !== -1 && nl < this.at; nl = s.indexOf('\n', nl + 1)) {
      line++;
      column = -(nl + 1);
    }
    throw new XmlSyntaxError(reason, line, column + this.at + 1);
  }

  /** Moves the line/column mark past `s[0..to)`, which is being dropped from the buffer. */
  private advance(s: string, to: number): void {
    let last = -1;
    for (let nl = s.indexOf('\n'); nl !== -1 && nl < to; nl = s.indexOf('\n', nl + 1)) {
      this.line++;
      last = nl;
    }
    this.column = last === -1 ? this.column + to : to - last - 1;
  }

  /** The start tag `s[start..end)` (without `<`, `>` and a self-closing `/`). */
  private open(s: string, start: number, end: number, selfClosing: boolean): void {
    const t = this.tag;
    if (!readStartTag(s, start, end, t, this.interner)) this.fail('element without a name');
    this.openElement(t.name, t.xsiType, t.moType, selfClosing);
  }

  private openElement(
    name: string,
    xsiType: string | undefined,
    moType: string | undefined,
    selfClosing: boolean,
  ): void {
    const depth = this.names.length + 1;
    if (depth > this.maxDepth)
      throw new XmlLimitError('depth', `elements are nested deeper than ${this.maxDepth} levels`);
    if (++this.held > this.maxHeld)
      throw new XmlLimitError('elements', `more than ${this.maxHeld.toLocaleString('en')} elements at once`);
    if (moType === undefined && xsiType === 'ManagedObjectReference') moType = '';
    // The parent now has a child: its text (whitespace between elements) is not kept.
    this.pendingText = '';
    this.topHasChildren = false;
    this.names.push(name);
    this.opened++;
    if (this.building) this.builder!.open(name, xsiType, moType);
    else {
      if (depth === this.emitDepth && name === this.emitName) {
        this.emitOpenedAt = this.opened - 1;
        if (this.builder) {
          this.building = true;
          this.builder.open(name, xsiType, moType);
        }
      }
      if (!this.building) this.nodes.push({ name, xsiType, moType, text: '', children: [] });
    }
    if (selfClosing) this.closeTop();
  }

  /** The end tag `s[start..end)` (without `</` and `>`). */
  private close(s: string, start: number, end: number): void {
    const top = this.names[this.names.length - 1];
    while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
    while (start < end && isSpace(s.charCodeAt(start))) start++;
    if (top === undefined) this.fail(`unexpected closing tag </${s.slice(start, end)}>`);
    // Compared by local name, like the start tag: the prefix is whatever precedes the first colon.
    const colon = s.indexOf(':', start);
    const local = colon !== -1 && colon < end ? colon + 1 : start;
    if (end - local !== top.length || !s.startsWith(top, local)) {
      this.fail(`closing tag </${s.slice(start, end)}> does not match <${top}>`);
    }
    this.closeTop();
  }

  /** `</name>` closing the innermost element: handled, returns the index after it; else -1. */
  private plainEndTag(s: string, lt: number): number {
    const top = this.names[this.names.length - 1];
    if (top === undefined) return -1;
    const gt = lt + 2 + top.length;
    if (gt >= s.length || s.charCodeAt(gt) !== 62 /* > */ || !s.startsWith(top, lt + 2)) return -1;
    this.closeTop();
    return gt + 1;
  }

  /** A complete, plainly written start tag at `lt`: handled, returns the index after it; else -1. */
  private plainStartTag(s: string, lt: number): number {
    const t = this.tag;
    const end = readPlainStartTag(s, lt, t, this.interner);
    if (end !== -1) this.openElement(t.name, t.xsiType, t.moType, t.selfClosing);
    return end;
  }

  private closeTop(): void {
    const text = this.topHasChildren ? '' : this.pendingText;
    this.pendingText = '';
    this.topHasChildren = true;
    const depth = this.names.length;
    this.names.pop();
    const emitted = depth === this.emitDepth && this.emitOpenedAt !== -1;
    if (this.building) {
      this.builder!.close(text);
      if (emitted) {
        this.building = false;
        this.released();
      }
      return;
    }
    const node = this.nodes.pop()!;
    node.text = ownString(text);
    if (emitted) {
      this.released();
      this.handlers.onEmit?.(node);
      return;
    }
    const parent = this.nodes[this.nodes.length - 1];
    if (parent) parent.children.push(node);
    else this.root = node;
  }

  /** The emitted element and everything in it are no longer held. */
  private released(): void {
    this.held -= this.opened - this.emitOpenedAt;
    this.emitOpenedAt = -1;
  }

  private text(raw: string): void {
    if (this.names.length > 0) {
      if (!this.topHasChildren) this.pendingText += decodeEntities(raw);
    } else if (NON_SPACE.test(raw)) this.fail('text outside the root element');
  }

  write(chunk: string): void {
    if (this.buf.length > 0) {
      // What the last chunk left (mostly a tag cut in two) is completed with this chunk's start up
      // to its first '>', and the rest of the chunk is scanned as it came: `buf + chunk` would be
      // copied whole when scanned (a concatenation is flattened), every chunk of an answer twice.
      const gt = chunk.indexOf('>');
      if (gt === -1) this.buf += chunk;
      else {
        this.buf += chunk.slice(0, gt + 1);
        this.scan(false);
        const rest = chunk.slice(gt + 1);
        // Not complete yet (the '>' was quoted, or in a comment): the rest joins it.
        if (this.buf.length > 0) this.buf += rest;
        else this.buf = rest;
        if (this.buf.length === 0) return;
      }
    } else this.buf = chunk;
    this.scan(false);
  }

  private scan(final: boolean): void {
    const s = this.buf;
    const len = s.length;
    this.current = s;
    let i = 0;
    if (this.resume > 0) {
      // The construct `s` starts with was cut by the end of the last chunk.
      this.at = 0;
      i = this.construct(s, 0, final);
      if (i === -1) {
        this.buf = s;
        return;
      }
    }
    while (i < len) {
      const lt = s.indexOf('<', i);
      if (lt === -1) {
        this.at = i;
        let upTo = len;
        if (!final) {
          // Text up to the end of the chunk may end in half an entity: that part waits.
          const amp = s.lastIndexOf('&');
          if (amp >= i && len - amp < LONGEST_ENTITY && !s.includes(';', amp)) upTo = amp;
        }
        if (upTo > i) this.text(s.slice(i, upTo));
        i = upTo;
        break;
      }
      if (lt > i) {
        this.at = i;
        this.text(s.slice(i, lt));
      }
      this.at = lt;
      i = lt;
      // Fast paths for the tags a vim25 answer is made of; anything else (a tag cut by the end of
      // the chunk, a prefixed end tag, a comment, unusual spacing or syntax) goes the general way.
      const next = lt + 1 < len ? s.charCodeAt(lt + 1) : -1;
      let end = -1;
      if (next === 47 /* / */) end = this.plainEndTag(s, lt);
      else if (next !== 33 /* ! */ && next !== 63 /* ? */ && next !== -1) end = this.plainStartTag(s, lt);
      if (end === -1) end = this.construct(s, lt, final);
      if (end === -1) break;
      i = end;
    }
    if (i > 0) this.advance(s, i);
    this.buf = i >= len ? '' : s.slice(i);
  }

  /**
   * Any markup at `lt` (a tag, comment, CDATA section, processing instruction), resumed where the
   * last chunk ended if `this.resume` says so. Returns the index after it, or -1 when it is not
   * complete yet (`this.resume` / `resumeQuote` then say where to go on).
   */
  private construct(s: string, lt: number, final: boolean): number {
    const resume = this.resume;
    let quote = this.resumeQuote;
    this.resume = 0;
    this.resumeQuote = 0;
    const next = s.charCodeAt(lt + 1);
    if (next === 33 /* ! */) {
      if (!final && s.length - lt < 9) return -1; // not enough to tell a comment from CDATA
      const isComment = s.startsWith('<!--', lt);
      const isCdata = s.startsWith('<![CDATA[', lt);
      const endMark = isComment ? '-->' : isCdata ? ']]>' : '>';
      const e = s.indexOf(endMark, resume > 0 ? resume : lt + 2);
      if (e === -1) {
        this.resume = Math.max(2, s.length - lt - endMark.length + 1);
        return -1;
      }
      if (isCdata && this.names.length > 0 && !this.topHasChildren) {
        this.pendingText += s.slice(lt + 9, e);
      }
      return e + endMark.length;
    }
    if (next === 63 /* ? */) {
      const e = s.indexOf('?>', resume > 0 ? resume : lt + 2);
      if (e === -1) {
        this.resume = Math.max(2, s.length - lt - 1);
        return -1;
      }
      return e + 2;
    }
    // The tag ends at the first '>' outside a quoted attribute value.
    let gt = -1;
    let k = resume > 0 ? resume : lt + 1;
    for (;;) {
      if (quote !== 0) {
        const q = s.indexOf(quote === 34 ? '"' : "'", k);
        if (q === -1) {
          k = s.length;
          break;
        }
        quote = 0;
        k = q + 1;
      }
      const g = s.indexOf('>', k);
      const limit = g === -1 ? s.length : g;
      let j = k;
      for (; j < limit; j++) {
        const c = s.charCodeAt(j);
        if (c === 34 || c === 39) break;
      }
      if (j < limit) {
        quote = s.charCodeAt(j);
        k = j + 1;
        continue;
      }
      k = limit;
      if (g !== -1) gt = g;
      break;
    }
    if (gt === -1) {
      this.resume = k - lt;
      this.resumeQuote = quote;
      return -1;
    }
    if (next === 47 /* / */) this.close(s, lt + 2, gt);
    else {
      const selfClosing = s.charCodeAt(gt - 1) === 47;
      this.open(s, lt + 1, selfClosing ? gt - 1 : gt, selfClosing);
    }
    return gt + 1;
  }

  end(): XNode {
    this.scan(true);
    this.current = this.buf;
    this.at = this.buf.length;
    if (NON_SPACE.test(this.buf)) this.fail('the document ends inside a tag');
    if (this.names.length > 0) this.fail(`the document ends inside <${this.names[this.names.length - 1]}>`);
    if (!this.root) this.fail('empty XML document');
    return this.root;
  }
}
