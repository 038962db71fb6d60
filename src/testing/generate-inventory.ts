/**
 * Deterministic, realistic vCenter inventories without a vCenter: for UI work, benchmarks and
 * tests that need a big cache. Same options (seed included) → identical output. The shapes and
 * values mirror what `InventoryMapper` produces from a real vCenter (names resolved, ISO dates,
 * vSphere's own state values), and the naming mirrors the seeded simulator (e2e/vcsim/README.md).
 *
 * `populateCache` writes generated inventories through the same `VcenterRepo` / `InventoryStore`
 * a sync uses, so the result is indistinguishable from a synced cache.
 */
import { mulberry32 } from './random.js';
import type Database from 'better-sqlite3';
import { emptyInventory, type Inventory } from '../shared/inventory.js';
import type { Db } from '../main/engine/db/database.js';
import { refreshPlannerStats } from '../main/engine/db/planner-stats.js';
import { InventoryStore, countsOf } from '../main/engine/db/inventory-store.js';
import { VcenterRepo } from '../main/engine/db/vcenter-repo.js';
import {
  clusterDepth,
  datastoreDepth,
  dvSwitch,
  hostDepth,
  NO_PORTGROUP_DEPTH,
  portgroupDepth,
  tagSet,
  vmDepth,
} from './generate-depth.js';

type VmOut = Inventory['vms'][number];
type HostOut = Inventory['hosts'][number];
type DatastoreOut = Inventory['datastores'][number];
type ClusterOut = Inventory['clusters'][number];
type NetworkOut = Inventory['networks'][number];

// ---------------------------------------------------------------------------------------------
// PRNG

export { mulberry32 };

/** Mixes two integers into one well-spread 32-bit seed. */
function mix(a: number, b: number): number {
  let h = Math.imul((a >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((b >>> 0) + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  h ^= h >>> 16;
  return h >>> 0;
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of xs) total += w;
    let x = this.next() * total;
    for (const [v, w] of xs) {
      x -= w;
      if (x < 0) return v;
    }
    return xs[xs.length - 1]![0];
  }
  /** A picker over fixed weights: O(log n) per pick, for thousands of choices. */
  picker<T>(xs: readonly (readonly [T, number])[]): () => T {
    const cum: number[] = [];
    let total = 0;
    for (const [, w] of xs) cum.push((total += w));
    return () => {
      const x = this.next() * total;
      let lo = 0;
      let hi = cum.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid]! > x) hi = mid;
        else lo = mid + 1;
      }
      return xs[lo]![0];
    };
  }
  uuid(): string {
    const hex = (n: number): string => {
      let s = '';
      for (let i = 0; i < n; i++) s += this.int(16).toString(16);
      return s;
    };
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[this.int(4)]}${hex(3)}-${hex(12)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary (mirrors e2e/vcsim/diversify.go)

interface GuestOs {
  id: string;
  fullName: string;
  windows: boolean;
  short: string;
}

const OS = {
  win2016: {
    id: 'windows9Server64Guest',
    fullName: 'Microsoft Windows Server 2016 or later (64-bit)',
    windows: true,
    short: 'win2016',
  },
  win2019: {
    id: 'windows2019srv_64Guest',
    fullName: 'Microsoft Windows Server 2019 (64-bit)',
    windows: true,
    short: 'win2019',
  },
  win2022: {
    id: 'windows2019srvNext_64Guest',
    fullName: 'Microsoft Windows Server 2022 (64-bit)',
    windows: true,
    short: 'win2022',
  },
  ubuntu: { id: 'ubuntu64Guest', fullName: 'Ubuntu Linux (64-bit)', windows: false, short: 'ubuntu' },
  rhel8: {
    id: 'rhel8_64Guest',
    fullName: 'Red Hat Enterprise Linux 8 (64-bit)',
    windows: false,
    short: 'rhel8',
  },
  rhel9: {
    id: 'rhel9_64Guest',
    fullName: 'Red Hat Enterprise Linux 9 (64-bit)',
    windows: false,
    short: 'rhel9',
  },
  sles15: {
    id: 'sles15_64Guest',
    fullName: 'SUSE Linux Enterprise 15 (64-bit)',
    windows: false,
    short: 'sles15',
  },
  centos7: { id: 'centos7_64Guest', fullName: 'CentOS 7 (64-bit)', windows: false, short: 'centos7' },
  photon: {
    id: 'vmwarePhoton64Guest',
    fullName: 'VMware Photon OS (64-bit)',
    windows: false,
    short: 'photon',
  },
  debian: {
    id: 'debian11_64Guest',
    fullName: 'Debian GNU/Linux 11 (64-bit)',
    windows: false,
    short: 'debian11',
  },
} as const satisfies Record<string, GuestOs>;

const ALL_OS: GuestOs[] = Object.values(OS);

interface Role {
  name: string;
  weight: number;
  os: GuestOs[];
  cpus: (readonly [number, number])[];
  memMb: (readonly [number, number])[];
  dataGb: number[];
}

const ROLES: Role[] = [
  {
    name: 'web',
    weight: 14,
    os: [OS.ubuntu, OS.ubuntu, OS.rhel8, OS.centos7, OS.debian, OS.rhel9],
    cpus: [
      [1, 2],
      [2, 5],
      [4, 3],
    ],
    memMb: [
      [2048, 3],
      [4096, 5],
      [8192, 2],
    ],
    dataGb: [20, 50],
  },
  {
    name: 'app',
    weight: 16,
    os: [OS.ubuntu, OS.rhel8, OS.rhel9, OS.sles15, OS.win2019, OS.win2016],
    cpus: [
      [2, 3],
      [4, 5],
      [8, 2],
    ],
    memMb: [
      [4096, 3],
      [8192, 5],
      [16384, 3],
    ],
    dataGb: [50, 100, 200],
  },
  {
    name: 'sql',
    weight: 6,
    os: [OS.win2016, OS.win2019, OS.win2022, OS.win2019],
    cpus: [
      [4, 3],
      [8, 4],
      [16, 2],
      [32, 1],
    ],
    memMb: [
      [16384, 3],
      [32768, 4],
      [65536, 3],
      [131072, 2],
      [262144, 1],
    ],
    dataGb: [200, 500, 1000, 2000],
  },
  {
    name: 'db',
    weight: 5,
    os: [OS.rhel8, OS.rhel9, OS.sles15, OS.ubuntu],
    cpus: [
      [4, 3],
      [8, 4],
      [16, 2],
      [32, 1],
    ],
    memMb: [
      [16384, 3],
      [32768, 4],
      [65536, 3],
      [131072, 1],
    ],
    dataGb: [250, 500, 1000],
  },
  {
    name: 'dc',
    weight: 3,
    os: [OS.win2016, OS.win2019, OS.win2022],
    cpus: [
      [2, 4],
      [4, 1],
    ],
    memMb: [
      [4096, 2],
      [8192, 3],
    ],
    dataGb: [],
  },
  {
    name: 'file',
    weight: 3,
    os: [OS.win2016, OS.win2019, OS.win2022],
    cpus: [
      [2, 2],
      [4, 1],
    ],
    memMb: [
      [4096, 1],
      [8192, 2],
    ],
    dataGb: [1000, 2000],
  },
  {
    name: 'k8s',
    weight: 10,
    os: [OS.ubuntu, OS.photon, OS.photon, OS.ubuntu],
    cpus: [
      [4, 3],
      [8, 4],
      [16, 2],
    ],
    memMb: [
      [16384, 3],
      [32768, 4],
      [65536, 2],
    ],
    dataGb: [100],
  },
  {
    name: 'cache',
    weight: 4,
    os: [OS.ubuntu, OS.rhel8, OS.debian],
    cpus: [
      [2, 2],
      [4, 2],
    ],
    memMb: [
      [8192, 2],
      [16384, 3],
      [32768, 1],
    ],
    dataGb: [],
  },
  {
    name: 'mq',
    weight: 3,
    os: [OS.ubuntu, OS.rhel8, OS.sles15],
    cpus: [
      [2, 2],
      [4, 2],
    ],
    memMb: [
      [4096, 2],
      [8192, 2],
    ],
    dataGb: [100],
  },
  {
    name: 'proxy',
    weight: 3,
    os: [OS.ubuntu, OS.centos7, OS.debian],
    cpus: [
      [1, 2],
      [2, 2],
    ],
    memMb: [
      [1024, 1],
      [2048, 2],
    ],
    dataGb: [],
  },
  {
    name: 'mon',
    weight: 3,
    os: [OS.ubuntu, OS.rhel8, OS.photon],
    cpus: [
      [2, 2],
      [4, 2],
    ],
    memMb: [
      [8192, 2],
      [16384, 2],
    ],
    dataGb: [200, 500],
  },
  {
    name: 'log',
    weight: 3,
    os: [OS.ubuntu, OS.rhel8, OS.sles15],
    cpus: [
      [4, 2],
      [8, 2],
    ],
    memMb: [
      [16384, 2],
      [32768, 2],
    ],
    dataGb: [500, 1000],
  },
  {
    name: 'ci',
    weight: 3,
    os: [OS.ubuntu, OS.centos7, OS.photon],
    cpus: [
      [4, 2],
      [8, 2],
    ],
    memMb: [
      [8192, 2],
      [16384, 2],
    ],
    dataGb: [100, 200],
  },
  {
    name: 'jump',
    weight: 2,
    os: [OS.win2016, OS.win2019, OS.ubuntu],
    cpus: [
      [1, 1],
      [2, 2],
    ],
    memMb: [
      [2048, 1],
      [4096, 2],
    ],
    dataGb: [],
  },
  {
    name: 'rds',
    weight: 3,
    os: [OS.win2016, OS.win2019, OS.win2022],
    cpus: [
      [4, 2],
      [8, 2],
    ],
    memMb: [
      [16384, 2],
      [32768, 2],
    ],
    dataGb: [100],
  },
  {
    name: 'bkp',
    weight: 2,
    os: [OS.win2016, OS.rhel8, OS.sles15],
    cpus: [
      [2, 1],
      [4, 2],
    ],
    memMb: [
      [8192, 2],
      [16384, 2],
    ],
    dataGb: [2000],
  },
];
const ROLE_WEIGHTS = ROLES.map((r) => [r, r.weight] as const);

const ENVS = [
  ['prd', 45],
  ['dev', 20],
  ['tst', 15],
  ['stg', 10],
  ['uat', 10],
] as const;
const ENV_FOLDER: Record<string, string> = {
  prd: 'Production',
  dev: 'Development',
  tst: 'Test',
  stg: 'Staging',
  uat: 'UAT',
};
/** The environment a cluster mostly runs, by cluster name. */
const CLUSTER_ENV: Record<string, string> = {
  Dev: 'dev',
  Test: 'tst',
  Staging: 'stg',
  UAT: 'uat',
  Lab: 'dev',
};

const CLUSTER_NAMES = [
  'Prod-A',
  'Prod-B',
  'Dev',
  'Test',
  'DMZ',
  'Mgmt',
  'Prod-C',
  'Staging',
  'VDI',
  'Edge',
  'UAT',
  'Lab',
  'Backup',
  'Prod-D',
  'Batch',
  'Analytics',
];

/** Site codes and their cities; vCenter i lives at SITES[i % SITES.length]. */
export const SITES: readonly (readonly [code: string, city: string])[] = [
  ['ams', 'Amsterdam'],
  ['fra', 'Frankfurt'],
  ['lon', 'London'],
  ['par', 'Paris'],
  ['dub', 'Dublin'],
  ['mad', 'Madrid'],
  ['mil', 'Milan'],
  ['sto', 'Stockholm'],
  ['zrh', 'Zurich'],
  ['vie', 'Vienna'],
  ['waw', 'Warsaw'],
  ['prg', 'Prague'],
  ['nyc', 'NewYork'],
  ['chi', 'Chicago'],
  ['dal', 'Dallas'],
  ['sea', 'Seattle'],
  ['yyz', 'Toronto'],
  ['sin', 'Singapore'],
  ['tyo', 'Tokyo'],
  ['syd', 'Sydney'],
];

interface HostProfile {
  vendor: string;
  model: string;
  cpuModel: string;
  sockets: number;
  cores: number;
  threads: number;
  mhz: number;
  memGb: number;
}

const HOST_PROFILES: HostProfile[] = [
  {
    vendor: 'Dell Inc.',
    model: 'PowerEdge R740',
    cpuModel: 'Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz',
    sockets: 2,
    cores: 48,
    threads: 96,
    mhz: 2993,
    memGb: 768,
  },
  {
    vendor: 'Dell Inc.',
    model: 'PowerEdge R650',
    cpuModel: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
    sockets: 2,
    cores: 64,
    threads: 128,
    mhz: 1995,
    memGb: 1024,
  },
  {
    vendor: 'HPE',
    model: 'ProLiant DL380 Gen10',
    cpuModel: 'Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz',
    sockets: 2,
    cores: 40,
    threads: 80,
    mhz: 2095,
    memGb: 512,
  },
  {
    vendor: 'HPE',
    model: 'ProLiant DL360 Gen10 Plus',
    cpuModel: 'Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz',
    sockets: 2,
    cores: 32,
    threads: 64,
    mhz: 2394,
    memGb: 384,
  },
  {
    vendor: 'Lenovo',
    model: 'ThinkSystem SR650',
    cpuModel: 'Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz',
    sockets: 2,
    cores: 32,
    threads: 64,
    mhz: 2294,
    memGb: 256,
  },
  {
    vendor: 'Cisco Systems Inc',
    model: 'UCSC-C220-M5SX',
    cpuModel: 'Intel(R) Xeon(R) Gold 6132 CPU @ 2.60GHz',
    sockets: 2,
    cores: 28,
    threads: 56,
    mhz: 2594,
    memGb: 512,
  },
  {
    vendor: 'Supermicro',
    model: 'SYS-2029U-TR4',
    cpuModel: 'AMD EPYC 7543 32-Core Processor',
    sockets: 2,
    cores: 64,
    threads: 128,
    mhz: 2794,
    memGb: 1024,
  },
  {
    vendor: 'Dell Inc.',
    model: 'PowerEdge R640',
    cpuModel: 'Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz',
    sockets: 2,
    cores: 36,
    threads: 72,
    mhz: 2294,
    memGb: 384,
  },
];

const ESXI_VERSIONS = [
  ['7.0.3', '21930508'],
  ['8.0.2', '22380479'],
  ['7.0.3', '20328353'],
  ['8.0.1', '21495797'],
  ['8.0.3', '24022510'],
] as const;

const TEAMS = ['payments', 'web', 'data', 'infra', 'sre', 'erp', 'crm', 'hr', 'ops', 'platform'];
const ANNOTATIONS: ((team: string, n: number) => string)[] = [
  (t, n) => `Owner: team-${t}\nTicket: CHG-${String(n).padStart(5, '0')}`,
  (t, n) => `Managed by Terraform (workspace ${t}-${n})`,
  (t, n) => `Do not power off - legacy application (${t}, contact x${n})`,
  (t, n) => `Backup: daily 02:00, retention 30d\nOwner: ${t}-ops #${n}`,
  (t, n) => `Migrated from old cluster ${t} in batch ${n}`,
  (t, n) => `Patch group ${t}-${n}`,
];
const SNAPSHOT_NAMES = [
  'before-patch',
  'pre-upgrade',
  'baseline',
  'before-app-deploy',
  'VEEAM BACKUP TEMPORARY SNAPSHOT',
  'clean-install',
  'pre-change CHG',
  'before-kernel-update',
  'golden',
  'test',
];
const NET_PURPOSES = [
  'Prod-Web',
  'Prod-App',
  'Prod-DB',
  'Dev',
  'Test',
  'DMZ',
  'Mgmt',
  'Backup',
  'Storage',
  'VDI',
];
const DS_KINDS = [
  ['ds-ssd', 'VMFS'],
  ['ds-nvme', 'VMFS'],
  ['ds-sas', 'VMFS'],
  ['nfs-vol', 'NFS'],
] as const;
const HW_VERSIONS = [
  ['vmx-13', 1],
  ['vmx-14', 2],
  ['vmx-15', 2],
  ['vmx-17', 3],
  ['vmx-19', 4],
  ['vmx-20', 3],
  ['vmx-21', 2],
] as const;

const GIB = 1024 ** 3;
const TIB = 1024 ** 4;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------

export interface GenerateOptions {
  seed: number;
  /** Position of the vCenter in the generated estate: picks its site and keeps IPs unique. */
  vcenterIndex: number;
  vms: number;
  hosts: number;
  datastores: number;
  clusters?: number;
  datacenters?: number;
  /** Prefix of VM, template and cluster names and of the host domain; default from the site. */
  namePrefix?: string;
  /** Reference time for boot and snapshot times (ms); default: the start of the current UTC day. */
  now?: number;
  /** Every VM gets exactly this many disks and NICs (default: the usual mix). */
  devices?: { disks: number; nics: number };
}

/** The site of vCenter `index`: code, city and the vCenter's number at that site. */
export function siteOf(index: number): { code: string; city: string; number: number } {
  const [code, city] = SITES[index % SITES.length]!;
  return { code, city, number: Math.floor(index / SITES.length) + 1 };
}

export const vcenterNameOf = (index: number): string => {
  const s = siteOf(index);
  return `vc-${s.code}-${String(s.number).padStart(2, '0')}`;
};

/** Default name prefix of vCenter `index`: `ams01` for vc-ams-01. */
export const namePrefixOf = (index: number): string => {
  const s = siteOf(index);
  return `${s.code}${String(s.number).padStart(2, '0')}`;
};

export const startOfUtcDay = (t = Date.now()): number => Math.floor(t / DAY) * DAY;

/** Splits `total` into `parts` integers (each ≥ `min` when possible) with seeded variation. */
function split(rng: Rng, total: number, parts: number, min: number, spread = 0.5): number[] {
  if (parts <= 0) return [];
  const floor = total >= parts * min ? min : 0;
  const rest = total - floor * parts;
  const weights = Array.from({ length: parts }, () => 1 - spread + rng.float() * 2 * spread);
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (w / sum) * rest);
  const out = raw.map((x) => Math.floor(x));
  let left = rest - out.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % parts, left--) out[order[k]![1]]! += 1;
  return out.map((x) => x + floor);
}

const iso = (t: number): string => new Date(t).toISOString();
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

interface HostPlan {
  row: HostOut;
  dc: number;
  cluster: number | null;
  /** Can receive VMs: connected and not in maintenance mode. */
  placeable: boolean;
  /** Placement weight: bigger hosts take more VMs. */
  weight: number;
}

interface DcPlan {
  name: string;
  moid: string;
  clusters: number[];
  hosts: number[];
  datastores: number[];
  /** Datastores that receive VMs (the ISO stores stay empty). */
  vmDatastores: number[];
  portgroups: number[];
  vmNetwork: number;
  vmCount: number;
}

/** One vCenter's realistic inventory; same options → deep-equal output. */
export function generateInventory(opts: GenerateOptions): Inventory {
  const rng = new Rng(mix(opts.seed, opts.vcenterIndex));
  // The RVTools-depth values come from a stream of their own: the base values stay what they were.
  const deep = new Rng(mix(opts.seed ^ 0x0de9, opts.vcenterIndex + 7919));
  const now = opts.now ?? startOfUtcDay();
  const site = siteOf(opts.vcenterIndex);
  const prefix = opts.namePrefix ?? namePrefixOf(opts.vcenterIndex);
  const domain = `${prefix.toLowerCase()}.corp.example`;
  const nVms = Math.max(0, Math.floor(opts.vms));
  const nHosts = Math.max(0, Math.floor(opts.hosts));
  const nDs = Math.max(0, Math.floor(opts.datastores));
  const nDcs = Math.max(1, Math.floor(opts.datacenters ?? (nHosts >= 40 ? 2 : 1)));
  // About 8 hosts a cluster, leaving one standalone host per datacenter when there are enough.
  const nClusters = Math.min(
    Math.max(0, Math.floor(opts.clusters ?? Math.max(1, Math.round(nHosts / 8)))),
    nHosts,
  );

  let moidSeq = 1000 + rng.int(2000);
  const nextId = (): number => (moidSeq += 1 + (rng.chance(0.1) ? rng.int(5) : 0));

  const inv: Inventory = emptyInventory();

  // Datacenters
  const dcs: DcPlan[] = [];
  const dcSuffix = ['', '-DR'];
  for (let d = 0; d < nDcs; d++) {
    dcs.push({
      name: `${site.city}${dcSuffix[d] ?? `-${d + 1}`}`,
      moid: `datacenter-${nextId()}`,
      clusters: [],
      hosts: [],
      datastores: [],
      vmDatastores: [],
      portgroups: [],
      vmNetwork: -1,
      vmCount: 0,
    });
  }
  const dcAt = (i: number): DcPlan => dcs[i]!;

  // Clusters, spread over datacenters round robin
  const clusterPlans: { row: ClusterOut; dc: number; hosts: number[] }[] = [];
  const clusterNameUse = new Map<string, number>();
  for (let c = 0; c < nClusters; c++) {
    const dc = c % nDcs;
    const base = CLUSTER_NAMES[c % CLUSTER_NAMES.length]!;
    const used = (clusterNameUse.get(base) ?? 0) + 1;
    clusterNameUse.set(base, used);
    const name = `${prefix}-${base}${used > 1 ? `-${used}` : ''}`;
    const drsEnabled = rng.chance(0.8);
    const row: ClusterOut = {
      moid: `domain-c${nextId()}`,
      name,
      datacenter: dcAt(dc).name,
      drsEnabled,
      drsBehavior: drsEnabled
        ? rng.weighted([
            ['fullyAutomated', 6],
            ['partiallyAutomated', 2],
            ['manual', 1],
          ] as const)
        : null,
      haEnabled: rng.chance(0.7),
      hostCount: 0,
      effectiveHostCount: 0,
      vmCount: 0,
      totalCpuMhz: 0,
      totalCpuCores: 0,
      totalMemoryBytes: 0,
      overallStatus: 'green',
      ...clusterDepth(deep, null),
    };
    Object.assign(row, clusterDepth(deep, row.haEnabled));
    clusterPlans.push({ row, dc, hosts: [] });
    dcAt(dc).clusters.push(c);
  }

  // Hosts: one standalone per datacenter when hosts ≥ 2 × clusters + datacenters, the rest in clusters.
  const standalonePerDc = nClusters === 0 ? -1 : nHosts >= 2 * nClusters + nDcs ? 1 : 0;
  const hostPlans: HostPlan[] = [];
  const clusterOfHost: (number | null)[] = [];
  if (standalonePerDc === -1) {
    for (let h = 0; h < nHosts; h++) clusterOfHost.push(null);
  } else {
    const standalone = Math.min(nHosts, standalonePerDc * nDcs);
    const perCluster = split(rng, nHosts - standalone, nClusters, 1, 0.3);
    perCluster.forEach((n, c) => {
      for (let k = 0; k < n; k++) clusterOfHost.push(c);
    });
    for (let k = 0; k < standalone; k++) clusterOfHost.push(null);
  }
  const standaloneSeen = new Map<number, number>();
  for (let h = 0; h < nHosts; h++) {
    const cluster = clusterOfHost[h] ?? null;
    let dc: number;
    if (cluster !== null) dc = clusterPlans[cluster]!.dc;
    else {
      // standalone hosts: one per datacenter in order
      const k = standaloneSeen.size < nDcs ? standaloneSeen.size : h % nDcs;
      standaloneSeen.set(k, (standaloneSeen.get(k) ?? 0) + 1);
      dc = k;
    }
    // Hardware is uniform within a cluster (as bought), mixed for standalone hosts.
    const profile =
      cluster !== null
        ? HOST_PROFILES[mix(opts.seed + cluster, opts.vcenterIndex) % HOST_PROFILES.length]!
        : rng.pick(HOST_PROFILES);
    const ver =
      cluster !== null && !rng.chance(0.1)
        ? ESXI_VERSIONS[mix(opts.seed + 7 * cluster, opts.vcenterIndex) % ESXI_VERSIONS.length]!
        : rng.pick(ESXI_VERSIONS);
    const row: HostOut = {
      moid: `host-${nextId()}`,
      name: `esx${pad(h + 1, nHosts >= 100 ? 3 : 2)}.${domain}`,
      datacenter: dcAt(dc).name,
      cluster: cluster !== null ? clusterPlans[cluster]!.row.name : null,
      connectionState: 'connected',
      powerState: 'poweredOn',
      inMaintenanceMode: false,
      vendor: profile.vendor,
      model: profile.model,
      cpuModel: profile.cpuModel,
      numCpuSockets: profile.sockets,
      numCpuCores: profile.cores,
      numCpuThreads: profile.threads,
      cpuMhz: profile.mhz,
      memoryMb: profile.memGb * 1024 - rng.range(0, 3) * 2,
      esxiVersion: ver[0],
      esxiBuild: ver[1],
      vmCount: 0,
      bootTime: iso(now - rng.range(3, 400) * DAY - rng.int(DAY)),
      overallStatus: rng.weighted([
        ['green', 90],
        ['yellow', 8],
        ['red', 2],
      ] as const),
      serialNumber: null,
      serviceTag: null,
      uuid: null,
      biosVendor: null,
      biosVersion: null,
      biosDate: null,
      nicCount: null,
      vmkernelIps: null,
    };
    const hd = hostDepth(
      deep,
      row.moid,
      profile.vendor,
      `10.${200 + (opts.vcenterIndex % 50)}.${Math.floor(h / 250)}.${(h % 250) + 2}`,
      `dvs-${dcAt(dc).name.toLowerCase()}-01`,
    );
    Object.assign(row, hd.fields);
    inv.hostNics.push(...hd.nics);
    inv.hostVmkernels.push(...hd.vmkernels);
    inv.hostVswitches.push(...hd.vswitches);
    hostPlans.push({ row, dc, cluster, placeable: true, weight: Math.sqrt(profile.cores * profile.memGb) });
    dcAt(dc).hosts.push(h);
    if (cluster !== null) clusterPlans[cluster]!.hosts.push(h);
  }
  // The last host of the first cluster with ≥ 3 hosts is in maintenance mode (no VMs); with ≥ 6
  // hosts the first host of the next such cluster is disconnected; big estates get one more
  // maintenance host.
  const big = clusterPlans.filter((c) => c.hosts.length >= 3);
  const maintenance: number[] = [];
  if (big[0]) maintenance.push(big[0].hosts[big[0].hosts.length - 1]!);
  if (nHosts >= 30 && big[2]) maintenance.push(big[2].hosts[big[2].hosts.length - 1]!);
  for (const h of maintenance) {
    const hp = hostPlans[h]!;
    hp.row.inMaintenanceMode = true;
    hp.placeable = false;
    hp.row.overallStatus = 'gray';
  }
  if (nHosts >= 6 && big[1]) {
    const hp = hostPlans[big[1].hosts[0]!]!;
    hp.row.connectionState = 'disconnected';
    hp.row.powerState = 'unknown';
    hp.row.overallStatus = 'gray';
    hp.row.bootTime = null;
  }

  // Datastores: split over datacenters; a datacenter with ≥ 3 keeps an empty ISO store.
  const dsPerDc = split(rng, nDs, nDcs, 1, 0.2);
  const dsKindSeq = new Map<string, number>();
  const dsPlans: {
    row: DatastoreOut;
    dc: number;
    empty: boolean;
    fill: number;
    used: number;
    uncommitted: number;
  }[] = [];
  dsPerDc.forEach((n, d) => {
    for (let k = 0; k < n; k++) {
      const empty = n >= 3 && k === n - 1;
      const [kind, type] = empty ? (['nfs-iso', 'NFS'] as const) : DS_KINDS[k % DS_KINDS.length]!;
      const seq = (dsKindSeq.get(kind) ?? 0) + 1;
      dsKindSeq.set(kind, seq);
      const moid = `datastore-${nextId()}`;
      const uuid = rng.uuid();
      const row: DatastoreOut = {
        moid,
        name: `${kind}-${pad(seq, 2)}`,
        datacenter: dcAt(d).name,
        type,
        capacityBytes: 0,
        freeBytes: 0,
        provisionedBytes: 0,
        freePercent: 0,
        accessible: true,
        vmCount: 0,
        hostCount: 0,
        maintenanceMode: 'normal',
        url:
          type === 'NFS'
            ? `ds:///vmfs/volumes/${uuid.slice(0, 8)}-${uuid.slice(9, 17).replace('-', '')}/`
            : `ds:///vmfs/volumes/${uuid
                .replace(/-/g, '')
                .slice(0, 24)
                .replace(/(.{8})(.{8})(.{4})(.{4})/, '$1-$2-$3-$4')}/`,
        ...datastoreDepth(deep, type, `${kind}-${pad(seq, 2)}`),
      };
      // ~12 % nearly full (91–98 % used), the rest 35–88 %.
      const fill = rng.chance(0.12) ? rng.range(91, 98) : rng.range(35, 88);
      const idx = dsPlans.length;
      dsPlans.push({ row, dc: d, empty, fill, used: 0, uncommitted: 0 });
      dcAt(d).datastores.push(idx);
      if (!empty) dcAt(d).vmDatastores.push(idx);
    }
  });
  for (const dc of dcs) {
    if (dc.vmDatastores.length === 0) dc.vmDatastores.push(...dc.datastores);
    for (const h of dc.hosts) {
      for (const ds of dc.datastores)
        inv.hostDatastores.push([hostPlans[h]!.row.moid, dsPlans[ds]!.row.moid]);
    }
    for (const ds of dc.datastores) dsPlans[ds]!.row.hostCount = dc.hosts.length;
  }

  // Networks per datacenter: VM Network, the DVS uplinks, VLAN portgroups.
  const netPlans: NetworkOut[] = [];
  const pgPerDc = Math.min(NET_PURPOSES.length, Math.max(3, Math.round(nVms / nDcs / 150)));
  let vlan = 100 + 10 * rng.int(20);
  dcs.forEach((dc, d) => {
    dc.vmNetwork = netPlans.length;
    netPlans.push({
      moid: `network-${nextId()}`,
      name: 'VM Network',
      datacenter: dc.name,
      type: 'Network',
      vlanId: null,
      vmCount: 0,
      ...NO_PORTGROUP_DEPTH,
    });
    const dvs = `dvs-${dc.name.toLowerCase()}-01`;
    const uplinkMoid = `dvportgroup-${nextId()}`;
    netPlans.push({
      moid: uplinkMoid,
      name: `${dvs}-DVUplinks-${nextId()}`,
      datacenter: dc.name,
      type: 'DistributedVirtualPortgroup',
      vlanId: null,
      vmCount: 0,
      ...portgroupDepth(uplinkMoid, dvs, true),
    });
    for (let k = 0; k < pgPerDc; k++) {
      vlan += 1 + rng.int(9);
      dc.portgroups.push(netPlans.length);
      const pgMoid = `dvportgroup-${nextId()}`;
      netPlans.push({
        moid: pgMoid,
        name: `VLAN-${vlan}-${NET_PURPOSES[(k + d) % NET_PURPOSES.length]!}`,
        datacenter: dc.name,
        type: 'DistributedVirtualPortgroup',
        vlanId: String(vlan),
        vmCount: 0,
        ...portgroupDepth(pgMoid, dvs, false),
      });
    }
  });

  // VM placement slots: every placeable host, weighted by size.
  const placeable = hostPlans
    .map((h, i) => [i, h.placeable ? h.weight : 0] as const)
    .filter(([, w]) => w > 0);
  const fallbackHosts = hostPlans.map((_, i) => [i, 1] as const);
  const slots = placeable.length > 0 ? placeable : fallbackHosts;
  const pickHost = rng.picker(slots);

  const templates = nVms >= 20 ? Math.min(12, 1 + Math.floor(nVms / 60)) : 0;
  const counters = new Map<string, number>();
  const ipA = 10 + (opts.vcenterIndex % 240);
  let ipSeq = 0;
  const tagTargets: { moid: string; template: boolean; env: string }[] = [];

  for (let i = 0; i < nVms; i++) {
    const hostIdx = slots.length > 0 ? pickHost() : -1;
    const host = hostIdx >= 0 ? hostPlans[hostIdx]! : undefined;
    const d = host ? host.dc : 0;
    const dc = dcAt(d);
    const clusterIdx = host ? host.cluster : null;
    const cluster = clusterIdx !== null ? clusterPlans[clusterIdx]! : undefined;
    const moid = `vm-${nextId()}`;
    const isTemplate = i < templates;

    let name: string;
    let os: GuestOs;
    let role: Role | undefined;
    let env = 'prd';
    if (isTemplate) {
      os = ALL_OS[i % ALL_OS.length]!;
      const key = `tpl-${os.short}`;
      const n = (counters.get(key) ?? 0) + 1;
      counters.set(key, n);
      name = `${prefix}-tpl-${os.short}-${pad(n, 2)}`;
    } else {
      role = rng.weighted(ROLE_WEIGHTS);
      os = rng.pick(role.os);
      env = rng.weighted(ENVS);
      const clusterEnv = cluster
        ? CLUSTER_ENV[cluster.row.name.slice(prefix.length + 1).replace(/-\d+$/, '')]
        : undefined;
      if (clusterEnv && rng.chance(0.8)) env = clusterEnv;
      const key = `${role.name}-${env}`;
      let n = counters.get(key);
      if (n === undefined) n = rng.pick([0, 0, 100, 200]);
      counters.set(key, ++n);
      name = `${prefix}-${role.name}-${env}-${pad(n, 3)}`;
    }

    const power: 'poweredOn' | 'poweredOff' | 'suspended' = isTemplate
      ? 'poweredOff'
      : rng.weighted([
          ['poweredOn', 82],
          ['poweredOff', 14],
          ['suspended', 4],
        ] as const);
    const on = power === 'poweredOn';

    const numCpu = role ? rng.weighted(role.cpus) : 2;
    const coresPerSocket = isTemplate
      ? 2
      : numCpu >= 4 && rng.chance(1 / 3)
        ? numCpu / 2
        : rng.chance(0.5)
          ? numCpu
          : 1;
    const memoryMb = role ? rng.weighted(role.memMb) : 4096;

    // Disks: an OS disk, often a data disk; ~70 % thin.
    const disks: { gb: number; thin: boolean }[] = [];
    const osGb = isTemplate
      ? 40
      : os.windows
        ? rng.pick([60, 80, 100])
        : rng.chance(1 / 3)
          ? rng.pick([16, 20, 32, 50])
          : 40;
    disks.push({ gb: osGb, thin: isTemplate || rng.chance(0.7) });
    if (role && role.dataGb.length > 0 && rng.chance(0.7)) {
      disks.push({ gb: rng.pick(role.dataGb), thin: rng.chance(0.7) });
      if (rng.chance(1 / 8)) disks.push({ gb: rng.pick(role.dataGb), thin: rng.chance(0.7) });
    }
    let committed = 0;
    let uncommitted = 0;
    for (const disk of disks) {
      const size = disk.gb * GIB;
      const used = disk.thin ? Math.round(size * (0.15 + rng.float() * 0.7)) : size;
      committed += used;
      uncommitted += size - used;
    }
    // Swap file the size of the memory on powered-on VMs, a few MB of logs/config everywhere.
    committed += (on ? memoryMb * 1024 * 1024 : 0) + rng.range(2, 40) * 1024 * 1024;

    // Tools, mirroring the simulator's mix.
    let tools: 'ok' | 'old' | 'notRunning' | 'notInstalled';
    if (isTemplate) tools = 'notRunning';
    else if (on)
      tools = rng.weighted([
        ['ok', 75],
        ['old', 11],
        ['notRunning', 7],
        ['notInstalled', 7],
      ] as const);
    else tools = rng.chance(0.8) ? 'notRunning' : 'notInstalled';
    const toolsRunning = on && (tools === 'ok' || tools === 'old');

    // Datastores: one (10 % two) in the VM's datacenter; networks: one NIC (10 % two).
    const dsIdx: number[] = [];
    if (dc.vmDatastores.length > 0) {
      dsIdx.push(rng.pick(dc.vmDatastores));
      if (dc.vmDatastores.length > 1 && !isTemplate && rng.chance(0.1)) {
        const other = rng.pick(dc.vmDatastores);
        if (other !== dsIdx[0]) dsIdx.push(other);
      }
    }
    const netIdx: number[] = [];
    if (dc.portgroups.length > 0 && !(isTemplate && rng.chance(0.5))) {
      const first = rng.int(dc.portgroups.length);
      netIdx.push(dc.portgroups[first]!);
      if (dc.portgroups.length > 1 && rng.chance(0.1)) {
        netIdx.push(dc.portgroups[(first + 1 + rng.int(dc.portgroups.length - 1)) % dc.portgroups.length]!);
      }
    } else {
      netIdx.push(dc.vmNetwork);
    }
    // Storage lands on the first datastore (the VM's home); a second one holds one data disk's share.
    dsIdx.forEach((ds, k) => {
      const share = dsIdx.length === 1 ? 1 : k === 0 ? 0.6 : 0.4;
      dsPlans[ds]!.used += Math.round(committed * share);
      dsPlans[ds]!.uncommitted += Math.round(uncommitted * share);
    });

    // Guest identity and IPs only on powered-on VMs with running tools.
    let ipAddress: string | null = null;
    const ips: string[] = [];
    if (toolsRunning && rng.chance(0.92)) {
      const b = Math.floor(ipSeq / 250) % 256;
      const c = (ipSeq % 250) + 5;
      ipSeq++;
      ipAddress = `10.${ipA}.${b}.${c}`;
      ips.push(ipAddress);
      if (netIdx.length > 1) ips.push(`10.${ipA}.${255 - b}.${c}`);
    }
    const short = name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : name;
    const guestHostName = toolsRunning
      ? os.windows
        ? short.replace(/-/g, '').toUpperCase().slice(0, 15)
        : `${short}.${domain}`
      : null;

    // Snapshots: ~15 % of VMs carry a chain of 1–4, oldest first.
    let snapshotCount = 0;
    let oldestSnapshotAt: string | null = null;
    if (!isTemplate && rng.chance(0.15)) {
      snapshotCount = rng.chance(0.05) ? 4 : rng.range(1, 3);
      // The chain starts days to a year ago; later snapshots follow it.
      let t = now - Math.round(Math.pow(rng.float(), 1.6) * 364 * DAY) - DAY - rng.int(DAY);
      let parent: string | null = null;
      for (let k = 0; k < snapshotCount; k++) {
        if (k > 0) t = Math.min(now - 3_600_000, t + rng.range(1, 30) * DAY + rng.int(DAY));
        const snapMoid = `snapshot-${nextId()}`;
        const created = iso(t);
        if (k === 0) oldestSnapshotAt = created;
        inv.snapshots.push({
          moid: snapMoid,
          vmMoid: moid,
          vm: name,
          name: rng.pick(SNAPSHOT_NAMES),
          description: `Created by ${rng.pick(TEAMS)} for CHG-${pad(rng.range(1, 90000), 5)}`,
          createdAt: created,
          state: 'poweredOff',
          parentMoid: parent,
        });
        parent = snapMoid;
      }
    }

    const annotation =
      !isTemplate && rng.chance(0.3) ? rng.pick(ANNOTATIONS)(rng.pick(TEAMS), rng.range(1, 90000)) : null;

    const dsNames = dsIdx.map((k) => dsPlans[k]!.row.name).sort();
    const netNames = [...new Set(netIdx.map((k) => netPlans[k]!.name))].sort();
    const hwVersion = rng.weighted(HW_VERSIONS);
    const depth = vmDepth(deep, {
      moid,
      name,
      windows: os.windows,
      template: isTemplate,
      on,
      toolsRunning,
      hwVersion,
      datastore: dsIdx.length > 0 ? dsPlans[dsIdx[0]!]!.row.name : null,
      disks,
      networks: netIdx.map((k) => ({ name: netPlans[k]!.name, switch: netPlans[k]!.switch })),
      ips,
      team: role ? role.name : 'misc',
      now,
      ...(opts.devices ? { devices: opts.devices } : {}),
    });
    inv.disks.push(...depth.disks);
    inv.nics.push(...depth.nics);
    inv.partitions.push(...depth.partitions);
    inv.vmCustomValues.push(...depth.customValues);
    tagTargets.push({ moid, template: isTemplate, env });
    const vm: VmOut = {
      moid,
      name,
      datacenter: dc.name,
      cluster: cluster ? cluster.row.name : null,
      host: host ? host.row.name : null,
      folder: isTemplate ? '/Templates' : `/${ENV_FOLDER[env] ?? 'Production'}/${role ? role.name : 'misc'}`,
      resourcePool: isTemplate ? null : 'Resources',
      powerState: power,
      numCpu,
      coresPerSocket,
      memoryMb,
      guestId: os.id,
      guestFullName: os.fullName,
      guestFullNameReported: toolsRunning ? os.fullName : null,
      guestHostName,
      ipAddress,
      ipAddresses: ips.length > 0 ? ips.join(', ') : null,
      toolsStatus:
        tools === 'ok'
          ? 'toolsOk'
          : tools === 'old'
            ? 'toolsOld'
            : tools === 'notRunning'
              ? 'toolsNotRunning'
              : 'toolsNotInstalled',
      toolsRunningStatus: toolsRunning ? 'guestToolsRunning' : 'guestToolsNotRunning',
      toolsVersionStatus:
        tools === 'notInstalled'
          ? 'guestToolsNotInstalled'
          : tools === 'old'
            ? 'guestToolsNeedUpgrade'
            : 'guestToolsCurrent',
      provisionedBytes: committed + uncommitted,
      usedBytes: committed,
      datastores: dsNames.length > 0 ? dsNames.join(', ') : null,
      networks: netNames.length > 0 ? netNames.join(', ') : null,
      snapshotCount,
      oldestSnapshotAt,
      annotation,
      template: isTemplate,
      hardwareVersion: hwVersion,
      instanceUuid: rng.uuid(),
      biosUuid: rng.uuid(),
      bootTime: on ? iso(now - rng.range(0, 240) * DAY - rng.int(DAY)) : null,
      overallStatus:
        host && host.row.connectionState === 'disconnected' ? 'gray' : rng.chance(0.96) ? 'green' : 'yellow',
      hostMoid: host ? host.row.moid : null,
      ...depth.fields,
    };
    inv.vms.push(vm);
    if (host) host.row.vmCount++;
    if (cluster) cluster.row.vmCount++;
    dc.vmCount++;
    for (const k of dsIdx) {
      dsPlans[k]!.row.vmCount++;
      inv.vmDatastores.push([moid, dsPlans[k]!.row.moid]);
    }
    for (const k of new Set(netIdx)) {
      netPlans[k]!.vmCount++;
      inv.vmNetworks.push([moid, netPlans[k]!.moid]);
    }
  }

  // Datastore capacities from what landed on them, rounded up to 256 GiB LUNs.
  for (const ds of dsPlans) {
    let capacity: number;
    let used: number;
    if (ds.empty || ds.used === 0) {
      capacity = rng.range(1, 4) * TIB;
      used = ds.empty ? rng.range(5, 60) * GIB : rng.range(1, 8) * GIB;
    } else {
      used = ds.used;
      capacity = Math.ceil((used * 100) / ds.fill / (256 * GIB)) * 256 * GIB;
      if (capacity < used) capacity = used;
    }
    const free = capacity - used;
    ds.row.capacityBytes = capacity;
    ds.row.freeBytes = free;
    ds.row.provisionedBytes = capacity - free + ds.uncommitted;
    ds.row.freePercent = Math.round((free / capacity) * 1000) / 10;
    inv.datastores.push(ds.row);
  }

  // Cluster totals from their hosts (vSphere counts effective = connected, not in maintenance).
  for (const c of clusterPlans) {
    let mhz = 0;
    let cores = 0;
    let mem = 0;
    let effective = 0;
    for (const h of c.hosts) {
      const r = hostPlans[h]!.row;
      if (r.connectionState === 'connected' && !r.inMaintenanceMode) {
        effective++;
        mhz += (r.numCpuCores ?? 0) * (r.cpuMhz ?? 0);
      }
      cores += r.numCpuCores ?? 0;
      mem += (r.memoryMb ?? 0) * 1024 * 1024;
    }
    c.row.hostCount = c.hosts.length;
    c.row.effectiveHostCount = effective;
    c.row.totalCpuMhz = mhz;
    c.row.totalCpuCores = cores;
    c.row.totalMemoryBytes = mem;
    c.row.overallStatus = effective < c.hosts.length ? 'yellow' : rng.chance(0.9) ? 'green' : 'yellow';
    inv.clusters.push(c.row);
  }
  for (const h of hostPlans) inv.hosts.push(h.row);
  inv.networks.push(...netPlans);
  dcs.forEach((dc, d) => {
    inv.datacenters.push({
      moid: dc.moid,
      name: dc.name,
      clusterCount: dc.clusters.length,
      hostCount: dc.hosts.length,
      vmCount: dc.vmCount,
    });
    inv.dvSwitches.push(
      dvSwitch(`dvs-${d + 1}`, `dvs-${dc.name.toLowerCase()}-01`, dc.name, dc.hosts.length, dc.vmCount, now),
    );
  });
  inv.tags = tagSet(
    deep,
    tagTargets,
    hostPlans.map((h) => h.row.moid),
  );
  return inv;
}

// ---------------------------------------------------------------------------------------------

export interface PopulateOptions {
  vcenters: number;
  vmsTotal: number;
  hostsTotal: number;
  datastoresTotal: number;
  seed?: number;
  /** The last N vCenters are marked failed, with a last good sync days ago. */
  failedVcenters?: number;
  /** Reference time (ms); default: now. Inventory times are relative to the start of its UTC day. */
  now?: number;
  /** Every VM gets exactly this many disks and NICs (the export benchmark's estate). */
  devices?: { disks: number; nics: number };
  onProgress?: (done: number, total: number, vcenter: string) => void;
}

/** Per-vCenter sizes for an estate with these totals (deterministic for a seed). */
export function planEstate(
  opts: PopulateOptions,
): { name: string; vms: number; hosts: number; datastores: number }[] {
  const rng = new Rng(mix(opts.seed ?? 1, 0x5eed));
  const n = Math.max(0, Math.floor(opts.vcenters));
  const vms = split(rng, opts.vmsTotal, n, 1, 0.6);
  const hosts = split(rng, opts.hostsTotal, n, 1, 0.4);
  const ds = split(rng, opts.datastoresTotal, n, 1, 0.4);
  return Array.from({ length: n }, (_, i) => ({
    name: vcenterNameOf(i),
    vms: vms[i]!,
    hosts: hosts[i]!,
    datastores: ds[i]!,
  }));
}

/**
 * Registers `vcenters` vCenters (vc-ams-01, vc-fra-01, …) and writes a generated inventory for
 * each through the same `InventoryStore.replace` a sync uses, then records the sync state.
 */
export function populateCache(
  target: { sqlite: Database.Database; db: Db },
  opts: PopulateOptions,
): { vcenterIds: number[] } {
  const seed = opts.seed ?? 1;
  const now = opts.now ?? Date.now();
  const invNow = startOfUtcDay(now);
  const repo = new VcenterRepo(target.db);
  const store = new InventoryStore(target.sqlite);
  const plan = planEstate(opts);
  const failed = Math.min(plan.length, Math.max(0, Math.floor(opts.failedVcenters ?? 0)));
  const rng = new Rng(mix(seed, 0xfa11));
  const vcenterIds: number[] = [];
  plan.forEach((p, i) => {
    const vc = repo.add({
      name: p.name,
      url: `https://${p.name}.corp.example/sdk`,
      username: 'svc-vminer@vsphere.local',
      thumbprint: null,
      caPem: null,
    });
    const ver = rng.pick([
      ['8.0.2', '22617221'],
      ['8.0.3', '24022515'],
      ['7.0.3', '21958406'],
    ] as const);
    repo.setAbout(vc.id, {
      productName: `VMware vCenter Server ${ver[0]} build-${ver[1]}`,
      version: ver[0],
      build: ver[1],
      apiVersion: ver[0].startsWith('8') ? '8.0.2.0' : '7.0.3.0',
      instanceUuid: new Rng(mix(seed, 0xc0de + i)).uuid(),
    });
    const inv = generateInventory({
      seed,
      vcenterIndex: i,
      vms: p.vms,
      hosts: p.hosts,
      datastores: p.datastores,
      now: invNow,
      ...(opts.devices ? { devices: opts.devices } : {}),
    });
    store.replace(vc.id, inv);
    const durationMs = 20_000 + rng.int(100_000);
    const isFailed = i >= plan.length - failed;
    // Last good syncs spread over the last 40 minutes; failed ones 2–5 days ago.
    const lastSuccess = isFailed ? now - rng.range(2, 5) * DAY - rng.int(DAY) : now - rng.int(40 * 60_000);
    repo.setState(vc.id, {
      status: 'ok',
      startedAt: iso(lastSuccess - durationMs),
      finishedAt: iso(lastSuccess),
      durationMs,
      counts: JSON.stringify(countsOf(inv)),
      errorCode: null,
      errorMessage: null,
      lastSuccessAt: iso(lastSuccess),
      warnings: JSON.stringify([]),
    });
    if (isFailed) {
      const finished = now - rng.int(15 * 60_000);
      repo.setState(vc.id, {
        status: 'failed',
        startedAt: iso(finished - 30_000),
        finishedAt: iso(finished),
        durationMs: 30_000,
        errorCode: 'UNREACHABLE',
        errorMessage: `${p.name}: cannot reach ${p.name}.corp.example:443 (connect ETIMEDOUT after 30 s)`,
      });
    }
    vcenterIds.push(vc.id);
    opts.onProgress?.(i + 1, plan.length, p.name);
  });
  // As after a real sync: the planner gets statistics.
  refreshPlannerStats(target.sqlite);
  return { vcenterIds };
}
