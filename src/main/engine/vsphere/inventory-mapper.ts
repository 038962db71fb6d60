import { emptyInventory, type Inventory } from '../../../shared/inventory.js';
import { MoRef, type XObject, type XValue } from './xml.js';
import type { ObjectContent } from './property-collector.js';

export function asArray(v: XValue | undefined): XValue[] {
  if (v === undefined || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

function obj(v: XValue | undefined): XObject | undefined {
  return v !== undefined && typeof v === 'object' && !Array.isArray(v) && !(v instanceof MoRef)
    ? v
    : undefined;
}

function str(v: XValue | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function num(v: XValue | undefined): number | null {
  if (typeof v !== 'string' || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** vSphere dateTimes may carry nanoseconds; store them as plain ISO 8601 (ms, UTC) so they sort and compare. */
function date(v: XValue | undefined): string | null {
  const s = str(v);
  if (s === null) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function bool(v: XValue | undefined): boolean | null {
  return v === 'true' ? true : v === 'false' ? false : null;
}

function ref(v: XValue | undefined): MoRef | undefined {
  return v instanceof MoRef ? v : undefined;
}

function refs(v: XValue | undefined): MoRef[] {
  return asArray(v).filter((x): x is MoRef => x instanceof MoRef);
}

function field(o: XObject | undefined, ...path: string[]): XValue | undefined {
  let cur: XValue | undefined = o;
  for (const p of path) {
    const next = obj(cur);
    if (!next) return undefined;
    cur = next[p];
  }
  return cur;
}

type Row<K extends keyof Inventory> = Inventory[K][number];

export interface VmRows {
  row: Row<'vms'>;
  snapshots: Row<'snapshots'>[];
  datastores: string[];
  networks: string[];
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
  /**
   * While `build()` runs: what many objects share, looked up once (a parent's datacenter and
   * folder path). Nothing changes meanwhile; the row builders called one by one go without it.
   */
  private memo: { datacenters: Map<string, string | null>; folders: Map<string, string | null> } | undefined;

  add(o: ObjectContent): void {
    const net = o.props.get('guest.net');
    if (net !== undefined) o.props.set('guest.net', compactGuestNet(net));
    this.objects.set(o.ref.key, o);
  }

  get size(): number {
    return this.objects.size;
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

  /** The cluster a host belongs to (undefined for a standalone host). */
  protected clusterOfHost(hostRef: MoRef | undefined): MoRef | undefined {
    if (!hostRef) return undefined;
    const parent = ref(this.objects.get(hostRef.key)?.props.get('parent'));
    return parent?.type === 'ClusterComputeResource' ? parent : undefined;
  }

  hostRow(h: ObjectContent): { row: Row<'hosts'>; datastores: string[] } {
    const p = h.props;
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
        vendor: str(field(hw, 'vendor')),
        model: str(field(hw, 'model')),
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
      },
      datastores: refs(p.get('datastore')).map((r) => r.value),
    };
  }

  vmRow(v: ObjectContent): VmRows {
    const p = v.props;
    const hostRef = ref(p.get('runtime.host'));
    const cluster = this.clusterOfHost(hostRef);
    const ips = new Set<string>();
    for (const ip of asArray(p.get('guest.net'))) if (typeof ip === 'string') ips.add(ip);
    const primaryIp = str(p.get('guest.ipAddress'));
    if (primaryIp) ips.add(primaryIp);
    const dsRefs = refs(p.get('datastore'));
    const netRefs = refs(p.get('network'));
    const vmName = str(p.get('name')) ?? v.ref.value;
    const snapshots: Row<'snapshots'>[] = [];
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
        });
        walk(asArray(tree['childSnapshotList']), moid);
      }
    };
    walk(asArray(field(obj(p.get('snapshot')), 'rootSnapshotList')), null);
    const committed = num(p.get('summary.storage.committed'));
    const uncommitted = num(p.get('summary.storage.uncommitted'));
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
      },
      snapshots,
      datastores: dsRefs.map((r) => r.value),
      networks: netRefs.map((r) => r.value),
    };
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
    };
  }

  networkRow(n: ObjectContent): Row<'networks'> {
    const vlan = field(obj(n.props.get('config.defaultPortConfig')), 'vlan', 'vlanId');
    return {
      moid: n.ref.value,
      name: str(n.props.get('name')) ?? n.ref.value,
      datacenter: this.datacenterOf(n),
      type: n.ref.type,
      vlanId: typeof vlan === 'string' ? vlan : null,
      vmCount: refs(n.props.get('vm')).length,
    };
  }

  datacenterRow(d: ObjectContent, counts: Map<string, DatacenterCounts>): Row<'datacenters'> {
    const name = str(d.props.get('name')) ?? d.ref.value;
    const c = counts.get(name) ?? { clusters: 0, hosts: 0, vms: 0 };
    return { moid: d.ref.value, name, clusterCount: c.clusters, hostCount: c.hosts, vmCount: c.vms };
  }

  build(): Inventory {
    this.memo = { datacenters: new Map(), folders: new Map() };
    try {
      return this.mapAll();
    } finally {
      this.memo = undefined;
    }
  }

  private mapAll(): Inventory {
    const inv: Inventory = emptyInventory();
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
      const { row, datastores } = this.hostRow(h);
      inv.hosts.push(row);
      for (const ds of datastores) inv.hostDatastores.push([h.ref.value, ds]);
    }
    for (const v of of('VirtualMachine')) {
      const r = this.vmRow(v);
      inv.vms.push(r.row);
      for (const snap of r.snapshots) inv.snapshots.push(snap);
      for (const ds of r.datastores) inv.vmDatastores.push([v.ref.value, ds]);
      for (const n of r.networks) inv.vmNetworks.push([v.ref.value, n]);
    }
    const clusterVms = this.clusterVmCounts();
    for (const c of of('ClusterComputeResource'))
      inv.clusters.push(this.clusterRow(c, clusterVms.get(c.ref.value) ?? 0));
    for (const d of of('Datastore')) inv.datastores.push(this.datastoreRow(d));
    for (const n of of('Network')) inv.networks.push(this.networkRow(n));
    const dcCounts = this.datacenterCounts();
    for (const d of of('Datacenter')) inv.datacenters.push(this.datacenterRow(d, dcCounts));
    return inv;
  }
}

/** guest.net is by far the bulkiest value (full NIC, DNS and routing state); only its IPs are kept. */
export function compactGuestNet(net: XValue): string[] {
  const ips: string[] = [];
  for (const nic of asArray(net)) {
    for (const ip of asArray(field(obj(nic), 'ipAddress'))) if (typeof ip === 'string' && ip) ips.push(ip);
  }
  return ips;
}

function joinNames(names: (string | null)[]): string | null {
  const list = names.filter((n): n is string => n !== null).sort();
  return list.length > 0 ? list.join(', ') : null;
}
