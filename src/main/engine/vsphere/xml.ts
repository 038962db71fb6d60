/** A managed object reference, e.g. `HostSystem:host-42`. */
export class MoRef {
  constructor(
    readonly type: string,
    readonly value: string,
  ) {}
  get key(): string {
    return `${this.type}:${this.value}`;
  }
}

export type XValue = string | MoRef | XValue[] | XObject;
export interface XObject {
  [field: string]: XValue | undefined;
}

/** One element of a parsed SOAP answer. Only the parts vMiner needs: local name, types, text, children. */
export interface XNode {
  name: string;
  xsiType: string | undefined;
  moType: string | undefined;
  text: string;
  children: XNode[];
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/**
 * Turns an element into a plain value. Arrays are only recognisable where vSphere marks them
 * (`xsi:type="ArrayOf…"`); a repeated child inside a complex value becomes an array, a single one
 * does not, so readers use `asArray` where a list is expected.
 */
export function toValue(node: XNode): XValue {
  if (node.xsiType?.startsWith('ArrayOf')) return node.children.map(toValue);
  if (node.children.length === 0) {
    if (node.moType !== undefined) return new MoRef(node.moType, node.text);
    return node.text;
  }
  const obj: XObject = {};
  const repeated = new Set<string>();
  for (const child of node.children) {
    const v = toValue(child);
    const prev = obj[child.name];
    if (prev === undefined) obj[child.name] = v;
    else if (repeated.has(child.name)) (prev as XValue[]).push(v);
    else {
      obj[child.name] = [prev, v];
      repeated.add(child.name);
    }
  }
  if (node.xsiType !== undefined) obj['_type'] = node.xsiType;
  return obj;
}

export interface StreamHandlers {
  /**
   * Called for each element at `emitDepth` (1 = Envelope) whose local name is `emitName`; such
   * elements are handed over and not kept in the tree, so a large answer is never held whole.
   */
  emitName?: string;
  emitDepth?: number;
  onEmit?: (node: XNode) => void;
  /**
   * Asked for each element as it opens, with the elements around it (the root first): true drops
   * it and everything inside it unread — no nodes, no attributes, no text (well-formedness inside
   * is not checked). Lets a reader skip the parts of a bulky value it reduces away anyway.
   */
  prune?: (node: XNode, open: readonly XNode[]) => boolean;
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

const ENTITY_RE = /&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY_RE, (_, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(
          e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10),
        )
      : NAMED[e]!,
  );
}

const ATTR_RE = /([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
/** `&#x10FFFF;` is the longest entity: a text piece ending in an `&` this close may be cut in half. */
const LONGEST_ENTITY = 10;
const NON_SPACE = /\S/;

/**
 * Incremental SOAP parser: feed text chunks, get the (possibly pruned) tree at the end.
 *
 * A scanner written for vim25 answers (elements, attributes, text, entities; the prolog, comments
 * and CDATA are handled, DTDs are not used by vSphere). It is several times faster than a general
 * SAX parser, and parsing is most of the CPU a sync costs.
 *
 * Every character is scanned once: text is handed to its element as it arrives (only a possibly
 * cut entity waits for the next chunk), and a tag, comment or CDATA section that spans chunks is
 * resumed where the last chunk ended, so a text node of any length costs linear time. Text is only
 * kept for elements without children (vim25 has no mixed content).
 */
export class SoapStreamParser {
  /** Input not consumed yet: an incomplete tag, comment or CDATA section, or a cut entity. */
  private buf = '';
  /** Where to go on searching the end of the construct `buf` starts with (0: from its start). */
  private resume = 0;
  /** The quote a resumed tag is inside of (0: none). */
  private resumeQuote = 0;
  private readonly stack: XNode[] = [];
  /** Per open element: the `opened` count when it opened (its subtree size at close). */
  private readonly openedAt: number[] = [];
  /** Text of the innermost open element so far (appending builds a rope: linear). */
  private pendingText = '';
  private root: XNode | undefined;
  private opened = 0;
  private held = 0;
  /** Line (1-based) and column offset (0-based) of `buf`'s first character. */
  private line = 1;
  private column = 0;
  /** For error positions: the string being scanned and the offset of the construct at hand. */
  private current = '';
  private at = 0;
  private readonly maxDepth: number;
  private readonly maxHeld: number;
  /** > 0 while inside a pruned element: its nesting depth so far. */
  private pruned = 0;

  constructor(
    private readonly handlers: StreamHandlers = {},
    limits: ParserLimits = {},
  ) {
    this.maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxHeld = limits.maxHeldElements ?? DEFAULT_MAX_HELD_ELEMENTS;
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

  private open(body: string, selfClosing: boolean): void {
    if (this.pruned > 0) {
      if (!selfClosing) this.pruned++;
      return;
    }
    let end = 0;
    while (end < body.length) {
      const c = body.charCodeAt(end);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47) break;
      end++;
    }
    const qname = body.slice(0, end);
    if (!qname) this.fail('element without a name');
    if (this.stack.length >= this.maxDepth)
      throw new XmlLimitError('depth', `elements are nested deeper than ${this.maxDepth} levels`);
    if (++this.held > this.maxHeld)
      throw new XmlLimitError('elements', `more than ${this.maxHeld.toLocaleString('en')} elements at once`);
    let xsiType: string | undefined;
    let moType: string | undefined;
    if (end < body.length && body.includes('=', end)) {
      ATTR_RE.lastIndex = end;
      for (let m = ATTR_RE.exec(body); m; m = ATTR_RE.exec(body)) {
        const k = m[1]!;
        const v = decodeEntities(m[2] ?? m[3] ?? '');
        if (k === 'type') moType = v;
        else if (k.endsWith(':type')) xsiType = localName(v);
      }
    }
    const node: XNode = { name: localName(qname), xsiType, moType, text: '', children: [] };
    if (xsiType === 'ManagedObjectReference' && moType === undefined) node.moType = '';
    if (this.handlers.prune?.(node, this.stack)) {
      this.held--;
      if (!selfClosing) this.pruned = 1;
      return;
    }
    // The parent now has a child: its text (whitespace between elements) is not kept.
    this.pendingText = '';
    this.stack.push(node);
    this.openedAt.push(this.opened++);
    if (selfClosing) this.close(undefined);
  }

  private close(qname: string | undefined): void {
    if (this.pruned > 0) {
      this.pruned--;
      return;
    }
    const node = this.stack.pop();
    if (!node) this.fail(`unexpected closing tag </${qname ?? ''}>`);
    const openedAt = this.openedAt.pop()!;
    if (qname !== undefined && localName(qname) !== node.name) {
      this.fail(`closing tag </${qname}> does not match <${node.name}>`);
    }
    if (node.children.length === 0) node.text = this.pendingText;
    this.pendingText = '';
    const depth = this.stack.length + 1;
    const parent = this.stack[this.stack.length - 1];
    if (this.handlers.onEmit && depth === this.handlers.emitDepth && node.name === this.handlers.emitName) {
      this.held -= this.opened - openedAt;
      this.handlers.onEmit(node);
      return;
    }
    if (parent) parent.children.push(node);
    else this.root = node;
  }

  private text(raw: string): void {
    if (this.pruned > 0) return;
    const top = this.stack[this.stack.length - 1];
    if (top) {
      if (top.children.length === 0) this.pendingText += decodeEntities(raw);
    } else if (NON_SPACE.test(raw)) this.fail('text outside the root element');
  }

  write(chunk: string): void {
    this.buf = this.buf.length > 0 ? this.buf + chunk : chunk;
    this.scan(false);
  }

  private scan(final: boolean): void {
    const s = this.buf;
    this.current = s;
    let resume = this.resume;
    let quote = this.resumeQuote;
    this.resume = 0;
    this.resumeQuote = 0;
    let i = 0;
    while (i < s.length) {
      const lt = resume > 0 ? 0 : s.indexOf('<', i);
      if (lt === -1) {
        this.at = i;
        let upTo = s.length;
        if (!final) {
          // Text up to the end of the chunk may end in half an entity: that part waits.
          const amp = s.lastIndexOf('&');
          if (amp >= i && s.length - amp < LONGEST_ENTITY && !s.includes(';', amp)) upTo = amp;
        }
        if (upTo > i) this.text(s.slice(i, upTo));
        i = upTo;
        break;
      }
      this.at = i;
      if (lt > i) this.text(s.slice(i, lt));
      this.at = lt;
      i = lt;
      const next = s.charCodeAt(lt + 1);
      if (next === 33 /* ! */) {
        if (!final && s.length - lt < 9) break; // not enough to tell a comment from CDATA
        const isComment = s.startsWith('<!--', lt);
        const isCdata = s.startsWith('<![CDATA[', lt);
        const endMark = isComment ? '-->' : isCdata ? ']]>' : '>';
        const e = s.indexOf(endMark, resume > 0 ? resume : lt + 2);
        resume = 0;
        if (e === -1) {
          this.resume = Math.max(2, s.length - lt - endMark.length + 1);
          break;
        }
        if (isCdata) {
          const top = this.stack[this.stack.length - 1];
          if (this.pruned === 0 && top && top.children.length === 0) this.pendingText += s.slice(lt + 9, e);
        }
        i = e + endMark.length;
        continue;
      }
      if (next === 63 /* ? */) {
        const e = s.indexOf('?>', resume > 0 ? resume : lt + 2);
        resume = 0;
        if (e === -1) {
          this.resume = Math.max(2, s.length - lt - 1);
          break;
        }
        i = e + 2;
        continue;
      }
      // The tag ends at the first '>' outside a quoted attribute value.
      let gt = -1;
      let k = resume > 0 ? resume : lt + 1;
      resume = 0;
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
        break;
      }
      if (next === 47 /* / */) this.close(s.slice(lt + 2, gt).trim());
      else {
        const selfClosing = s.charCodeAt(gt - 1) === 47;
        this.open(s.slice(lt + 1, selfClosing ? gt - 1 : gt), selfClosing);
      }
      i = gt + 1;
    }
    if (i > 0) this.advance(s, i);
    this.buf = i >= s.length ? '' : s.slice(i);
  }

  end(): XNode {
    this.scan(true);
    this.current = this.buf;
    this.at = this.buf.length;
    if (NON_SPACE.test(this.buf)) this.fail('the document ends inside a tag');
    if (this.stack.length > 0)
      this.fail(`the document ends inside <${this.stack[this.stack.length - 1]!.name}>`);
    if (!this.root) this.fail('empty XML document');
    return this.root;
  }
}

export function parseSoap(text: string): XNode {
  const p = new SoapStreamParser();
  p.write(text);
  return p.end();
}

export function child(node: XNode | undefined, name: string): XNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function childText(node: XNode | undefined, name: string): string | undefined {
  return child(node, name)?.text;
}
