/**
 * Issue 18's sync target on PostgreSQL beside SQLite: the whole sync of 20 simulated vCenters ×
 * 500 VMs (bench:sync's scenario B simulators) into a SQLite data folder (`Engine`: SyncRunner over
 * the SQLite store) and into a throwaway PostgreSQL (`TeamEngine`, elected: its TeamSync runs
 * SyncRunner over PgSyncBackend), a first sync and an unchanged re-sync each time, every run in a
 * fresh child process (bench/sync-pg-worker.ts) and a fresh data folder / team database, the sides
 * alternating (SQLite first in odd rounds, PostgreSQL first in even ones) so a busy machine slows
 * both alike. Target: PostgreSQL's median within 1.5× SQLite's.
 *
 *   npm run bench:sync-pg    node --import tsx bench/sync-pg.bench.ts [--quick] [--repeats N]
 *
 * Prints a table and one JSON line, writes bench/results/sync-pg-<date>.json. A missed target is
 * reported, never an exit code; a failed sync exits 1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulators, stopAll } from '../src/testing/vcsim.js';
import { connectAdmin, migratedDatabase, pgUrl, startPostgres } from '../src/testing/postgres.js';
import { BENCH_ENGINE_FLAGS } from './lib/engine-flags.js';
import { int, mark, median, s, table } from './lib/format.js';
import { killActive, runProcess } from './lib/proc.js';
import { RESULT_PREFIX, type SyncPgWorkerConfig, type SyncPgWorkerResult } from './lib/sync-pg-protocol.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORKER = path.join(ROOT, 'bench', 'sync-pg-worker.ts');
const USER = 'bench@vsphere.local';
const PASSWORD = 'bench-Secret-42';
const PG_PW = 'bench-syncpg-pw';
const TARGET_RATIO = 1.5;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const repeats = Number(arg('--repeats') ?? (quick ? 1 : 3));
const simulators = quick ? 4 : 20;
const vmsEach = quick ? 200 : 500;
const log = (line = ''): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const now = new Date();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-syncpg-'));
  log(`sync on SQLite and PostgreSQL: ${simulators} simulators × ${vmsEach} VMs, ${repeats} round(s)`);
  log(
    `load average at the start: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  const sims = await startSimulators(simulators, (i) => ({
    vms: vmsEach,
    seed: 200 + i,
    clusters: 2,
    hostsPerCluster: 4,
    datastores: 2,
    portgroups: 2,
    namePrefix: `b${i + 1}`,
    user: USER,
    password: PASSWORD,
    emitUpdates: false,
  }));
  const server = await startPostgres(PG_PW);
  const runs: SyncPgWorkerResult[] = [];
  let failed = false;
  try {
    const vcenters = sims.map((sim, i) => ({
      name: `b-vc${String(i + 1).padStart(2, '0')}`,
      url: sim.url,
      thumbprint: sim.thumbprintSha256,
    }));
    let n = 0;
    const runSide = async (side: 'sqlite' | 'pg'): Promise<SyncPgWorkerResult> => {
      const dataDir = fs.mkdtempSync(path.join(tmp, `${side}-`));
      const cfg: SyncPgWorkerConfig = { side, dataDir, user: USER, password: PASSWORD, vcenters };
      if (side === 'pg') {
        const db = `syncpg${++n}`;
        const admin = await connectAdmin(server);
        try {
          await migratedDatabase(server, admin, db);
        } finally {
          await admin.end();
        }
        cfg.pgUrl = pgUrl(server, db);
        cfg.pgPassword = PG_PW;
      }
      const res = await runProcess(process.execPath, [...BENCH_ENGINE_FLAGS, '--import', 'tsx', WORKER], {
        input: JSON.stringify(cfg),
        timeoutMs: 600_000,
        cwd: ROOT,
      });
      fs.rmSync(dataDir, { recursive: true, force: true });
      const line = res.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (res.code !== 0 || !line)
        throw new Error(
          `${side} worker exited with ${String(res.code ?? res.signal)}:\n${res.stderr.slice(-4000)}`,
        );
      const r = JSON.parse(line.slice(RESULT_PREFIX.length)) as SyncPgWorkerResult;
      log(
        `  ${side === 'pg' ? 'PostgreSQL' : 'SQLite    '}: first sync ${s(r.firstMs)} s, re-sync ${s(r.resyncMs)} s, ` +
          `${int(r.vms)} VMs${r.failures.length ? `, FAILED: ${r.failures.slice(0, 3).join('; ')}` : ''}`,
      );
      if (r.failures.length) failed = true;
      return r;
    };
    for (let round = 1; round <= repeats; round++) {
      log(`round ${round}`);
      const order: ('sqlite' | 'pg')[] = round % 2 ? ['sqlite', 'pg'] : ['pg', 'sqlite'];
      for (const side of order) runs.push(await runSide(side));
    }
  } finally {
    killActive();
    await stopAll();
    await server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const med = (side: 'sqlite' | 'pg', k: 'firstMs' | 'resyncMs'): number =>
    median(runs.filter((r) => r.side === side).map((r) => r[k]));
  const rows = (['firstMs', 'resyncMs'] as const).map((k) => {
    const a = med('sqlite', k);
    const b = med('pg', k);
    return { step: k === 'firstMs' ? 'first sync' : 'unchanged re-sync', sqliteMs: a, pgMs: b, ratio: b / a };
  });
  log();
  log(
    table(
      ['step (medians)', 'SQLite s', 'PostgreSQL s', 'ratio', `≤ ${TARGET_RATIO}×`],
      rows.map((r) => [r.step, s(r.sqliteMs), s(r.pgMs), r.ratio.toFixed(2), mark(r.ratio <= TARGET_RATIO)]),
    ),
  );
  const summary = {
    bench: 'sync-pg',
    date: now.toISOString(),
    quick,
    vcenters: simulators,
    vmsEach,
    repeats,
    cores: os.cpus().length,
    loadAverageAtEnd: os.loadavg().map((x) => +x.toFixed(2)),
    targetRatio: TARGET_RATIO,
    steps: rows.map((r) => ({
      step: r.step,
      sqliteS: +(r.sqliteMs / 1000).toFixed(3),
      pgS: +(r.pgMs / 1000).toFixed(3),
      ratio: +r.ratio.toFixed(3),
      pass: r.ratio <= TARGET_RATIO,
    })),
    runs,
  };
  log();
  log(JSON.stringify({ ...summary, runs: undefined }));
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `sync-pg-${summary.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  log(`written to ${path.relative(ROOT, file)}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    killActive();
    await stopAll().catch(() => undefined);
    process.exit(1);
  },
);
