/**
 * A VM's device list is most of what a vCenter sends about it and rarely changes. It is read
 * apart from the other properties, and only for the VMs whose `config.changeVersion` (moved by
 * vCenter on every configuration change) differs from the version the cache read it at: a
 * scheduled re-sync of an unchanged estate reads no devices at all. The configuration paths of
 * VERSIONED_VM_PATHS travel with it: cached beside the devices, read again with them.
 */
import type { InventoryMapper } from './inventory-mapper.js';
import { DEVICE_PATH, DEVICE_PATHS, VERSIONED_VM_PATHS } from './properties.js';
import { dropInvalidPath, retrieveRefs, type ObjectContent } from './property-collector.js';
import type { SoapClient } from './soap-client.js';
import { encodeDevices, reviveDevices } from './vm-devices.js';
import type { MoRef, XObject, XValue } from './xml.js';

/** What the cache holds for a VM (JSON, `encodeCacheEntry`), when read at this change version. */
export interface DeviceCache {
  get(vmMoid: string, changeVersion: string): string | undefined;
}

/** The cache over stored entries (`[vm moid, change version, entry]`, as either store reads them). */
export function deviceCacheOf(rows: Iterable<readonly [string, string, string]>): DeviceCache {
  const stored = new Map<string, { version: string; devices: string }>();
  for (const [moid, version, devices] of rows) stored.set(moid, { version, devices });
  return {
    get: (vmMoid, changeVersion) => {
      const s = stored.get(vmMoid);
      return s !== undefined && s.version === changeVersion ? s.devices : undefined;
    },
  };
}

/** A cache entry: the reduced device list and the VERSIONED_VM_PATHS values, by path. */
export interface CacheEntry {
  devices: XValue;
  config: Partial<Record<string, XValue>>;
}

/**
 * `{"devices":[…],"config":{"config.firmware":"efi",…}}`. The devices as `encodeDevices` writes
 * them; the configuration values hold no references (plain JSON round trip).
 */
export function encodeCacheEntry(devices: XValue, config: Partial<Record<string, XValue>>): string {
  return `{"devices":${encodeDevices(devices)},"config":${JSON.stringify(config)}}`;
}

/**
 * The entry `encodeCacheEntry` wrote, or undefined for what it did not write: a device list alone
 * (the format before VERSIONED_VM_PATHS were cached), or anything unreadable. Such a VM is read
 * again, and its entry rewritten.
 */
export function decodeCacheEntry(
  json: string,
  refs?: Map<string, Map<string, MoRef>>,
): CacheEntry | undefined {
  if (json.charCodeAt(0) !== 123 /* { */) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  const e = parsed as { devices?: unknown; config?: unknown };
  if (!Array.isArray(e.devices) || typeof e.config !== 'object' || e.config === null) return undefined;
  return {
    devices: reviveDevices(e.devices as XObject[], refs),
    config: e.config as Partial<Record<string, XValue>>,
  };
}

/** The VERSIONED_VM_PATHS values an object holds, by path (for its cache entry). */
export function versionedConfigOf(props: ReadonlyMap<string, XValue>): Partial<Record<string, XValue>> {
  const out: Partial<Record<string, XValue>> = {};
  for (const p of VERSIONED_VM_PATHS) {
    const v = props.get(p);
    if (v !== undefined) out[p] = v;
  }
  return out;
}

export interface FillResult {
  /** VMs whose devices were read (the others came from the cache). */
  read: number;
  /** Paths of the apart read the vCenter did not know (InvalidProperty), as `Type.path`. */
  droppedPaths: string[];
}

/**
 * Gives the mapper the devices (and VERSIONED_VM_PATHS) of every VM it wants them for: from the
 * cache when the VM's config.changeVersion matches, else read from the vCenter.
 */
export async function fillDevices(
  client: SoapClient,
  mapper: InventoryMapper,
  cache: DeviceCache | undefined,
  signal?: AbortSignal,
): Promise<FillResult> {
  const read: MoRef[] = [];
  for (const ref of mapper.takeDevicesWanted()) {
    const version = mapper.changeVersionOf(ref.key);
    const cached = version !== null ? cache?.get(ref.value, version) : undefined;
    if (cached === undefined || !mapper.setDevicesJson(ref.key, cached)) read.push(ref);
  }
  const seen = new Set<string>();
  const paths: Record<string, string[]> = Object.fromEntries(
    Object.entries(DEVICE_PATHS).map(([t, p]) => [t, [...p]]),
  );
  const droppedPaths: string[] = [];
  const onObject = (o: ObjectContent): void => {
    seen.add(o.ref.key);
    mapper.setDevicesRead(o.ref.key, o.props);
  };
  for (;;) {
    try {
      await retrieveRefs(client, read, paths, onObject, signal ? { signal } : {});
      break;
    } catch (err) {
      // An older vCenter rejects a path it does not know (never the device list): asked without it.
      const gone = seen.size === 0 ? dropInvalidPath(err, paths) : undefined;
      if (gone === undefined || gone === `VirtualMachine.${DEVICE_PATH}`) throw err;
      droppedPaths.push(gone);
    }
  }
  // A VM gone meanwhile (its leave follows) has no devices to show.
  for (const ref of read) if (!seen.has(ref.key)) mapper.setDevicesRead(ref.key, new Map());
  return { read: read.length, droppedPaths };
}
