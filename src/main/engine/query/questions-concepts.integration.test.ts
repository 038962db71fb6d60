/**
 * Held-out questions, part 2 (issue 14): snapshots (existence, counts, ages in any relative form),
 * top-N of objects and of groups, guest OS phrases over full name and guest id, aggregates in
 * plain words, and relative dates on boot times. Same estate as part 1 (three diversified
 * simulators, judged against pyvmomi).
 */
import { expect } from 'vitest';
import type { Case } from '../../../testing/question-estate.js';
import {
  cannot,
  daysAgo,
  defineQuestionSuite,
  lastDate,
  refused,
  startOfDay,
  startOfMonth,
  startOfWeek,
} from '../../../testing/question-suite.js';
import {
  DAY,
  GB,
  clusters,
  dss,
  avgGroups,
  count,
  cpu,
  groups,
  guest,
  hosts,
  inCluster,
  linux,
  mean,
  off,
  on,
  ordered,
  refNow,
  snaps,
  sum,
  tally,
  topGroups,
  value,
  vmCount,
  vms,
  type Check,
  type Ref,
  type Vm,
} from '../../../testing/question-judge.js';

const nfs = (d: { type: string | null }): boolean => d.type === 'NFS' || d.type === 'NFS41';
const vmfs = (d: { type: string | null }): boolean => d.type === 'VMFS';
const windows = guest('windows');
const hasSnap = (v: Vm): boolean => v.snapshotCount > 0;
/** A guest OS phrase matches the configured full name, the reported one or the guest id. */
const os =
  (fullName: string, ...ids: string[]) =>
  (v: Vm): boolean =>
    (v.guestFullName ?? '').toLowerCase().includes(fullName) ||
    (v.guestFullNameReported ?? '').toLowerCase().includes(fullName) ||
    ids.includes(v.guestId ?? '');
const rhel8 = os('red hat enterprise linux 8', 'rhel8_64Guest', 'rhel8Guest');
const win2019 = os('windows server 2019', 'windows2019srv_64Guest');
const win2022 = os('windows server 2022', 'windows2019srvNext_64Guest', 'windows2022srvNext_64Guest');
const win2016 = os('windows server 2016', 'windows9Server64Guest');
const suse = (v: Vm): boolean => guest('suse')(v) || (v.guestId ?? '').startsWith('sles');
const ubuntu = (v: Vm): boolean => guest('ubuntu')(v) || (v.guestId ?? '').startsWith('ubuntu');
const centos = (v: Vm): boolean => guest('centos')(v) || (v.guestId ?? '').startsWith('centos');
const redhat = (v: Vm): boolean => guest('red hat')(v) || (v.guestId ?? '').startsWith('rhel');

const snapAfter = (ms: () => number): Check => snaps((s) => s.createdMs >= ms());
const bootedAfter = (ms: () => number) => (x: { bootMs: number | null }) =>
  x.bootMs !== null && x.bootMs >= ms();
const bootedBefore = (ms: () => number) => (x: { bootMs: number | null }) =>
  x.bootMs !== null && x.bootMs < ms();
const totalMemOf = (ref: Ref, vc: string, cluster: string): number =>
  sum(
    ref.hosts.filter((h) => h.vc === vc && h.cluster === cluster).map((h) => (h.memoryMb ?? 0) * 1024 * 1024),
  );
const noNull = (t: Record<string, number>): Record<string, number> => {
  const out = { ...t };
  delete out['null'];
  return out;
};

/** The first n snapshots by creation time (values compared, ties make names ambiguous). */
const snapOrder =
  (dir: 'asc' | 'desc', n: number): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('rows');
    const got = a.rows.map((r) => Math.round(Date.parse(String(r['createdAt'])) / 1000));
    const want = ref.snaps
      .map((s) => Math.round(s.createdMs / 1000))
      .sort((p, q) => (dir === 'asc' ? p - q : q - p))
      .slice(0, n);
    expect(got).toEqual(want);
  };
/** Datacenters / vCenters ordered by a count the reference tallies. */
const orderedNames =
  (counts: (ref: Ref) => Record<string, number>, dir: 'asc' | 'desc', n: number): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('rows');
    const c = counts(ref);
    const got = a.rows.map((r) => c[String(r['name'])]);
    const want = Object.values(c)
      .sort((p, q) => (dir === 'asc' ? p - q : q - p))
      .slice(0, n);
    expect(got).toEqual(want);
  };

// ---------------------------------------------------------------------------------------------

const SNAPSHOTS: Case[] = [
  ['count the vms that have a snapshot', vmCount(hasSnap)],
  ['how many vms have snapshots', vmCount(hasSnap)],
  ['which vms have no snapshots', vms((v) => !hasSnap(v))],
  ['vms having more than one snapshot', vms((v) => v.snapshotCount > 1)],
  ['vms with at least three snapshots', vms((v) => v.snapshotCount >= 3)],
  ['vms with exactly 2 snapshots', vms((v) => v.snapshotCount === 2)],
  ['vms with a single snapshot', vms((v) => v.snapshotCount === 1)],
  ['how many snapshots are there', count((r) => r.snaps.length)],
  ['number of snapshots in vcenter vc-1', count((r) => r.snaps.filter((s) => s.vc === 'vc-1').length)],
  ['snapshots older than six months', snaps((s) => s.createdMs < daysAgo(180))],
  [
    'vms with snapshots older than six months',
    vms((v) => v.oldestSnapshotMs !== null && v.oldestSnapshotMs < daysAgo(180)),
  ],
  [
    'vms whose snapshots are more than 90 days old',
    vms((v) => v.oldestSnapshotMs !== null && v.oldestSnapshotMs < daysAgo(90)),
  ],
  ['snapshots from the past 2 weeks', snapAfter(() => daysAgo(14))],
  ['snapshots taken in the last 10 days', snapAfter(() => daysAgo(10))],
  ['snapshots created this week', snapAfter(() => startOfWeek(refNow()))],
  ['snapshots since monday', snapAfter(() => startOfWeek(refNow()))],
  [
    'snapshots made yesterday',
    snaps((s) => s.createdMs >= startOfDay(refNow()) - DAY && s.createdMs < startOfDay(refNow())),
  ],
  ['snapshots taken today', snapAfter(() => startOfDay(refNow()))],
  [
    'snapshots from last month',
    snaps((s) => s.createdMs >= startOfMonth(refNow(), 1) && s.createdMs < startOfMonth(refNow())),
  ],
  ['snapshots since 1 nov', snapAfter(() => lastDate(11, 1))],
  ['snapshots created before 1 sep', snaps((s) => s.createdMs < lastDate(9, 1))],
  ['snapshots older than a month', snaps((s) => s.createdMs < daysAgo(30))],
  ['snapshots newer than a week', snapAfter(() => daysAgo(7))],
  ['snapshots less than 30 days old', snapAfter(() => daysAgo(30))],
  [
    'which vm has the oldest snapshot',
    ordered(
      (r) => r.vms,
      (v) => v.oldestSnapshotMs ?? 0,
      'asc',
      1,
      hasSnap,
    ),
  ],
  ['the 3 oldest snapshots', snapOrder('asc', 3)],
  ['newest snapshot', snapOrder('desc', 1)],
  [
    'vms with the most snapshots',
    ordered(
      (r) => r.vms,
      (v) => v.snapshotCount,
      'desc',
    ),
  ],
  [
    'top 5 vms by snapshot count',
    ordered(
      (r) => r.vms,
      (v) => v.snapshotCount,
      'desc',
      5,
    ),
  ],
  ['snapshots of lon-app-prd-109', snaps((s) => s.vm === 'lon-app-prd-109')],
  [
    'how many snapshots does par-cache-prd-002 have',
    count((r) => r.snaps.filter((s) => s.vm === 'par-cache-prd-002').length),
  ],
  ['powered off vms with snapshots', vms((v) => off(v) && hasSnap(v))],
  [
    'windows vms with snapshots older than 2 months',
    vms((v) => windows(v) && v.oldestSnapshotMs !== null && v.oldestSnapshotMs < daysAgo(60)),
  ],
  ['snapshots per vcenter', groups('vcenter', (r) => tally(r.snaps, (s) => s.vc))],
  ['vms with snapshots in cluster prod-b', vms((v) => hasSnap(v) && v.cluster === 'Prod-B')],
];

const TOP_N: Case[] = [
  [
    'the 4 datastores with the most vms',
    ordered(
      (r) => r.ds,
      (d) => d.vmCount,
      'desc',
      4,
    ),
  ],
  [
    'cluster with the fewest hosts',
    ordered(
      (r) => r.clusters,
      (c) => c.hostCount,
      'asc',
      1,
    ),
  ],
  [
    'largest 2 clusters by memory',
    (a, ref) =>
      ordered(
        (r) => r.clusters,
        (c) => totalMemOf(ref, c.vc, c.name) / GB,
        'desc',
        2,
      )(a, ref),
  ],
  [
    'which cluster has the most vms',
    ordered(
      (r) => r.clusters,
      (c) => c.vmCount,
      'desc',
      1,
    ),
  ],
  [
    'top 3 hosts by vm count',
    ordered(
      (r) => r.hosts,
      (h) => h.vmCount,
      'desc',
      3,
    ),
  ],
  [
    'the 3 busiest hosts',
    ordered(
      (r) => r.hosts,
      (h) => h.vmCount,
      'desc',
      3,
    ),
  ],
  [
    'host with the most memory',
    ordered(
      (r) => r.hosts,
      (h) => h.memoryMb ?? 0,
      'desc',
      1,
    ),
  ],
  [
    '5 hosts with the least vms',
    ordered(
      (r) => r.hosts,
      (h) => h.vmCount,
      'asc',
      5,
    ),
  ],
  [
    'datastore with the least free space',
    ordered(
      (r) => r.ds,
      (d) => (d.freeBytes ?? 0) / GB,
      'asc',
      1,
    ),
  ],
  [
    'the 2 emptiest datastores',
    ordered(
      (r) => r.ds,
      (d) => d.freePercent,
      'desc',
      2,
    ),
  ],
  [
    'top 3 fullest datastores',
    ordered(
      (r) => r.ds,
      (d) => d.freePercent,
      'asc',
      3,
    ),
  ],
  [
    'datastores sorted by free space',
    ordered(
      (r) => r.ds,
      (d) => (d.freeBytes ?? 0) / GB,
      'desc',
    ),
  ],
  [
    'which datacenter has the most hosts',
    orderedNames((r) => tally(r.hosts, (h) => h.datacenter), 'desc', 1),
  ],
  [
    'which cluster has the most powered off vms',
    topGroups('cluster', (r) => noNull(tally(r.vms.filter(off), (v) => v.cluster)), 'desc', 1),
  ],
  [
    'top 3 hosts by number of windows vms',
    topGroups('host', (r) => noNull(tally(r.vms.filter(windows), (v) => v.host)), 'desc', 3),
  ],
  [
    'the 2 clusters with the most linux vms',
    topGroups('cluster', (r) => noNull(tally(r.vms.filter(linux), (v) => v.cluster)), 'desc', 2),
  ],
  [
    'which host runs the most vms',
    ordered(
      (r) => r.hosts,
      (h) => h.vmCount,
      'desc',
      1,
    ),
  ],
  [
    'which datastore holds the most vms',
    ordered(
      (r) => r.ds,
      (d) => d.vmCount,
      'desc',
      1,
    ),
  ],
  ['which vcenter has the most vms', orderedNames((r) => tally(r.vms, (v) => v.vc), 'desc', 1)],
  [
    'top 3 clusters by vm count',
    ordered(
      (r) => r.clusters,
      (c) => c.vmCount,
      'desc',
      3,
    ),
  ],
  [
    'smallest 3 datastores',
    ordered(
      (r) => r.ds,
      (d) => (d.capacityBytes ?? 0) / GB,
      'asc',
      3,
    ),
  ],
  [
    'the largest vm',
    ordered(
      (r) => r.vms,
      (v) => v.memoryMb ?? 0,
      'desc',
      1,
    ),
  ],
  [
    'biggest 5 vms by disk',
    ordered(
      (r) => r.vms,
      (v) => (v.provisionedBytes ?? 0) / GB,
      'desc',
      5,
    ),
  ],
  [
    '10 vms with the most memory',
    ordered(
      (r) => r.vms,
      (v) => v.memoryMb ?? 0,
      'desc',
      10,
    ),
  ],
  [
    'vms with the most cpus in cluster prod-a',
    ordered((r) => r.vms, cpu, 'desc', undefined, inCluster('Prod-A')),
  ],
  ['group hosts by esxi version', groups('esxiVersion', (r) => tally(r.hosts, (h) => h.esxiVersion))],
  ['how many hosts per datacenter', groups('datacenter', (r) => tally(r.hosts, (h) => h.datacenter))],
  ['break down datastores by type', groups('type', (r) => tally(r.ds, (d) => d.type))],
  ['number of vms in each cluster', groups('cluster', (r) => tally(r.vms, (v) => v.cluster))],
  ['how many vms does each host have', groups('host', (r) => tally(r.vms, (v) => v.host))],
  [
    'clusters ranked by number of hosts',
    ordered(
      (r) => r.clusters,
      (c) => c.hostCount,
      'desc',
    ),
  ],
];

const GUEST_OS: Case[] = [
  ['windows 2019 vms', vms(win2019)],
  ['rhel 8 vms', vms(rhel8)],
  ['vms running rhel 8', vms(rhel8)],
  ['ubuntu 22 vms', vms(os('ubuntu 22'))],
  ['sles vms', vms(suse)],
  ['sles 15 vms', vms(os('suse linux enterprise 15', 'sles15_64Guest', 'sles15Guest'))],
  ['vms running ubuntu', vms(ubuntu)],
  ['how many vms run windows server 2022', vmCount(win2022)],
  ['powered off vms running centos', vms((v) => off(v) && centos(v))],
  ['windows server 2016 vms', vms(win2016)],
  ['vms with windows 2022', vms(win2022)],
  ['photon os vms', vms((v) => guest('photon')(v) || (v.guestId ?? '').startsWith('vmwarePhoton'))],
  ['which vms run suse', vms(suse)],
  ['red hat 8 vms', vms(rhel8)],
  ['centos 7 vms', vms(os('centos 7', 'centos7_64Guest', 'centos7Guest'))],
  ['vms on windows', vms(windows)],
  ['linux vms in cluster prod-b', vms((v) => linux(v) && v.cluster === 'Prod-B')],
  ['count windows vms by cluster', groups('cluster', (r) => tally(r.vms.filter(windows), (v) => v.cluster))],
  ['vms with guest os rhel', vms(redhat)],
  ['vms whose os is ubuntu', vms(ubuntu)],
  ['vms that run windows 2019 and are powered off', vms((v) => win2019(v) && off(v))],
  ['debian vms', vms(os('debian'))],
  ['oracle linux vms', vms(os('oracle linux'))],
  ['windows 10 vms', vms(os('windows 10'))],
  ['how many vms run rhel', vmCount(redhat)],
  ['rhel or centos vms', vms((v) => redhat(v) || centos(v))],
  ['vms with os windows server 2019', vms(win2019)],
  ['powered on ubuntu vms in tokyo', vms((v) => on(v) && ubuntu(v) && v.datacenter === 'Tokyo')],
];

const AGGREGATES: Case[] = [
  [
    'how much memory do the vms in cluster prod-a use in total',
    value((r) => sum(r.vms.filter(inCluster('Prod-A')).map((v) => v.memoryMb ?? 0))),
  ],
  [
    'total storage used by vms in cluster prod-b',
    value((r) => sum(r.vms.filter(inCluster('Prod-B')).map((v) => v.usedBytes ?? 0))),
  ],
  ['average vcpus per vm in cluster prod-d', value((r) => mean(r.vms.filter(inCluster('Prod-D')).map(cpu)))],
  [
    'how many vcpus are allocated in cluster prod-a',
    value((r) => sum(r.vms.filter(inCluster('Prod-A')).map(cpu))),
  ],
  ['how many vcpus do the windows vms have', value((r) => sum(r.vms.filter(windows).map(cpu)))],
  ['total memory of all powered on vms', value((r) => sum(r.vms.filter(on).map((v) => v.memoryMb ?? 0)))],
  [
    'how much ram does lon-sql-prd-201 have',
    value((r) => r.vms.find((v) => v.name === 'lon-sql-prd-201')?.memoryMb ?? -1),
  ],
  [
    'average memory per vm in vcenter vc-1',
    value((r) => mean(r.vms.filter((v) => v.vc === 'vc-1').map((v) => v.memoryMb ?? 0))),
  ],
  [
    'total capacity of the nfs datastores',
    value((r) => sum(r.ds.filter(nfs).map((d) => d.capacityBytes ?? 0))),
  ],
  [
    'how much free space do the vmfs datastores have',
    value((r) => sum(r.ds.filter(vmfs).map((d) => d.freeBytes ?? 0))),
  ],
  [
    'total provisioned storage of vms in tokyo',
    value((r) => sum(r.vms.filter((v) => v.datacenter === 'Tokyo').map((v) => v.provisionedBytes ?? 0))),
  ],
  ['average number of vms per host', value((r) => mean(r.hosts.map((h) => h.vmCount)))],
  ['maximum memory of any vm', value((r) => Math.max(...r.vms.map((v) => v.memoryMb ?? 0)))],
  ['minimum vcpus of powered on vms', value((r) => Math.min(...r.vms.filter(on).map(cpu)))],
  [
    'sum of cores of hosts in cluster prod-b',
    value((r) => sum(r.hosts.filter(inCluster('Prod-B')).map((h) => h.numCpuCores ?? 0))),
  ],
  [
    'how much memory do the hosts in tokyo have',
    value((r) => sum(r.hosts.filter((h) => h.datacenter === 'Tokyo').map((h) => h.memoryMb ?? 0))),
  ],
  ['average vcpus per vm', value((r) => mean(r.vms.map(cpu)))],
  [
    'total vcpus per cluster',
    avgGroups('cluster', (r) => {
      const by: Record<string, number> = {};
      for (const v of r.vms) by[String(v.cluster)] = (by[String(v.cluster)] ?? 0) + cpu(v);
      return by;
    }),
  ],
  [
    'average memory of windows vms by cluster',
    avgGroups('cluster', (r) => {
      const by: Record<string, number[]> = {};
      for (const v of r.vms.filter(windows)) (by[String(v.cluster)] ??= []).push(v.memoryMb ?? 0);
      return Object.fromEntries(Object.entries(by).map(([k, xs]) => [k, mean(xs)]));
    }),
  ],
  [
    'how many cpus do the vms on esx12 have in total',
    value((r) => sum(r.vms.filter((v) => v.vc === 'vc-1' && v.host === 'esx12.par.lab').map(cpu))),
  ],
  [
    'combined memory of the linux vms in prod-b',
    value((r) => sum(r.vms.filter((v) => linux(v) && v.cluster === 'Prod-B').map((v) => v.memoryMb ?? 0))),
  ],
  [
    'total used storage of the powered off vms',
    value((r) => sum(r.vms.filter(off).map((v) => v.usedBytes ?? 0))),
  ],
  [
    'how much storage do templates use',
    value((r) => sum(r.vms.filter((v) => v.template).map((v) => v.usedBytes ?? 0))),
  ],
  ['how many vms are in cluster prod-d', vmCount(inCluster('Prod-D'))],
  ['how many hosts does cluster par-uat have', count((r) => r.hosts.filter(inCluster('par-UAT')).length)],
];

const DATES: Case[] = [
  ['hosts booted in the last 30 days', hosts(bootedAfter(() => daysAgo(30)))],
  ['hosts rebooted this month', hosts(bootedAfter(() => startOfMonth(refNow())))],
  [
    'vms booted yesterday',
    vms(
      (v) => v.bootMs !== null && v.bootMs >= startOfDay(refNow()) - DAY && v.bootMs < startOfDay(refNow()),
    ),
  ],
  ['vms booted more than a year ago', vms(bootedBefore(() => daysAgo(365)))],
  ['hosts up for more than 200 days', hosts(bootedBefore(() => daysAgo(200)))],
  ['vms with an uptime of more than 300 days', vms(bootedBefore(() => daysAgo(300)))],
  ['hosts not rebooted in 100 days', hosts(bootedBefore(() => daysAgo(100)))],
  ['vms booted since 1 nov', vms(bootedAfter(() => lastDate(11, 1)))],
  ['vms started this week', vms(bootedAfter(() => startOfWeek(refNow())))],
  ['hosts booted before 1 sep', hosts(bootedBefore(() => lastDate(9, 1)))],
  ['vms that booted in the past 7 days', vms(bootedAfter(() => daysAgo(7)))],
  [
    'how many hosts were booted in the last 90 days',
    count((r) => r.hosts.filter(bootedAfter(() => daysAgo(90))).length),
  ],
  // config.createDate (issue 16).
  ['vms created this week', vms((v) => v.createdMs !== null && v.createdMs >= startOfWeek(refNow()))],
  [
    'vms created before 2025',
    vms((v) => v.createdMs !== null && v.createdMs < new Date(2025, 0, 1).getTime()),
  ],
  ['vms booted on a rainy day', refused('rainy')],
  ['datastores created last week', cannot(/creat|date/i)],
];

/** A second batch of fresh phrasings, written after the first batch's fixes (result in the README). */
const FRESH_2: Case[] = [
  ['what vms are on the dmz vlan', refused()],
  ['list all powered-off windows servers', vms((v) => off(v) && windows(v))],
  ['how many vms are running in milan', vmCount((v) => on(v) && v.datacenter === 'Milan')],
  ['vms with 32 gb of ram or more', vms((v) => (v.memoryMb ?? 0) >= 32 * 1024)],
  ['hosts with 1 tb of memory', hosts((h) => (h.memoryMb ?? 0) === 1024 * 1024)],
  [
    'snapshots older than 2 weeks on lon-app-prd-109',
    snaps((x) => x.vm === 'lon-app-prd-109' && x.createdMs < daysAgo(14)),
  ],
  ['which vms have more than 2 snapshots', vms((v) => v.snapshotCount > 2)],
  ['which vcenter has the most hosts', orderedNames((r) => tally(r.hosts, (h) => h.vc), 'desc', 1)],
  ['datastores with no vms on them', dss((d) => d.vmCount === 0)],
  ['vms on datastores that are almost full', refused('almost')],
  ['vms whose tools are not current', vms((v) => v.toolsStatus !== 'toolsOk')],
  [
    'windows vms with tools running but outdated',
    vms(
      (v) =>
        windows(v) &&
        v.toolsRunningStatus === 'guestToolsRunning' &&
        (v.toolsStatus === 'toolsOld' ||
          ['guestToolsNeedUpgrade', 'guestToolsSupportedOld', 'guestToolsTooOld'].includes(
            v.toolsVersionStatus2 ?? '',
          )),
    ),
  ],
  ['hosts without maintenance mode', hosts((h) => !h.inMaintenanceMode)],
  [
    'vms in cluster prod-a sorted by memory',
    ordered(
      (r) => r.vms,
      (v: Vm) => v.memoryMb ?? 0,
      'desc',
      undefined,
      inCluster('Prod-A'),
    ),
  ],
  ['count powered off vms per cluster', groups('cluster', (r) => tally(r.vms.filter(off), (v) => v.cluster))],
  ['how many windows and linux vms', vmCount((v) => windows(v) || linux(v))],
  ['vms in prod-a and prod-b', vms((v) => v.cluster === 'Prod-A' || v.cluster === 'Prod-B')],
  ['list the 5 newest snapshots', snapOrder('desc', 5)],
  ['how many datastores does each vcenter have', groups('vcenter', (r) => tally(r.ds, (d) => d.vc))],
  ['clusters in sydney with drs', clusters((c) => c.datacenter === 'Sydney' && c.drsEnabled)],
  ['vms on par-prod-d hosts', vms(inCluster('par-Prod-D'))],
  ['vms that live on esx13.par.lab', vms((v) => v.vc === 'vc-1' && v.host === 'esx13.par.lab')],
  ['templates running windows 2022', vms((v) => v.template && win2022(v))],
  ['suspended or powered off vms', vms((v) => v.powerState === 'suspended' || off(v))],
  ['snapshots taken more than a month ago', snaps((x) => x.createdMs < daysAgo(30))],
  ['vms booted after 1 oct', vms(bootedAfter(() => lastDate(10, 1)))],
  [
    'number of powered on vms in each datacenter',
    groups('datacenter', (r) => tally(r.vms.filter(on), (v) => v.datacenter)),
  ],
  ['average vcpu count of windows vms', value((r) => mean(r.vms.filter(windows).map(cpu)))],
  [
    "what's the total memory of vms in vcenter vc-2",
    value((r) => sum(r.vms.filter((v) => v.vc === 'vc-2').map((v) => v.memoryMb ?? 0))),
  ],
  ['hosts with more memory than 700 gb', hosts((h) => (h.memoryMb ?? 0) > 700 * 1024)],
  ['vms with snapshots but no ip', vms((v) => v.snapshotCount > 0 && !v.ipAddress)],
  [
    'biggest datastore in tokyo',
    ordered(
      (r) => r.ds,
      (d) => (d.capacityBytes ?? 0) / GB,
      'desc',
      1,
      (d) => d.datacenter === 'Tokyo',
    ),
  ],
];

defineQuestionSuite(
  'held-out questions, part 2 (snapshots, top-N, guest OS, aggregates, dates)',
  {
    snapshots: SNAPSHOTS,
    'top-N': TOP_N,
    'guest OS': GUEST_OS,
    aggregates: AGGREGATES,
    dates: DATES,
    'fresh 2': FRESH_2,
  },
  (ref) => {
    expect(ref.snaps.length).toBeGreaterThan(100);
    expect(ref.snaps.filter((s) => s.createdMs >= daysAgo(14)).length).toBeGreaterThan(0);
    expect(ref.vms.filter(rhel8).length).toBeGreaterThan(0);
    expect(ref.vms.filter(win2019).length).toBeGreaterThan(0);
    expect(ref.hosts.filter(bootedAfter(() => daysAgo(30))).length).toBeGreaterThan(0);
    expect(ref.ds.filter(vmfs).length).toBeGreaterThan(0);
    expect(ref.ds.filter(nfs).length).toBeGreaterThan(0);
  },
);
