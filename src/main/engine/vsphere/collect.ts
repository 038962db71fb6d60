import { performance } from 'node:perf_hooks';
import type { Inventory } from '../../../shared/inventory.js';
import { SoapClient, type AboutInfo } from './soap-client.js';
import { createContainerView, retrieveFromView, type MissingProperty } from './property-collector.js';
import { InventoryMapper } from './inventory-mapper.js';
import { fullReadPaths, VIEW_TYPES } from './properties.js';
import type { TrustPolicy } from './transport.js';
import { readCustomFields } from './custom-fields.js';
import { readTags } from './tagging.js';
import { readSnapshotSizes, type SnapshotSize } from './snapshot-sizes.js';
import { MoRef } from './xml.js';
import { fillDevices, type DeviceCache } from './device-cache.js';
import { toErrorInfo } from '../../../shared/errors.js';
import type { TagSet } from '../../../shared/inventory.js';

export interface CollectOptions {
  url: string;
  user: string;
  password: string;
  trust: TrustPolicy;
  connectTimeoutMs?: number;
  callTimeoutMs?: number;
  signal?: AbortSignal;
  maxObjects?: number;
  /** Bounds on one answer (a page): see SoapClientOptions. */
  maxAnswerBytes?: number;
  maxAnswerDepth?: number;
  onProgress?: (p: { phase: 'connecting' | 'collecting' | 'mapping'; objects: number }) => void;
  /** Read the tags through the tagging REST API as well (default true). */
  tags?: boolean;
  /** The devices read before, by VM and config.changeVersion (only changed VMs are read again). */
  devices?: DeviceCache;
  /**
   * VMs (moids) that had snapshots when the cache was written: their snapshot sizes are read on a
   * second connection while the vCenter prepares the main answer (`readSnapshotSizesAside`).
   */
  snapshotVms?: readonly string[];
}

/** The tags of a vCenter, or why they could not be read (the sync goes on without them). */
export async function tagsOrError(
  opts: Pick<
    CollectOptions,
    'url' | 'trust' | 'user' | 'password' | 'connectTimeoutMs' | 'callTimeoutMs' | 'signal' | 'maxAnswerBytes'
  >,
): Promise<{ tags?: TagSet; tagsError?: string }> {
  try {
    return { tags: await readTags(opts) };
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const e = toErrorInfo(err);
    return { tagsError: `${e.code}: ${e.message}` };
  }
}

/** Where a collection's time went, in ms. */
export interface CollectPhases {
  /** DNS, TCP and TLS, and the service content (the first call). */
  connectMs: number;
  loginMs: number;
  viewMs: number;
  /** The retrieval calls: waiting for each answer to start (the vCenter at work, plus the round trip). */
  waitMs: number;
  /** The retrieval calls: reading the answers, parsing included (objects are parsed as they arrive). */
  readMs: number;
  /** Turning the objects into rows. */
  mapMs: number;
}

export interface CollectResult {
  about: AboutInfo;
  inventory: Inventory;
  droppedPaths: string[];
  missing: MissingProperty[];
  pages: number;
  objects: number;
  phases?: CollectPhases;
  /** VMs whose devices were read (the others came from the device cache). */
  devicesRead?: number;
  /** VMs whose snapshot sizes were read beside the main retrieval (`snapshotVms`). */
  snapshotSizesAside?: number;
}

/**
 * The snapshot sizes of the VMs the cache knows with snapshots, read on a connection of its own in
 * the same session. Started before the main retrieval: the vCenter takes a while to start that
 * answer, and the engine has nothing to do meanwhile, so the sizes (a call per 200 VMs, each VM's
 * file layout) cost no time of their own. Never fails: what it could not read is read afterwards.
 */
function readSnapshotSizesAside(
  client: SoapClient,
  vmMoids: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Map<string, Map<string, SnapshotSize>>> {
  const aside = client.companion();
  const refs = vmMoids.map((m) => new MoRef('VirtualMachine', m));
  return readSnapshotSizes(aside, refs, signal)
    .catch(() => new Map<string, Map<string, SnapshotSize>>())
    .finally(() => aside.destroy());
}

/**
 * How long a cancelled collection waits for its logout. Short: quitting waits for it, and the
 * vCenter may be the reason for the abort (the overall deadline).
 */
const LOGOUT_AFTER_ABORT_MS = 3_000;

/**
 * The snapshot sizes of `vms` (the VMs that have snapshots now): those read aside, when they were,
 * and the others (VMs given snapshots since the cache was written, or not read aside) now.
 */
async function snapshotSizesOf(
  client: SoapClient,
  vms: MoRef[],
  aside: Promise<Map<string, Map<string, SnapshotSize>>> | undefined,
  signal: AbortSignal | undefined,
): Promise<{ sizes: Map<string, Map<string, SnapshotSize>>; aside: number }> {
  const early = aside ? await aside : new Map<string, Map<string, SnapshotSize>>();
  const sizes = new Map<string, Map<string, SnapshotSize>>();
  const rest: MoRef[] = [];
  for (const vm of vms) {
    const s = early.get(vm.value);
    if (s) sizes.set(vm.value, s);
    else rest.push(vm);
  }
  const fromAside = sizes.size;
  if (rest.length > 0) for (const [vm, s] of await readSnapshotSizes(client, rest, signal)) sizes.set(vm, s);
  return { sizes, aside: fromAside };
}

/** One full read of a vCenter: log in, one container view, paged property retrieval, log out. */
export async function collectInventory(opts: CollectOptions): Promise<CollectResult> {
  const client = new SoapClient({
    url: opts.url,
    trust: opts.trust,
    connectTimeoutMs: opts.connectTimeoutMs,
    callTimeoutMs: opts.callTimeoutMs,
    maxAnswerBytes: opts.maxAnswerBytes,
    maxAnswerDepth: opts.maxAnswerDepth,
    signal: opts.signal,
  });
  opts.onProgress?.({ phase: 'connecting', objects: 0 });
  // 'pending' while Login is on its way: a login cut short by an abort may still have opened a
  // session on the vCenter.
  let session: 'none' | 'pending' | 'open' = 'none';
  try {
    let mark = performance.now();
    const lap = (): number => {
      const now = performance.now();
      const ms = now - mark;
      mark = now;
      return Math.round(ms);
    };
    const sc = await client.retrieveServiceContent();
    const connectMs = lap();
    session = 'pending';
    await client.login(opts.user, opts.password);
    session = 'open';
    const loginMs = lap();
    // The tags come over their own connection, alongside the property collection.
    const tags = (opts.tags === false ? Promise.resolve({}) : tagsOrError(opts)).catch(() => ({}));
    const sizesAside = opts.snapshotVms?.length
      ? readSnapshotSizesAside(client, opts.snapshotVms, opts.signal)
      : undefined;
    const view = await createContainerView(client, VIEW_TYPES);
    const viewMs = lap();
    const mapper = new InventoryMapper();
    const before = { ...client.timing };
    const result = await retrieveFromView(client, view, fullReadPaths(), {
      maxObjects: opts.maxObjects ?? 1000,
      onObject: (o) => mapper.add(o),
      onPage: (objects) => opts.onProgress?.({ phase: 'collecting', objects }),
    });
    // The devices (and VERSIONED_VM_PATHS) of changed VMs, the custom attribute names and the
    // snapshot sizes: more calls, counted with the retrieval's wait and read.
    const devices = await fillDevices(client, mapper, opts.devices, opts.signal);
    mapper.setCustomFields(await readCustomFields(client, opts.signal));
    const snapshots = await snapshotSizesOf(client, mapper.vmsWithSnapshots(), sizesAside, opts.signal);
    mapper.setSnapshotSizes(snapshots.sizes);
    const waitMs = Math.round(client.timing.waitMs - before.waitMs);
    const readMs = Math.round(client.timing.readMs - before.readMs);
    opts.onProgress?.({ phase: 'mapping', objects: result.objects });
    lap();
    // What the store's replace writes: the unchanged VMs' disk and NIC rows are kept, not rebuilt.
    const inventory = mapper.build({ keepUnchangedDeviceRows: true });
    const phases = { connectMs, loginMs, viewMs, waitMs, readMs, mapMs: lap() };
    Object.assign(inventory, await tags);
    return {
      about: sc.about,
      inventory,
      ...result,
      droppedPaths: [...result.droppedPaths, ...devices.droppedPaths],
      phases,
      devicesRead: devices.read,
      snapshotSizesAside: snapshots.aside,
    };
  } finally {
    // The view dies with the session. logout() never throws and closes the connection.
    if (opts.signal?.aborted) {
      // Cancelled (cancel, quit, the overall deadline): log out anyway, or the session stays open
      // on the vCenter until it expires. Awaited, so a quitting engine can wait for it; bounded,
      // and on a signal of its own since the sync's is aborted. The abort's error stands.
      if (session !== 'none')
        await client.logout({ timeoutMs: LOGOUT_AFTER_ABORT_MS, signal: new AbortController().signal });
      else client.destroy();
    } else if (session === 'open') {
      // Not awaited: on a distant vCenter that round trip would hold a sync slot for nothing.
      void client.logout();
    } else client.destroy();
  }
}
