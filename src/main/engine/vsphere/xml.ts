import { SaxesParser, type SaxesTagPlain } from 'saxes';

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

/** Incremental SOAP parser: feed text chunks, get the (possibly pruned) tree at the end. */
export class SoapStreamParser {
  private readonly parser = new SaxesParser({ xmlns: false });
  private readonly stack: XNode[] = [];
  private root: XNode | undefined;
  private error: Error | undefined;

  constructor(private readonly handlers: StreamHandlers = {}) {
    this.parser.on('opentag', (tag: SaxesTagPlain) => this.open(tag));
    this.parser.on('text', (text: string) => this.text(text));
    this.parser.on('cdata', (text: string) => this.text(text));
    this.parser.on('closetag', () => this.close());
    this.parser.on('error', (err: Error) => {
      this.error ??= err;
    });
  }

  private open(tag: SaxesTagPlain): void {
    let xsiType: string | undefined;
    let moType: string | undefined;
    for (const [k, v] of Object.entries(tag.attributes)) {
      if (k === 'type') moType = v;
      else if (k.endsWith(':type')) xsiType = localName(v);
    }
    const node: XNode = { name: localName(tag.name), xsiType, moType, text: '', children: [] };
    if (xsiType === 'ManagedObjectReference' && moType === undefined) node.moType = '';
    this.stack.push(node);
  }

  private text(text: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top) top.text += text;
  }

  private close(): void {
    const node = this.stack.pop();
    if (!node) return;
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

  write(chunk: string): void {
    if (this.error) throw this.error;
    this.parser.write(chunk);
    if (this.error) throw this.error;
  }

  end(): XNode {
    this.parser.close();
    if (this.error) throw this.error;
    if (!this.root) throw new Error('empty XML document');
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
