/**
 * The inventory store's writes on PostgreSQL beside SQLite (issue 18): 20 generated vCenters of
 * 500 VMs each (src/testing/generate-inventory.ts) written by InventoryStore into a SQLite cache
 * and by PgInventoryStore into a throwaway PostgreSQL on loopback (src/testing/postgres.ts),
 * one vCenter after the other, each write its own transaction (fenced on PostgreSQL), history on:
 *   - first: into an empty cache / freshly migrated database (every row inserted, one marker each);
 *   - unchanged: the same 20 inventories again (no row written);
 *   - changed: 10 % of each vCenter's VMs with another power state and more memory.
 * PostgreSQL is timed twice, each into its own database: one vCenter after the other (as SQLite,
 * whose writes are serial), and 4 vCenters at a time (as the team server's sync runs them).
 * Each scenario runs `--runs` times (default 3), SQLite and PostgreSQL alternating; medians (s) and
 * the ratio PostgreSQL / SQLite are printed (issue 18's target: ≤ 1.5), and the figures written
 * to bench/results/store-pg-<date>.json.
 *
 *   npm run bench:store-pg     node --import tsx bench/store-pg.bench.ts [--runs N] [--vcenters N] [--vms N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Inventory } from '../src/shared/inventory.js';
import { openDatabase } from '../src/main/engine/db/database.js';
import { InventoryStore } from '../src/main/engine/db/inventory-store.js';
import { copyToPostgres } from '../src/main/engine/db/pg/copy.js';
import { PgInventoryStore } from '../src/main/engine/db/pg/inventory-store-pg.js';
import { VcenterRepo } from '../src/main/engine/db/vcenter-repo.js';
import { generateInventory, vcenterNameOf } from '../src/testing/generate-inventory.js';
import { migratedDatabase, startPostgres, superuserConfig } from '../src/testing/postgres.js';
import { mark, median, s, table } from './lib/format.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const runs = arg('--runs', 3);
const vcenters = arg('--vcenters', 20);
const vmsEach = arg('--vms', 500);
const TARGET = 1.5;
/** vCenters written at once in the third mode (the team server syncs several vCenters at a time). */
const PARALLEL = 4;
const PW = 'bench-store-pw';
const log = (line: string) => process.stdout.write(`${line}\n`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-bench-store-'));
const first: Inventory[] = [];
const changed: Inventory[] = [];
for (let i = 0; i < vcenters; i++) {
  const inv = generateInventory({
    seed: 18,
    vcenterIndex: i,
    vms: vmsEach,
    hosts: Math.ceil(vmsEach / 40),
    datastores: Math.ceil(vmsEach / 200),
  });
  first.push(inv);
  const c = structuredClone(inv);
  for (let k = 0; k < c.vms.length; k += 10) {
    const v = c.vms[k]!;
    v.powerState = v.powerState === 'poweredOn' ? 'poweredOff' : 'poweredOn';
    v.memoryMb = (v.memoryMb ?? 0) + 1024;
  }
  changed.push(c);
}
const rowsOf = (inv: Inventory) =>
  Object.values(inv).reduce((n: number, v) => n + (Array.isArray(v) ? v.length : 0), 0);
log(
  `${vcenters} generated vCenters × ${vmsEach} VMs: ${first.reduce((n, i) => n + rowsOf(i), 0).toLocaleString('en-US')} rows`,
);

/** A data folder with the vCenters' rows only: the source of each PostgreSQL database's vCenters. */
function freshCache(dir: string): { store: InventoryStore; ids: number[]; close: () => void; file: string } {
  const db = openDatabase(dir);
  const repo = new VcenterRepo(db.db);
  const ids = first.map(
    (_, i) =>
      repo.add({
        name: vcenterNameOf(i),
        url: `https://${vcenterNameOf(i)}/sdk`,
        username: 'u',
        thumbprint: null,
        caPem: null,
      }).id,
  );
  return { store: new InventoryStore(db.sqlite), ids, close: () => db.close(), file: db.sqlite.name };
}

const server = await startPostgres(PW);
const admin = new pg.Client(superuserConfig(server, 'postgres'));
await admin.connect();

type Side = (invs: Inventory[]) => Promise<number>;
type Mode = 'sqlite' | 'pg' | 'pgParallel';
const sides = (): Record<Mode, number[]> => ({ sqlite: [], pg: [], pgParallel: [] });
const times = { first: sides(), unchanged: sides(), changed: sides() };

async function timed(side: Side, invs: Inventory[]): Promise<number> {
  const t = performance.now();
  await side(invs);
  return performance.now() - t;
}

/** A freshly migrated database with the vCenters of `source` and a leader row; a store on it. */
async function pgSide(
  name: string,
  source: string,
  ids: readonly number[],
  parallel: number,
): Promise<{ side: Side; end: () => Promise<void> }> {
  const target = await migratedDatabase(server, admin, name);
  await copyToPostgres({ from: `sqlite:${source}`, target });
  const pool = new pg.Pool({ ...superuserConfig(server, name), max: parallel });
  await pool.query(
    `INSERT INTO team_leader (id, instance, host, pid, backend_pid, term, acquired_at, renewed_at)
     VALUES ('vminer', 'bench', 'here', 1, 1, 1, now(), now())`,
  );
  const store = new PgInventoryStore(pool, { fence: () => ({ election: 'vminer', term: 1 }) });
  const side: Side = async (invs) => {
    let n = 0;
    let next = 0;
    const worker = async () => {
      while (next < invs.length) {
        const i = next++;
        n += await store.replace(ids[i]!, invs[i]!);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return n;
  };
  return { side, end: () => pool.end() };
}

try {
  for (let run = 1; run <= runs; run++) {
    const cache = freshCache(path.join(tmp, `sqlite${run}`));
    const source = freshCache(path.join(tmp, `source${run}`));
    source.close();
    const onPg = await pgSide(`store${run}`, source.file, source.ids, 1);
    const onPgParallel = await pgSide(`parallel${run}`, source.file, source.ids, PARALLEL);
    const onSqlite: Side = async (invs) => {
      let n = 0;
      invs.forEach((inv, i) => (n += cache.store.replace(cache.ids[i]!, inv)));
      return n;
    };
    const modes: [Mode, Side][] = [
      ['sqlite', onSqlite],
      ['pg', onPg.side],
      ['pgParallel', onPgParallel.side],
    ];
    // The order rotates from run to run, so background load hits each alike.
    const order = modes.map((_, i) => modes[(i + run - 1) % modes.length]!);
    for (const [scenario, invs] of [
      ['first', first],
      ['unchanged', first],
      ['changed', changed],
    ] as const)
      for (const [mode, fn] of order) times[scenario][mode].push(await timed(fn, invs));
    log(
      `run ${run}: ` +
        (['first', 'unchanged', 'changed'] as const)
          .map(
            (k) =>
              `${k} SQLite ${s(times[k].sqlite.at(-1)!)} s, PostgreSQL ${s(times[k].pg.at(-1)!)} s (${PARALLEL} at a time ${s(times[k].pgParallel.at(-1)!)} s)`,
          )
          .join('; '),
    );
    cache.close();
    await onPg.end();
    await onPgParallel.end();
  }
} finally {
  await admin.end();
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}

const rows = (['first', 'unchanged', 'changed'] as const).map((k) => {
  const a = median(times[k].sqlite);
  const b = median(times[k].pg);
  const c = median(times[k].pgParallel);
  return [k, s(a), s(b), (b / a).toFixed(2), mark(b / a <= TARGET), s(c), (c / a).toFixed(2)];
});
log('');
log(
  table(
    [
      `${vcenters} × ${vmsEach} VMs`,
      'SQLite s',
      'PostgreSQL s',
      'PG / SQLite',
      `≤ ${TARGET}`,
      `PG ${PARALLEL} at a time s`,
      'ratio',
    ],
    rows,
  ),
);
const summary = { bench: 'store-pg', vcenters, vms: vmsEach, runs, times };
log(JSON.stringify(summary));
const results = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
fs.mkdirSync(results, { recursive: true });
const file = path.join(results, `store-pg-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify(summary, null, 2) + '\n');
log(`written to ${path.relative(process.cwd(), file)}`);
