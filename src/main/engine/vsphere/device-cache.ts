/**
 * A VM's device list is most of what a vCenter sends about it and rarely changes. It is read
 * apart from the other properties, and only for the VMs whose `config.changeVersion` (moved by
 * vCenter on every configuration change) differs from the version the cache read it at: a
 * scheduled re-sync of an unchanged estate reads no devices at all. The configuration paths of
 * VERSIONED_VM_PATHS travel with it: cached beside the devices, read again with them. An entry's
 * head also keeps the key of what the VM's disk and NIC rows were built from (`RowsOfEntry`): while
 * it and the version stay, a sync neither decodes the list nor builds those rows (the stores keep
 * the stored ones).
 */
import type { InventoryMapper } from './inventory-mapper.js';
import { DEVICE_PATH, DEVICE_PATHS, VERSIONED_VM_PATHS } from './properties.js';
import { dropInvalidPath, retrieveRefs, type ObjectContent } from './property-collector.js';
import type { SoapClient } from './soap-client.js';
import { encodeDevices, reviveDevices, type DeviceLookups, type DeviceSummary } from './vm-devices.js';
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

/**
 * What a VM's disk and NIC rows were built from beyond its device list, and what the list gave its
 * VM row, as of when the entry was written (with those rows, in the same transaction).
 */
export interface RowsOfEntry {
  /** `deviceRowsKey` then: equal to the key now, the stored rows are still the right ones. */
  key: string;
  lookups: DeviceLookups;
  summary: DeviceSummary;
}

/** The small part of an entry, read on every sync: decoded without the device list. */
export interface EntryHead {
  /** The VERSIONED_VM_PATHS values, by path. */
  config: Partial<Record<string, XValue>>;
  /** Absent in an entry written before the rows' key was kept (it is rewritten once). */
  rows?: RowsOfEntry;
}

/** A cache entry, its device list not yet decoded (`decodeEntryDevices` when needed). */
export interface CacheEntry {
  head: EntryHead;
  /** `encodeDevices`' JSON of the reduced device list. */
  devicesJson: string;
  /** The head as it is written (to tell whether the entry would be written the same). */
  headJson: string;
}

/** The head of an entry as `encodeCacheEntry` writes it. */
export function encodeEntryHead(config: Partial<Record<string, XValue>>, rows?: RowsOfEntry): string {
  return JSON.stringify(rows ? { config, rows } : { config });
}

/**
 * `{"config":{"config.firmware":"efi",…},"rows":{…}}`, a line feed, then the device list as
 * `encodeDevices` writes it (JSON never holds a raw line feed, so the first one ends the head): the
 * head is read without parsing the list. The configuration values hold no references (plain JSON
 * round trip).
 */
export function encodeCacheEntry(
  devices: XValue,
  config: Partial<Record<string, XValue>>,
  rows?: RowsOfEntry,
): string {
  return encodeDevicesAfterHead(encodeEntryHead(config, rows), devices);
}

/** An entry of an encoded head (`encodeEntryHead`) and a device list. */
export function encodeDevicesAfterHead(head: string, devices: XValue): string {
  return `${head}\n${encodeDevices(devices)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRowsOfEntry(v: unknown): v is RowsOfEntry {
  if (!isObject(v) || typeof v['key'] !== 'string') return false;
  const l = v['lookups'];
  const s = v['summary'];
  const strings = (x: unknown): boolean => Array.isArray(x) && x.every((e) => typeof e === 'string');
  return (
    isObject(l) &&
    strings(l['refs']) &&
    strings(l['portgroups']) &&
    strings(l['macs']) &&
    isObject(s) &&
    typeof s['diskCount'] === 'number' &&
    typeof s['nicCount'] === 'number' &&
    typeof s['diskCapacityBytes'] === 'number'
  );
}

/**
 * The entry `encodeCacheEntry` wrote, its device list left as JSON; also the format before the
 * head (`{"devices":[…],"config":{…}}`, decoded whole, no rows' key: rewritten once). Undefined for
 * what neither wrote: a device list alone (the format before VERSIONED_VM_PATHS were cached), or
 * anything unreadable. Such a VM is read again, and its entry rewritten.
 */
export function decodeCacheEntry(json: string): CacheEntry | undefined {
  if (json.charCodeAt(0) !== 123 /* { */) return undefined;
  const nl = json.indexOf('\n');
  if (nl < 0) return decodeWholeEntry(json);
  const headJson = json.slice(0, nl);
  let head: unknown;
  try {
    head = JSON.parse(headJson);
  } catch {
    return undefined;
  }
  const devicesJson = json.slice(nl + 1);
  if (!isObject(head) || !isObject(head['config']) || devicesJson.charCodeAt(0) !== 91 /* [ */)
    return undefined;
  const rows = head['rows'];
  if (rows !== undefined && !isRowsOfEntry(rows)) return undefined;
  const config = head['config'] as Partial<Record<string, XValue>>;
  return { head: rows ? { config, rows } : { config }, devicesJson, headJson };
}

/** `{"devices":[…],"config":{…}}`, written before the head was split off. */
function decodeWholeEntry(json: string): CacheEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || !Array.isArray(parsed['devices']) || !isObject(parsed['config'])) return undefined;
  const config = parsed['config'] as Partial<Record<string, XValue>>;
  return { head: { config }, devicesJson: JSON.stringify(parsed['devices']), headJson: '' };
}

/**
 * An entry's device list, its backings' references made MoRefs again (`refs`: one per type and
 * value across the lists of a sync). Undefined when it is not a list (a damaged entry).
 */
export function decodeEntryDevices(
  entry: CacheEntry,
  refs?: Map<string, Map<string, MoRef>>,
): XValue | undefined {
  let list: unknown;
  try {
    list = JSON.parse(entry.devicesJson);
  } catch {
    return undefined;
  }
  return Array.isArray(list) ? reviveDevices(list as XObject[], refs) : undefined;
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
