import { VminerError } from '../../../shared/errors.js';
import { moRefXml, SoapFault, type SoapClient } from './soap-client.js';
import { escapeXml, childText, MoRef, toValue, type StreamHandlers, type XNode, type XValue } from './xml.js';
import {
  noteMissing,
  ObjectContentBuilder,
  type MissingProperty,
  type ObjectContent,
} from './object-content.js';
import { skipDevice } from './vm-devices.js';

export type { MissingProperty, ObjectContent };

export interface RetrieveResult {
  /** Paths a vCenter did not know (InvalidProperty) and that were dropped from the request. */
  droppedPaths: string[];
  /** Properties the account could not read, grouped by type and path (first occurrences only). */
  missing: MissingProperty[];
  pages: number;
  objects: number;
}

export interface RetrieveOptions {
  maxObjects?: number;
  onObject: (obj: ObjectContent) => void;
  onPage?: (objectsSoFar: number) => void;
}

/**
 * One ObjectContent element from its node tree (a targeted re-read); a full retrieval builds them
 * from the parser's events instead (`ObjectContentBuilder`), with the same result.
 */
function parseObjectContent(node: XNode, missing: Map<string, MissingProperty>): ObjectContent {
  let ref: MoRef | undefined;
  const props = new Map<string, XValue>();
  for (const c of node.children) {
    if (c.name === 'obj') ref = new MoRef(c.moType ?? '', c.text);
    else if (c.name === 'propSet') {
      const name = childText(c, 'name');
      const val = c.children.find((x) => x.name === 'val');
      if (name !== undefined && val) props.set(name, toValue(val));
    } else if (c.name === 'missingSet') noteMissing(c, ref, missing);
  }
  if (!ref) throw new VminerError('PROTOCOL', 'an object in the answer has no reference');
  return { ref, props };
}

/** The inner part of a PropertyFilterSpec: the property paths per type, over every object of a view. */
export function viewSpecXml(viewRef: string, paths: Record<string, string[]>): string {
  return (
    Object.entries(paths)
      .map(
        ([type, p]) =>
          `<propSet><type>${type}</type><all>false</all>${p.map((x) => `<pathSet>${escapeXml(x)}</pathSet>`).join('')}</propSet>`,
      )
      .join('') +
    `<objectSet>${moRefXml('obj', 'ContainerView', viewRef)}<skip>true</skip>` +
    '<selectSet xsi:type="TraversalSpec"><name>view</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet>' +
    '</objectSet>'
  );
}

/**
 * Older vCenters reject property paths they do not know (InvalidProperty). Removes the rejected
 * path from `active` and returns it as `Type.path`, or undefined when `err` is something else.
 */
export function dropInvalidPath(err: unknown, active: Record<string, string[]>): string | undefined {
  if (!(err instanceof SoapFault) || err.faultType !== 'InvalidProperty') return undefined;
  const bad = err.detail ? childText(err.detail, 'name') : undefined;
  const owner = bad ? Object.entries(active).find(([, p]) => p.includes(bad)) : undefined;
  if (!bad || !owner) return undefined;
  owner[1].splice(owner[1].indexOf(bad), 1);
  if (owner[1].length === 0) delete active[owner[0]];
  return `${owner[0]}.${bad}`;
}

/** Parses one ObjectContent element (also used for the objects of a targeted re-read). */
export function parseObject(node: XNode, missing: Map<string, MissingProperty>): ObjectContent {
  return parseObjectContent(node, missing);
}

/**
 * Collects every object of a container view with `RetrievePropertiesEx`, then follows the token
 * with `ContinueRetrievePropertiesEx` until the last page: an inventory is never silently
 * truncated. Objects are handed to `onObject` as they are parsed, page by page.
 */
export async function retrieveFromView(
  client: SoapClient,
  viewRef: string,
  paths: Record<string, string[]>,
  opts: RetrieveOptions,
): Promise<RetrieveResult> {
  const pc = client.serviceContent.propertyCollector;
  const active: Record<string, string[]> = Object.fromEntries(
    Object.entries(paths).map(([t, p]) => [t, [...p]]),
  );
  const dropped: string[] = [];
  const missing = new Map<string, MissingProperty>();
  let objects = 0;
  let pages = 0;

  // A builder per call: one that failed half-way never leaves state behind for the next.
  const handlers = (): StreamHandlers => ({
    emitName: 'objects',
    emitDepth: 5, // Envelope > Body > Retrieve…Response > returnval > objects
    builder: new ObjectContentBuilder(
      missing,
      (o) => {
        objects++;
        opts.onObject(o);
      },
      skipDevice,
    ),
  });

  const specXml = (): string => `<specSet>${viewSpecXml(viewRef, active)}</specSet>`;

  let first: XNode;
  for (;;) {
    try {
      first = await client.call(
        'RetrievePropertiesEx',
        moRefXml('_this', 'PropertyCollector', pc) +
          specXml() +
          `<options><maxObjects>${opts.maxObjects ?? 1000}</maxObjects></options>`,
        handlers(),
      );
      break;
    } catch (err) {
      // Older vCenters reject paths they do not know: drop that path and ask again.
      const gone = objects === 0 ? dropInvalidPath(err, active) : undefined;
      if (gone) {
        dropped.push(gone);
        continue;
      }
      throw err;
    }
  }
  pages++;
  opts.onPage?.(objects);
  let token = childText(
    first.children.find((c) => c.name === 'returnval'),
    'token',
  );
  while (token) {
    let next: XNode;
    try {
      next = await client.call(
        'ContinueRetrievePropertiesEx',
        moRefXml('_this', 'PropertyCollector', pc) + `<token>${escapeXml(token)}</token>`,
        handlers(),
      );
    } catch (err) {
      // A rejected token (expired or lost retrieval) must fail the collection, never truncate it.
      if (err instanceof SoapFault) {
        throw new VminerError(
          'PROTOCOL',
          `${client.host}: vCenter rejected the paging token after ${objects} objects ` +
            `(${err.faultType}: ${err.message}); the collection is abandoned rather than returned incomplete`,
          { cause: err },
        );
      }
      throw err;
    }
    pages++;
    opts.onPage?.(objects);
    token = childText(
      next.children.find((c) => c.name === 'returnval'),
      'token',
    );
  }
  return { droppedPaths: dropped, missing: [...missing.values()], pages, objects };
}

export async function createContainerView(client: SoapClient, types: string[]): Promise<string> {
  const sc = client.serviceContent;
  const res = await client.call(
    'CreateContainerView',
    moRefXml('_this', 'ViewManager', sc.viewManager) +
      moRefXml('container', 'Folder', sc.rootFolder) +
      types.map((t) => `<type>${t}</type>`).join('') +
      '<recursive>true</recursive>',
  );
  const v = childText(res, 'returnval');
  if (!v) throw new VminerError('PROTOCOL', `${client.host}: CreateContainerView returned no view`);
  return v;
}

export async function destroyView(client: SoapClient, viewRef: string): Promise<void> {
  try {
    await client.call('DestroyView', moRefXml('_this', 'ContainerView', viewRef));
  } catch {
    /* views die with the session */
  }
}

/**
 * Reads the given paths of the given objects (no view), `perCall` objects per call, objects
 * handed to `onObject` as they are parsed; an object deleted meanwhile is simply not there.
 */
export async function retrieveRefs(
  client: SoapClient,
  refs: readonly MoRef[],
  paths: Record<string, string[]>,
  onObject: (o: ObjectContent) => void,
  opts: { signal?: AbortSignal; perCall?: number } = {},
): Promise<void> {
  const perCall = opts.perCall ?? 1000;
  const missing = new Map<string, MissingProperty>();
  for (let i = 0; i < refs.length; i += perCall) {
    const chunk = refs.slice(i, i + perCall);
    const types = [...new Set(chunk.map((r) => r.type))];
    const propSets = types
      .map(
        (t) =>
          `<propSet><type>${t}</type><all>false</all>${(paths[t] ?? []).map((x) => `<pathSet>${escapeXml(x)}</pathSet>`).join('')}</propSet>`,
      )
      .join('');
    const objectSets = chunk
      .map((r) => `<objectSet>${moRefXml('obj', r.type, r.value)}</objectSet>`)
      .join('');
    try {
      await client.call(
        'RetrievePropertiesEx',
        moRefXml('_this', 'PropertyCollector', client.serviceContent.propertyCollector) +
          `<specSet>${propSets}${objectSets}</specSet><options></options>`,
        {
          emitName: 'objects',
          emitDepth: 5,
          builder: new ObjectContentBuilder(missing, onObject, skipDevice),
        },
        opts.signal ? { signal: opts.signal } : {},
      );
    } catch (err) {
      // One object of the call deleted in the meantime fails the call: read the others one by one.
      if (!(err instanceof SoapFault) || err.faultType !== 'ManagedObjectNotFound' || chunk.length === 1) {
        if (err instanceof SoapFault && err.faultType === 'ManagedObjectNotFound') continue;
        throw err;
      }
      await retrieveRefs(client, chunk, paths, onObject, { ...opts, perCall: Math.ceil(chunk.length / 8) });
    }
  }
}
