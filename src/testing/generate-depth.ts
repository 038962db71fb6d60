/**
 * The RVTools-depth part of a generated inventory (generate-inventory.ts): VM disks, NICs,
 * partitions, custom attributes, firmware, reservations and hot-add; host hardware identity and
 * networking; cluster HA/DRS/EVC/vSAN; datastore versions; dvSwitches and port group policies;
 * tag categories and tags. Drawn from a random stream of its own, so adding it changed none of
 * the values the base generator produced before.
 */
import type { Inventory, InventoryRow, TagSet } from '../shared/inventory.js';

export interface DepthRng {
  float(): number;
  int(n: number): number;
  range(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(xs: readonly T[]): T;
}

const GIB = 1024 ** 3;
const DAY = 86_400_000;
const iso = (t: number): string => new Date(t).toISOString();

export interface VmDepthInput {
  moid: string;
  name: string;
  windows: boolean;
  template: boolean;
  on: boolean;
  toolsRunning: boolean;
  hwVersion: string;
  datastore: string | null;
  disks: { gb: number; thin: boolean }[];
  networks: { name: string; switch: string | null }[];
  ips: string[];
  team: string;
  now: number;
  /** Force the number of disks and NICs (benchmarks: "2 disks and 2 NICs each"). */
  devices?: { disks: number; nics: number };
}

/** The VM fields this module fills (the base generator fills the rest). */
type RvtVmFields = Pick<
  InventoryRow<'vms'>,
  | 'createdAt'
  | 'firmware'
  | 'secureBoot'
  | 'cpuReservationMhz'
  | 'cpuLimitMhz'
  | 'cpuShares'
  | 'cpuSharesLevel'
  | 'memoryReservationMb'
  | 'memoryLimitMb'
  | 'memoryShares'
  | 'memorySharesLevel'
  | 'cpuHotAdd'
  | 'memoryHotAdd'
  | 'resourcePoolPath'
  | 'vapp'
  | 'consolidationNeeded'
  | 'vmPathName'
  | 'diskCount'
  | 'nicCount'
  | 'diskCapacityBytes'
  | 'numMonitors'
  | 'videoRamKb'
>;

export interface VmDepth {
  fields: RvtVmFields;
  disks: InventoryRow<'disks'>[];
  nics: InventoryRow<'nics'>[];
  partitions: InventoryRow<'partitions'>[];
  customValues: InventoryRow<'vmCustomValues'>[];
}

/** Custom attribute fields every generated vCenter defines (keys as a CustomFieldsManager numbers them). */
export const CUSTOM_FIELDS = [
  { key: 201, name: 'owner' },
  { key: 202, name: 'cost-center' },
  { key: 203, name: 'backup-policy' },
] as const;

const OWNERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];

export function vmDepth(rng: DepthRng, v: VmDepthInput): VmDepth {
  const efi = v.windows ? rng.chance(0.8) : rng.chance(0.35);
  const path = v.datastore ? `[${v.datastore}] ${v.name}/${v.name}.vmx` : null;
  const diskPlan =
    v.devices === undefined
      ? v.disks
      : Array.from({ length: v.devices.disks }, (_, i) => v.disks[i] ?? { gb: 100, thin: rng.chance(0.7) });
  const netPlan =
    v.devices === undefined
      ? v.networks
      : Array.from(
          { length: v.devices.nics },
          (_, i) => v.networks[i % Math.max(1, v.networks.length)] ?? null,
        ).map((n) => n ?? { name: 'VM Network', switch: null });
  const ctrlType = v.windows ? 'lsilogic-sas' : 'pvscsi';
  const disks: InventoryRow<'disks'>[] = diskPlan.map((d, i) => {
    const key = 2000 + i;
    const eager = !d.thin && rng.chance(0.2);
    const file = v.datastore ? `[${v.datastore}] ${v.name}/${v.name}${i > 0 ? `_${i}` : ''}.vmdk` : null;
    return {
      moid: `${v.moid}/${key}`,
      vmMoid: v.moid,
      vm: v.name,
      name: `Hard disk ${i + 1}`,
      deviceKey: key,
      capacityBytes: d.gb * GIB,
      provisioning: d.thin ? 'thin' : eager ? 'thick eager' : 'thick lazy',
      thin: d.thin,
      eagerlyScrub: eager,
      datastore: v.datastore,
      fileName: file,
      controller: 'SCSI controller 0',
      controllerType: ctrlType,
      busNumber: 0,
      unitNumber: i,
      diskMode: 'persistent',
      sharing: 'sharingNone',
      split: false,
      writeThrough: false,
      raw: false,
      uuid: `6000c29${String(key)}-${v.moid}`,
      sharesLevel: 'normal',
      shares: 1000,
      reservation: 0,
      limit: -1,
    };
  });
  const nics: InventoryRow<'nics'>[] = netPlan.map((n, i) => {
    const key = 4000 + i;
    const ip = v.ips[i] ?? null;
    return {
      moid: `${v.moid}/${key}`,
      vmMoid: v.moid,
      vm: v.name,
      name: `Network adapter ${i + 1}`,
      deviceKey: key,
      adapterType: v.windows && rng.chance(0.3) ? 'e1000e' : 'vmxnet3',
      network: n.name,
      switch: n.switch,
      macAddress: `00:50:56:${hex(rng.int(256))}:${hex(rng.int(256))}:${hex(rng.int(256))}`,
      addressType: 'assigned',
      connected: v.on,
      startConnected: true,
      ipv4: ip,
      ipv6: null,
    };
  });
  const partitions: InventoryRow<'partitions'>[] = [];
  if (v.toolsRunning) {
    const paths = v.windows ? ['C:\\', 'D:\\', 'E:\\'] : ['/', '/var', '/data'];
    diskPlan.forEach((d, i) => {
      const capacity = Math.round(d.gb * GIB * 0.98);
      // ~8 % of partitions are over 90 % full.
      const usedShare = rng.chance(0.08) ? 0.905 + rng.float() * 0.09 : 0.1 + rng.float() * 0.7;
      const free = Math.round(capacity * (1 - usedShare));
      const freePercent = Math.round((free / capacity) * 1000) / 10;
      const p = paths[i] ?? `/data${i}`;
      partitions.push({
        moid: `${v.moid}/${p}`,
        vmMoid: v.moid,
        vm: v.name,
        name: p,
        capacityBytes: capacity,
        freeBytes: free,
        freePercent,
        usedPercent: Math.round((100 - freePercent) * 10) / 10,
        diskKey: disks[i]?.deviceKey ?? null,
      });
    });
  }
  const customValues: InventoryRow<'vmCustomValues'>[] = [];
  if (!v.template && rng.chance(0.6))
    customValues.push({ ownerMoid: v.moid, key: 201, name: 'owner', value: rng.pick(OWNERS) });
  if (!v.template && rng.chance(0.4))
    customValues.push({
      ownerMoid: v.moid,
      key: 202,
      name: 'cost-center',
      value: `CC-${v.team.toUpperCase()}`,
    });
  const reserved = rng.chance(0.1);
  return {
    fields: {
      createdAt: v.template || rng.chance(0.97) ? iso(v.now - rng.range(1, 1500) * DAY - rng.int(DAY)) : null,
      firmware: efi ? 'efi' : 'bios',
      secureBoot: efi ? rng.chance(0.6) : false,
      cpuReservationMhz: reserved ? rng.pick([500, 1000, 2000]) : 0,
      cpuLimitMhz: rng.chance(0.03) ? rng.pick([2000, 4000]) : -1,
      cpuShares: 1000,
      cpuSharesLevel: 'normal',
      memoryReservationMb: reserved ? rng.pick([1024, 2048, 4096]) : 0,
      memoryLimitMb: -1,
      memoryShares: 20480,
      memorySharesLevel: 'normal',
      cpuHotAdd: rng.chance(0.3),
      memoryHotAdd: rng.chance(0.3),
      resourcePoolPath: v.template ? null : '/Resources',
      vapp: null,
      consolidationNeeded: rng.chance(0.01),
      vmPathName: path,
      diskCount: disks.length,
      nicCount: nics.length,
      diskCapacityBytes: disks.reduce((n, d) => n + (d.capacityBytes ?? 0), 0),
      numMonitors: 1,
      videoRamKb: 4096,
    },
    disks,
    nics,
    partitions,
    customValues,
  };
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export function hostDepth(
  rng: DepthRng,
  moid: string,
  vendor: string,
  vmk: string,
  switchName: string | null,
): {
  fields: Pick<
    InventoryRow<'hosts'>,
    | 'serialNumber'
    | 'serviceTag'
    | 'uuid'
    | 'biosVendor'
    | 'biosVersion'
    | 'biosDate'
    | 'nicCount'
    | 'vmkernelIps'
  >;
  nics: Inventory['hostNics'];
  vmkernels: Inventory['hostVmkernels'];
  vswitches: Inventory['hostVswitches'];
} {
  const serial = `${vendor.slice(0, 2).toUpperCase()}${rng.range(100000, 999999)}`;
  const n = rng.pick([2, 4]);
  const nics = Array.from({ length: n }, (_, i) => ({
    hostMoid: moid,
    device: `vmnic${i}`,
    driver: rng.pick(['i40en', 'ixgben', 'bnxtnet', 'nmlx5_core']),
    speedMb: rng.pick([10000, 25000]),
    duplex: true,
    mac: `3c:fd:fe:${hex(rng.int(256))}:${hex(rng.int(256))}:${hex(i)}`,
    pci: `0000:${hex(0x18 + i)}:00.0`,
    switch: i < 2 ? 'vSwitch0' : switchName,
    wakeOnLan: false,
  }));
  return {
    fields: {
      serialNumber: serial,
      serviceTag: serial,
      uuid: `4c4c4544-${rng.range(1000, 9999)}-${moid}`,
      biosVendor: vendor,
      biosVersion: `${rng.range(1, 3)}.${rng.range(0, 19)}.${rng.range(0, 9)}`,
      biosDate: iso(Date.UTC(2021 + rng.int(4), rng.int(12), 1 + rng.int(28))),
      nicCount: n,
      vmkernelIps: vmk,
    },
    nics,
    vmkernels: [
      {
        hostMoid: moid,
        device: 'vmk0',
        portgroup: 'Management Network',
        mac: nics[0]!.mac,
        dhcp: false,
        ip: vmk,
        subnetMask: '255.255.255.0',
        ipv6: null,
        mtu: 1500,
      },
    ],
    vswitches: [
      {
        hostMoid: moid,
        name: 'vSwitch0',
        numPorts: 2560,
        freePorts: 2548,
        mtu: 1500,
        uplinks: 'vmnic0, vmnic1',
        allowPromiscuous: false,
        macChanges: false,
        forgedTransmits: false,
        shaping: false,
        shapingAverage: null,
        shapingPeak: null,
        shapingBurst: null,
        teamingPolicy: 'loadbalance_srcid',
        reversePolicy: true,
        notifySwitches: true,
        rollingOrder: false,
        offload: true,
        tso: true,
        zeroCopyXmit: true,
      },
    ],
  };
}

export function clusterDepth(
  rng: DepthRng,
  haEnabled: boolean | null,
): Pick<
  InventoryRow<'clusters'>,
  | 'haAdmissionControl'
  | 'haFailoverLevel'
  | 'haHostMonitoring'
  | 'haVmMonitoring'
  | 'haRestartPriority'
  | 'haIsolationResponse'
  | 'drsVmotionRate'
  | 'evcMode'
  | 'vsanEnabled'
> {
  return {
    haAdmissionControl: haEnabled ? rng.chance(0.8) : false,
    haFailoverLevel: 1,
    haHostMonitoring: haEnabled ? 'enabled' : 'disabled',
    haVmMonitoring: 'vmMonitoringDisabled',
    haRestartPriority: 'medium',
    haIsolationResponse: 'none',
    drsVmotionRate: 3,
    evcMode: rng.chance(0.5) ? rng.pick(['intel-cascadelake', 'intel-icelake', 'amd-zen3']) : null,
    vsanEnabled: rng.chance(0.15),
  };
}

export function datastoreDepth(
  rng: DepthRng,
  type: string | null,
  name: string,
): Pick<
  InventoryRow<'datastores'>,
  'version' | 'multipleHostAccess' | 'address' | 'blockSizeMb' | 'extentCount' | 'vmfsUpgradable'
> {
  const nfs = type === 'NFS';
  return {
    version: nfs ? 'NFS' : rng.pick(['6.82', '6.81']),
    multipleHostAccess: true,
    address: nfs ? `nas01.corp.example:/vol/${name}` : `naa.600a0980${rng.range(10000000, 99999999)}`,
    blockSizeMb: nfs ? null : 1,
    extentCount: nfs ? null : 1,
    vmfsUpgradable: nfs ? null : false,
  };
}

export const NO_PORTGROUP_DEPTH: Omit<
  InventoryRow<'networks'>,
  'moid' | 'name' | 'datacenter' | 'type' | 'vlanId' | 'vmCount'
> = {
  switch: null,
  uplink: null,
  numPorts: null,
  portBinding: null,
  activeUplinks: null,
  standbyUplinks: null,
  allowPromiscuous: null,
  macChanges: null,
  forgedTransmits: null,
  teamingPolicy: null,
  key: null,
};

export function portgroupDepth(moid: string, dvs: string, uplink: boolean): typeof NO_PORTGROUP_DEPTH {
  return {
    switch: dvs,
    uplink,
    numPorts: uplink ? 8 : 128,
    portBinding: 'earlyBinding',
    activeUplinks: uplink ? null : 'Uplink 1, Uplink 2',
    standbyUplinks: null,
    allowPromiscuous: false,
    macChanges: false,
    forgedTransmits: false,
    teamingPolicy: 'loadbalance_srcid',
    key: moid,
  };
}

export function dvSwitch(
  moid: string,
  name: string,
  datacenter: string,
  hosts: number,
  vms: number,
  now: number,
): InventoryRow<'dvSwitches'> {
  return {
    moid,
    name,
    datacenter,
    vendor: 'VMware, Inc.',
    version: '8.0.0',
    description: null,
    createdAt: iso(now - 900 * DAY),
    hostCount: hosts,
    maxPorts: 2147483647,
    numPorts: 512,
    vmCount: vms,
    maxMtu: 9000,
    cdpType: 'cdp',
    cdpOperation: 'listen',
    contact: null,
    adminName: null,
    uplinks: 'Uplink 1, Uplink 2',
    uuid: `50 2a ${moid}`,
  };
}

/** Tag categories and tags, attached to some VMs and hosts (as a vCenter's tagging API lists them). */
export function tagSet(
  rng: DepthRng,
  vms: { moid: string; template: boolean; env: string }[],
  hosts: string[],
): TagSet {
  const categories = [
    {
      id: 'urn:vmomi:InventoryServiceCategory:backup:GLOBAL',
      name: 'backup',
      description: 'Backup tier',
      cardinality: 'SINGLE',
    },
    {
      id: 'urn:vmomi:InventoryServiceCategory:env:GLOBAL',
      name: 'environment',
      description: null,
      cardinality: 'SINGLE',
    },
    {
      id: 'urn:vmomi:InventoryServiceCategory:rack:GLOBAL',
      name: 'rack',
      description: null,
      cardinality: 'SINGLE',
    },
  ];
  const tag = (cat: number, name: string): TagSet['tags'][number] => ({
    id: `urn:vmomi:InventoryServiceTag:${categories[cat]!.name}-${name}:GLOBAL`,
    categoryId: categories[cat]!.id,
    name,
    description: null,
  });
  const backup = ['gold', 'silver', 'bronze'].map((n) => tag(0, n));
  const envs = ['production', 'development', 'test'].map((n) => tag(1, n));
  const racks = ['r01', 'r02', 'r03', 'r04'].map((n) => tag(2, n));
  const attachments: TagSet['attachments'] = [];
  for (const v of vms) {
    if (v.template) continue;
    if (rng.chance(0.6)) attachments.push(['VirtualMachine', v.moid, rng.pick(backup).id]);
    if (rng.chance(0.5))
      attachments.push(['VirtualMachine', v.moid, (v.env === 'prd' ? envs[0]! : rng.pick(envs)).id]);
  }
  for (const h of hosts) attachments.push(['HostSystem', h, rng.pick(racks).id]);
  return { categories, tags: [...backup, ...envs, ...racks], attachments };
}

/** A VM row's depth fields all unknown (test rows written by hand). */
export const NO_VM_DEPTH: RvtVmFields = {
  createdAt: null,
  firmware: null,
  secureBoot: null,
  cpuReservationMhz: null,
  cpuLimitMhz: null,
  cpuShares: null,
  cpuSharesLevel: null,
  memoryReservationMb: null,
  memoryLimitMb: null,
  memoryShares: null,
  memorySharesLevel: null,
  cpuHotAdd: null,
  memoryHotAdd: null,
  resourcePoolPath: null,
  vapp: null,
  consolidationNeeded: null,
  vmPathName: null,
  diskCount: null,
  nicCount: null,
  diskCapacityBytes: null,
  numMonitors: null,
  videoRamKb: null,
};
