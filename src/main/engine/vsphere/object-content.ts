import { VminerError } from '../../../shared/errors.js';
import { childText, MoRef, type SubtreeBuilder, type XNode, type XObject, type XValue } from './xml.js';
import { Interner, ownString } from './xml-tags.js';

export interface ObjectContent {
  ref: MoRef;
  props: Map<string, XValue>;
}

export interface MissingProperty {
  objectType: string;
  path: string;
  fault: string;
}

/** Adds a `missingSet` element to `missing` (first occurrence per type and path). */
export function noteMissing(
  node: XNode,
  ref: MoRef | undefined,
  missing: Map<string, MissingProperty>,
): void {
  const path = childText(node, 'path') ?? '';
  const fault = node.children.find((x) => x.name === 'fault');
  const faultType = fault?.children.find((x) => x.name === 'fault')?.xsiType ?? fault?.xsiType ?? 'unknown';
  const key = `${ref?.type ?? ''}.${path}`;
  if (!missing.has(key)) missing.set(key, { objectType: ref?.type ?? '', path, fault: faultType });
}

// What an open element is, seen from the ObjectContent it belongs to.
const OBJECTS = 0;
const OBJ = 1;
const PROP_SET = 2;
const PROP_NAME = 3;
/** A `val` and everything inside it: built as `toValue` would. */
const VALUE = 4;
/** `missingSet` and everything inside it: built as nodes (rare; the fault is read from them). */
const MISSING = 5;
const IGNORED = 6;

/**
 * Builds the `ObjectContent`s of a RetrievePropertiesEx answer directly from the parser's events
 * (the emitted `objects` elements), without a node per element: a property's value comes out
 * exactly as `toValue` makes it from the node tree (`parseObject` below, the reference), with
 * arrays where vSphere marks them (`ArrayOf…`) and repeated children gathered into arrays.
 */
export class ObjectContentBuilder implements SubtreeBuilder {
  private readonly kinds: number[] = [];
  private ref: MoRef | undefined;
  private props = new Map<string, XValue>();
  private refType: string | undefined;
  private propName: string | undefined;
  private propVal: XValue | undefined;
  // The open values, innermost last (parallel arrays: no object per element).
  private readonly vNames: string[] = [];
  private readonly vXsiTypes: (string | undefined)[] = [];
  private readonly vMoTypes: (string | undefined)[] = [];
  private readonly vArrays: (XValue[] | undefined)[] = [];
  private readonly vObjects: (XObject | undefined)[] = [];
  private readonly vRepeated: (Set<string> | undefined)[] = [];
  private readonly missingNodes: XNode[] = [];
  /** Property names repeat on every object: one copy each. */
  private readonly propNames = new Interner();
  /**
   * References repeat too (every VM names its host, folder, pool, datastores): one MoRef per
   * type and value, by type then value, so no `type:value` string is made to look one up.
   */
  private readonly refs = new Map<string, Map<string, MoRef>>();

  constructor(
    private readonly missing: Map<string, MissingProperty>,
    private readonly onObject: (o: ObjectContent) => void,
    /**
     * Asked for each element directly inside a property's value (an array's items): true leaves
     * it and everything inside it unbuilt (a VM's devices the mapper drops anyway).
     */
    private readonly skipItem?: (property: string, xsiType: string | undefined) => boolean,
  ) {}

  open(name: string, xsiType: string | undefined, moType: string | undefined): void {
    const depth = this.kinds.length;
    const parent = depth === 0 ? -1 : this.kinds[depth - 1]!;
    let kind: number;
    switch (parent) {
      case -1:
        kind = OBJECTS;
        this.ref = undefined;
        this.props = new Map();
        break;
      case OBJECTS:
        if (name === 'obj') {
          kind = OBJ;
          this.refType = moType;
        } else if (name === 'propSet') {
          kind = PROP_SET;
          this.propName = undefined;
          this.propVal = undefined;
        } else if (name === 'missingSet') kind = MISSING;
        else kind = IGNORED;
        break;
      case PROP_SET:
        // The first `name` and the first `val` count, in either order.
        if (name === 'name' && this.propName === undefined) kind = PROP_NAME;
        else if (name === 'val' && this.propVal === undefined) kind = VALUE;
        else kind = IGNORED;
        break;
      case VALUE:
        kind =
          this.skipItem !== undefined &&
          this.vNames.length === 1 &&
          this.propName !== undefined &&
          this.skipItem(this.propName, xsiType)
            ? IGNORED
            : VALUE;
        break;
      case MISSING:
        kind = MISSING;
        break;
      default:
        kind = IGNORED;
    }
    this.kinds.push(kind);
    if (kind === VALUE) {
      this.vNames.push(name);
      this.vXsiTypes.push(xsiType);
      this.vMoTypes.push(moType);
      this.vArrays.push(xsiType?.startsWith('ArrayOf') ? [] : undefined);
      this.vObjects.push(undefined);
      this.vRepeated.push(undefined);
    } else if (kind === MISSING) {
      this.missingNodes.push({ name, xsiType, moType, text: '', children: [] });
    }
  }

  close(text: string): void {
    switch (this.kinds.pop()) {
      case OBJECTS: {
        if (!this.ref) throw new VminerError('PROTOCOL', 'an object in the answer has no reference');
        this.onObject({ ref: this.ref, props: this.props });
        this.ref = undefined;
        break;
      }
      case OBJ:
        this.ref = this.moRef(this.refType ?? '', text);
        break;
      case PROP_SET:
        if (this.propName !== undefined && this.propVal !== undefined) {
          this.props.set(this.propName, this.propVal);
        }
        break;
      case PROP_NAME:
        this.propName = this.propNames.intern(text);
        break;
      case VALUE:
        this.closeValue(text);
        break;
      case MISSING: {
        const node = this.missingNodes.pop()!;
        node.text = ownString(text);
        const parent = this.missingNodes[this.missingNodes.length - 1];
        if (parent) parent.children.push(node);
        else noteMissing(node, this.ref, this.missing);
        break;
      }
    }
  }

  private moRef(type: string, value: string): MoRef {
    let byValue = this.refs.get(type);
    if (byValue === undefined) {
      byValue = new Map();
      this.refs.set(type, byValue);
    }
    let r = byValue.get(value);
    if (r === undefined) {
      r = new MoRef(type, ownString(value));
      byValue.set(r.value, r);
    }
    return r;
  }

  /** `toValue` of the innermost open value, handed to its parent value (or to the property). */
  private closeValue(text: string): void {
    const name = this.vNames.pop()!;
    const xsiType = this.vXsiTypes.pop();
    const moType = this.vMoTypes.pop();
    const array = this.vArrays.pop();
    const obj = this.vObjects.pop();
    this.vRepeated.pop();
    let value: XValue;
    if (array !== undefined) value = array;
    else if (obj === undefined) value = moType !== undefined ? this.moRef(moType, text) : ownString(text);
    else {
      if (xsiType !== undefined) obj['_type'] = xsiType;
      value = obj;
    }
    const top = this.vNames.length - 1;
    if (top < 0) {
      this.propVal = value;
      return;
    }
    const parentArray = this.vArrays[top];
    if (parentArray !== undefined) {
      parentArray.push(value);
      return;
    }
    let parent = this.vObjects[top];
    if (parent === undefined) {
      parent = {};
      this.vObjects[top] = parent;
    }
    const prev = parent[name];
    if (prev === undefined) parent[name] = value;
    else {
      const repeated = this.vRepeated[top];
      if (repeated?.has(name)) (prev as XValue[]).push(value);
      else {
        parent[name] = [prev, value];
        if (repeated) repeated.add(name);
        else this.vRepeated[top] = new Set([name]);
      }
    }
  }
}
