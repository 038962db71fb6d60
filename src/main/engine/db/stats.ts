import type Database from 'better-sqlite3';
import type { StatsResult } from '../../../shared/contract.js';
import { ENTITIES, type Entity } from '../../../shared/inventory.js';
import type { Db } from './database.js';
import { countsByVcenter } from './inventory-read.js';
import { VcenterRepo } from './vcenter-repo.js';
import { historySize } from './history/retention.js';
import { SettingsRepo } from '../settings-repo.js';

/** Counts per entity and vCenter, power states, capacity totals, last syncs, failed vCenters, history size. */
export function inventoryStats(database: { db: Db; sqlite: Database.Database }): StatsResult {
  const sqlite = database.sqlite;
  const vcs = new VcenterRepo(database.db).list();
  const counts = countsByVcenter(database.db);
  const blank = (): Record<Entity, number> =>
    Object.fromEntries(ENTITIES.map((e) => [e, 0])) as Record<Entity, number>;
  const totals = blank();
  const vcenters = vcs.map((v) => {
    const c = counts.get(v.id) ?? blank();
    for (const e of ENTITIES) totals[e] += c[e];
    return {
      id: v.id,
      name: v.name,
      status: v.sync.status,
      lastSyncAt: v.sync.finishedAt,
      lastSuccessAt: v.sync.lastSuccessAt,
      error: v.sync.error,
      counts: c,
    };
  });
  const power = sqlite
    .prepare('SELECT power_state AS s, count(*) AS n FROM vms GROUP BY power_state')
    .all() as { s: string | null; n: number }[];
  const cap = sqlite
    .prepare('SELECT COALESCE(sum(capacity_bytes),0) AS c, COALESCE(sum(free_bytes),0) AS f FROM datastores')
    .get() as { c: number; f: number };
  const vm = sqlite
    .prepare('SELECT COALESCE(sum(memory_mb),0) AS m, COALESCE(sum(num_cpu),0) AS c FROM vms')
    .get() as { m: number; c: number };
  return {
    totals,
    vcenters,
    powerStates: Object.fromEntries(power.map((p) => [p.s ?? 'unknown', p.n])),
    capacity: { datastoreCapacityBytes: cap.c, datastoreFreeBytes: cap.f, vmMemoryMb: vm.m, vmCpus: vm.c },
    failedVcenters: vcs
      .filter((v) => v.sync.status === 'failed' || v.sync.status === 'certificate_changed')
      .map((v) => v.name),
    history: (() => {
      const settings = new SettingsRepo(database.db).get();
      return {
        ...historySize(sqlite),
        retentionDays: settings.historyRetentionDays,
        maxRows: settings.historyMaxRows,
      };
    })(),
  };
}
