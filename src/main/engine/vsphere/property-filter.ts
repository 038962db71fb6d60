/**
 * The streaming side of the PropertyCollector: a property filter over the inventory view and the
 * `WaitForUpdatesEx` long poll that reports what changed since a version.
 */
import { VminerError } from '../../../shared/errors.js';
import { moRefXml, SoapFault, type SoapClient } from './soap-client.js';
import { dropInvalidPath, viewSpecXml } from './property-collector.js';
import { child, childText, escapeXml, MoRef, toValue, type XNode, type XValue } from './xml.js';

export type UpdateKind = 'enter' | 'modify' | 'leave';

export interface PropertyChange {
  name: string;
  op: 'add' | 'remove' | 'assign' | 'indirectRemove';
  /** Absent for remove / indirectRemove (and for an assign of an unset value). */
  val: XValue | undefined;
}

export interface ObjectUpdate {
  kind: UpdateKind;
  ref: MoRef;
  changes: PropertyChange[];
  /** Paths the account could not read on this object. */
  missing: string[];
}

export interface UpdateBatch {
  /** The version to ask for next. */
  version: string;
  /** More updates are pending at the server: ask again at once with `version`. */
  truncated: boolean;
  objects: number;
}

export interface WaitOptions {
  version: string;
  maxWaitSeconds: number;
  maxObjectUpdates: number;
  signal?: AbortSignal;
  onObject: (u: ObjectUpdate) => void;
}

/** The version the server no longer knows (or never issued): the client must start over. */
export function isInvalidVersion(err: unknown): boolean {
  return err instanceof SoapFault && err.faultType === 'InvalidCollectorVersion';
}

const OPS = new Set(['add', 'remove', 'assign', 'indirectRemove']);

export function parseObjectUpdate(node: XNode): ObjectUpdate {
  let kind: UpdateKind | undefined;
  let ref: MoRef | undefined;
  const changes: PropertyChange[] = [];
  const missing: string[] = [];
  for (const c of node.children) {
    if (c.name === 'kind') {
      if (c.text === 'enter' || c.text === 'modify' || c.text === 'leave') kind = c.text;
    } else if (c.name === 'obj') ref = new MoRef(c.moType ?? '', c.text);
    else if (c.name === 'changeSet') {
      const name = childText(c, 'name');
      const op = childText(c, 'op') ?? 'assign';
      const val = child(c, 'val');
      if (name !== undefined && OPS.has(op))
        changes.push({ name, op: op as PropertyChange['op'], val: val ? toValue(val) : undefined });
    } else if (c.name === 'missingSet') {
      const path = childText(c, 'path');
      if (path) missing.push(path);
    }
  }
  if (!kind || !ref) throw new VminerError('PROTOCOL', 'an object update without kind or reference');
  return { kind, ref, changes, missing };
}

/**
 * Creates a filter over every object of the view with the given paths (whole values, no partial
 * updates). Paths an older vCenter rejects are dropped from `paths` (in place) and returned.
 */
export async function createFilter(
  client: SoapClient,
  viewRef: string,
  paths: Record<string, string[]>,
  signal?: AbortSignal,
): Promise<{ filter: string; droppedPaths: string[] }> {
  const pc = client.serviceContent.propertyCollector;
  const dropped: string[] = [];
  for (;;) {
    try {
      const res = await client.call(
        'CreateFilter',
        moRefXml('_this', 'PropertyCollector', pc) +
          `<spec>${viewSpecXml(viewRef, paths)}</spec><partialUpdates>false</partialUpdates>`,
        undefined,
        { signal },
      );
      const filter = childText(res, 'returnval');
      if (!filter) throw new VminerError('PROTOCOL', `${client.host}: CreateFilter returned no filter`);
      return { filter, droppedPaths: dropped };
    } catch (err) {
      const gone = dropInvalidPath(err, paths);
      if (!gone) throw err;
      dropped.push(gone);
    }
  }
}

export async function destroyFilter(client: SoapClient, filter: string): Promise<void> {
  try {
    await client.call('DestroyPropertyFilter', moRefXml('_this', 'PropertyFilter', filter), undefined, {
      timeoutMs: 10_000,
    });
  } catch {
    /* filters die with the session */
  }
}

/**
 * One `WaitForUpdatesEx`: returns after changes arrived, or after `maxWaitSeconds` with none
 * (`objects` 0, same version). Object updates are handed to `onObject` as they are parsed, so a
 * first call (version "") that carries the whole inventory is never held as one document.
 */
export async function waitForUpdates(client: SoapClient, opts: WaitOptions): Promise<UpdateBatch> {
  const pc = client.serviceContent.propertyCollector;
  let objects = 0;
  const res = await client.call(
    'WaitForUpdatesEx',
    moRefXml('_this', 'PropertyCollector', pc) +
      (opts.version ? `<version>${escapeXml(opts.version)}</version>` : '') +
      `<options><maxWaitSeconds>${opts.maxWaitSeconds}</maxWaitSeconds>` +
      `<maxObjectUpdates>${opts.maxObjectUpdates}</maxObjectUpdates></options>`,
    {
      emitName: 'objectSet',
      emitDepth: 6, // Envelope > Body > WaitForUpdatesExResponse > returnval > filterSet > objectSet
      onEmit: (node) => {
        objects++;
        opts.onObject(parseObjectUpdate(node));
      },
    },
    // The server holds the call up to maxWaitSeconds: the call timeout starts after that.
    { timeoutMs: (opts.maxWaitSeconds + 60) * 1000, signal: opts.signal },
  );
  const rv = child(res, 'returnval');
  if (!rv) return { version: opts.version, truncated: false, objects };
  const version = childText(rv, 'version');
  if (version === undefined)
    throw new VminerError('PROTOCOL', `${client.host}: an update set without version`);
  return { version, truncated: childText(rv, 'truncated') === 'true', objects };
}

/** Asks the server to end a pending `WaitForUpdatesEx` early (used on shutdown). */
export async function cancelWaitForUpdates(client: SoapClient): Promise<void> {
  try {
    await client.call(
      'CancelWaitForUpdates',
      moRefXml('_this', 'PropertyCollector', client.serviceContent.propertyCollector),
      undefined,
      { timeoutMs: 5_000 },
    );
  } catch {
    /* the wait ends with the connection anyway */
  }
}

/** Reads the given paths of a few objects (no view): to refresh objects whose update was partial. */
export async function retrieveObjects(
  client: SoapClient,
  refs: MoRef[],
  paths: Record<string, string[]>,
  signal?: AbortSignal,
): Promise<XNode[]> {
  const types = [...new Set(refs.map((r) => r.type))];
  const propSets = types
    .map((t) => {
      const p = pathsFor(t, paths);
      return `<propSet><type>${t}</type><all>false</all>${p.map((x) => `<pathSet>${escapeXml(x)}</pathSet>`).join('')}</propSet>`;
    })
    .join('');
  const objectSets = refs.map((r) => `<objectSet>${moRefXml('obj', r.type, r.value)}</objectSet>`).join('');
  const out: XNode[] = [];
  try {
    await client.call(
      'RetrievePropertiesEx',
      moRefXml('_this', 'PropertyCollector', client.serviceContent.propertyCollector) +
        `<specSet>${propSets}${objectSets}</specSet><options></options>`,
      { emitName: 'objects', emitDepth: 5, onEmit: (n) => out.push(n) },
      { signal },
    );
  } catch (err) {
    // An object deleted in the meantime: its `leave` follows in the stream.
    if (err instanceof SoapFault && err.faultType === 'ManagedObjectNotFound') return out;
    throw err;
  }
  return out;
}

/** The paths that apply to a type, including those declared for its base types. */
export function pathsFor(type: string, paths: Record<string, string[]>): string[] {
  const bases: Record<string, string[]> = {
    ClusterComputeResource: ['ComputeResource'],
    DistributedVirtualPortgroup: ['Network'],
    OpaqueNetwork: ['Network'],
    VirtualApp: ['ResourcePool'],
    StoragePod: ['Folder'],
    VmwareDistributedVirtualSwitch: ['DistributedVirtualSwitch'],
  };
  const out = new Set<string>(paths[type] ?? []);
  for (const b of bases[type] ?? []) for (const p of paths[b] ?? []) out.add(p);
  return [...out];
}
