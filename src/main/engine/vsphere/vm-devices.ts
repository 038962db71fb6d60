/**
 * A VM's hardware as RVTools shows it (vDisk, vNetwork, vPartition, the device columns of vInfo):
 * `config.hardware.device` reduced to disks, NICs, their controllers and the video card as soon as
 * it is read (a VM carries a dozen other devices: PCI, IDE, PS/2, SIO, keyboard, VMCI…), then
 * turned into rows with names resolved.
 */
import type { Inventory, InventoryRow } from '../../../shared/inventory.js';
import { MoRef, type XObject, type XValue } from './xml.js';
import { asArray, bool, field, joinList, num, obj, ref, str, strs } from './xvalue.js';

type Row<K extends keyof Inventory> = InventoryRow<K>;

const CONTROLLER_TYPES: Record<string, string> = {
  ParaVirtualSCSIController: 'pvscsi',
  VirtualLsiLogicController: 'lsilogic',
  VirtualLsiLogicSASController: 'lsilogic-sas',
  VirtualBusLogicController: 'buslogic',
  VirtualNVMEController: 'nvme',
  VirtualAHCIController: 'sata',
  VirtualIDEController: 'ide',
};

const NIC_TYPES: Record<string, string> = {
  VirtualVmxnet3: 'vmxnet3',
  VirtualVmxnet3Vrdma: 'vmxnet3vrdma',
  VirtualE1000e: 'e1000e',
  VirtualE1000: 'e1000',
  VirtualPCNet32: 'pcnet32',
  VirtualVmxnet2: 'vmxnet2',
  VirtualVmxnet: 'vmxnet',
  VirtualSriovEthernetCard: 'sriov',
};

function pick(o: XObject | undefined, keys: readonly string[]): XObject | undefined {
  if (!o) return undefined;
  const out: XObject = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Device types `reduceDevices` keeps; a full read leaves the others unbuilt (`skipDevice`). */
const KEPT_TYPES = new Set([
  'VirtualDisk',
  'VirtualMachineVideoCard',
  ...Object.keys(CONTROLLER_TYPES),
  ...Object.keys(NIC_TYPES),
]);

/**
 * Inside the value of `config.hardware.device`, devices of other types are left unbuilt as they
 * are read (ObjectContentBuilder's `skipItem`), so a VM's PCI, IDE, PS/2, SIO, keyboard, VMCI and
 * CD-ROM devices cost no objects and no conversion.
 */
export function skipDevice(property: string, xsiType: string | undefined): boolean {
  return property === 'config.hardware.device' && xsiType !== undefined && !KEPT_TYPES.has(xsiType);
}

/**
 * A reduced device list as JSON, for the device cache. The only references a reduced device
 * holds are its backing's datastore (a disk) and network (a NIC): they are stored as
 * `{type, value}` and made references again when decoded, which gives back what `reduceDevices`
 * made. (A JSON reviver would visit every value: several times slower for a whole estate.)
 */
export function encodeDevices(devices: XValue): string {
  return JSON.stringify(devices);
}

const REF_FIELDS = ['datastore', 'network'] as const;

/**
 * `refs` (optional, kept by the caller across the lists of a sync) hands out one MoRef per type
 * and value: a whole estate's lists name the same few datastores and networks over and over.
 */
export function decodeDevices(json: string, refs?: Map<string, Map<string, MoRef>>): XValue {
  return reviveDevices(JSON.parse(json) as XObject[], refs);
}

/** A parsed device list (`encodeDevices`' JSON) with its backings' references made MoRefs again. */
export function reviveDevices(list: XObject[], refs?: Map<string, Map<string, MoRef>>): XValue {
  for (const d of list) {
    const backing = d['backing'] as XObject | undefined;
    if (!backing) continue;
    for (const f of REF_FIELDS) {
      const r = backing[f] as unknown as { type?: unknown; value?: unknown } | undefined;
      if (!r || typeof r !== 'object' || typeof r.type !== 'string' || typeof r.value !== 'string') continue;
      if (!refs) {
        backing[f] = new MoRef(r.type, r.value);
        continue;
      }
      let byValue = refs.get(r.type);
      if (byValue === undefined) {
        byValue = new Map();
        refs.set(r.type, byValue);
      }
      let m = byValue.get(r.value);
      if (m === undefined) {
        m = new MoRef(r.type, r.value);
        byValue.set(r.value, m);
      }
      backing[f] = m;
    }
  }
  return list;
}

const DISK_BACKING_KEYS = [
  '_type',
  'fileName',
  'datastore',
  'diskMode',
  'thinProvisioned',
  'eagerlyScrub',
  'split',
  'writeThrough',
  'sharing',
  'uuid',
  'compatibilityMode',
] as const;
const NIC_BACKING_KEYS = ['_type', 'network', 'deviceName', 'port', 'opaqueNetworkId'] as const;

/**
 * Keeps the devices RVTools reports and only their fields. Runs on every full read and every
 * live change of the device list, so the objects a live session holds stay small.
 */
export function reduceDevices(devices: XValue): XObject[] {
  const out: XObject[] = [];
  for (const d of asArray(devices)) {
    const dev = obj(d);
    const type = str(dev?.['_type']);
    if (!dev || !type) continue;
    const base: XObject = { _type: type, key: dev['key'], label: field(dev, 'deviceInfo', 'label') };
    if (type === 'VirtualDisk') {
      out.push({
        ...base,
        controllerKey: dev['controllerKey'],
        unitNumber: dev['unitNumber'],
        capacityInBytes: dev['capacityInBytes'],
        capacityInKB: dev['capacityInKB'],
        backing: pick(obj(dev['backing']), DISK_BACKING_KEYS),
        storageIOAllocation: obj(dev['storageIOAllocation']),
      });
    } else if (CONTROLLER_TYPES[type]) {
      out.push({ ...base, busNumber: dev['busNumber'], sharedBus: dev['sharedBus'] });
    } else if (NIC_TYPES[type]) {
      out.push({
        ...base,
        macAddress: dev['macAddress'],
        addressType: dev['addressType'],
        connectable: pick(obj(dev['connectable']), ['connected', 'startConnected']),
        backing: pick(obj(dev['backing']), NIC_BACKING_KEYS),
      });
    } else if (type === 'VirtualMachineVideoCard') {
      out.push({ ...base, numDisplays: dev['numDisplays'], videoRamSizeInKB: dev['videoRamSizeInKB'] });
    }
  }
  return out;
}

/** guest.net is by far the bulkiest value (full NIC, DNS and routing state): keep each NIC's MAC and IPs. */
export function compactGuestNet(net: XValue): XObject[] {
  const out: XObject[] = [];
  for (const nic of asArray(net)) {
    const n = obj(nic);
    if (!n) continue;
    out.push({ macAddress: n['macAddress'], ipAddress: strs(n['ipAddress']) });
  }
  return out;
}

/** Every IP the guest reports, in order, once. */
export function guestIps(net: XValue | undefined): string[] {
  const ips = new Set<string>();
  for (const nic of asArray(net)) {
    const n = obj(nic);
    // A string is an address compacted by an older build of this module.
    if (typeof nic === 'string') ips.add(nic);
    else for (const ip of strs(n?.['ipAddress'])) ips.add(ip);
  }
  return [...ips];
}

/** What the device rows need to show names rather than references. */
export interface DeviceNames {
  /** The name of the object a reference (by `MoRef.key`) points to. */
  name(key: string): string | null;
  /** A distributed port group by its key: its name and its switch's name. */
  portgroup(key: string): { name: string | null; switch: string | null } | undefined;
}

/** The VM-row fields a device list gives (vInfo's device columns). */
export interface DeviceSummary {
  diskCount: number;
  nicCount: number;
  diskCapacityBytes: number;
  numMonitors: number | null;
  videoRamKb: number | null;
}

/**
 * What `vmDevices` looked up beyond the device list, in the order it did: references named
 * (`MoRef.key`), distributed port groups by key, and the guest's IPs by MAC (lower case).
 */
export interface DeviceLookups {
  refs: string[];
  portgroups: string[];
  macs: string[];
}

export interface VmDevices extends DeviceSummary {
  disks: Row<'disks'>[];
  nics: Row<'nics'>[];
  lookups: DeviceLookups;
}

/**
 * Bump when `vmDevices` maps a device list into other rows than before (a new column, another
 * rule): every cached row key (`deviceRowsKey`) then differs once, so the stored disk and NIC rows
 * are built and compared again instead of kept. (vm-devices.test.ts pins the rows' columns to it.)
 */
const ROWS_FORMAT = 1;

/** The guest's IPs by MAC (lower case), in the order guest.net lists them. */
function ipsByMacOf(guestNet: XValue | undefined): Map<string, string[]> {
  const ipsByMac = new Map<string, string[]>();
  for (const nic of asArray(guestNet)) {
    const mac = str(obj(nic)?.['macAddress'])?.toLowerCase();
    if (mac) ipsByMac.set(mac, [...(ipsByMac.get(mac) ?? []), ...strs(obj(nic)?.['ipAddress'])]);
  }
  return ipsByMac;
}

/**
 * Everything a VM's disk and NIC rows depend on besides its device list (which its
 * config.changeVersion stands for): the rows' format, the VM's name, and the answers to the
 * lookups `vmDevices` made (names of datastores and networks, port groups with their switches,
 * the guest's IPs per MAC), as they are now. Two equal keys for the same device list mean equal
 * rows; this is what lets a sync keep an unchanged VM's stored rows without building them.
 */
export function deviceRowsKey(
  lookups: DeviceLookups,
  vm: string,
  guestNet: XValue | undefined,
  names: DeviceNames,
): string {
  const ipsByMac = lookups.macs.length > 0 ? ipsByMacOf(guestNet) : undefined;
  return JSON.stringify([
    ROWS_FORMAT,
    vm,
    lookups.refs.map((k) => names.name(k)),
    lookups.portgroups.map((k) => {
      const pg = names.portgroup(k);
      return pg ? [pg.name, pg.switch] : 0;
    }),
    lookups.macs.map((m) => ipsByMac?.get(m) ?? 0),
  ]);
}

function provisioning(backing: XObject | undefined): string | null {
  const type = str(backing?.['_type']);
  if (!backing || type === 'VirtualDiskRawDiskMappingVer1BackingInfo') return null;
  const thin = bool(backing['thinProvisioned']);
  if (thin === true) return 'thin';
  if (thin === false || type === 'VirtualDiskFlatVer2BackingInfo')
    return bool(backing['eagerlyScrub']) ? 'thick eager' : 'thick lazy';
  return null;
}

/** `[ds-01] vm/vm.vmdk` → `ds-01`. */
export function datastoreOfPath(path: string | null): string | null {
  const m = path ? /^\[([^\]]+)\]/.exec(path) : null;
  return m ? m[1]! : null;
}

function isIpv6(ip: string): boolean {
  return ip.includes(':');
}

/** Disk and NIC rows of one VM, with the guest's IPs matched to each NIC by MAC. */
export function vmDevices(
  vmMoid: string,
  vm: string,
  devices: XValue | undefined,
  guestNet: XValue | undefined,
  names: DeviceNames,
): VmDevices {
  const list = asArray(devices)
    .map(obj)
    .filter((d): d is XObject => d !== undefined);
  const controllers = new Map<string, XObject>();
  for (const d of list) if (CONTROLLER_TYPES[str(d['_type']) ?? '']) controllers.set(str(d['key']) ?? '', d);
  const ipsByMac = ipsByMacOf(guestNet);
  const lookups: DeviceLookups = { refs: [], portgroups: [], macs: [] };
  // Every lookup goes through these, so that `deviceRowsKey` can repeat them (see there).
  const nameOf = (r: MoRef | undefined): string | null => {
    if (!r) return null;
    lookups.refs.push(r.key);
    return names.name(r.key);
  };
  const portgroupOf = (k: string): { name: string | null; switch: string | null } | undefined => {
    lookups.portgroups.push(k);
    return names.portgroup(k);
  };
  const ipsOf = (mac: string): string[] => {
    const m = mac.toLowerCase();
    lookups.macs.push(m);
    return ipsByMac.get(m) ?? [];
  };
  const out: VmDevices = {
    disks: [],
    nics: [],
    diskCount: 0,
    nicCount: 0,
    diskCapacityBytes: 0,
    numMonitors: null,
    videoRamKb: null,
    lookups,
  };
  for (const d of list) {
    const type = str(d['_type']) ?? '';
    const key = num(d['key']);
    if (type === 'VirtualMachineVideoCard') {
      out.numMonitors = num(d['numDisplays']);
      out.videoRamKb = num(d['videoRamSizeInKB']);
      continue;
    }
    if (key === null) continue;
    if (type === 'VirtualDisk') {
      const backing = obj(d['backing']);
      const ctrl = controllers.get(str(d['controllerKey']) ?? '');
      const bytes = num(d['capacityInBytes']);
      const kb = num(d['capacityInKB']);
      const capacity = bytes ?? (kb === null ? null : kb * 1024);
      const fileName = str(backing?.['fileName']);
      const prov = provisioning(backing);
      const io = obj(d['storageIOAllocation']);
      out.diskCount++;
      out.diskCapacityBytes += capacity ?? 0;
      out.disks.push({
        moid: `${vmMoid}/${key}`,
        vmMoid,
        vm,
        name: str(d['label']) ?? `disk ${key}`,
        deviceKey: key,
        capacityBytes: capacity,
        provisioning: prov,
        thin: prov === null ? null : prov === 'thin',
        eagerlyScrub: prov === null ? null : prov === 'thick eager',
        datastore: nameOf(ref(backing?.['datastore'])) ?? datastoreOfPath(fileName),
        fileName,
        controller: str(ctrl?.['label']),
        controllerType: ctrl ? (CONTROLLER_TYPES[str(ctrl['_type']) ?? ''] ?? null) : null,
        busNumber: num(ctrl?.['busNumber']),
        unitNumber: num(d['unitNumber']),
        diskMode: str(backing?.['diskMode']),
        sharing: str(backing?.['sharing']),
        split: bool(backing?.['split']),
        writeThrough: bool(backing?.['writeThrough']),
        raw: backing ? str(backing['_type']) === 'VirtualDiskRawDiskMappingVer1BackingInfo' : null,
        uuid: str(backing?.['uuid']),
        sharesLevel: str(field(io, 'shares', 'level')),
        shares: num(field(io, 'shares', 'shares')),
        reservation: num(io?.['reservation']),
        limit: num(io?.['limit']),
      });
    } else if (NIC_TYPES[type]) {
      const backing = obj(d['backing']);
      const pgKey = str(field(backing, 'port', 'portgroupKey'));
      const pg = pgKey ? portgroupOf(pgKey) : undefined;
      const network =
        pg?.name ??
        nameOf(ref(backing?.['network'])) ??
        str(backing?.['deviceName']) ??
        str(backing?.['opaqueNetworkId']);
      const mac = str(d['macAddress']);
      const ips = mac ? ipsOf(mac) : [];
      out.nicCount++;
      out.nics.push({
        moid: `${vmMoid}/${key}`,
        vmMoid,
        vm,
        name: str(d['label']) ?? `nic ${key}`,
        deviceKey: key,
        adapterType: NIC_TYPES[type] ?? null,
        network,
        switch: pg?.switch ?? null,
        macAddress: mac,
        addressType: str(d['addressType']),
        connected: bool(field(d, 'connectable', 'connected')),
        startConnected: bool(field(d, 'connectable', 'startConnected')),
        ipv4: joinList(ips.filter((ip) => !isIpv6(ip))),
        ipv6: joinList(ips.filter(isIpv6)),
      });
    }
  }
  return out;
}

/** guest.disk: one row per partition (path), as VMware Tools report it. */
export function vmPartitions(vmMoid: string, vm: string, disks: XValue | undefined): Row<'partitions'>[] {
  const out: Row<'partitions'>[] = [];
  const seen = new Set<string>();
  for (const d of asArray(disks)) {
    const g = obj(d);
    const path = str(g?.['diskPath']);
    if (!g || path === null || seen.has(path)) continue;
    seen.add(path);
    const capacity = num(g['capacity']);
    const free = num(g['freeSpace']);
    const freePercent = capacity && free !== null ? Math.round((free / capacity) * 1000) / 10 : null;
    out.push({
      moid: `${vmMoid}/${path}`,
      vmMoid,
      vm,
      name: path,
      capacityBytes: capacity,
      freeBytes: free,
      freePercent,
      usedPercent: freePercent === null ? null : Math.round((100 - freePercent) * 10) / 10,
      diskKey: num(field(obj(asArray(g['mappings'])[0]), 'key')),
    });
  }
  return out;
}
