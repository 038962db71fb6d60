import type Database from 'better-sqlite3';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import type { StatsResult } from '../../../shared/contract.js';
import { ENTITIES, type Entity, type EntityCounts } from '../../../shared/inventory.js';
import type { EngineSettings } from '../../../shared/settings.js';
import type { VcenterWithState } from '../../../shared/vcenter.js';
import type { PgQueryBackend } from '../query/pg-backend.js';
import { readAsync, readSync, type Reading, type Row } from '../query/reading.js';
import type { Dialect } from '../query/sql-dialect.js';
import { SettingsRepo } from '../settings-repo.js';
import type { Db } from './database.js';
import { historySize, type HistorySize } from './history/retention.js';
import { ENTITY_TABLES } from './inventory-store.js';
import { VcenterRepo } from './vcenter-repo.js';

const blank = (): EntityCounts => Object.fromEntries(ENTITIES.map((e) => [e, 0])) as EntityCounts;

/** A sum as a double on both (PostgreSQL's sum of bigints is numeric, which node-postgres reads as text). */
const total = (d: Dialect, expr: string): string =>
  d === 'pg' ? `CAST(COALESCE(sum(${expr}), 0) AS double precision)` : `COALESCE(sum(${expr}), 0)`;

/** The figures read from the tables; the rest of StatsResult comes from the repositories. */
type Figures = Pick<StatsResult, 'powerStates' | 'capacity'> & { counts: Map<number, EntityCounts> };

/** The same figures from either back end: rows per entity and vCenter, power states, capacity. */
function* figures(d: Dialect): Reading<Figures> {
  const perTable = ENTITIES.map(
    (e) =>
      `SELECT '${e}' AS e, vcenter_id AS id, count(*) AS n FROM "${getTableConfig(ENTITY_TABLES[e]).name}" GROUP BY vcenter_id`,
  ).join(' UNION ALL ');
  const counts = new Map<number, EntityCounts>();
  for (const r of (yield { sql: perTable, params: [] }) as { e: Entity; id: number; n: number }[]) {
    const c = counts.get(r.id) ?? blank();
    c[r.e] = Number(r.n);
    counts.set(r.id, c);
  }
  const power = (yield {
    sql: 'SELECT power_state AS s, count(*) AS n FROM vms GROUP BY power_state',
    params: [],
  }) as { s: string | null; n: number }[];
  const [cap] = (yield {
    sql: `SELECT ${total(d, 'capacity_bytes')} AS c, ${total(d, 'free_bytes')} AS f FROM datastores`,
    params: [],
  }) as { c: number; f: number }[];
  const [vm] = (yield {
    sql: `SELECT ${total(d, 'memory_mb')} AS m, ${total(d, 'num_cpu')} AS c FROM vms`,
    params: [],
  }) as { m: number; c: number }[];
  return {
    counts,
    powerStates: Object.fromEntries(power.map((p) => [p.s ?? 'unknown', Number(p.n)])),
    capacity: {
      datastoreCapacityBytes: cap?.c ?? 0,
      datastoreFreeBytes: cap?.f ?? 0,
      vmMemoryMb: vm?.m ?? 0,
      vmCpus: vm?.c ?? 0,
    },
  };
}

function assemble(
  vcs: readonly VcenterWithState[],
  settings: EngineSettings,
  got: Figures,
  history: HistorySize,
): StatsResult {
  const totals = blank();
  const vcenters = vcs.map((v) => {
    const c = got.counts.get(v.id) ?? blank();
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
  return {
    totals,
    vcenters,
    powerStates: got.powerStates,
    capacity: got.capacity,
    failedVcenters: vcs
      .filter((v) => v.sync.status === 'failed' || v.sync.status === 'certificate_changed')
      .map((v) => v.name),
    history: { ...history, retentionDays: settings.historyRetentionDays, maxRows: settings.historyMaxRows },
  };
}

/** Counts per entity and vCenter, power states, capacity totals, last syncs, failed vCenters, history size. */
export function inventoryStats(database: { db: Db; sqlite: Database.Database }): StatsResult {
  const { sqlite } = database;
  const got = readSync(figures('sqlite'), (q) => sqlite.prepare(q.sql).all(...q.params) as Row[]);
  return assemble(
    new VcenterRepo(database.db).list(),
    new SettingsRepo(database.db).get(),
    got,
    historySize(sqlite),
  );
}

/**
 * The same on a team server's PostgreSQL; the vCenters and settings come from the engine's
 * repositories. The history's bytes are its table's with indexes and TOAST (`pg_total_relation_size`).
 */
export async function inventoryStatsPg(
  pg: PgQueryBackend,
  vcenters: readonly VcenterWithState[],
  settings: EngineSettings,
): Promise<StatsResult> {
  const got = await readAsync(figures('pg'), (q) => pg.all(q));
  const [h] = await pg.all({
    sql: `SELECT count(*) AS rows, min(at) AS oldest, pg_total_relation_size('changes') AS bytes FROM changes`,
    params: [],
  });
  const history: HistorySize = {
    rows: Number(h?.['rows'] ?? 0),
    bytes: Number(h?.['bytes'] ?? 0),
    oldestAt: (h?.['oldest'] as string | null | undefined) ?? null,
  };
  return assemble(vcenters, settings, got, history);
}
