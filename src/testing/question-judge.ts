/**
 * Judging plain-English answers against an independent pyvmomi reading of the same simulators:
 * the reference (`buildRef`) and the checks the question suites share (rows, counts, values,
 * groups, orders, refusals, clarifications, find hits).
 */
import { expect } from 'vitest';
import type { Answer } from '../shared/query.js';
import type {
  PyCluster,
  PyDatastore,
  PyHost,
  PyDisk,
  PyHostDetails,
  PyInventory,
  PyNetwork,
  PyNic,
  PyPartition,
  PyVm,
  PyVmDetails,
} from './pyvmomi.js';

/** A tag on an object, as the tagging REST API lists it. */
export interface TagOn {
  category: string;
  tag: string;
}

export type Vm = PyVm &
  PyVmDetails & {
    vc: string;
    oldestSnapshotMs: number | null;
    bootMs: number | null;
    usedBytes: number | null;
    provisionedBytes: number | null;
    /** The RVTools depth (issue 16): config.createDate, firmware, custom attributes, devices, tags. */
    createdMs: number | null;
    firmware: string | null;
    secureBoot: boolean | null;
    attributes: Record<string, string>;
    disks: PyDisk[];
    nics: PyNic[];
    tags: TagOn[];
  };
export type Host = PyHost &
  PyHostDetails & {
    vc: string;
    bootMs: number | null;
    vendor: string | null;
    model: string | null;
    tags: TagOn[];
  };
export type Partition = PyPartition & { vc: string };
export type Ds = PyDatastore & {
  vc: string;
  datacenter: string | null;
  freePercent: number;
  accessible: boolean;
};
export type Cluster = PyCluster & { vc: string };
export type Net = PyNetwork & { vc: string };
export interface Snapshot {
  vc: string;
  vm: string;
  createdMs: number;
}
export interface Ref {
  vms: Vm[];
  hosts: Host[];
  ds: Ds[];
  clusters: Cluster[];
  nets: Net[];
  snaps: Snapshot[];
  datacenters: { vc: string; name: string }[];
  partitions: Partition[];
}

export const DAY = 86_400_000;

let referenceNow: number | undefined;
/** The clock the engine under test answers with; relative dates in the reference use it too. */
export function setReferenceNow(ms: number): void {
  referenceNow = ms;
}
export function refNow(): number {
  return referenceNow ?? Date.now();
}
export const GB = 1024 ** 3;
export const TB = 1024 ** 4;

/** pyvmomi's reading of each simulator, tagged with the vCenter name vMiner uses (`vc-<i>`). */
export function buildRef(readings: PyInventory[]): Ref {
  const ref: Ref = {
    vms: [],
    hosts: [],
    ds: [],
    clusters: [],
    nets: [],
    snaps: [],
    datacenters: [],
    partitions: [],
  };
  const ms = (t: string | null | undefined): number | null => (t ? Date.parse(t) : null);
  readings.forEach((inv, i) => {
    const vc = `vc-${i}`;
    const details = new Map(inv.vmDetails.map((d) => [d.name, d]));
    const depth = new Map(inv.vmDepth.map((d) => [d.name, d]));
    const tagsOf = (type: string, name: string): TagOn[] =>
      inv.tags.assignments
        .filter((t) => t.objectType === type && t.object === name)
        .map((t) => ({ category: t.category, tag: t.tag }));
    for (const v of inv.vms) {
      const d = details.get(v.name)!;
      const x = depth.get(v.name);
      const times = d.snapshotCreateTimes.flatMap((t) => (t ? [Date.parse(t)] : []));
      ref.vms.push({
        ...v,
        ...d,
        vc,
        oldestSnapshotMs: times.length ? Math.min(...times) : null,
        bootMs: ms(d.bootTime),
        usedBytes: d.committedBytes ?? null,
        provisionedBytes: d.committedBytes === null ? null : d.committedBytes + (d.uncommittedBytes ?? 0),
        createdMs: ms(x?.createdAt),
        firmware: x?.firmware ?? null,
        secureBoot: x?.secureBoot ?? null,
        attributes: x?.customValues ?? {},
        disks: inv.disks.filter((k) => k.vm === v.name),
        nics: inv.nics.filter((k) => k.vm === v.name),
        tags: tagsOf('VirtualMachine', v.name),
      });
      for (const t of times) ref.snaps.push({ vc, vm: v.name, createdMs: t });
    }
    const hostDetails = new Map((inv.hostDetails ?? []).map((d) => [d.name, d]));
    for (const h of inv.hosts) {
      const d = hostDetails.get(h.name) ?? { name: h.name, bootTime: null, esxiVersion: null };
      const x = inv.hostDepth.find((k) => k.name === h.name);
      ref.hosts.push({
        ...h,
        ...d,
        vc,
        bootMs: ms(d.bootTime),
        vendor: x?.vendor ?? null,
        model: x?.model ?? null,
        tags: tagsOf('HostSystem', h.name),
      });
    }
    const dsDetails = new Map(inv.datastoreDetails.map((d) => [d.name, d]));
    for (const d of inv.datastores) {
      const cap = d.capacityBytes ?? 0;
      ref.ds.push({
        ...d,
        vc,
        datacenter: dsDetails.get(d.name)?.datacenter ?? null,
        accessible: dsDetails.get(d.name)?.accessible ?? true,
        freePercent: cap > 0 ? ((d.freeBytes ?? 0) / cap) * 100 : 0,
      });
    }
    for (const c of inv.clusters) ref.clusters.push({ ...c, vc });
    for (const n of inv.networks) ref.nets.push({ ...n, vc });
    for (const dc of inv.datacenters) ref.datacenters.push({ vc, name: dc.name });
    for (const p of inv.partitions) ref.partitions.push({ ...p, vc });
  });
  return ref;
}

// ---------------------------------------------------------------------------------------------
// Checks: each judges an answer against the reference.

export type Check = (a: Answer, ref: Ref) => void;

export const key = (vc: unknown, name: unknown): string => `${String(vc)}/${String(name)}`;
export const sorted = (xs: string[]): string[] => [...xs].sort();
const rowKeys = (a: Answer): string[] => sorted(a.rows.map((r) => key(r['vcenter'], r['name'])));

export function rowsOf<T extends { vc: string; name: string }>(
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
export const vms = (pred: (v: Vm) => boolean): Check => rowsOf((r) => r.vms, pred);
export const hosts = (pred: (h: Host) => boolean): Check => rowsOf((r) => r.hosts, pred);
export const dss = (pred: (d: Ds) => boolean): Check => rowsOf((r) => r.ds, pred);
export const clusters = (pred: (c: Cluster) => boolean): Check => rowsOf((r) => r.clusters, pred);
export const nets = (pred: (n: Net) => boolean): Check => rowsOf((r) => r.nets, pred);
export const snaps =
  (pred: (s: Snapshot) => boolean): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('rows');
    const want = sorted(ref.snaps.filter(pred).map((s) => key(s.vc, s.vm)));
    expect(sorted(a.rows.map((r) => key(r['vcenter'], r['vm'])))).toEqual(want);
  };

/** A count answer, also for vms/hosts/… counted from the reference. */
export const count =
  (n: (ref: Ref) => number): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('count');
    expect(a.value).toBe(n(ref));
  };
export const vmCount = (pred: (v: Vm) => boolean): Check => count((r) => r.vms.filter(pred).length);

export const value =
  (v: (ref: Ref) => number): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('value');
    expect(a.value).toBeCloseTo(v(ref), 1);
  };

export function tally<T>(xs: T[], k: (x: T) => string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) {
    const g = String(k(x));
    out[g] = (out[g] ?? 0) + 1;
  }
  return out;
}
export const groups =
  (field: string, want: (ref: Ref) => Record<string, number>): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('groups');
    const got: Record<string, number> = {};
    for (const r of a.rows) got[String(r[field])] = Number(r['value']);
    expect(got).toEqual(want(ref));
  };
export const avgGroups =
  (field: string, want: (ref: Ref) => Record<string, number>): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('groups');
    const w = want(ref);
    expect(a.rows.map((r) => String(r[field])).sort()).toEqual(Object.keys(w).sort());
    for (const r of a.rows) expect(Number(r['value'])).toBeCloseTo(w[String(r[field])]!, 2);
  };
/**
 * The first `n` groups of a breakdown in order: their values are the reference's best values,
 * and each returned group has the value the reference gives it (ties make names ambiguous).
 */
export const topGroups =
  (field: string, want: (ref: Ref) => Record<string, number>, dir: 'asc' | 'desc', n: number): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('groups');
    const w = want(ref);
    const got = a.rows.map((r) => {
      const k = String(r[field]);
      expect(w[k], k).toBe(Number(r['value']));
      return Number(r['value']);
    });
    const best = Object.values(w)
      .sort((p, q) => (dir === 'asc' ? p - q : q - p))
      .slice(0, n);
    expect(got).toEqual(best);
  };
export const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
export const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);

/**
 * Sorted and limited answers: the reference values of the returned rows, in answer order, are the
 * reference's own best values (ties make the names ambiguous, never the values).
 */
export function ordered<T extends { vc: string; name: string }>(
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

export const kind =
  (k: Answer['kind']): Check =>
  (a) => {
    expect(a.kind).toBe(k);
    if (k !== 'export') expect(a.rows).toEqual([]);
  };
export const notUnderstood: Check = (a) => {
  expect(a.kind).toBe('not_understood');
  expect(a.rows).toEqual([]);
  expect(a.suggestions?.length ?? 0).toBeGreaterThan(0);
  expect(a.message).toBeTruthy();
};
export const clarify =
  (...candidates: string[]): Check =>
  (a) => {
    expect(a.kind).toBe('clarify');
    expect(a.rows).toEqual([]);
    expect(sorted(a.suggestions ?? [])).toEqual(sorted(candidates));
    for (const c of candidates) expect(a.message).toContain(c);
  };
/** A find answer whose first hit is the VM, with its vCenter, cluster and host from pyvmomi. */
export const found =
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
export const exported =
  (inner: Check): Check =>
  (a, ref) => {
    expect(a.kind).toBe('export');
    inner({ ...a, kind: 'rows' }, ref);
  };

// Predicates used more than once.
export const on = (v: Vm): boolean => v.powerState === 'poweredOn';
export const off = (v: Vm): boolean => v.powerState === 'poweredOff';
export const guest =
  (needle: string) =>
  (v: Vm): boolean =>
    (v.guestFullName ?? '').toLowerCase().includes(needle);
export const LINUX = ['linux', 'centos', 'photon', 'ubuntu', 'debian', 'rhel', 'red hat'];
export const linux = (v: Vm): boolean => LINUX.some((n) => guest(n)(v));
export const inCluster =
  (c: string) =>
  (v: { cluster: string | null }): boolean =>
    v.cluster === c;
export const olderThan =
  (days: number) =>
  (v: Vm): boolean =>
    v.oldestSnapshotMs !== null && v.oldestSnapshotMs < refNow() - days * DAY;
export const memGb = (v: Vm): number => (v.memoryMb ?? 0) / 1024;
export const cpu = (v: Vm): number => v.numCpu ?? 0;
export const toolsOld = (v: Vm): boolean =>
  v.toolsStatus === 'toolsOld' || v.toolsVersionStatus2 === 'guestToolsNeedUpgrade';
