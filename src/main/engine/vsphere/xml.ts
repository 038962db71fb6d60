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

/**
 * Incremental SOAP parser: feed text chunks, get the (possibly pruned) tree at the end.
 *
 * A scanner written for vim25 answers (elements, attributes, text, entities; the prolog, comments
 * and CDATA are handled, DTDs are not used by vSphere). It is several times faster than a general
 * SAX parser, and parsing is most of the CPU a sync costs.
 */
export class SoapStreamParser {
  private buf = '';
  private readonly stack: XNode[] = [];
  private root: XNode | undefined;

  constructor(private readonly handlers: StreamHandlers = {}) {}

  private fail(message: string): never {
    throw new Error(message);
  }

  private open(body: string, selfClosing: boolean): void {
    let end = 0;
    while (end < body.length) {
      const c = body.charCodeAt(end);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47) break;
      end++;
    }
    const qname = body.slice(0, end);
    if (!qname) this.fail('element without a name');
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
    this.stack.push(node);
    if (selfClosing) this.close(undefined);
  }

  private close(qname: string | undefined): void {
    const node = this.stack.pop();
    if (!node) this.fail(`unexpected closing tag </${qname ?? ''}>`);
    if (qname !== undefined && localName(qname) !== node.name) {
      this.fail(`closing tag </${qname}> does not match <${node.name}>`);
    }
    const depth = this.stack.length + 1;
    const parent = this.stack[this.stack.length - 1];
    if (this.handlers.onEmit && depth === this.handlers.emitDepth && node.name === this.handlers.emitName) {
      this.handlers.onEmit(node);
      return;
    }
    if (node.children.length > 0) node.text = '';
    if (parent) parent.children.push(node);
    else this.root = node;
  }

  private text(raw: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top) top.text += decodeEntities(raw);
    else if (raw.trim()) this.fail('text outside the root element');
  }

  write(chunk: string): void {
    this.buf = this.buf.length > 0 ? this.buf + chunk : chunk;
    this.scan(false);
  }

  private scan(final: boolean): void {
    const s = this.buf;
    let i = 0;
    while (i < s.length) {
      const lt = s.indexOf('<', i);
      if (lt === -1) {
        // Text up to the end of the chunk may end in half an entity: wait for the rest.
        if (final) this.text(s.slice(i));
        else break;
        i = s.length;
        break;
      }
      if (lt > i) this.text(s.slice(i, lt));
      i = lt;
      const next = s.charCodeAt(lt + 1);
      if (next === 33 /* ! */) {
        const isComment = s.startsWith('<!--', lt);
        const isCdata = s.startsWith('<![CDATA[', lt);
        const endMark = isComment ? '-->' : isCdata ? ']]>' : '>';
        const e = s.indexOf(endMark, lt + 2);
        if (e === -1) break;
        if (isCdata) {
          const top = this.stack[this.stack.length - 1];
          if (top) top.text += s.slice(lt + 9, e);
        }
        i = e + endMark.length;
        continue;
      }
      if (next === 63 /* ? */) {
        const e = s.indexOf('?>', lt + 2);
        if (e === -1) break;
        i = e + 2;
        continue;
      }
      let gt = s.indexOf('>', lt + 1);
      if (gt === -1) break;
      // A '>' inside a quoted attribute value does not end the tag.
      let quotes = 0;
      for (let k = lt; k < gt; k++) if (s.charCodeAt(k) === 34) quotes++;
      while (quotes % 2 === 1 && gt !== -1) {
        const more = s.indexOf('>', gt + 1);
        for (let k = gt; k < (more === -1 ? gt : more); k++) if (s.charCodeAt(k) === 34) quotes++;
        gt = more;
      }
      if (gt === -1) break;
      if (next === 47 /* / */) this.close(s.slice(lt + 2, gt).trim());
      else {
        const selfClosing = s.charCodeAt(gt - 1) === 47;
        this.open(s.slice(lt + 1, selfClosing ? gt - 1 : gt), selfClosing);
      }
      i = gt + 1;
    }
    this.buf = i >= s.length ? '' : s.slice(i);
  }

  end(): XNode {
    this.scan(true);
    if (this.buf.trim()) this.fail('the document ends inside a tag');
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
