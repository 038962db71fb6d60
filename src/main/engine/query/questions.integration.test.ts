/**
 * Questions judged by their rows: two seeded simulators are synced with the engine and read
 * independently with pyvmomi; every question's answer (rows, count, value, groups, find hits) is
 * compared with what the pyvmomi reading says it should be. A third vCenter at a closed port fails
 * its sync, so every answer's freshness must name it.
 */
import { openTestEngine } from '../../../testing/engine.js';
import { freePort } from '../../../testing/net.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulators, stopAll } from '../../../testing/vcsim.js';
import {
  readWithPyvmomi,
  type PyCluster,
  type PyDatastore,
  type PyHost,
  type PyInventory,
  type PyNetwork,
  type PyVm,
  type PyVmDetails,
} from '../../../testing/pyvmomi.js';
import type { Answer } from '../../../shared/query.js';
import { Engine } from '../engine.js';
import { placedBy, QueryService } from './query-service.js';

// ---------------------------------------------------------------------------------------------
// The reference: pyvmomi's reading of each simulator, tagged with the vCenter name vMiner uses.

type Vm = PyVm & PyVmDetails & { vc: string; oldestSnapshotMs: number | null };
type Host = PyHost & { vc: string };
type Ds = PyDatastore & { vc: string; datacenter: string | null; freePercent: number };
type Cluster = PyCluster & { vc: string };
type Net = PyNetwork & { vc: string };
interface Snapshot {
  vc: string;
  vm: string;
  createdMs: number;
}
interface Ref {
  vms: Vm[];
  hosts: Host[];
  ds: Ds[];
  clusters: Cluster[];
  nets: Net[];
  snaps: Snapshot[];
  datacenters: string[];
}

const DAY = 86_400_000;
const GB = 1024 ** 3;
const TB = 1024 ** 4;

function buildRef(readings: PyInventory[]): Ref {
  const ref: Ref = { vms: [], hosts: [], ds: [], clusters: [], nets: [], snaps: [], datacenters: [] };
  readings.forEach((inv, i) => {
    const vc = `vc-${i}`;
    const details = new Map(inv.vmDetails.map((d) => [d.name, d]));
    for (const v of inv.vms) {
      const d = details.get(v.name)!;
      const times = d.snapshotCreateTimes.flatMap((t) => (t ? [Date.parse(t)] : []));
      ref.vms.push({ ...v, ...d, vc, oldestSnapshotMs: times.length ? Math.min(...times) : null });
      for (const t of times) ref.snaps.push({ vc, vm: v.name, createdMs: t });
    }
    for (const h of inv.hosts) ref.hosts.push({ ...h, vc });
    const dsDetails = new Map(inv.datastoreDetails.map((d) => [d.name, d]));
    for (const d of inv.datastores) {
      const cap = d.capacityBytes ?? 0;
      ref.ds.push({
        ...d,
        vc,
        datacenter: dsDetails.get(d.name)?.datacenter ?? null,
        freePercent: cap > 0 ? ((d.freeBytes ?? 0) / cap) * 100 : 0,
      });
    }
    for (const c of inv.clusters) ref.clusters.push({ ...c, vc });
    for (const n of inv.networks) ref.nets.push({ ...n, vc });
    for (const dc of inv.datacenters) ref.datacenters.push(dc.name);
  });
  return ref;
}

// ---------------------------------------------------------------------------------------------
// Expectations: each judges an answer against the reference.

type Check = (a: Answer, ref: Ref) => void;

const key = (vc: unknown, name: unknown): string => `${String(vc)}/${String(name)}`;
const sorted = (xs: string[]): string[] => [...xs].sort();
const rowKeys = (a: Answer): string[] => sorted(a.rows.map((r) => key(r['vcenter'], r['name'])));

function rowsOf<T extends { vc: string; name: string }>(
  pick: (r: Ref) => T[],
  pred: (x: T) => boolean,
): Check {
  return (a, ref) => {
    expect(a.kind, a.message).toBe('rows');
    const want = sorted(
      pick(ref)
        .filter(pred)
        .map((x) => key(x.vc, x.name)),
    );
    expect(rowKeys(a)).toEqual(want);
    expect(a.total).toBe(want.length);
  };
}
const vms = (pred: (v: Vm) => boolean): Check => rowsOf((r) => r.vms, pred);
const hosts = (pred: (h: Host) => boolean): Check => rowsOf((r) => r.hosts, pred);
const dss = (pred: (d: Ds) => boolean): Check => rowsOf((r) => r.ds, pred);
const clusters = (pred: (c: Cluster) => boolean): Check => rowsOf((r) => r.clusters, pred);
const nets = (pred: (n: Net) => boolean): Check => rowsOf((r) => r.nets, pred);
const snaps =
  (pred: (s: Snapshot) => boolean): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('rows');
    const want = sorted(ref.snaps.filter(pred).map((s) => key(s.vc, s.vm)));
    expect(sorted(a.rows.map((r) => key(r['vcenter'], r['vm'])))).toEqual(want);
  };

/** A count answer, also for vms/hosts/… counted from the reference. */
const count =
  (n: (ref: Ref) => number): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('count');
    expect(a.value).toBe(n(ref));
  };
const vmCount = (pred: (v: Vm) => boolean): Check => count((r) => r.vms.filter(pred).length);

const value =
  (v: (ref: Ref) => number): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('value');
    expect(a.value).toBeCloseTo(v(ref), 1);
  };

function tally<T>(xs: T[], k: (x: T) => string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) {
    const g = String(k(x));
    out[g] = (out[g] ?? 0) + 1;
  }
  return out;
}
const groups =
  (field: string, want: (ref: Ref) => Record<string, number>): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('groups');
    const got: Record<string, number> = {};
    for (const r of a.rows) got[String(r[field])] = Number(r['value']);
    expect(got).toEqual(want(ref));
  };
const avgGroups =
  (field: string, want: (ref: Ref) => Record<string, number>): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('groups');
    const w = want(ref);
    expect(a.rows.map((r) => String(r[field])).sort()).toEqual(Object.keys(w).sort());
    for (const r of a.rows) expect(Number(r['value'])).toBeCloseTo(w[String(r[field])]!, 2);
  };
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * Sorted and limited answers: the reference values of the returned rows, in answer order, are the
 * reference's own best values (ties make the names ambiguous, never the values).
 */
function ordered<T extends { vc: string; name: string }>(
  pick: (r: Ref) => T[],
  val: (x: T) => number,
  dir: 'asc' | 'desc',
  n?: number,
  pred: (x: T) => boolean = () => true,
): Check {
  return (a, ref) => {
    expect(a.kind, a.message).toBe('rows');
    const all = pick(ref);
    const byKey = new Map(all.map((x) => [key(x.vc, x.name), x]));
    const got = a.rows.map((r) => {
      const x = byKey.get(key(r['vcenter'], r['name']));
      expect(x, key(r['vcenter'], r['name'])).toBeDefined();
      expect(pred(x!)).toBe(true);
      return Math.round(val(x!) * 10) / 10;
    });
    const want = all
      .filter(pred)
      .map((x) => Math.round(val(x) * 10) / 10)
      .sort((p, q) => (dir === 'asc' ? p - q : q - p))
      .slice(0, n);
    expect(got).toEqual(want);
  };
}

const kind =
  (k: Answer['kind']): Check =>
  (a) => {
    expect(a.kind).toBe(k);
    if (k !== 'export') expect(a.rows).toEqual([]);
  };
const notUnderstood: Check = (a) => {
  expect(a.kind).toBe('not_understood');
  expect(a.rows).toEqual([]);
  expect(a.suggestions?.length ?? 0).toBeGreaterThan(0);
  expect(a.message).toBeTruthy();
};
const clarify =
  (...candidates: string[]): Check =>
  (a) => {
    expect(a.kind).toBe('clarify');
    expect(a.rows).toEqual([]);
    expect(sorted(a.suggestions ?? [])).toEqual(sorted(candidates));
    for (const c of candidates) expect(a.message).toContain(c);
  };
/** A find answer whose first hit is the VM, with its vCenter, cluster and host from pyvmomi. */
const found =
  (vmName: string): Check =>
  (a, ref) => {
    expect(a.kind).toBe('find');
    const v = ref.vms.find((x) => x.name === vmName)!;
    expect(a.rows[0]).toMatchObject({
      entity: 'VM',
      name: vmName,
      vcenter: v.vc,
      cluster: v.cluster,
      host: v.host,
      ipAddress: v.ipAddress,
    });
  };
const exported =
  (inner: Check): Check =>
  (a, ref) => {
    expect(a.kind).toBe('export');
    inner({ ...a, kind: 'rows' }, ref);
  };

// Predicates used more than once.
const on = (v: Vm): boolean => v.powerState === 'poweredOn';
const off = (v: Vm): boolean => v.powerState === 'poweredOff';
const guest = (needle: string) => (v: Vm) => (v.guestFullName ?? '').toLowerCase().includes(needle);
const LINUX = ['linux', 'centos', 'photon', 'ubuntu', 'debian', 'rhel', 'red hat'];
const linux = (v: Vm): boolean => LINUX.some((n) => guest(n)(v));
const inCluster = (c: string) => (v: { cluster: string | null }) => v.cluster === c;
const olderThan = (days: number) => (v: Vm) =>
  v.oldestSnapshotMs !== null && v.oldestSnapshotMs < Date.now() - days * DAY;
const memGb = (v: Vm): number => (v.memoryMb ?? 0) / 1024;
const cpu = (v: Vm): number => v.numCpu ?? 0;
const toolsOld = (v: Vm): boolean =>
  v.toolsStatus === 'toolsOld' || v.toolsVersionStatus2 === 'guestToolsNeedUpgrade';

/** [question, expectation, the corrected question the answer must show (else: none)]. */
type Case = [question: string, check: Check, corrected?: string];

// The inventory (deterministic for these seeds and sizes): clusters ams-Mgmt, ams-Prod-A,
// ams-Prod-B (Amsterdam, vc-0), fra-Backup, fra-Prod-A (Frankfurt, vc-1); hosts esxNN.ams.lab /
// esxNN.fra.lab; datastores ds-ssd-01, ds-nvme-01, ds-sas-01, nfs-iso-01; portgroups VLAN-…
const SEEDS: Case[] = [
  ['get all powered on VMs', vms(on)],
  ['show me hosts with no vms', hosts((h) => h.vmCount === 0)],
  ['get all empty datastores', dss((d) => d.vmCount === 0)],
  ['list vms in cluster ams-Prod-A', vms(inCluster('ams-Prod-A'))],
  ['count powered off vms', vmCount(off)],
];

const CASES: Case[] = [
  // Spelling: keywords are corrected, the answer says so.
  ['shoe me all powred on vms', vms(on), 'show me all powered on vms'],
  ['get all emty datastors', dss((d) => d.vmCount === 0), 'get all empty datastores'],
  ['lsit all vms powred off', vms(off), 'list all vms powered off'],
  ['show suspnded vms', vms((v) => v.powerState === 'suspended'), 'show suspended vms'],
  ['disconected hosts', hosts((h) => h.connectionState === 'disconnected'), 'disconnected hosts'],
  ['hosts in maintenence mode', hosts((h) => h.inMaintenanceMode), 'hosts in maintenance mode'],
  ['clusters wihtout ha', clusters((c) => !c.haEnabled), 'clusters without ha'],
  ['vms with more then 8 cpus', vms((v) => cpu(v) > 8), 'vms with more than 8 cpus'],
  ['windwos vms', vms(guest('windows')), 'windows vms'],
  ['how many virtaul machines', count((r) => r.vms.length), 'how many virtual machines'],
  ['show datastroes', dss(() => true), 'show datastores'],
  ['list templtes', vms((v) => v.template), 'list templates'],
  ['hypervisers in maintenance mode', hosts((h) => h.inMaintenanceMode), 'hypervisors in maintenance mode'],
  // Names: a typo in a real name finds it; a tie is surfaced, never guessed.
  ['list vms in cluster ams-prodd-a', vms(inCluster('ams-Prod-A'))],
  ['vms in cluster ams-mgnt', vms(inCluster('ams-Mgmt'))],
  ['vms in cluster AMS-PROD-B', vms(inCluster('ams-Prod-B'))],
  ['list vms in cluster ams-prod-c', clarify('ams-Prod-A', 'ams-Prod-B')],
  ['hosts in cluster fra-backpu', hosts(inCluster('fra-Backup'))],
  ['vms in datacenter Amsterdm', vms((v) => v.datacenter === 'Amsterdam')],
  // Intents.
  ['list vms', vms(() => true)],
  ['show all vms', vms(() => true)],
  ['get vms', vms(() => true)],
  ['how many vms', count((r) => r.vms.length)],
  ['how many vms are powered on', vmCount(on)],
  ['count vms', count((r) => r.vms.length)],
  ['count hosts', count((r) => r.hosts.length)],
  ['number of datastores', count((r) => r.ds.length)],
  ['how many clusters', count((r) => r.clusters.length)],
  ['how many windows vms', vmCount(guest('windows'))],
  ['count vms by cluster', groups('cluster', (r) => tally(r.vms, (v) => v.cluster))],
  ['count vms by power state', groups('powerState', (r) => tally(r.vms, (v) => v.powerState))],
  ['count vms by os', groups('guestFullName', (r) => tally(r.vms, (v) => v.guestFullName))],
  ['count hosts by cluster', groups('cluster', (r) => tally(r.hosts, (h) => h.cluster))],
  ['count datastores by type', groups('type', (r) => tally(r.ds, (d) => d.type))],
  ['vms per host', groups('host', (r) => tally(r.vms, (v) => v.host))],
  ['vms per cluster', groups('cluster', (r) => tally(r.vms, (v) => v.cluster))],
  ['count powered on vms by cluster', groups('cluster', (r) => tally(r.vms.filter(on), (v) => v.cluster))],
  ['hosts per cluster', groups('cluster', (r) => tally(r.hosts, (h) => h.cluster))],
  [
    'total memory of vms in cluster ams-Prod-A',
    value((r) => r.vms.filter(inCluster('ams-Prod-A')).reduce((s, v) => s + (v.memoryMb ?? 0), 0)),
  ],
  ['sum of memory of vms', value((r) => r.vms.reduce((s, v) => s + (v.memoryMb ?? 0), 0))],
  ['average cpu per host', value((r) => mean(r.hosts.map((h) => h.numCpuCores ?? 0)))],
  ['average memory of vms', value((r) => mean(r.vms.map((v) => v.memoryMb ?? 0)))],
  ['avg cpus of powered on vms', value((r) => mean(r.vms.filter(on).map(cpu)))],
  ['max cpu of vms', value((r) => Math.max(...r.vms.map(cpu)))],
  ['minimum memory of vms', value((r) => Math.min(...r.vms.map((v) => v.memoryMb ?? 0)))],
  ['sum of memory of hosts', value((r) => r.hosts.reduce((s, h) => s + (h.memoryMb ?? 0), 0))],
  [
    'average cpu of vms per cluster',
    avgGroups('cluster', (r) => {
      const by: Record<string, number[]> = {};
      for (const v of r.vms) (by[String(v.cluster)] ??= []).push(cpu(v));
      return Object.fromEntries(Object.entries(by).map(([k, xs]) => [k, mean(xs)]));
    }),
  ],
  // Entity synonyms.
  ['list virtual machines', vms(() => true)],
  ['show servers', vms(() => true)],
  ['list esxi', hosts(() => true)],
  ['list esxi hosts', hosts(() => true)],
  ['list hypervisors', hosts(() => true)],
  ['show luns', dss(() => true)],
  ['list volumes', dss(() => true)],
  ['show storage', dss(() => true)],
  ['list clusters', clusters(() => true)],
  ['list networks', nets(() => true)],
  ['list portgroups', nets(() => true)],
  ['show guests', vms(() => true)],
  ['list workloads', vms(() => true)],
  // States.
  ['powered on vms', vms(on)],
  ['poweredoff vms', vms(off)],
  ['vms that are turned off', vms(off)],
  ['stopped vms', vms(off)],
  ['running vms', vms(on)],
  ['suspended vms', vms((v) => v.powerState === 'suspended')],
  ['paused virtual machines', vms((v) => v.powerState === 'suspended')],
  ['not powered on vms', vms((v) => !on(v))],
  ['connected hosts', hosts((h) => h.connectionState === 'connected')],
  ['disconnected hosts', hosts((h) => h.connectionState === 'disconnected')],
  ['hosts in maintenance mode', hosts((h) => h.inMaintenanceMode)],
  ['esxi hosts in maintenance', hosts((h) => h.inMaintenanceMode)],
  ['hosts not in maintenance mode', hosts((h) => !h.inMaintenanceMode)],
  ['vms with tools not running', vms((v) => v.toolsRunningStatus === 'guestToolsNotRunning')],
  ['vms where tools are not running', vms((v) => v.toolsRunningStatus === 'guestToolsNotRunning')],
  ['vms with tools running', vms((v) => v.toolsRunningStatus === 'guestToolsRunning')],
  ['vms with outdated tools', vms(toolsOld)],
  ['vms with tools outdated', vms(toolsOld)],
  ['vms with old vmware tools', vms(toolsOld)],
  ['vms with tools not installed', vms((v) => v.toolsStatus === 'toolsNotInstalled')],
  ['vms without tools', vms((v) => v.toolsStatus === 'toolsNotInstalled')],
  ['vms with tools ok', vms((v) => v.toolsStatus === 'toolsOk')],
  ['templates', vms((v) => v.template)],
  ['list templates', vms((v) => v.template)],
  ['how many templates', vmCount((v) => v.template)],
  ['powered on linux vms', vms((v) => on(v) && linux(v))],
  // Relations.
  ['vms on host esx01.ams.lab', vms((v) => v.host === 'esx01.ams.lab')],
  ['vms on esx02.fra.lab', vms((v) => v.host === 'esx02.fra.lab')],
  ['vms on datastore ds-ssd-01', vms((v) => v.datastores.includes('ds-ssd-01'))],
  [
    'vms on datastore ds-nvme-01 in vcenter vc-1',
    vms((v) => v.vc === 'vc-1' && v.datastores.includes('ds-nvme-01')),
  ],
  ['vms in datacenter Amsterdam', vms((v) => v.datacenter === 'Amsterdam')],
  ['vms in Frankfurt', vms((v) => v.datacenter === 'Frankfurt')],
  ['vms in vcenter vc-1', vms((v) => v.vc === 'vc-1')],
  ['vms in vc-0', vms((v) => v.vc === 'vc-0')],
  ['vms on network VLAN-172-Prod-Web', vms((v) => v.networks.includes('VLAN-172-Prod-Web'))],
  ['vms in portgroup VLAN-241-Prod-DB', vms((v) => v.networks.includes('VLAN-241-Prod-DB'))],
  ['vms in ams-Prod-A', vms(inCluster('ams-Prod-A'))],
  ['vms in the ams-Prod-B cluster', vms(inCluster('ams-Prod-B'))],
  ['vms not in cluster ams-Prod-A', vms((v) => v.cluster !== 'ams-Prod-A')],
  [
    'vms in cluster ams-prod-a or ams-prod-b',
    vms((v) => v.cluster === 'ams-Prod-A' || v.cluster === 'ams-Prod-B'),
  ],
  ['hosts in cluster fra-Prod-A', hosts(inCluster('fra-Prod-A'))],
  ['hosts in datacenter Frankfurt', hosts((h) => h.datacenter === 'Frankfurt')],
  ['datastores in datacenter Amsterdam', dss((d) => d.datacenter === 'Amsterdam')],
  ['clusters in vcenter vc-0', clusters((c) => c.vc === 'vc-0')],
  ['clusters in Frankfurt', clusters((c) => c.datacenter === 'Frankfurt')],
  ['hosts with no vms', hosts((h) => h.vmCount === 0)],
  ['hosts without vms', hosts((h) => h.vmCount === 0)],
  ['empty datastores', dss((d) => d.vmCount === 0)],
  ['unused datastores', dss((d) => d.vmCount === 0)],
  ['datastores with no vms', dss((d) => d.vmCount === 0)],
  ['networks with no vms', nets((n) => n.vmCount === 0)],
  ['clusters without HA', clusters((c) => !c.haEnabled)],
  ['clusters without DRS', clusters((c) => !c.drsEnabled)],
  ['clusters with ha', clusters((c) => c.haEnabled)],
  ['clusters with drs enabled', clusters((c) => c.drsEnabled)],
  ['clusters with ha disabled', clusters((c) => !c.haEnabled)],
  ['clusters with drs off', clusters((c) => !c.drsEnabled)],
  ['clusters with no ha', clusters((c) => !c.haEnabled)],
  ['powered on vms on host esx01.ams.lab', vms((v) => on(v) && v.host === 'esx01.ams.lab')],
  // Numbers and units.
  ['vms with more than 8 cpus', vms((v) => cpu(v) > 8)],
  ['vms with over 8 vcpus', vms((v) => cpu(v) > 8)],
  ['vms with atleast 4 cpus', vms((v) => cpu(v) >= 4)],
  ['vms with at most 2 cpus', vms((v) => cpu(v) <= 2)],
  ['vms with 8 cpus', vms((v) => cpu(v) === 8)],
  ['vms with exactly 4 vcpus', vms((v) => cpu(v) === 4)],
  ['vms with 8 vcpus or more', vms((v) => cpu(v) >= 8)],
  ['vms with fewer than 2 cpus', vms((v) => cpu(v) < 2)],
  ['vms with at least 16 GB of memory', vms((v) => memGb(v) >= 16)],
  ['vms with memory over 32gb', vms((v) => memGb(v) > 32)],
  ['vms with more than 64 gb ram', vms((v) => memGb(v) > 64)],
  ['vms with less than 2gb memory', vms((v) => memGb(v) < 2)],
  ['vms with memory under 4096mb', vms((v) => (v.memoryMb ?? 0) < 4096)],
  ['vms with 2gb memory or less', vms((v) => memGb(v) <= 2)],
  ['16gb vms', vms((v) => memGb(v) === 16)],
  ['vms with between 4 and 8 vcpus', vms((v) => cpu(v) >= 4 && cpu(v) <= 8)],
  ['vms with memory between 8 and 16 gb', vms((v) => memGb(v) >= 8 && memGb(v) <= 16)],
  ['datastores with less than 10% free', dss((d) => d.freePercent < 10)],
  // "X % full" is the space in use (issue 19).
  ['datastores more than 90% full', dss((d) => d.freePercent < 10)],
  ['datastores at least 50% full', dss((d) => d.freePercent <= 50)],
  // A unique whole part of a cluster name is enough (issue 19).
  ['vms in cluster prod-b', vms(inCluster('ams-Prod-B'))],
  ['vms in backup', vms(inCluster('fra-Backup'))],
  ['datastores with less than 20 percent free', dss((d) => d.freePercent < 20)],
  ['datastores over 2 TB', dss((d) => (d.capacityBytes ?? 0) > 2 * TB)],
  ['datastores larger than 4tb', dss((d) => (d.capacityBytes ?? 0) > 4 * TB)],
  ['datastores under 1tb', dss((d) => (d.capacityBytes ?? 0) < TB)],
  ['datastores with more than 500 gb free', dss((d) => (d.freeBytes ?? 0) > 500 * GB)],
  ['hosts with at least 512 gb of memory', hosts((h) => (h.memoryMb ?? 0) >= 512 * 1024)],
  ['hosts with more than 20 cores', hosts((h) => (h.numCpuCores ?? 0) > 20)],
  ['hosts with more than 10 vms', hosts((h) => h.vmCount > 10)],
  ['clusters with more than 2 hosts', clusters((c) => c.hostCount > 2)],
  ['vms with snapshots older than 30 days', vms(olderThan(30))],
  ['vms with snapshots older than 2 weeks', vms(olderThan(14))],
  ['vms with snapshots older than 3 months', vms(olderThan(90))],
  [
    'vms with snapshots newer than 7 days',
    vms((v) => v.oldestSnapshotMs !== null && v.oldestSnapshotMs > Date.now() - 7 * DAY),
  ],
  ['snapshots older than 30 days', snaps((s) => s.createdMs < Date.now() - 30 * DAY)],
  ['snapshots older than 2 months', snaps((s) => s.createdMs < Date.now() - 60 * DAY)],
  ['list snapshots', snaps(() => true)],
  ['how many snapshots', count((r) => r.snaps.length)],
  ['vms with more than 2 snapshots', vms((v) => v.snapshotCount > 2)],
  // Names.
  ['vms named ams-web*', vms((v) => v.name.startsWith('ams-web'))],
  ['vms named *-sql-*', vms((v) => v.name.includes('-sql-'))],
  ['vms containing sql', vms((v) => v.name.includes('sql'))],
  ['vms with name containing web', vms((v) => v.name.includes('web'))],
  ['vms starting with fra', vms((v) => v.name.startsWith('fra'))],
  ['vms with name starting with fra-db', vms((v) => v.name.startsWith('fra-db'))],
  ['vms ending with 001', vms((v) => v.name.endsWith('001'))],
  ['vms named ams-app-prd-001', vms((v) => v.name === 'ams-app-prd-001')],
  ['vms named "ams-app-prd-001"', vms((v) => v.name === 'ams-app-prd-001')],
  ['show vm ams-app-prd-001', vms((v) => v.name === 'ams-app-prd-001')],
  ['datastores named nfs-iso-01', dss((d) => d.name === 'nfs-iso-01')],
  ['powered on vms named ams-k8s*', vms((v) => on(v) && v.name.startsWith('ams-k8s'))],
  // Guest OS.
  ['windows vms', vms(guest('windows'))],
  ['linux vms', vms(linux)],
  ['ubuntu vms', vms(guest('ubuntu'))],
  ['windows server 2019 vms', vms(guest('windows server 2019'))],
  ['windows server 2022 vms', vms(guest('windows server 2022'))],
  ['windows 2019 vms', vms((v) => guest('windows')(v) && guest('2019')(v))],
  ['red hat vms', vms(guest('red hat'))],
  ['centos vms', vms(guest('centos'))],
  ['photon vms', vms(guest('photon'))],
  ['vms with guest os ubuntu', vms(guest('ubuntu'))],
  ['windows or linux vms', vms((v) => guest('windows')(v) || linux(v))],
  [
    'powered on windows vms in cluster ams-Prod-A',
    vms((v) => on(v) && guest('windows')(v) && v.cluster === 'ams-Prod-A'),
  ],
  ['linux vms with at least 16 GB of memory', vms((v) => linux(v) && memGb(v) >= 16)],
  ['how many ubuntu vms are powered off', vmCount((v) => off(v) && guest('ubuntu')(v))],
  // Missing / present data.
  ['vms without an ip', vms((v) => !v.ipAddress)],
  ['vms with no ip address', vms((v) => !v.ipAddress)],
  ['vms with an ip', vms((v) => !!v.ipAddress)],
  ['windows vms without an ip', vms((v) => guest('windows')(v) && !v.ipAddress)],
  ['vms with no snapshots', vms((v) => v.snapshotCount === 0)],
  ['vms without snapshots', vms((v) => v.snapshotCount === 0)],
  ['vms with snapshots', vms((v) => v.snapshotCount > 0)],
  ['vms without notes', vms((v) => !v.annotation)],
  ['vms with notes', vms((v) => !!v.annotation)],
  ['vms with ip 10.62.0.8', vms((v) => v.ipAddresses.includes('10.62.0.8'))],
  // Sorting and limits.
  ['top 10 vms by memory', ordered((r) => r.vms, memGb, 'desc', 10)],
  ['top 5 vms by cpu', ordered((r) => r.vms, cpu, 'desc', 5)],
  ['3 largest vms', ordered((r) => r.vms, memGb, 'desc', 3)],
  [
    'largest datastores',
    ordered(
      (r) => r.ds,
      (d) => d.capacityBytes ?? 0,
      'desc',
    ),
  ],
  [
    'smallest datastores',
    ordered(
      (r) => r.ds,
      (d) => d.capacityBytes ?? 0,
      'asc',
    ),
  ],
  [
    '5 fullest datastores',
    ordered(
      (r) => r.ds,
      (d) => d.freePercent,
      'asc',
      5,
    ),
  ],
  [
    'hosts sorted by vm count',
    ordered(
      (r) => r.hosts,
      (h) => h.vmCount,
      'desc',
    ),
  ],
  [
    'top 5 hosts by memory',
    ordered(
      (r) => r.hosts,
      (h) => h.memoryMb ?? 0,
      'desc',
      5,
    ),
  ],
  [
    'hosts with most vms',
    ordered(
      (r) => r.hosts,
      (h) => h.vmCount,
      'desc',
    ),
  ],
  ['powered off vms sorted by memory', ordered((r) => r.vms, memGb, 'desc', undefined, off)],
  [
    'vms in cluster fra-Prod-A sorted by cpu ascending',
    ordered((r) => r.vms, cpu, 'asc', undefined, inCluster('fra-Prod-A')),
  ],
  ['top 3 powered on vms by memory', ordered((r) => r.vms, memGb, 'desc', 3, on)],
  // Finding.
  ['where is ams-app-prd-001', found('ams-app-prd-001')],
  ['find ams-ap-prd-001', found('ams-app-prd-001')],
  ['locate fra-app-prd-101', found('fra-app-prd-101')],
  ['10.62.0.8', found('ams-app-prd-001')],
  ['where is 10.62.0.8', found('ams-app-prd-001')],
  // Refusals and not understood.
  ['delete all vms', kind('refused')],
  ['power off host esx01.ams.lab', kind('refused')],
  ['shut down ams-app-prd-001', kind('refused')],
  ['reboot all hosts in cluster ams-Prod-A', kind('refused')],
  ['migrate ams-app-prd-001 to esx02.ams.lab', kind('refused')],
  ['drop table vms', kind('refused')],
  ['blah blah foo', notUnderstood],
  ['what is the weather like', notUnderstood],
  ['export that', notUnderstood],
  ['vms with more than 8', notUnderstood],
  ['hosts cannot be grouped by banana sorted by banana', notUnderstood],
  ['vms in cluster nowhere-at-all', notUnderstood],
  // Traps: valid words, numbers and inventory names are left alone.
  ['no vms', notUnderstood],
  ['vms on host esx03.ams.lab', vms((v) => v.host === 'esx03.ams.lab')],
  ['vm ams-app-prd-001', vms((v) => v.name === 'ams-app-prd-001')],
  ['vms with 16 gb memory', vms((v) => memGb(v) === 16)],
  ['vms with 12 cpus', vms((v) => cpu(v) === 12)],
  ['vms in cluster fra-Backup', vms(inCluster('fra-Backup'))],
  ['vms on VLAN-236-Prod-App', vms((v) => v.networks.includes('VLAN-236-Prod-App'))],
  ['datastores in Frankfurt', dss((d) => d.datacenter === 'Frankfurt')],
  ['hosts in ams-Mgmt', hosts(inCluster('ams-Mgmt'))],
];

/** Follow-ups: one conversation per chain; each step judged on its own. */
const CHAINS: Case[][] = [
  [
    ['list vms in cluster ams-Prod-A', vms(inCluster('ams-Prod-A'))],
    ['only the powered off ones', vms((v) => off(v) && v.cluster === 'ams-Prod-A')],
    ['and in cluster ams-Prod-B?', vms((v) => off(v) && v.cluster === 'ams-Prod-B')],
    [
      'sort them by cpu',
      ordered(
        (r) => r.vms,
        cpu,
        'desc',
        undefined,
        (v) => off(v) && v.cluster === 'ams-Prod-B',
      ),
    ],
    ['export that', exported(vms((v) => off(v) && v.cluster === 'ams-Prod-B'))],
    ['how many?', vmCount((v) => off(v) && v.cluster === 'ams-Prod-B')],
  ],
  [
    ['count powered off vms', vmCount(off)],
    ['and in cluster ams-Mgmt?', vmCount((v) => off(v) && v.cluster === 'ams-Mgmt')],
    ['what about fra-Backup?', vmCount((v) => off(v) && v.cluster === 'fra-Backup')],
  ],
  [
    ['show vms', vms(() => true)],
    ['sort them by cpu', ordered((r) => r.vms, cpu, 'desc')],
    ['top 3', ordered((r) => r.vms, cpu, 'desc', 3)],
  ],
  [
    ['windows vms', vms(guest('windows'))],
    ['only powered on', vms((v) => guest('windows')(v) && on(v))],
    ['with more than 4 cpus', vms((v) => guest('windows')(v) && on(v) && cpu(v) > 4)],
    ['how many?', vmCount((v) => guest('windows')(v) && on(v) && cpu(v) > 4)],
  ],
  [
    ['hosts in cluster ams-Prod-A', hosts(inCluster('ams-Prod-A'))],
    ['and in cluster fra-Prod-A?', hosts(inCluster('fra-Prod-A'))],
    ['export to csv', exported(hosts(inCluster('fra-Prod-A')))],
  ],
  [
    ['datastores', dss(() => true)],
    ['only the empty ones', dss((d) => d.vmCount === 0)],
  ],
];

// ---------------------------------------------------------------------------------------------

let dataDir: string;
let engine: Engine;
let qe: QueryService;
let ref: Ref;
let totalQuestions = 0;

beforeAll(async () => {
  const sims = await startSimulators(2, (i) => ({
    seed: 21 + i,
    vms: [150, 130][i],
    clusters: [3, 2][i],
    hostsPerCluster: 3,
    datastores: 4,
    portgroups: 3,
    namePrefix: ['ams', 'fra'][i],
  }));
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-questions-'));
  engine = await openTestEngine(dataDir);
  for (const [i, s] of sims.entries()) {
    const vc = engine.vcenters.add({
      name: `vc-${i}`,
      url: s.url,
      username: 'reader',
      thumbprint: s.thumbprintSha256,
      caPem: null,
    });
    await engine.setPassword(vc.id, 'secret');
  }
  const down = engine.vcenters.add({
    name: 'vc-down',
    url: `https://127.0.0.1:${await freePort()}/sdk`,
    username: 'reader',
    thumbprint: null,
    caPem: null,
  });
  await engine.setPassword(down.id, 'secret');
  const [summary, ...readings] = await Promise.all([
    engine.sync.sync(),
    ...sims.map((s) => readWithPyvmomi(s.url, 'reader', 'secret')),
  ]);
  expect(summary.results.map((r) => [r.vcenter, r.status])).toEqual([
    ['vc-0', 'ok'],
    ['vc-1', 'ok'],
    ['vc-down', 'failed'],
  ]);
  ref = buildRef(readings);
  qe = new QueryService({ sqlite: engine.database.sqlite, pageSize: 100_000 });
}, 60_000);

afterAll(async () => {
  engine?.close();
  await stopAll();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

function judge(c: Case, conversationId?: string): Answer {
  const [question, check, corrected] = c;
  const a = qe.ask({ question, ...(conversationId ? { conversationId } : {}) });
  totalQuestions++;
  try {
    check(a, ref);
    expect(a.correctedQuestion).toBe(corrected);
    // Freshness on every answer: as of the last good sync, naming the vCenter that failed
    // (unless the question is about one vCenter only).
    const noData = ['refused', 'not_understood', 'clarify'].includes(a.kind);
    if (!noData) expect(a.freshness.asOf).toBeTruthy();
    // An answer about named places involves only the vCenters that hold them (issue 19).
    // An answer that read no data (refused, not understood, a question back) involves none.
    const placed =
      a.kind === 'find' ||
      ['refused', 'not_understood', 'clarify'].includes(a.kind) ||
      placedBy(a.plan?.filter);
    if (!/\bvc-\d\b/.test(question)) expect(a.freshness.failedVcenters).toEqual(placed ? [] : ['vc-down']);
  } catch (err) {
    const e = err as Error;
    e.message = `${JSON.stringify(question)} → ${a.kind}: ${a.interpretation}${a.message ? ` (${a.message})` : ''}\n${e.message}`;
    throw e;
  }
  return a;
}

describe('questions against synced simulators, judged by pyvmomi', () => {
  it('the reference has what the table relies on', () => {
    expect(ref.vms.length).toBe(280);
    expect(ref.clusters.map((c) => c.name).sort()).toEqual([
      'ams-Mgmt',
      'ams-Prod-A',
      'ams-Prod-B',
      'fra-Backup',
      'fra-Prod-A',
    ]);
    for (const name of ['ams-app-prd-001', 'fra-app-prd-101'])
      expect(ref.vms.some((v) => v.name === name)).toBe(true);
    expect(ref.vms.find((v) => v.name === 'ams-app-prd-001')?.ipAddress).toBe('10.62.0.8');
    // Every predicate family has something to find, so empty answers cannot pass by accident.
    expect(ref.vms.filter(olderThan(30)).length).toBeGreaterThan(0);
    expect(ref.hosts.filter((h) => h.inMaintenanceMode).length).toBeGreaterThan(0);
    expect(ref.hosts.filter((h) => h.connectionState === 'disconnected').length).toBeGreaterThan(0);
    expect(ref.vms.filter(toolsOld).length).toBeGreaterThan(0);
    expect(ref.ds.filter((d) => d.freePercent < 10).length).toBeGreaterThan(0);
    expect(ref.clusters.filter((c) => !c.haEnabled).length).toBeGreaterThan(0);
  });

  it.each(SEEDS.map((c) => [c[0], c] as const))('seed: %s', (_q, c) => {
    judge(c);
  });

  it.each(CASES.map((c) => [c[0], c] as const))('%s', (_q, c) => {
    judge(c);
  });

  it.each(CHAINS.map((chain) => [chain.map((c) => c[0]).join(' → '), chain] as const))(
    'follow-ups: %s',
    (_q, chain) => {
      let conversationId: string | undefined;
      for (const c of chain) conversationId = judge(c, conversationId).conversationId;
    },
  );

  it('a part of a name that fits several asks which one was meant', () => {
    const a = qe.ask({ question: 'vms in cluster prod-a' });
    expect(a.kind).toBe('clarify');
    expect(a.suggestions).toEqual(['ams-Prod-A', 'fra-Prod-A']);
  });

  it('an answer that read no data carries no incompleteness note; suggestions work and never repeat the question', () => {
    const lost = qe.ask({ question: 'florble the wuggets' });
    expect(lost.kind).toBe('not_understood');
    expect(lost.freshness.failedVcenters).toEqual([]);
    expect(lost.suggestions?.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    const queue = [...(lost.suggestions ?? [])];
    while (queue.length > 0 && seen.size < 12) {
      const q = queue.shift()!;
      if (seen.has(q)) continue;
      seen.add(q);
      const a = qe.ask({ question: q });
      expect(['not_understood', 'clarify'], `${q} → ${a.kind}: ${a.message ?? ''}`).not.toContain(a.kind);
      expect(a.suggestions ?? []).not.toContain(q);
    }
    // Every example names objects of this inventory, so each one is answered.
    const mock = qe.ask({ question: 'vms in cluster Prod-A with more than 8 cpus please frobnicate' });
    for (const q of mock.suggestions ?? []) expect(q).not.toMatch(/cluster Prod-A\b/);
  });

  it('covers the required number of questions', () => {
    expect(CASES.length + CHAINS.flat().length).toBeGreaterThanOrEqual(150);
    expect(totalQuestions).toBeGreaterThanOrEqual(SEEDS.length + 150);
  });
});
