import { SoapStreamParser } from './soap-stream-parser.js';

export {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_HELD_ELEMENTS,
  SoapStreamParser,
  XmlLimitError,
  XmlSyntaxError,
  type ParserLimits,
  type StreamHandlers,
  type SubtreeBuilder,
} from './soap-stream-parser.js';

/** A managed object reference, e.g. `HostSystem:host-42`. */
export class MoRef {
  /** `type:value`, what objects are looked up by (made once: lookups are many). */
  readonly key: string;
  constructor(
    readonly type: string,
    readonly value: string,
  ) {
    this.key = `${type}:${value}`;
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
