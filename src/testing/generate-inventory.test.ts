import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Inventory } from '../shared/inventory.js';
import { openDatabase, type OpenedDatabase } from '../main/engine/db/database.js';
import { generateInventory, planEstate, populateCache } from './generate-inventory.js';
import { countsByVcenter } from '../main/engine/db/inventory-read.js';
import { VcenterRepo } from '../main/engine/db/vcenter-repo.js';

const NOW = Date.parse('2026-03-01T00:00:00.000Z');
const opts = { seed: 42, vcenterIndex: 3, vms: 1500, hosts: 40, datastores: 14, now: NOW };

function tally<K>(keys: Iterable<K>): Map<K, number> {
  const m = new Map<K, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

describe('generateInventory', () => {
  const inv: Inventory = generateInventory(opts);

  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateInventory(opts)).toEqual(inv);
    expect(generateInventory({ ...opts, seed: 43 })).not.toEqual(inv);
    // The default reference time (start of the UTC day) keeps calls within a day identical too.
    const { now: _now, ...noNow } = opts;
    expect(generateInventory(noNow)).toEqual(generateInventory(noNow));
  });

  it('produces exactly the requested counts', () => {
    expect(inv.vms).toHaveLength(1500);
    expect(inv.hosts).toHaveLength(40);
    expect(inv.datastores).toHaveLength(14);
    expect(generateInventory({ ...opts, clusters: 3, datacenters: 1 }).clusters).toHaveLength(3);
    expect(generateInventory({ ...opts, vms: 0, hosts: 1, datastores: 1 }).vms).toHaveLength(0);
  });

  it('has unique moids per entity and unique VM names and IPs', () => {
    const all = [
      ...inv.vms,
      ...inv.hosts,
      ...inv.datastores,
      ...inv.clusters,
      ...inv.datacenters,
      ...inv.networks,
      ...inv.snapshots,
    ].map((r) => r.moid);
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(inv.vms.map((v) => v.name)).size).toBe(inv.vms.length);
    const ips = inv.vms.flatMap((v) => (v.ipAddress ? [v.ipAddress] : []));
    expect(new Set(ips).size).toBe(ips.length);
    expect(ips.length).toBeGreaterThan(0);
    for (const v of inv.vms) {
      if (v.ipAddress) {
        expect(v.powerState).toBe('poweredOn');
        expect(v.toolsRunningStatus).toBe('guestToolsRunning');
        expect(v.ipAddress).toMatch(/^10\.\d+\.\d+\.\d+$/);
      }
    }
  });

  it('keeps counts consistent with the rows and links', () => {
    const vmsPerHost = tally(inv.vms.map((v) => v.hostMoid));
    for (const h of inv.hosts) {
      expect(h.vmCount).toBe(vmsPerHost.get(h.moid) ?? 0);
      if (h.inMaintenanceMode) expect(h.vmCount).toBe(0);
    }
    expect(inv.hosts.some((h) => h.inMaintenanceMode)).toBe(true);

    const snapsPerVm = tally(inv.snapshots.map((s) => s.vmMoid));
    for (const v of inv.vms) {
      expect(v.snapshotCount).toBe(snapsPerVm.get(v.moid) ?? 0);
      const created = inv.snapshots.filter((s) => s.vmMoid === v.moid).map((s) => s.createdAt!);
      expect(v.oldestSnapshotAt).toBe(created.length ? created.sort()[0] : null);
    }

    const byMoid = new Map(inv.datastores.map((d) => [d.moid, d]));
    const vmsPerDs = tally(inv.vmDatastores.map(([, ds]) => ds));
    for (const d of inv.datastores) {
      expect(d.vmCount).toBe(vmsPerDs.get(d.moid) ?? 0);
      expect(d.freeBytes! + (d.capacityBytes! - d.freeBytes!)).toBe(d.capacityBytes);
      expect(d.freePercent).toBe(Math.round((d.freeBytes! / d.capacityBytes!) * 1000) / 10);
    }
    expect(inv.datastores.some((d) => d.vmCount === 0)).toBe(true);

    const netByMoid = new Map(inv.networks.map((n) => [n.moid, n]));
    const vmsPerNet = tally(inv.vmNetworks.map(([, n]) => n));
    for (const n of inv.networks) expect(n.vmCount).toBe(vmsPerNet.get(n.moid) ?? 0);

    // The VM's name lists agree with its links.
    const dsOf = new Map<string, string[]>();
    for (const [vm, ds] of inv.vmDatastores) dsOf.set(vm, [...(dsOf.get(vm) ?? []), byMoid.get(ds)!.name]);
    const netOf = new Map<string, string[]>();
    for (const [vm, n] of inv.vmNetworks) netOf.set(vm, [...(netOf.get(vm) ?? []), netByMoid.get(n)!.name]);
    for (const v of inv.vms) {
      expect(v.datastores).toBe(dsOf.get(v.moid)?.sort().join(', ') ?? null);
      expect(v.networks).toBe(netOf.get(v.moid)?.sort().join(', ') ?? null);
    }

    const vmsPerCluster = tally(inv.vms.map((v) => v.cluster));
    const hostsPerCluster = tally(inv.hosts.map((h) => h.cluster));
    for (const c of inv.clusters) {
      expect(c.vmCount).toBe(vmsPerCluster.get(c.name) ?? 0);
      expect(c.hostCount).toBe(hostsPerCluster.get(c.name) ?? 0);
    }
    const dcVms = tally(inv.vms.map((v) => v.datacenter));
    const dcHosts = tally(inv.hosts.map((h) => h.datacenter));
    for (const d of inv.datacenters) {
      expect(d.vmCount).toBe(dcVms.get(d.name) ?? 0);
      expect(d.hostCount).toBe(dcHosts.get(d.name) ?? 0);
    }
  });

  it('looks like a real estate', () => {
    const share = (f: (v: Inventory['vms'][number]) => boolean): number =>
      inv.vms.filter(f).length / inv.vms.length;
    expect(share((v) => v.powerState === 'poweredOn')).toBeGreaterThan(0.74);
    expect(share((v) => v.powerState === 'poweredOn')).toBeLessThan(0.88);
    expect(share((v) => v.powerState === 'suspended')).toBeGreaterThan(0.01);
    expect(share((v) => v.snapshotCount > 0)).toBeGreaterThan(0.08);
    expect(share((v) => v.annotation !== null)).toBeGreaterThan(0.2);
    const templates = inv.vms.filter((v) => v.template);
    expect(templates.length).toBeGreaterThan(0);
    for (const t of templates) expect(t.powerState).toBe('poweredOff');
    expect(inv.vms.find((v) => !v.template)?.name).toMatch(
      /^[a-z]+\d\d-[a-z0-9]+-(prd|dev|tst|stg|uat)-\d{3}$/,
    );
    expect(new Set(inv.vms.map((v) => v.guestFullName)).size).toBeGreaterThanOrEqual(9);
    for (const n of inv.networks.filter((x) => x.vlanId !== null)) expect(n.name).toMatch(/^VLAN-\d+-/);
  });
});

describe('populateCache', () => {
  let opened: OpenedDatabase | undefined;
  let dir: string | undefined;
  afterEach(() => {
    opened?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the requested totals through the sync path', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-gen-'));
    opened = openDatabase(dir);
    const req = {
      vcenters: 5,
      vmsTotal: 2000,
      hostsTotal: 60,
      datastoresTotal: 25,
      seed: 7,
      failedVcenters: 1,
    };
    const { vcenterIds } = populateCache(opened, req);
    expect(vcenterIds).toHaveLength(5);
    const counts = countsByVcenter(opened.db);
    const sum = (k: 'vms' | 'hosts' | 'datastores'): number =>
      [...counts.values()].reduce((a, c) => a + c[k], 0);
    expect(sum('vms')).toBe(2000);
    expect(sum('hosts')).toBe(60);
    expect(sum('datastores')).toBe(25);
    expect(planEstate(req).map((p) => p.vms)).toEqual(vcenterIds.map((id) => counts.get(id)!.vms));

    const list = new VcenterRepo(opened.db).list();
    expect(list.map((v) => v.name)).toEqual([
      'vc-ams-01',
      'vc-dub-01',
      'vc-fra-01',
      'vc-lon-01',
      'vc-par-01',
    ]);
    const failed = list.filter((v) => v.sync.status === 'failed');
    expect(failed.map((v) => v.name)).toEqual(['vc-dub-01']);
    const ok = list.filter((v) => v.sync.status === 'ok');
    expect(ok).toHaveLength(4);
    for (const v of ok) expect(v.sync.counts).toEqual(counts.get(v.id));
    expect(Date.parse(failed[0]!.sync.lastSuccessAt!)).toBeLessThan(Date.now() - 86_400_000);
    expect(failed[0]!.sync.counts?.vms).toBe(counts.get(failed[0]!.id)!.vms);
  });
});
