/**
 * The change history records what changed, nothing more: 300 seeded random changes (power,
 * reconfigure, rename, vMotion, maintenance mode, clone, destroy, cluster rename) are made through
 * the vSphere API against a simulator — once with live updates on, once with them off and full
 * syncs in between — and the history, composed per object and field, equals the difference between
 * pyvmomi readings before and after (and the difference of the cache's own rows, for the fields
 * pyvmomi does not read).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestEngine } from '../../../testing/engine.js';
import { composeChanges, lastChangeId, readChanges, type ChangeRow } from '../../../testing/history.js';
import { readWithPyvmomi, type PyInventory } from '../../../testing/pyvmomi.js';
import { mulberry32 } from '../../../testing/random.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { VsphereOps } from '../../../testing/vsphere-ops.js';
import { waitUntil } from '../../../testing/wait.js';
import { TRACKED_TABLES } from '../db/history/tracked-tables.js';
import type { Engine } from '../engine.js';
import { MoRef } from '../vsphere/xml.js';

const USER = 'hist-ro';
const PASSWORD = 'hist-secret';
const CHANGES = 300;
const dirs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await stopAll();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function setup(
  seed: number,
  live: boolean,
): Promise<{ sim: RunningSimulator; e: Engine; ops: VsphereOps }> {
  const sim = await startSimulator({
    seed,
    vms: 12,
    clusters: 2,
    hostsPerCluster: 2,
    standaloneHosts: 1,
    datastores: 2,
    portgroups: 2,
    namePrefix: live ? 'hl' : 'hs',
    user: USER,
    password: PASSWORD,
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-hist-'));
  dirs.push(dataDir);
  const e = await openTestEngine(dataDir, { live: { maxWaitSeconds: 5 } });
  const vc = e.vcenters.add({
    name: 'vc',
    url: sim.url,
    username: USER,
    thumbprint: sim.thumbprintSha256,
    caPem: null,
  });
  await e.setPassword(vc.id, PASSWORD);
  const ops = await VsphereOps.connect(sim.url, USER, PASSWORD, sim.thumbprintSha256);
  cleanups.push(async () => {
    await ops.close();
    await e.shutdown();
    e.close();
  });
  if (live) {
    e.live.start();
    await waitUntil(() => e.vcenters.list()[0]!.sync.status === 'live', { timeout: 30_000, what: 'live' });
  } else expect((await e.sync.sync()).results[0]!.status).toBe('ok');
  return { sim, e, ops };
}

type Expected = Map<string, { from: string | null; to: string | null }>;

/** The pyvmomi readings' difference, as history keys: `entity moid field` and `created|removed entity moid`. */
function pyDifference(before: PyInventory, after: PyInventory): { changed: Expected; presence: Set<string> } {
  const changed: Expected = new Map();
  const presence = new Set<string>();
  const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  const index = <T extends { name: string }>(
    inv: PyInventory,
    kind: 'vms' | 'hosts' | 'clusters',
    rows: T[],
  ) => {
    const byName = new Map(rows.map((r) => [r.name, r]));
    return new Map(inv.moids[kind].map((m) => [m.moid, byName.get(m.name)!]));
  };
  const compare = <T extends { name: string }>(
    kind: 'vms' | 'hosts' | 'clusters',
    b: Map<string, T>,
    a: Map<string, T>,
    fields: (keyof T & string)[],
  ): void => {
    for (const moid of b.keys()) if (!a.has(moid)) presence.add(`removed ${kind} ${moid}`);
    for (const [moid, ra] of a) {
      const rb = b.get(moid);
      if (!rb) {
        presence.add(`created ${kind} ${moid}`);
        continue;
      }
      for (const f of fields)
        if (str(rb[f]) !== str(ra[f]))
          changed.set(`${kind} ${moid} ${f}`, { from: str(rb[f]), to: str(ra[f]) });
    }
  };
  compare('vms', index(before, 'vms', before.vms), index(after, 'vms', after.vms), [
    'name',
    'powerState',
    'numCpu',
    'memoryMb',
    'host',
    'cluster',
  ]);
  compare('hosts', index(before, 'hosts', before.hosts), index(after, 'hosts', after.hosts), [
    'name',
    'inMaintenanceMode',
  ]);
  compare('clusters', index(before, 'clusters', before.clusters), index(after, 'clusters', after.clusters), [
    'name',
  ]);
  return { changed, presence };
}

/**
 * The recorded columns of the cached rows, as history keys (`entity moid field` → text): the own
 * rows of VMs, hosts and clusters, and the child rows of VMs and hosts as their owner's fields.
 */
function dumpRows(e: Engine): Map<string, Map<string, string | null>> {
  const out = new Map<string, Map<string, string | null>>();
  const own: Record<string, string> = { vms: 'vms', hosts: 'hosts', clusters: 'clusters' };
  for (const tracked of TRACKED_TABLES) {
    const table = tracked.table;
    const name = getTableConfig(table).name;
    const child = tracked.child;
    if (tracked.presenceOnly || (!child && own[name] === undefined)) continue;
    if (child && tracked.entity !== 'vms' && tracked.entity !== 'hosts') continue;
    const all = Object.entries(getTableColumns(table));
    const pk = new Set(getTableConfig(table).primaryKeys[0]?.columns.map((c) => c.name) ?? []);
    const cols = all.filter(
      ([p, c]) =>
        !(p in tracked.ignore) &&
        p !== 'vcenterId' &&
        p !== 'moid' &&
        p !== child?.ownerProp &&
        !pk.has(c.name),
    );
    const text = (v: unknown, bool: boolean): string | null =>
      v === null || v === undefined ? null : bool ? (v === 1 ? 'true' : 'false') : String(v as number);
    for (const r of e.database.sqlite.prepare(`SELECT * FROM ${name}`).all() as Record<string, unknown>[]) {
      const props: Record<string, unknown> = {};
      for (const [p, c] of all) props[p] = r[c.name];
      const ownerMoid = child ? String(props[child.ownerProp]) : String(r['moid']);
      const key = `${tracked.entity} ${ownerMoid}`;
      let m = out.get(key);
      if (!m) out.set(key, (m = new Map()));
      const prefix = child ? `${child.label(props)} ` : '';
      if (child) m.set(child.label(props), 'present');
      for (const [prop, col] of cols)
        m.set(`${prefix}${prop}`, text(r[col.name], col.columnType === 'SQLiteBoolean'));
    }
  }
  return out;
}

interface Verdict {
  problems: string[];
  rows: number;
}

/** Compares the history since `mark` with both differences; returns what does not match. */
function judge(
  e: Engine,
  mark: number,
  py: { changed: Expected; presence: Set<string> },
  cacheBefore: Map<string, Map<string, string | null>>,
): Verdict {
  const rows = readChanges(e.database.sqlite, mark);
  const problems: string[] = [];
  // Objects created and removed within the window cancel out; their rows are not part of before → after.
  const created = new Set(rows.filter((r) => r.kind === 'created').map((r) => `${r.entity} ${r.moid}`));
  const removed = new Set(rows.filter((r) => r.kind === 'removed').map((r) => `${r.entity} ${r.moid}`));
  const transient = new Set([...created].filter((k) => removed.has(k)));
  const kept = rows.filter((r) => !transient.has(`${r.entity} ${r.moid}`));
  const presence = new Set(
    kept
      .filter((r) => r.kind === 'created' || r.kind === 'removed')
      .map((r) => `${r.kind} ${r.entity} ${r.moid}`),
  );
  for (const p of py.presence) if (!presence.has(p)) problems.push(`missing: ${p}`);
  for (const p of presence) if (!py.presence.has(p)) problems.push(`extra: ${p}`);
  const fresh = new Set([...created].filter((k) => !transient.has(k)));
  // Cluster names as they end up (a VM's cluster column keeps the name it had when it moved).
  const finalName = new Map<string, string>();
  for (const r of rows)
    if (r.entity === 'clusters' && r.field === 'name' && r.oldValue && r.newValue) {
      for (const [k, v] of finalName) if (v === r.oldValue) finalName.set(k, r.newValue);
      finalName.set(r.oldValue, r.newValue);
    }
  const rename = (v: string | null): string | null => (v === null ? v : (finalName.get(v) ?? v));
  // Changed rows of objects that exist before and after.
  const composed = composeChanges(
    kept.filter((r: ChangeRow) => r.kind === 'changed' && !fresh.has(`${r.entity} ${r.moid}`)),
    (field, to, nextFrom) =>
      (field === 'cluster' || field === 'datacenter') && rename(to) === rename(nextFrom),
  );
  const cacheAfter = dumpRows(e);
  const seen = new Set<string>();
  for (const [key, m] of cacheAfter) {
    const b = cacheBefore.get(key);
    if (!b) continue;
    const fields = new Set([...m.keys(), ...b.keys()]);
    for (const field of fields) {
      const from = b.get(field) ?? null;
      const to = m.get(field) ?? null;
      const k = `${key} ${field}`;
      seen.add(k);
      const got = composed.get(k);
      if (from === 'present' || to === 'present') {
        // A child row that came or went: one row on its label, its fields as the value.
        if ((from === null || to === null) && (got === undefined || (got.from === null) !== (from === null)))
          problems.push(`missing: ${k} ${from} -> ${to}`);
        if (from === to && got) problems.push(`extra: ${k} ${got.from} -> ${got.to}`);
        continue;
      }
      if (
        (from === null || to === null) &&
        (m.get(field.replace(/ \S+$/, '')) === undefined ||
          b.get(field.replace(/ \S+$/, '')) === undefined) &&
        field.includes(' ')
      )
        continue; // a field of a child row that came or went
      const derived = field === 'cluster' || field === 'datacenter';
      const norm = (v: string | null): string | null => (derived ? rename(v) : v);
      if (norm(from) === norm(to)) {
        if (got && norm(got.from) !== norm(got.to)) problems.push(`extra: ${k} ${got.from} -> ${got.to}`);
        continue;
      }
      if (!got) {
        problems.push(`missing: ${k} ${from} -> ${to}`);
        continue;
      }
      if (norm(got.from) !== norm(from) || norm(got.to) !== norm(to))
        problems.push(`wrong: ${k} ${got.from} -> ${got.to}, cache ${from} -> ${to}`);
    }
    // The fields pyvmomi reads: the history agrees with it too.
  }
  for (const [k, want] of py.changed) {
    const got = composed.get(k);
    const norm = (v: string | null): string | null => (k.endsWith(' cluster') ? rename(v) : v);
    if (norm(want.from) === norm(want.to)) continue;
    if (!got) problems.push(`missing (pyvmomi): ${k} ${want.from} -> ${want.to}`);
    else if (norm(got.from) !== norm(want.from) || norm(got.to) !== norm(want.to))
      problems.push(`wrong (pyvmomi): ${k} ${got.from} -> ${got.to}, pyvmomi ${want.from} -> ${want.to}`);
  }
  for (const k of composed.keys())
    if (!seen.has(k) && /^(vms|hosts|clusters) /.test(k)) problems.push(`extra (not a cached field): ${k}`);
  return { problems, rows: rows.length };
}

/** The random changes; `between` runs every 50 changes (a full sync in the sync-only case). */
async function randomChanges(
  e: Engine,
  ops: VsphereOps,
  seed: number,
  live: boolean,
  between: () => Promise<void>,
) {
  const q = <T>(sql: string): T[] => e.database.sqlite.prepare(sql).all() as T[];
  const vms = new Map(
    q<{ moid: string; power_state: string; template: number }>('SELECT moid, power_state, template FROM vms')
      .filter((v) => !v.template)
      .map((v) => [v.moid, v.power_state]),
  );
  const hosts = q<{ moid: string; in_maintenance_mode: number }>(
    'SELECT moid, in_maintenance_mode FROM hosts',
  );
  const maintenance = new Map(hosts.map((h) => [h.moid, h.in_maintenance_mode === 1]));
  const clusters = q<{ moid: string }>('SELECT moid FROM clusters').map((c) => c.moid);
  const cloneable: string[] = [];
  for (const v of vms.keys()) if ((await ops.diskCount(v)) === 1) cloneable.push(v);
  const clones = new Set<string>();
  const rnd = mulberry32(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  // govmomi 0.24.2 races in WaitForUpdatesEx around clones and removals (see live-consistency).
  const settle = (): Promise<void> => (live ? new Promise((r) => setTimeout(r, 600)) : Promise.resolve());
  const tally: Record<string, number> = {};
  for (let i = 0; i < CHANGES; i++) {
    if (i > 0 && i % 50 === 0) await between();
    const r = rnd();
    const vm = pick([...vms.keys()]);
    let op: string;
    if (r < 0.25) {
      op = 'power';
      if (vms.get(vm) === 'poweredOn') await ops.powerOff(vm);
      else await ops.powerOn(vm);
      vms.set(vm, vms.get(vm) === 'poweredOn' ? 'poweredOff' : 'poweredOn');
    } else if (r < 0.45) {
      op = 'reconfigure';
      await ops.reconfigure(vm, {
        numCpu: 1 + Math.floor(rnd() * 8),
        memoryMb: 512 * (1 + Math.floor(rnd() * 16)),
      });
    } else if (r < 0.57) {
      op = 'rename';
      await ops.rename(new MoRef('VirtualMachine', vm), `vm-renamed-${seed}-${i}`);
    } else if (r < 0.64 && cloneable.length > 0) {
      op = 'clone';
      const moid = await ops.clone(pick(cloneable), `clone-${seed}-${i}`);
      clones.add(moid);
      await settle();
      vms.set(moid, 'poweredOff');
    } else if (r < 0.7 && clones.size > 0) {
      op = 'destroy';
      const victim = pick([...clones]);
      if (vms.get(victim) === 'poweredOn') await ops.powerOff(victim);
      await settle();
      await ops.unregister(victim);
      clones.delete(victim);
      vms.delete(victim);
    } else if (r < 0.82) {
      op = 'maintenance';
      const host = pick([...maintenance.keys()]);
      if (maintenance.get(host)) await ops.exitMaintenance(host);
      else await ops.enterMaintenance(host);
      maintenance.set(host, !maintenance.get(host));
    } else if (r < 0.95) {
      op = 'vmotion';
      await ops.relocate(vm, pick([...maintenance.keys()]));
    } else {
      op = 'cluster-rename';
      await ops.rename(new MoRef('ClusterComputeResource', pick(clusters)), `Cluster-${seed}-${i}`);
    }
    tally[op] = (tally[op] ?? 0) + 1;
  }
  return tally;
}

describe('change history', () => {
  it(
    `equals the difference of readings after ${CHANGES} random changes, live updates on`,
    { timeout: 180_000 },
    async () => {
      const { sim, e, ops } = await setup(71, true);
      // First sync: one marker.
      const first = readChanges(e.database.sqlite);
      expect(first.map((r) => r.kind)).toEqual(['first-sync']);
      const mark = lastChangeId(e.database.sqlite);
      const cacheBefore = dumpRows(e);
      const before = await readWithPyvmomi(sim.url, USER, PASSWORD);
      const tally = await randomChanges(e, ops, 71, true, async () => undefined);
      expect(Object.keys(tally).length).toBeGreaterThanOrEqual(7);
      const after = await readWithPyvmomi(sim.url, USER, PASSWORD);
      const py = pyDifference(before, after);
      let verdict: Verdict = { problems: ['not judged'], rows: 0 };
      // The stream drains within seconds; on a loaded CI machine it may take longer.
      for (const stop = Date.now() + 45_000; Date.now() < stop;) {
        verdict = judge(e, mark, py, cacheBefore);
        if (verdict.problems.length === 0) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(verdict.problems).toEqual([]);
      const rows = readChanges(e.database.sqlite, mark);
      // All seen live, unless the stream had to be re-read (a dropped connection under load): the
      // re-read's difference is then recorded as a full read's.
      const fullLoads = e.live.sessionsInfo()[0]!.fullLoads;
      expect(rows.filter((r) => r.source === 'live').length).toBeGreaterThan(100);
      if (fullLoads === 1) expect(rows.every((r) => r.source === 'live')).toBe(true);
    },
  );

  it(
    `equals the difference of readings after ${CHANGES} random changes, syncs only`,
    { timeout: 180_000 },
    async () => {
      const { sim, e, ops } = await setup(72, false);
      expect(readChanges(e.database.sqlite).map((r) => r.kind)).toEqual(['first-sync']);
      // An unchanged estate re-synced: nothing.
      expect((await e.sync.sync()).results[0]!.status).toBe('ok');
      expect(readChanges(e.database.sqlite)).toHaveLength(1);
      const mark = lastChangeId(e.database.sqlite);
      const cacheBefore = dumpRows(e);
      const before = await readWithPyvmomi(sim.url, USER, PASSWORD);
      const sync = async (): Promise<void> => {
        expect((await e.sync.sync()).results[0]!.status).toBe('ok');
      };
      const tally = await randomChanges(e, ops, 72, false, sync);
      expect(Object.keys(tally).length).toBeGreaterThanOrEqual(7);
      await sync();
      const after = await readWithPyvmomi(sim.url, USER, PASSWORD);
      const verdict = judge(e, mark, pyDifference(before, after), cacheBefore);
      expect(verdict.problems).toEqual([]);
      const rows = readChanges(e.database.sqlite, mark);
      expect(rows.every((r) => r.source === 'sync')).toBe(true);
      // Intermediate syncs recorded intermediate values: the history is longer than its composition.
      expect(rows.length).toBeGreaterThan(0);
    },
  );

  it(
    'records a rename, a vMotion and a destroy + re-create with the same name readably',
    { timeout: 120_000 },
    async () => {
      const { e, ops } = await setup(73, true);
      const q = <T>(sql: string, ...args: unknown[]): T => e.database.sqlite.prepare(sql).get(...args) as T;
      const vm = q<{ moid: string; name: string; host_moid: string; host: string }>(
        'SELECT moid, name, host_moid, host FROM vms WHERE template = 0 AND cluster IS NOT NULL ORDER BY moid LIMIT 1',
      );
      const other = q<{ moid: string; name: string }>(
        'SELECT moid, name FROM hosts WHERE moid <> ? AND cluster IS (SELECT cluster FROM hosts WHERE moid = ?) LIMIT 1',
        vm.host_moid,
        vm.host_moid,
      );
      const settled = async (
        what: string,
        test: (rows: ChangeRow[]) => boolean,
        mark: number,
      ): Promise<ChangeRow[]> => {
        await waitUntil(() => test(readChanges(e.database.sqlite, mark)), { timeout: 20_000, what });
        await new Promise((r) => setTimeout(r, 800)); // nothing more arrives
        return readChanges(e.database.sqlite, mark);
      };
      // Rename: one row on `name`, joined by moid; object_name is the new name.
      let mark = lastChangeId(e.database.sqlite);
      await ops.rename(new MoRef('VirtualMachine', vm.moid), 'web-01-renamed');
      let rows = await settled('the rename', (r) => r.some((x) => x.field === 'name'), mark);
      expect(rows.map((r) => [r.kind, r.moid, r.field, r.oldValue, r.newValue, r.objectName])).toEqual([
        ['changed', vm.moid, 'name', vm.name, 'web-01-renamed', 'web-01-renamed'],
      ]);
      // vMotion within the cluster: one row on `host`, by name (not the host's moid as well).
      mark = lastChangeId(e.database.sqlite);
      await ops.relocate(vm.moid, other.moid);
      rows = await settled('the vMotion', (r) => r.some((x) => x.field === 'host'), mark);
      expect(rows.map((r) => [r.kind, r.moid, r.field, r.oldValue, r.newValue])).toEqual([
        ['changed', vm.moid, 'host', vm.host, other.name],
      ]);
      // Destroy and re-create with the same name: removed + created, two moids.
      const single = q<{ moid: string }>(
        'SELECT v.moid FROM vms v WHERE template = 0 AND (SELECT count(*) FROM vm_disks d WHERE d.vm_moid = v.moid) = 1 ORDER BY moid LIMIT 1',
      );
      const first = await ops.clone(single.moid, 'twin');
      await new Promise((r) => setTimeout(r, 600));
      mark = lastChangeId(e.database.sqlite);
      await ops.unregister(first);
      await new Promise((r) => setTimeout(r, 600));
      const second = await ops.clone(single.moid, 'twin');
      rows = await settled('the re-created VM', (r) => r.some((x) => x.kind === 'created'), mark);
      expect(rows.filter((r) => r.kind !== 'changed').map((r) => [r.kind, r.moid, r.objectName])).toEqual([
        ['removed', first, 'twin'],
        ['created', second, 'twin'],
      ]);
      expect(first).not.toBe(second);
    },
  );
});
