/**
 * `vminer db copy` benchmark: a generated cache (default 100k VMs with 2 disks and 2 NICs each,
 * 5k hosts, 2k datastores, 100 vCenters) copied into a throwaway PostgreSQL on loopback
 * (src/testing/postgres.ts), freshly migrated before each run.
 *
 *   npm run bench:db-copy     node --import tsx bench/db-copy.bench.ts [--quick] [--data-dir DIR] [--runs N]
 *
 * Prints the rows per table of the last run, the wall time and rows per second of each run, and the
 * process's peak RSS, and writes bench/results/db-copy-<date>.json. `--quick`: 10k VMs. There is no target in the issue; the figure is for
 * planning a migration window.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { copyToPostgres, type CopyResult } from '../src/main/engine/db/pg/copy.js';
import { migratePostgres } from '../src/main/engine/db/pg/migrate.js';
import { connectAdmin, createTeamDatabase, serverTarget, startPostgres } from '../src/testing/postgres.js';
import { ensureBenchCache } from './lib/cache.js';
import { int, mb, s, table } from './lib/format.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const runs = Number(arg('--runs') ?? 2);
const given = arg('--data-dir');
const dir = given ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-bench-copy-'));
const size = quick
  ? { vcenters: 10, vmsTotal: 10_000, hostsTotal: 500, datastoresTotal: 200, devices: { disks: 2, nics: 2 } }
  : {
      vcenters: 100,
      vmsTotal: 100_000,
      hostsTotal: 5_000,
      datastoresTotal: 2_000,
      devices: { disks: 2, nics: 2 },
    };

const log = (line: string) => process.stdout.write(`${line}\n`);
ensureBenchCache(dir, size, log);

const PW = 'bench-copy-pw';
const server = await startPostgres(PW);
const admin = await connectAdmin(server);
const times: { ms: number; rows: number }[] = [];
let last: CopyResult | undefined;
try {
  for (let run = 1; run <= runs; run++) {
    await createTeamDatabase(admin, `copy${run}`);
    const target = serverTarget(server, `copy${run}`);
    await migratePostgres(target);
    const t = performance.now();
    last = await copyToPostgres({ from: `sqlite:${dir}`, target });
    const ms = performance.now() - t;
    const rows = last.tables.reduce((n, x) => n + x.rows, 0);
    times.push({ ms, rows });
    log(`run ${run}: ${int(rows)} rows in ${s(ms)} s (${int(rows / (ms / 1000))} rows/s)`);
  }
} finally {
  await admin.end();
  await server.stop();
  if (!given) fs.rmSync(dir, { recursive: true, force: true });
}
log('');
log(
  table(
    ['table', 'rows'],
    (last?.tables ?? []).filter((t) => t.rows > 0).map((t) => [t.table, int(t.rows)]),
  ),
);
log('');
log(`peak RSS of this process: ${mb(process.resourceUsage().maxRSS / 1024)} MB`);
const summary = {
  bench: 'db-copy',
  vms: size.vmsTotal,
  runs: times.map((x) => ({ s: +s(x.ms), rows: x.rows })),
};
log(JSON.stringify(summary));
const results = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
fs.mkdirSync(results, { recursive: true });
const file = path.join(results, `db-copy-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify({ ...summary, tables: last?.tables ?? [] }, null, 2) + '\n');
log(`written to ${path.relative(process.cwd(), file)}`);
