/**
 * Scenario H of `npm run bench:sync`: what recording the change history costs a full sync's store
 * step. One generated vCenter of 100k VMs is stored once; then the same re-sync is timed with
 * recording on and off (the store's internal switch, used only here), interleaved (on, off, on, off, …) so background load hits both alike:
 *   - unchanged: the same inventory again (target: with / without ≤ 1.10);
 *   - 1 % changed: each timed run flips 1 % of the VMs (power state and memory) after an untimed
 *     run put them back, so each writes (and records, when on) 2 fields of 1 % of the VMs.
 * Both modes use the same data folder; only the store's switch differs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Inventory } from '../../src/shared/inventory.js';
import { openDatabase } from '../../src/main/engine/db/database.js';
import { InventoryStore } from '../../src/main/engine/db/inventory-store.js';
import { VcenterRepo } from '../../src/main/engine/db/vcenter-repo.js';
import { generateInventory } from '../../src/testing/generate-inventory.js';
import { median } from './format.js';

export interface HistoryCostResult {
  vms: number;
  repeats: number;
  unchanged: { withMs: number; withoutMs: number; ratio: number; rowsRecorded: number };
  changed: { withMs: number; withoutMs: number; ratio: number; changedVms: number; rowsPerRun: number };
  target: number;
}

export async function runHistoryCost(
  tmpRoot: string,
  opts: { vms: number; repeats: number; log: (s: string) => void },
): Promise<HistoryCostResult> {
  const base = generateInventory({
    seed: 11,
    vcenterIndex: 0,
    vms: opts.vms,
    hosts: Math.ceil(opts.vms / 40),
    datastores: Math.ceil(opts.vms / 200),
  });
  // 1 % of the VMs with another power state and more memory.
  const flipped: Inventory = structuredClone(base);
  const step = 100;
  let changedVms = 0;
  for (let i = 0; i < flipped.vms.length; i += step) {
    const v = flipped.vms[i]!;
    v.powerState = v.powerState === 'poweredOn' ? 'poweredOff' : 'poweredOn';
    v.memoryMb = (v.memoryMb ?? 0) + 1024;
    changedVms++;
  }
  const dir = path.join(tmpRoot, 'history-cost');
  fs.mkdirSync(dir, { recursive: true });
  const db = openDatabase(dir);
  const store = new InventoryStore(db.sqlite);
  const id = new VcenterRepo(db.db).add({
    name: 'vc-bench',
    url: 'https://vc-bench/sdk',
    username: 'u',
    thumbprint: null,
    caPem: null,
  }).id;
  opts.log(`  storing ${opts.vms.toLocaleString('en-US')} generated VMs…`);
  store.replace(id, base);
  const rows = (): number => db.sqlite.prepare('SELECT count(*) FROM changes').pluck().get() as number;
  /** One re-sync, recording or not (the same data folder: only the switch differs). */
  const time = (record: boolean, inv: Inventory): number => {
    store.history.enabled = record;
    const t0 = performance.now();
    store.replace(id, inv);
    return performance.now() - t0;
  };
  /** `repeats` pairs, the order alternating (on, off, then off, on, …). */
  const pairs = async (inv: (i: number) => Inventory): Promise<{ on: number[]; off: number[] }> => {
    const on: number[] = [];
    const off: number[] = [];
    for (let i = 0; i < opts.repeats; i++) {
      for (const record of i % 2 === 0 ? [true, false] : [false, true]) {
        (record ? on : off).push(time(record, inv(i)));
      }
      await new Promise((r) => setImmediate(r));
    }
    return { on, off };
  };
  time(true, base); // warm-up (statement caches, page cache)
  time(false, base);
  const before = rows();
  const unchanged = await pairs(() => base);
  const rowsRecorded = rows() - before;
  // 1 % changed: before each timed run the cache is put back to the other version (untimed),
  // so every timed run changes the same 1 % of the VMs.
  const cOn: number[] = [];
  const cOff: number[] = [];
  let recorded = 0;
  for (let i = 0; i < opts.repeats; i++) {
    for (const record of i % 2 === 0 ? [true, false] : [false, true]) {
      store.history.enabled = false;
      store.replace(id, base);
      const m = rows();
      (record ? cOn : cOff).push(time(record, flipped));
      if (record) recorded += rows() - m;
    }
    await new Promise((r) => setImmediate(r));
  }
  const rowsPerRun = recorded / opts.repeats;
  db.close();
  const uOn = unchanged.on;
  const uOff = unchanged.off;
  const u = { withMs: median(uOn), withoutMs: median(uOff) };
  const c = { withMs: median(cOn), withoutMs: median(cOff) };
  return {
    vms: opts.vms,
    repeats: opts.repeats,
    unchanged: { ...u, ratio: u.withMs / u.withoutMs, rowsRecorded },
    changed: { ...c, ratio: c.withMs / c.withoutMs, changedVms, rowsPerRun },
    target: 1.1,
  };
}
