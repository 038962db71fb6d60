import {
  emptyInventory,
  type CustomValueRow,
  type Inventory,
  type InventoryRow,
  type VmDevicesRow,
} from '../../../shared/inventory.js';
import { DEVICE_PATH, VERSIONED_VM_PATHS } from './properties.js';
import {
  decodeCacheEntry,
  decodeEntryDevices,
  encodeDevicesAfterHead,
  encodeEntryHead,
  versionedConfigOf,
  type CacheEntry,
  type RowsOfEntry,
} from './device-cache.js';
import { MoRef, type XValue } from './xml.js';
import type { ObjectContent } from './property-collector.js';
import { asArray, bool, date, field, num, obj, ref, refs, str } from './xvalue.js';
import {
  compactGuestNet,
  deviceRowsKey,
  guestIps,
  reduceDevices,
  vmDevices,
  vmPartitions,
  type DeviceNames,
  type DeviceSummary,
} from './vm-devices.js';
import { hostIdentity, hostNetwork, type HostNetwork } from './host-network.js';
import { clusterDepth, datastoreDepth, dvSwitchRow, portgroupDepth } from './entity-depth.js';
import type { SnapshotSize } from './snapshot-sizes.js';

export { asArray } from './xvalue.js';
export { compactGuestNet } from './vm-devices.js';

/**
 * Bulky values are reduced to what the rows need as soon as they are read (a full read and every
 * live change), so the objects a live session holds stay small.
 */
export function compactProp(name: string, val: XValue): XValue {
  if (name === 'guest.net') return compactGuestNet(val);
  if (name === 'config.hardware.device') return reduceDevices(val);
  return val;
}

type Row<K extends keyof Inventory> = InventoryRow<K>;

const CHANGE_VERSION = 'config.changeVersion';

export interface VmRows {
  row: Row<'vms'>;
  snapshots: Row<'snapshots'>[];
  datastores: string[];
  networks: string[];
  disks: Row<'disks'>[];
  nics: Row<'nics'>[];
  partitions: Row<'partitions'>[];
  customValues: CustomValueRow[];
  /** The VM's device list for the cache, when it has a config.changeVersion to key it by. */
  deviceCache: VmDevicesRow | null;
}

export interface HostRows {
  row: Row<'hosts'>;
  datastores: string[];
  customValues: CustomValueRow[];
  nics: HostNetwork['nics'];
  vmkernels: HostNetwork['vmkernels'];
  vswitches: HostNetwork['vswitches'];
}

export interface DatacenterCounts {
  clusters: number;
  hosts: number;
  vms: number;
}

export const NETWORK_TYPES = ['Network', 'DistributedVirtualPortgroup', 'OpaqueNetwork'];

/**
 * Maps the raw property-collector objects of one vCenter to inventory rows, names resolved.
 * `build()` maps everything (a full sync); the row builders map one object, so a live session
 * can rebuild exactly the rows a change touches from the same code.
 */
export class InventoryMapper {
  protected readonly objects = new Map<string, ObjectContent>();
  /** Custom attribute names by key (the CustomFieldsManager's `field`). */
  private customFields = new Map<string, string>();
  /** Snapshot sizes by VM moid, then snapshot moid (layoutEx, read apart: snapshot-sizes.ts). */
  private readonly snapshotSizes = new Map<string, Map<string, SnapshotSize>>();

  /** Sizes read for these VMs (their earlier sizes are replaced). */
  setSnapshotSizes(sizes: Map<string, Map<string, SnapshotSize>>): void {
    for (const [vm, m] of sizes) this.snapshotSizes.set(vm, m);
  }

  /** The VMs that have a snapshot tree (whose sizes are worth reading). */
  vmsWithSnapshots(): MoRef[] {
    const out: MoRef[] = [];
    for (const o of this.objects.values())
      if (
        o.ref.type === 'VirtualMachine' &&
        asArray(field(obj(o.props.get('snapshot')), 'rootSnapshotList')).length
      )
        out.push(o.ref);
    return out;
  }
  /**
   * While `build()` runs: what many objects share, looked up once (a parent's datacenter and
   * folder path). Nothing changes meanwhile; the row builders called one by one go without it.
   */
  private memo:
    | {
        datacenters: Map<string, string | null>;
        folders: Map<string, string | null>;
        pools: Map<string, { path: string | null; vapp: string | null }>;
      }
    | undefined;

  add(o: ObjectContent): void {
    for (const name of ['guest.net', DEVICE_PATH]) {
      const v = o.props.get(name);
      if (v !== undefined) o.props.set(name, compactProp(name, v));
    }
    if (o.ref.type === 'VirtualMachine' && !o.props.has(DEVICE_PATH)) {
      // Re-read without its devices (they are read apart): the ones held stay while the version does.
      const prev = this.objects.get(o.ref.key);
      const kept = prev?.props.get(DEVICE_PATH);
      const version = o.props.get(CHANGE_VERSION);
      const same = prev !== undefined && prev.props.get(CHANGE_VERSION) === version;
      if (same && (kept !== undefined || this.undecodedAt(o.ref.value, str(version)))) {
        if (kept !== undefined) o.props.set(DEVICE_PATH, kept);
        // Read with the devices (VERSIONED_VM_PATHS): kept with them unless read again.
        for (const path of VERSIONED_VM_PATHS) {
          const v = prev!.props.get(path);
          if (v !== undefined && !o.props.has(path)) o.props.set(path, v);
        }
      } else {
        this.forgetEntry(o.ref.value);
        this.devicesWanted.set(o.ref.key, o.ref);
      }
    }
    this.objects.set(o.ref.key, o);
  }

  /** VMs whose device list is not held (new, or their config.changeVersion moved): to be read. */
  protected readonly devicesWanted = new Map<string, MoRef>();
  /** One MoRef per datastore and network named by the device lists decoded from the cache. */
  private readonly decodedRefs = new Map<string, Map<string, MoRef>>();
  /** The cache's JSON of a VM's devices, when they came from the cache (not re-encoded). */
  private readonly deviceJson = new Map<string, string>();
  /**
   * Where a VM's cache entry came from (by moid): read from the vCenter now (written), or taken
   * from the cache at the VM's version (what is stored already: not even compared).
   */
  private readonly entryOrigin = new Map<string, 'read' | 'cache'>();
  /**
   * Entries taken from the cache whose device list is not decoded yet (by moid, with the version
   * they were taken at): decoded when a VM's rows are built, never for a VM whose stored disk and
   * NIC rows a full build keeps (`keptDeviceRows`).
   */
  private readonly undecoded = new Map<string, { version: string; entry: CacheEntry }>();
  /** While `build()` runs with `keepUnchangedDeviceRows`. */
  private keepRows = false;

  private forgetEntry(moid: string): void {
    this.deviceJson.delete(moid);
    this.entryOrigin.delete(moid);
    this.undecoded.delete(moid);
  }

  private undecodedAt(moid: string, version: string | null): CacheEntry | undefined {
    const u = this.undecoded.get(moid);
    return u !== undefined && u.version === version ? u.entry : undefined;
  }

  /**
   * A VM's device list: as held, or decoded now from its cache entry (at the VM's version). A list
   * that does not decode (a damaged entry) is no list: the VM's entry is then not written, and
   * read from the vCenter at the next sync.
   */
  private devicesOf(v: ObjectContent): XValue | undefined {
    const held = v.props.get(DEVICE_PATH);
    if (held !== undefined) return held;
    const entry = this.undecodedAt(v.ref.value, str(v.props.get(CHANGE_VERSION)));
    if (entry === undefined) return undefined;
    this.undecoded.delete(v.ref.value);
    const devices = decodeEntryDevices(entry, this.decodedRefs);
    if (devices === undefined) {
      this.forgetEntry(v.ref.value);
      return undefined;
    }
    v.props.set(DEVICE_PATH, devices);
    return devices;
  }

  /** The VMs whose devices are wanted, and forgets them (the caller reads or finds them). */
  takeDevicesWanted(): MoRef[] {
    const out = [...this.devicesWanted.values()];
    this.devicesWanted.clear();
    return out;
  }

  changeVersionOf(key: string): string | null {
    return str(this.objects.get(key)?.props.get(CHANGE_VERSION));
  }

  /**
   * A VM's devices and VERSIONED_VM_PATHS as just read (`read`: the apart read's properties; no
   * device list is `[]`, a path not sent is not set).
   */
  setDevicesRead(key: string, read: ReadonlyMap<string, XValue>): void {
    const o = this.objects.get(key);
    if (!o) return;
    o.props.set(DEVICE_PATH, compactProp(DEVICE_PATH, read.get(DEVICE_PATH) ?? []));
    for (const path of VERSIONED_VM_PATHS) {
      const v = read.get(path);
      if (v !== undefined) o.props.set(path, v);
      else o.props.delete(path);
    }
    this.deviceJson.delete(o.ref.value);
    this.undecoded.delete(o.ref.value);
    this.entryOrigin.set(o.ref.value, 'read');
    this.devicesWanted.delete(key);
  }

  /**
   * A VM's devices and VERSIONED_VM_PATHS from the cache (read at the VM's current
   * config.changeVersion). A value already held (streamed by a live filter) stays. False when the
   * entry is not one `encodeCacheEntry` wrote (an older format): the VM is to be read. The device
   * list itself is decoded only when the VM's rows are built (`devicesOf`).
   */
  setDevicesJson(key: string, json: string): boolean {
    const o = this.objects.get(key);
    if (!o) return true;
    const entry = decodeCacheEntry(json);
    const version = str(o.props.get(CHANGE_VERSION));
    if (entry === undefined || version === null) return false;
    o.props.delete(DEVICE_PATH);
    this.undecoded.set(o.ref.value, { version, entry });
    let held = false;
    for (const path of VERSIONED_VM_PATHS) {
      if (o.props.has(path)) held = true;
      else {
        const v = entry.head.config[path];
        if (v !== undefined) o.props.set(path, v);
      }
    }
    // Values held beside the cached ones: the entry is encoded again from what is held.
    if (held) this.deviceJson.delete(o.ref.value);
    else this.deviceJson.set(o.ref.value, json);
    this.entryOrigin.set(o.ref.value, 'cache');
    this.devicesWanted.delete(key);
    return true;
  }

  /** The CustomFieldsManager's `field` (key → name); values of unknown keys are named by key. */
  setCustomFields(fields: XValue | undefined): void {
    this.customFields = new Map();
    for (const f of asArray(fields)) {
      const key = str(obj(f)?.['key']);
      const name = str(obj(f)?.['name']);
      if (key !== null && name !== null) this.customFields.set(key, name);
    }
  }

  /** True when an object carries a custom value whose field name is not known (a new field). */
  hasUnknownCustomField(o: ObjectContent): boolean {
    for (const v of asArray(o.props.get('customValue'))) {
      const key = str(obj(v)?.['key']);
      if (key !== null && !this.customFields.has(key)) return true;
    }
    return false;
  }

  protected customValues(o: ObjectContent): CustomValueRow[] {
    const out: CustomValueRow[] = [];
    const seen = new Set<number>();
    for (const v of asArray(o.props.get('customValue'))) {
      const key = num(obj(v)?.['key']);
      if (key === null || seen.has(key)) continue;
      seen.add(key);
      out.push({
        ownerMoid: o.ref.value,
        key,
        name: this.customFields.get(String(key)) ?? `custom field ${key}`,
        value: str(obj(v)?.['value']),
      });
    }
    return out;
  }

  get size(): number {
    return this.objects.size;
  }

  /** moid → name of every object held (what a tag's object is called). */
  objectNames(): (moid: string) => string | null {
    const names = new Map<string, string>();
    for (const o of this.objects.values()) {
      const n = str(o.props.get('name'));
      if (n !== null) names.set(o.ref.value, n);
    }
    return (moid) => names.get(moid) ?? null;
  }

  protected byType(...types: string[]): ObjectContent[] {
    const out: ObjectContent[] = [];
    for (const o of this.objects.values()) if (types.includes(o.ref.type)) out.push(o);
    return out;
  }

  protected name(r: MoRef | undefined): string | null {
    if (!r) return null;
    return str(this.objects.get(r.key)?.props.get('name'));
  }

  private ancestor(start: MoRef | undefined, type: string): MoRef | undefined {
    let cur = start;
    for (let guard = 0; cur && guard < 64; guard++) {
      if (cur.type === type) return cur;
      cur = ref(this.objects.get(cur.key)?.props.get('parent'));
    }
    return undefined;
  }

  protected datacenterOf(o: ObjectContent): string | null {
    const parent = ref(o.props.get('parent'));
    const memo = this.memo;
    if (!memo || !parent) return this.name(this.ancestor(parent, 'Datacenter'));
    const k = parent.key;
    let dc = memo.datacenters.get(k);
    if (dc === undefined) {
      dc = this.name(this.ancestor(parent, 'Datacenter'));
      memo.datacenters.set(k, dc);
    }
    return dc;
  }

  /** `/Prod/Web` for a VM in vm/Prod/Web; the datacenter's own `vm` folder is left out. */
  private folderPath(o: ObjectContent): string | null {
    const parent = ref(o.props.get('parent'));
    const memo = this.memo;
    if (!memo || !parent) return this.folderPathFrom(parent);
    const k = parent.key;
    let path = memo.folders.get(k);
    if (path === undefined) {
      path = this.folderPathFrom(parent);
      memo.folders.set(k, path);
    }
    return path;
  }

  private folderPathFrom(parent: MoRef | undefined): string | null {
    const parts: string[] = [];
    let cur = parent;
    for (let guard = 0; cur && cur.type === 'Folder' && guard < 64; guard++) {
      const f = this.objects.get(cur.key);
      const parent = ref(f?.props.get('parent'));
      if (!parent || parent.type === 'Datacenter') break;
      parts.unshift(str(f?.props.get('name')) ?? cur.value);
      cur = parent;
    }
    return cur ? `/${parts.join('/')}` : null;
  }

  /**
   * A VM's resource pool path below its cluster or host (`/Resources/Prod`), and the nearest vApp
   * up that chain.
   */
  private poolPath(start: MoRef | undefined): { path: string | null; vapp: string | null } {
    const memo = this.memo;
    if (!memo || !start) return this.poolPathFrom(start);
    let pool = memo.pools.get(start.key);
    if (pool === undefined) {
      pool = this.poolPathFrom(start);
      memo.pools.set(start.key, pool);
    }
    return pool;
  }

  private poolPathFrom(start: MoRef | undefined): { path: string | null; vapp: string | null } {
    const parts: string[] = [];
    let vapp: string | null = null;
    let cur = start;
    for (let guard = 0; cur && guard < 64; guard++) {
      if (cur.type !== 'ResourcePool' && cur.type !== 'VirtualApp') break;
      const name = this.name(cur) ?? cur.value;
      if (cur.type === 'VirtualApp' && vapp === null) vapp = name;
      parts.unshift(name);
      cur = ref(this.objects.get(cur.key)?.props.get('parent'));
    }
    return { path: parts.length > 0 ? `/${parts.join('/')}` : null, vapp };
  }

  /** Distributed port groups by key (a NIC's backing names its port group by key). */
  private portgroupKeys: Map<string, { name: string | null; switch: string | null }> | undefined;

  protected portgroupByKey(key: string): { name: string | null; switch: string | null } | undefined {
    if (!this.portgroupKeys) {
      this.portgroupKeys = new Map();
      for (const o of this.objects.values()) {
        if (o.ref.type !== 'DistributedVirtualPortgroup') continue;
        const k = str(o.props.get('key')) ?? o.ref.value;
        this.portgroupKeys.set(k, {
          name: str(o.props.get('name')),
          switch: this.name(ref(o.props.get('config.distributedVirtualSwitch'))),
        });
      }
    }
    return this.portgroupKeys.get(key);
  }

  /** Forgets derived lookups (port groups by key, dvSwitch uplinks) after objects changed. */
  protected resetLookups(): void {
    this.portgroupKeys = undefined;
    this.dvsUplinks = undefined;
  }

  /** `host moid` → pnic device → dvSwitch name (from the dvSwitches' host members). */
  private dvsUplinks: Map<string, Map<string, string>> | undefined;

  private dvsUplinksOf(hostMoid: string): Map<string, string> | undefined {
    if (!this.dvsUplinks) {
      this.dvsUplinks = new Map();
      for (const o of this.objects.values()) {
        if (!o.ref.type.endsWith('DistributedVirtualSwitch')) continue;
        const sw = str(o.props.get('name')) ?? o.ref.value;
        for (const member of asArray(field(obj(o.props.get('config')), 'host'))) {
          const cfg = obj(obj(member)?.['config']);
          const host = ref(cfg?.['host']);
          if (!host) continue;
          const map = this.dvsUplinks.get(host.value) ?? new Map<string, string>();
          for (const spec of asArray(field(cfg, 'backing', 'pnicSpec'))) {
            const dev = str(obj(spec)?.['pnicDevice']);
            if (dev) map.set(dev, sw);
          }
          this.dvsUplinks.set(host.value, map);
        }
      }
    }
    return this.dvsUplinks.get(hostMoid);
  }

  /** Standard port group name → VLAN id, from the hosts' port group configuration. */
  private standardVlans(): Map<string, string> {
    const vlans = new Map<string, string>();
    for (const o of this.objects.values()) {
      if (o.ref.type !== 'HostSystem') continue;
      for (const pg of asArray(o.props.get('config.network.portgroup'))) {
        const name = str(field(obj(pg), 'spec', 'name'));
        const vlan = str(field(obj(pg), 'spec', 'vlanId'));
        if (name && vlan !== null && !vlans.has(name)) vlans.set(name, vlan);
      }
    }
    return vlans;
  }

  /** The cluster a host belongs to (undefined for a standalone host). */
  protected clusterOfHost(hostRef: MoRef | undefined): MoRef | undefined {
    if (!hostRef) return undefined;
    const parent = ref(this.objects.get(hostRef.key)?.props.get('parent'));
    return parent?.type === 'ClusterComputeResource' ? parent : undefined;
  }

  hostRow(h: ObjectContent): HostRows {
    const p = h.props;
    const net = hostNetwork(
      h.ref.value,
      p.get('config.network.pnic'),
      p.get('config.network.vnic'),
      p.get('config.network.vswitch'),
      p.get('config.network.portgroup'),
      this.dvsUplinksOf(h.ref.value),
    );
    const identity = hostIdentity(p.get('hardware.systemInfo'), p.get('hardware.biosInfo'));
    const sys = obj(p.get('hardware.systemInfo'));
    const parent = ref(p.get('parent'));
    const cluster = parent?.type === 'ClusterComputeResource' ? parent : undefined;
    const hw = obj(p.get('summary.hardware'));
    const product = obj(p.get('summary.config.product'));
    const memorySize = num(field(hw, 'memorySize'));
    return {
      row: {
        moid: h.ref.value,
        name: str(p.get('name')) ?? h.ref.value,
        datacenter: this.datacenterOf(h),
        cluster: this.name(cluster),
        connectionState: str(p.get('runtime.connectionState')),
        powerState: str(p.get('runtime.powerState')),
        inMaintenanceMode: bool(p.get('runtime.inMaintenanceMode')),
        vendor: str(field(hw, 'vendor')) ?? str(sys?.['vendor']),
        model: str(field(hw, 'model')) ?? str(sys?.['model']),
        cpuModel: str(field(hw, 'cpuModel')),
        numCpuSockets: num(field(hw, 'numCpuPkgs')),
        numCpuCores: num(field(hw, 'numCpuCores')),
        numCpuThreads: num(field(hw, 'numCpuThreads')),
        cpuMhz: num(field(hw, 'cpuMhz')),
        memoryMb: memorySize === null ? null : Math.round(memorySize / 1048576),
        esxiVersion: str(field(product, 'version')),
        esxiBuild: str(field(product, 'build')),
        vmCount: refs(p.get('vm')).length,
        bootTime: date(p.get('runtime.bootTime')),
        overallStatus: str(p.get('overallStatus')),
        ...identity,
        nicCount: p.has('config.network.pnic') ? net.nics.length : null,
        vmkernelIps:
          net.vmkernels
            .map((v) => v.ip)
            .filter((ip): ip is string => !!ip)
            .join(', ') || null,
      },
      datastores: refs(p.get('datastore')).map((r) => r.value),
      customValues: this.customValues(h),
      nics: net.nics,
      vmkernels: net.vmkernels,
      vswitches: net.vswitches,
    };
  }

  vmRow(v: ObjectContent): VmRows {
    const p = v.props;
    const hostRef = ref(p.get('runtime.host'));
    const cluster = this.clusterOfHost(hostRef);
    const ips = new Set<string>(guestIps(p.get('guest.net')));
    const primaryIp = str(p.get('guest.ipAddress'));
    if (primaryIp) ips.add(primaryIp);
    const dsRefs = refs(p.get('datastore'));
    const netRefs = refs(p.get('network'));
    const vmName = str(p.get('name')) ?? v.ref.value;
    const snapshots: Row<'snapshots'>[] = [];
    const sizes = this.snapshotSizes.get(v.ref.value);
    let oldest: string | null = null;
    const walk = (trees: XValue[], parent: string | null): void => {
      for (const t of trees) {
        const tree = obj(t);
        if (!tree) continue;
        const created = date(tree['createTime']);
        if (created && (oldest === null || Date.parse(created) < Date.parse(oldest))) oldest = created;
        const snapRef = ref(tree['snapshot']);
        const moid = snapRef?.value ?? `${v.ref.value}-snapshot-${str(tree['id']) ?? snapshots.length + 1}`;
        snapshots.push({
          moid,
          vmMoid: v.ref.value,
          vm: vmName,
          name: str(tree['name']) ?? '',
          description: str(tree['description']),
          createdAt: created,
          state: str(tree['state']),
          parentMoid: parent,
          sizeVmsnBytes: sizes?.get(moid)?.vmsnBytes ?? null,
          sizeTotalBytes: sizes?.get(moid)?.totalBytes ?? null,
        });
        walk(asArray(tree['childSnapshotList']), moid);
      }
    };
    walk(asArray(field(obj(p.get('snapshot')), 'rootSnapshotList')), null);
    const committed = num(p.get('summary.storage.committed'));
    const uncommitted = num(p.get('summary.storage.uncommitted'));
    const names: DeviceNames = {
      name: (k) => str(this.objects.get(k)?.props.get('name')),
      portgroup: (k) => this.portgroupByKey(k),
    };
    const kept = this.keepRows ? this.keptDeviceRows(v, vmName, names) : undefined;
    let devices: DeviceSummary;
    let disks: Row<'disks'>[] = [];
    let nics: Row<'nics'>[] = [];
    let rowsOfEntry: RowsOfEntry | undefined;
    if (kept) devices = kept;
    else {
      const list = this.devicesOf(v);
      const built = vmDevices(v.ref.value, vmName, list, p.get('guest.net'), names);
      devices = built;
      disks = built.disks;
      nics = built.nics;
      if (list !== undefined)
        rowsOfEntry = {
          key: deviceRowsKey(built.lookups, vmName, p.get('guest.net'), names),
          lookups: built.lookups,
          summary: summaryOf(built),
        };
    }
    const hasDevices = kept !== undefined || p.has(DEVICE_PATH);
    const cpu = obj(p.get('config.cpuAllocation'));
    const mem = obj(p.get('config.memoryAllocation'));
    const pool = this.poolPath(ref(p.get('resourcePool')));
    return {
      row: {
        moid: v.ref.value,
        name: vmName,
        datacenter: this.datacenterOf(v),
        cluster: this.name(cluster),
        host: this.name(hostRef),
        folder: this.folderPath(v),
        resourcePool: this.name(ref(p.get('resourcePool'))),
        powerState: str(p.get('runtime.powerState')),
        numCpu: num(p.get('config.hardware.numCPU')),
        coresPerSocket: num(p.get('config.hardware.numCoresPerSocket')),
        memoryMb: num(p.get('config.hardware.memoryMB')),
        guestId: str(p.get('config.guestId')),
        guestFullName: str(p.get('config.guestFullName')),
        guestFullNameReported: str(p.get('guest.guestFullName')),
        guestHostName: str(p.get('guest.hostName')),
        ipAddress: primaryIp,
        ipAddresses: ips.size > 0 ? [...ips].join(', ') : null,
        toolsStatus: str(p.get('guest.toolsStatus')),
        toolsRunningStatus: str(p.get('guest.toolsRunningStatus')),
        toolsVersionStatus: str(p.get('guest.toolsVersionStatus2')),
        provisionedBytes: committed === null ? null : committed + (uncommitted ?? 0),
        usedBytes: committed,
        datastores: joinNames(dsRefs.map((r) => this.name(r))),
        networks: joinNames(netRefs.map((r) => this.name(r))),
        snapshotCount: snapshots.length,
        oldestSnapshotAt: oldest,
        annotation: str(p.get('config.annotation')),
        template: bool(p.get('config.template')) ?? false,
        hardwareVersion: str(p.get('config.version')),
        instanceUuid: str(p.get('config.instanceUuid')),
        biosUuid: str(p.get('config.uuid')),
        bootTime: date(p.get('runtime.bootTime')),
        overallStatus: str(p.get('overallStatus')),
        hostMoid: hostRef?.value ?? null,
        createdAt: date(p.get('config.createDate')),
        firmware: str(p.get('config.firmware')),
        secureBoot: bool(p.get('config.bootOptions.efiSecureBootEnabled')),
        cpuReservationMhz: num(cpu?.['reservation']),
        cpuLimitMhz: num(cpu?.['limit']),
        cpuShares: num(field(cpu, 'shares', 'shares')),
        cpuSharesLevel: str(field(cpu, 'shares', 'level')),
        memoryReservationMb: num(mem?.['reservation']),
        memoryLimitMb: num(mem?.['limit']),
        memoryShares: num(field(mem, 'shares', 'shares')),
        memorySharesLevel: str(field(mem, 'shares', 'level')),
        cpuHotAdd: bool(p.get('config.cpuHotAddEnabled')),
        memoryHotAdd: bool(p.get('config.memoryHotAddEnabled')),
        resourcePoolPath: pool.path,
        vapp: pool.vapp,
        consolidationNeeded: bool(p.get('runtime.consolidationNeeded')),
        vmPathName: str(p.get('summary.config.vmPathName')),
        diskCount: hasDevices ? devices.diskCount : null,
        nicCount: hasDevices ? devices.nicCount : null,
        diskCapacityBytes: hasDevices ? devices.diskCapacityBytes : null,
        numMonitors: devices.numMonitors,
        videoRamKb: devices.videoRamKb,
      },
      snapshots,
      datastores: dsRefs.map((r) => r.value),
      networks: netRefs.map((r) => r.value),
      disks,
      nics,
      partitions: vmPartitions(v.ref.value, vmName, p.get('guest.disk')),
      customValues: this.customValues(v),
      deviceCache: kept ? this.keptCacheRow(v, kept) : this.deviceCacheRow(v, rowsOfEntry),
    };
  }

  /**
   * In a full build, a VM whose cache entry was taken at its version and whose rows' key
   * (`deviceRowsKey`: its name, and the names and IPs its device rows showed) is the one stored with
   * the entry: its stored disk and NIC rows are what building them would give, so they are kept
   * (not built, not compared) and its device list stays undecoded. The entry's summary gives the
   * VM row's device fields.
   */
  private keptDeviceRows(v: ObjectContent, vmName: string, names: DeviceNames): KeptRows | undefined {
    if (v.props.has(DEVICE_PATH) || !this.deviceJson.has(v.ref.value)) return undefined;
    const entry = this.undecodedAt(v.ref.value, str(v.props.get(CHANGE_VERSION)));
    const rows = entry?.head.rows;
    if (rows === undefined) return undefined;
    if (deviceRowsKey(rows.lookups, vmName, v.props.get('guest.net'), names) !== rows.key) return undefined;
    return { ...rows.summary, kept: true };
  }

  private keptCacheRow(v: ObjectContent, kept: KeptRows): VmDevicesRow {
    return {
      vmMoid: v.ref.value,
      changeVersion: str(v.props.get(CHANGE_VERSION))!,
      devices: this.deviceJson.get(v.ref.value)!,
      origin: 'cache',
      rowsKept: { disks: kept.diskCount, nics: kept.nicCount },
    };
  }

  /**
   * The VM's cache entry, with the rows' key of the rows built now: the stored entry as it is when
   * that is what it holds already, else written anew ('read': the stored one is replaced).
   */
  private deviceCacheRow(v: ObjectContent, rows: RowsOfEntry | undefined): VmDevicesRow | null {
    const version = str(v.props.get(CHANGE_VERSION));
    const devices = v.props.get(DEVICE_PATH);
    if (version === null || devices === undefined) return null;
    const moid = v.ref.value;
    const head = encodeEntryHead(versionedConfigOf(v.props), rows);
    let json = this.deviceJson.get(moid);
    if (json === undefined || !json.startsWith(`${head}\n`)) {
      const again = json !== undefined || this.entryOrigin.get(moid) === 'cache';
      json = encodeDevicesAfterHead(head, devices);
      this.deviceJson.set(moid, json);
      if (again) this.entryOrigin.set(moid, 'read');
    }
    const row: VmDevicesRow = { vmMoid: moid, changeVersion: version, devices: json };
    const origin = this.entryOrigin.get(moid);
    if (origin !== undefined) row.origin = origin;
    return row;
  }

  /** VMs per cluster (through the VM's host): a pass over the VMs without building rows. */
  clusterVmCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const o of this.objects.values()) {
      if (o.ref.type !== 'VirtualMachine') continue;
      const cluster = this.clusterOfHost(ref(o.props.get('runtime.host')));
      if (cluster) counts.set(cluster.value, (counts.get(cluster.value) ?? 0) + 1);
    }
    return counts;
  }

  /** Clusters, hosts and VMs per datacenter name. */
  datacenterCounts(): Map<string, DatacenterCounts> {
    const counts = new Map<string, DatacenterCounts>();
    for (const o of this.objects.values()) {
      const k =
        o.ref.type === 'VirtualMachine'
          ? 'vms'
          : o.ref.type === 'HostSystem'
            ? 'hosts'
            : o.ref.type === 'ClusterComputeResource'
              ? 'clusters'
              : undefined;
      if (!k) continue;
      const dc = this.datacenterOf(o);
      if (!dc) continue;
      const c = counts.get(dc) ?? { clusters: 0, hosts: 0, vms: 0 };
      c[k]++;
      counts.set(dc, c);
    }
    return counts;
  }

  clusterRow(c: ObjectContent, vmCount: number): Row<'clusters'> {
    const p = c.props;
    // Cluster summaries carry quick stats that change all the time; vMiner reads their stable
    // fields one by one (summary.totalCpu, …), or the whole summary from older callers.
    const summary = obj(p.get('summary'));
    const sum = (k: string): XValue | undefined => p.get(`summary.${k}`) ?? field(summary, k);
    const conf = obj(p.get('configurationEx'));
    const drs = obj(field(conf, 'drsConfig'));
    const das = obj(field(conf, 'dasConfig'));
    return {
      moid: c.ref.value,
      name: str(p.get('name')) ?? c.ref.value,
      datacenter: this.datacenterOf(c),
      drsEnabled: drs ? (bool(drs['enabled']) ?? false) : null,
      drsBehavior: str(field(drs, 'defaultVmBehavior')),
      haEnabled: das ? (bool(das['enabled']) ?? false) : null,
      hostCount: refs(p.get('host')).length,
      effectiveHostCount: num(sum('numEffectiveHosts')),
      vmCount,
      totalCpuMhz: num(sum('totalCpu')),
      totalCpuCores: num(sum('numCpuCores')),
      totalMemoryBytes: num(sum('totalMemory')),
      overallStatus: str(sum('overallStatus')),
      ...clusterDepth(conf, sum('currentEVCModeKey')),
    };
  }

  datastoreRow(d: ObjectContent): Row<'datastores'> {
    const s = obj(d.props.get('summary'));
    const capacity = num(field(s, 'capacity'));
    const free = num(field(s, 'freeSpace'));
    const uncommitted = num(field(s, 'uncommitted'));
    return {
      moid: d.ref.value,
      name: str(d.props.get('name')) ?? d.ref.value,
      datacenter: this.datacenterOf(d),
      type: str(field(s, 'type')),
      capacityBytes: capacity,
      freeBytes: free,
      provisionedBytes: capacity !== null && free !== null ? capacity - free + (uncommitted ?? 0) : null,
      freePercent: capacity && free !== null ? Math.round((free / capacity) * 1000) / 10 : null,
      accessible: bool(field(s, 'accessible')),
      vmCount: refs(d.props.get('vm')).length,
      hostCount: asArray(d.props.get('host')).length,
      maintenanceMode: str(field(s, 'maintenanceMode')),
      url: str(field(s, 'url')),
      ...datastoreDepth(s, obj(d.props.get('info'))),
    };
  }

  networkRow(n: ObjectContent, standardVlans?: Map<string, string>): Row<'networks'> {
    const name = str(n.props.get('name')) ?? n.ref.value;
    const pg =
      n.ref.type === 'DistributedVirtualPortgroup'
        ? portgroupDepth(n.props, this.name(ref(n.props.get('config.distributedVirtualSwitch'))))
        : undefined;
    return {
      moid: n.ref.value,
      name,
      datacenter: this.datacenterOf(n),
      type: n.ref.type,
      vlanId: pg
        ? pg.vlanId
        : n.ref.type === 'Network'
          ? ((standardVlans ?? this.standardVlans()).get(name) ?? null)
          : null,
      vmCount: refs(n.props.get('vm')).length,
      switch: pg?.switch ?? null,
      uplink: pg?.uplink ?? null,
      numPorts: pg?.numPorts ?? null,
      portBinding: pg?.portBinding ?? null,
      activeUplinks: pg?.activeUplinks ?? null,
      standbyUplinks: pg?.standbyUplinks ?? null,
      allowPromiscuous: pg?.allowPromiscuous ?? null,
      macChanges: pg?.macChanges ?? null,
      forgedTransmits: pg?.forgedTransmits ?? null,
      teamingPolicy: pg?.teamingPolicy ?? null,
      key: pg?.key ?? null,
    };
  }

  dvSwitchRow(d: ObjectContent): Row<'dvSwitches'> {
    return dvSwitchRow(d.ref.value, d.props, this.datacenterOf(d));
  }

  datacenterRow(d: ObjectContent, counts: Map<string, DatacenterCounts>): Row<'datacenters'> {
    const name = str(d.props.get('name')) ?? d.ref.value;
    const c = counts.get(name) ?? { clusters: 0, hosts: 0, vms: 0 };
    return { moid: d.ref.value, name, clusterCount: c.clusters, hostCount: c.hosts, vmCount: c.vms };
  }

  /**
   * Maps every object. With `keepUnchangedDeviceRows` (a full sync, whose inventory a store's
   * `replace` writes), the disk and NIC rows of VMs whose stored ones are still right are left out
   * of `disks` and `nics`: their `vmDevices` entries say so (`rowsKept`), and the store keeps them.
   */
  build(opts: { keepUnchangedDeviceRows?: boolean } = {}): Inventory {
    this.memo = { datacenters: new Map(), folders: new Map(), pools: new Map() };
    this.keepRows = opts.keepUnchangedDeviceRows === true;
    try {
      return this.mapAll();
    } finally {
      this.memo = undefined;
      this.keepRows = false;
    }
  }

  private mapAll(): Inventory {
    const inv: Inventory = emptyInventory();
    this.resetLookups();
    // One pass sorts the objects by kind, in the order they came (every kind of network together).
    const byKind = new Map<string, ObjectContent[]>();
    for (const o of this.objects.values()) {
      const kind = NETWORK_TYPES.includes(o.ref.type) ? 'Network' : o.ref.type;
      const list = byKind.get(kind);
      if (list) list.push(o);
      else byKind.set(kind, [o]);
    }
    const of = (kind: string): ObjectContent[] => byKind.get(kind) ?? [];
    for (const h of of('HostSystem')) {
      const r = this.hostRow(h);
      inv.hosts.push(r.row);
      for (const ds of r.datastores) inv.hostDatastores.push([h.ref.value, ds]);
      for (const x of r.customValues) inv.hostCustomValues.push(x);
      for (const x of r.nics) inv.hostNics.push(x);
      for (const x of r.vmkernels) inv.hostVmkernels.push(x);
      for (const x of r.vswitches) inv.hostVswitches.push(x);
    }
    for (const v of of('VirtualMachine')) {
      const r = this.vmRow(v);
      inv.vms.push(r.row);
      for (const snap of r.snapshots) inv.snapshots.push(snap);
      for (const ds of r.datastores) inv.vmDatastores.push([v.ref.value, ds]);
      for (const n of r.networks) inv.vmNetworks.push([v.ref.value, n]);
      for (const x of r.disks) inv.disks.push(x);
      for (const x of r.nics) inv.nics.push(x);
      for (const x of r.partitions) inv.partitions.push(x);
      for (const x of r.customValues) inv.vmCustomValues.push(x);
      if (r.deviceCache) inv.vmDevices.push(r.deviceCache);
    }
    for (const d of this.objects.values())
      if (d.ref.type.endsWith('DistributedVirtualSwitch')) inv.dvSwitches.push(this.dvSwitchRow(d));
    const clusterVms = this.clusterVmCounts();
    for (const c of of('ClusterComputeResource'))
      inv.clusters.push(this.clusterRow(c, clusterVms.get(c.ref.value) ?? 0));
    for (const d of of('Datastore')) inv.datastores.push(this.datastoreRow(d));
    const vlans = this.standardVlans();
    for (const n of of('Network')) inv.networks.push(this.networkRow(n, vlans));
    const dcCounts = this.datacenterCounts();
    for (const d of of('Datacenter')) inv.datacenters.push(this.datacenterRow(d, dcCounts));
    return inv;
  }
}

/** The VM-row fields of a device list (what an entry keeps for a VM whose rows are kept). */
function summaryOf(d: DeviceSummary): DeviceSummary {
  return {
    diskCount: d.diskCount,
    nicCount: d.nicCount,
    diskCapacityBytes: d.diskCapacityBytes,
    numMonitors: d.numMonitors,
    videoRamKb: d.videoRamKb,
  };
}

/** A VM's device fields when its stored disk and NIC rows are kept. */
interface KeptRows extends DeviceSummary {
  kept: true;
}

function joinNames(names: (string | null)[]): string | null {
  const list = names.filter((n): n is string => n !== null).sort();
  return list.length > 0 ? list.join(', ') : null;
}
