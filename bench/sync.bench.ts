/**
 * Sync benchmark: vMiner's full sync (collect + store) against govmomi simulators, next to the
 * best-practice pyvmomi reference collector (bench/pyvmomi_collect.py) on the same simulators.
 *
 *   npm run bench:sync   (builds first; = node --import tsx bench/sync.bench.ts)
 *   options: --quick (small sizes, smoke test), --only=B,C, --skip-pyvmomi, --workers=N,
 *            --node-flag=<flag for the worker's node>
 *
 * Scenarios: A one simulator with 10k VMs; B 20 simulators × 500 VMs; C the same 20 with 50 ms
 * added to every SOAP call; D one simulator with 3,000 VMs (five runs: the case the RVTools-depth
 * property set is held to, at most 40 % more sync time than before it). Each vMiner measurement runs in its own child process (bundled worker,
 * plain `node`), into a fresh data folder with the `file` vault backend and pinned thumbprints.
 * Prints a table per scenario and one JSON summary line at the end; writes the details to
 * bench/results/sync-<date>.json. Missed targets are reported, never turned into an exit code;
 * only a crash or a failed sync exits non-zero.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  startSimulators,
  stopAll,
  type RunningSimulator,
  type SimulatorOptions,
} from '../src/testing/vcsim.js';
import { PROPERTY_PATHS } from '../src/main/engine/vsphere/properties.js';
import { buildWorker, type BuiltWorker } from './lib/build-worker.js';
import { summarizeProfile, type ProfileSummary } from './lib/cpu-profile.js';
import { int, mark, mb, median, s, table } from './lib/format.js';
import { killActive, runProcess } from './lib/proc.js';
import { parseWorkerResult, type WorkerConfig, type WorkerResult } from './lib/worker-protocol.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const PYTHON = '/usr/bin/python3'; // the system Python has pyVmomi; a venv `python3` may not
const PYVMOMI = path.join(ROOT, 'bench', 'pyvmomi_collect.py');
const USER = 'bench@vsphere.local';
const PASSWORD = 'bench-Secret-42';
const REPEATS = 2;
const RSS_TARGET_MB = 300;
const QUICK = process.argv.includes('--quick');
/** --only=A,C runs a subset; --skip-pyvmomi; --node-flag=--max-semi-space-size=64 (repeatable) goes to the worker's node. */
const ONLY = argValues('--only').flatMap((v) => v.split(','));
const WORKER_NODE_FLAGS = argValues('--node-flag');
const SKIP_PYVMOMI = process.argv.includes('--skip-pyvmomi'); // for quick engine experiments
/** --workers=N overrides the engine's sync concurrency (default: the engine setting). */
const WORKERS = argValues('--workers')
  .map(Number)
  .find((n) => Number.isInteger(n) && n > 0);

function argValues(name: string): string[] {
  return process.argv.filter((a) => a.startsWith(`${name}=`)).map((a) => a.slice(name.length + 1));
}

interface Scenario {
  id: string;
  title: string;
  simulators: number;
  opts: (i: number) => SimulatorOptions;
  pyWorkers: number[];
  /** Wall-time target for the vMiner median, in ms; undefined = "faster than pyvmomi --workers 1". */
  targetMs?: number;
  profile: boolean;
  /** vMiner runs (default REPEATS). */
  repeats?: number;
}

const small = (n: number, quick: number): number => (QUICK ? quick : n);

const SCENARIOS: Scenario[] = [
  {
    id: 'A',
    title: `1 simulator × ${int(small(10_000, 1_000))} VMs (2 datacenters, 6 clusters, 36 hosts)`,
    simulators: 1,
    opts: () => ({
      vms: small(10_000, 1_000),
      seed: 101,
      datacenters: 2,
      clusters: 3,
      hostsPerCluster: 6,
      standaloneHosts: 1,
      datastores: 4,
      portgroups: 3,
      namePrefix: 'a',
      user: USER,
      password: PASSWORD,
    }),
    pyWorkers: [1],
    profile: false,
  },
  {
    id: 'B',
    title: `${small(20, 4)} simulators × ${small(500, 200)} VMs`,
    simulators: small(20, 4),
    opts: (i) => ({
      vms: small(500, 200),
      seed: 200 + i,
      clusters: 2,
      hostsPerCluster: 4,
      datastores: 2,
      portgroups: 2,
      namePrefix: `b${i + 1}`,
      user: USER,
      password: PASSWORD,
    }),
    pyWorkers: [1, 10],
    targetMs: 3_000,
    profile: true,
  },
  {
    id: 'C',
    title: `${small(20, 4)} simulators × ${small(500, 200)} VMs, 50 ms added to every SOAP call`,
    simulators: small(20, 4),
    opts: (i) => ({
      vms: small(500, 200),
      seed: 200 + i,
      clusters: 2,
      hostsPerCluster: 4,
      datastores: 2,
      portgroups: 2,
      namePrefix: `c${i + 1}`,
      delayMs: 50,
      user: USER,
      password: PASSWORD,
    }),
    pyWorkers: [1, 10],
    targetMs: 4_000,
    profile: false,
  },
  {
    id: 'D',
    title: `1 simulator × ${int(small(3_000, 600))} VMs (3 clusters, 18 hosts)`,
    simulators: 1,
    opts: () => ({
      vms: small(3_000, 600),
      seed: 101,
      clusters: 3,
      hostsPerCluster: 6,
      datastores: 4,
      portgroups: 3,
      namePrefix: 'd',
      user: USER,
      password: PASSWORD,
      // No live-update watcher (it compares every VM ten times a second, for the live tests):
      // its CPU would land in the figures of a sync that does not use it.
      emitUpdates: false,
    }),
    pyWorkers: [1],
    profile: false,
    repeats: 5,
  },
];

interface PyvmomiRun {
  workers: number;
  ms: number;
  objects: number;
  unknownPaths?: Record<string, string[]>;
}

interface Target {
  name: string;
  pass: boolean;
  detail: string;
}

/** A worker's figures plus what the simulators burnt meanwhile (they share the cores). */
type Run = WorkerResult & { simulatorCpuMs: number | null };

interface ScenarioResult {
  id: string;
  title: string;
  simulators: number;
  vms: number;
  startupMs: number;
  runs: Run[];
  bestMs: number;
  medianMs: number;
  objects: number;
  objectsPerSec: { best: number; median: number };
  peakRssMb: number;
  dbBytesPerObject: number;
  dbBytesPerRow: number;
  pyvmomi: PyvmomiRun[];
  /** vMiner median / pyvmomi, per pyvmomi worker count (< 1: vMiner is faster). */
  ratios: Record<string, number>;
  targets: Target[];
  profile?: ProfileSummary;
}

// ------------------------------------------------------------------------------------------

function log(msg: string): void {
  process.stdout.write(`${msg}\n`);
}

async function runWorker(
  worker: BuiltWorker,
  tmpRoot: string,
  sims: RunningSimulator[],
  scenarioId: string,
  cpuProfileFile?: string,
): Promise<WorkerResult> {
  const dataDir = fs.mkdtempSync(path.join(tmpRoot, `data-${scenarioId}-`));
  const cfg: WorkerConfig = {
    dataDir,
    user: USER,
    password: PASSWORD,
    vcenters: sims.map((sim, i) => ({
      name: `${scenarioId.toLowerCase()}-vc${String(i + 1).padStart(2, '0')}`,
      url: sim.url,
      thumbprint: sim.thumbprintSha256,
    })),
    cpuProfileFile,
    workers: WORKERS,
  };
  try {
    const res = await runProcess(process.execPath, [...WORKER_NODE_FLAGS, worker.file], {
      input: JSON.stringify(cfg),
      timeoutMs: 300_000,
      cwd: ROOT,
    });
    if (res.code !== 0) {
      throw new Error(
        `sync worker exited with ${String(res.code ?? res.signal)}:\n${res.stderr.slice(-4000)}`,
      );
    }
    return parseWorkerResult(res.stdout);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** utime + stime of the simulator processes, from /proc (Linux); null elsewhere. */
function simulatorCpuMs(sims: RunningSimulator[]): number | null {
  let ticks = 0;
  try {
    for (const sim of sims) {
      const stat = fs.readFileSync(`/proc/${sim.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
    }
  } catch {
    return null;
  }
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

async function runPyvmomi(sims: RunningSimulator[], pathsJson: string, workers: number): Promise<PyvmomiRun> {
  const args = [
    PYVMOMI,
    '--user',
    USER,
    '--password',
    PASSWORD,
    '--paths-json',
    pathsJson,
    '--workers',
    String(workers),
    ...sims.map((x) => x.url),
  ];
  const res = await runProcess(PYTHON, args, { timeoutMs: 300_000, cwd: ROOT });
  const last = res.stdout.trim().split('\n').pop() ?? '';
  if (res.code !== 0 || !last.startsWith('{')) {
    throw new Error(
      `pyvmomi_collect.py failed (exit ${String(res.code ?? res.signal)}):\n${res.stderr.slice(-4000)}`,
    );
  }
  const v = JSON.parse(last) as { seconds: number; objects: number; unknownPaths?: Record<string, string[]> };
  return { workers, ms: v.seconds * 1000, objects: v.objects, unknownPaths: v.unknownPaths };
}

async function runScenario(
  sc: Scenario,
  worker: BuiltWorker,
  tmpRoot: string,
  pathsJson: string,
  stamp: string,
): Promise<ScenarioResult> {
  log(`\n=== Scenario ${sc.id}: ${sc.title}`);
  const t0 = performance.now();
  const sims = await startSimulators(sc.simulators, sc.opts);
  const startupMs = performance.now() - t0;
  const vms = sims.reduce((n, x) => n + x.counts.vms, 0);
  const hosts = sims.reduce((n, x) => n + x.counts.hosts, 0);
  log(`    ${sims.length} simulator(s) up in ${s(startupMs)} s: ${int(vms)} VMs, ${int(hosts)} hosts`);

  const runs: Run[] = [];
  const pyvmomi: PyvmomiRun[] = [];
  let profile: ProfileSummary | undefined;
  try {
    for (let r = 1; r <= (sc.repeats ?? REPEATS); r++) {
      const cpu0 = simulatorCpuMs(sims);
      const res: Run = { ...(await runWorker(worker, tmpRoot, sims, sc.id)), simulatorCpuMs: null };
      const cpu1 = simulatorCpuMs(sims);
      if (cpu0 !== null && cpu1 !== null) res.simulatorCpuMs = cpu1 - cpu0;
      runs.push(res);
      log(
        `    vMiner run ${r}: ${s(res.wallMs)} s, ${int(res.objects)} objects, peak RSS ${mb(res.maxRssMb)} MB` +
          (res.failures.length ? `, ${res.failures.length} FAILED vCenter(s)` : ''),
      );
      for (const f of res.failures.slice(0, 3)) log(`      ${f.vcenter}: ${f.code} ${f.message}`);
    }
    if (sc.profile) {
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      const file = path.join(RESULTS_DIR, `sync-${stamp}-${sc.id}.cpuprofile`);
      const prof = await runWorker(worker, tmpRoot, sims, sc.id, file);
      profile = summarizeProfile(file, ROOT, worker.file, worker.moduleAt);
      log(
        `    CPU profile (extra run, not in the figures: ${s(prof.wallMs)} s under the profiler): ` +
          path.relative(ROOT, file),
      );
    }
    for (const w of SKIP_PYVMOMI ? [] : sc.pyWorkers) {
      const py = await runPyvmomi(sims, pathsJson, w);
      pyvmomi.push(py);
      log(`    pyvmomi --workers ${w}: ${s(py.ms)} s, ${int(py.objects)} objects`);
      if (py.unknownPaths) log(`      paths the simulator rejected: ${JSON.stringify(py.unknownPaths)}`);
    }
  } finally {
    await Promise.all(sims.map((x) => x.stop()));
  }

  const walls = runs.map((r) => r.wallMs);
  const bestMs = Math.min(...walls);
  const medianMs = median(walls);
  const objects = runs[0]?.objects ?? 0;
  const rows = runs[0]?.rows ?? 0;
  const peakRssMb = Math.max(...runs.map((r) => r.maxRssMb));
  const dbBytes = median(runs.map((r) => r.dbBytes));
  const ratios: Record<string, number> = {};
  for (const py of pyvmomi) ratios[`workers${py.workers}`] = medianMs / py.ms;

  const targets: Target[] = [];
  if (sc.targetMs !== undefined) {
    targets.push({
      name: `${sc.id}: under ${s(sc.targetMs)} s`,
      pass: medianMs < sc.targetMs,
      detail: `median ${s(medianMs)} s`,
    });
  } else {
    const ref = pyvmomi.find((p) => p.workers === 1);
    if (ref) {
      targets.push({
        name: `${sc.id}: vMiner faster than pyvmomi`,
        pass: medianMs < ref.ms,
        detail: `median ${s(medianMs)} s vs ${s(ref.ms)} s`,
      });
    }
  }
  targets.push({
    name: `${sc.id}: peak RSS under ${RSS_TARGET_MB} MB`,
    pass: peakRssMb < RSS_TARGET_MB,
    detail: `max ${mb(peakRssMb)} MB`,
  });
  const failed = runs.some((r) => r.failures.length > 0);
  if (failed) targets.push({ name: `${sc.id}: every vCenter synced`, pass: false, detail: 'see failures' });

  return {
    id: sc.id,
    title: sc.title,
    simulators: sims.length,
    vms,
    startupMs,
    runs,
    bestMs,
    medianMs,
    objects,
    objectsPerSec: { best: objects / (bestMs / 1000), median: objects / (medianMs / 1000) },
    peakRssMb,
    dbBytesPerObject: objects ? dbBytes / objects : 0,
    dbBytesPerRow: rows ? dbBytes / rows : 0,
    pyvmomi,
    ratios,
    targets,
    profile,
  };
}

function printScenario(r: ScenarioResult): void {
  const cols = ['', ...r.runs.map((_, i) => `run ${i + 1}`), 'best', 'median'];
  const per = (f: (w: Run) => number, fmt: (n: number) => string, lowIsBest = true): string[] => {
    const xs = r.runs.map(f);
    const best = lowIsBest ? Math.min(...xs) : Math.max(...xs);
    return [...xs.map(fmt), fmt(best), fmt(median(xs))];
  };
  log(`\n--- Scenario ${r.id}: ${r.title}`);
  log(
    `    ${r.simulators} simulator(s), ${int(r.vms)} VMs; engine sync workers ${r.runs[0]?.workers ?? '?'}; ` +
      `simulators, engine and pyvmomi share the same ${os.cpus().length} cores`,
  );
  log(
    table(cols, [
      ['vMiner wall, collect + store (s)', ...per((w) => w.wallMs, s)],
      ['objects collected', ...per((w) => w.objects, int)],
      ['objects/s', ...per((w) => w.objects / (w.wallMs / 1000), int, false)],
      ['rows stored', ...per((w) => w.rows, int)],
      ['peak RSS, engine process (MB)', ...per((w) => w.maxRssMb, mb)],
      ['peak heap used, sampled (MB)', ...per((w) => w.peakHeapUsedMb, mb)],
      ['  of which storing (SQLite) (s)', ...per((w) => w.storeMs, s)],
      ['engine CPU user + system (s)', ...per((w) => w.cpuUserMs + w.cpuSystemMs, s)],
      ['simulators CPU meanwhile (s)', ...per((w) => w.simulatorCpuMs ?? Number.NaN, s)],
      ['DB bytes (db + wal, checkpointed)', ...per((w) => w.dbBytes, int)],
      ['DB bytes / object', ...per((w) => (w.objects ? w.dbBytes / w.objects : 0), int)],
      ['DB bytes / stored row', ...per((w) => (w.rows ? w.dbBytes / w.rows : 0), int)],
      ['per-vCenter sync, median (s)', ...per((w) => w.perVcenterMs.median, s)],
      ['per-vCenter sync, max (s)', ...per((w) => w.perVcenterMs.max, s)],
    ]),
  );
  if (r.pyvmomi.length) {
    log('');
    log(
      table(
        ['reference', 'seconds', 'objects', 'vMiner median / pyvmomi', 'vMiner speed-up'],
        r.pyvmomi.map((p) => [
          `pyvmomi --workers ${p.workers}`,
          s(p.ms),
          int(p.objects),
          (r.medianMs / p.ms).toFixed(2),
          `${(p.ms / r.medianMs).toFixed(1)}×`,
        ]),
      ),
    );
  }
  log('');
  for (const t of r.targets) log(`    [${mark(t.pass)}] ${t.name} (${t.detail})`);
  if (r.profile) {
    log(
      `\n    CPU profile of one vMiner run (scenario ${r.id}, ${s(r.profile.totalMs)} s profiled), self time:`,
    );
    log(
      indent(
        table(
          ['module', 'ms', '%'],
          r.profile.modules.slice(0, 10).map((m) => [m.name, int(m.ms), m.pct.toFixed(1)]),
        ),
      ),
    );
    log('');
    log(
      indent(
        table(
          ['function', 'where', 'ms', '%'],
          r.profile.functions.map((f) => [f.name, f.where, int(f.ms), f.pct.toFixed(1)]),
        ),
      ),
    );
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------------------------------

let tmpRoot: string | undefined;
let stopping = false;

function cleanupTmp(): void {
  if (tmpRoot) fs.rmSync(tmpRoot, { recursive: true, force: true });
  tmpRoot = undefined;
}

function onSignal(sig: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\n[bench] ${sig}: stopping workers and simulators…\n`);
  killActive();
  setTimeout(() => process.exit(130), 30_000).unref();
  void stopAll()
    .catch(() => undefined)
    .finally(() => {
      cleanupTmp();
      process.exit(130);
    });
}

async function main(): Promise<number> {
  // Installed before the first simulator starts, so simulators.ts's own handler defers to this one.
  // Run with `node --import tsx` (as the npm scripts do): the tsx CLI would SIGKILL this process
  // 30 ms into its clean-up.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => {
    killActive();
    cleanupTmp();
  });

  const now = new Date();
  const stamp = now.toISOString().slice(0, 19).replace(/:/g, '').replace('T', '-');
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-bench-'));
  const pathsJson = path.join(tmpRoot, 'property-paths.json');
  fs.writeFileSync(pathsJson, JSON.stringify(PROPERTY_PATHS));

  const machine = {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    commit: gitCommit(),
  };
  log(`vMiner sync benchmark${QUICK ? ' (--quick: reduced sizes, figures not comparable)' : ''}`);
  log(`machine: ${machine.cores} cores (${machine.cpu}), ${machine.memGb} GB, Node ${machine.node}`);
  log(
    `NOTE: the simulators run on the same ${machine.cores} cores as vMiner and pyvmomi, so every wall time ` +
      `includes the simulators' own CPU work (serialising the answers).`,
  );
  log(`each vMiner figure: ${REPEATS} runs, each a fresh child process and a fresh data folder`);
  if (WORKER_NODE_FLAGS.length) log(`worker node flags: ${WORKER_NODE_FLAGS.join(' ')}`);

  const worker = await buildWorker(ROOT);
  const results: ScenarioResult[] = [];
  let exitCode = 0;
  try {
    for (const sc of SCENARIOS.filter((x) => ONLY.length === 0 || ONLY.includes(x.id))) {
      const r = await runScenario(sc, worker, tmpRoot, pathsJson, stamp);
      results.push(r);
      printScenario(r);
      if (r.runs.some((x) => x.failures.length > 0)) exitCode = 1;
    }
  } finally {
    killActive();
    await stopAll();
    cleanupTmp();
  }

  log('\n=== Summary');
  log(
    table(
      [
        'scenario',
        'VMs',
        'best s',
        'median s',
        'objects/s',
        'peak RSS MB',
        'DB B/object',
        'vs pyvmomi w1',
        'vs w10',
      ],
      results.map((r) => [
        `${r.id} ${r.simulators}×${int(r.vms / r.simulators)}`,
        int(r.vms),
        s(r.bestMs),
        s(r.medianMs),
        int(r.objectsPerSec.median),
        mb(r.peakRssMb),
        int(r.dbBytesPerObject),
        r.ratios.workers1 !== undefined ? r.ratios.workers1.toFixed(2) : '-',
        r.ratios.workers10 !== undefined ? r.ratios.workers10.toFixed(2) : '-',
      ]),
    ),
  );
  for (const r of results) for (const t of r.targets) log(`[${mark(t.pass)}] ${t.name} (${t.detail})`);

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const outFile = path.join(RESULTS_DIR, `sync-${stamp}.json`);
  fs.writeFileSync(
    outFile,
    JSON.stringify(
      { date: now.toISOString(), quick: QUICK, workerNodeFlags: WORKER_NODE_FLAGS, machine, results },
      null,
      2,
    ),
  );
  log(`details: ${path.relative(ROOT, outFile)}`);

  const summary = {
    bench: 'sync',
    date: now.toISOString(),
    quick: QUICK,
    workerNodeFlags: WORKER_NODE_FLAGS,
    cores: machine.cores,
    scenarios: results.map((r) => ({
      id: r.id,
      vcenters: r.simulators,
      vms: r.vms,
      bestS: +(r.bestMs / 1000).toFixed(3),
      medianS: +(r.medianMs / 1000).toFixed(3),
      objectsPerS: Math.round(r.objectsPerSec.median),
      peakRssMb: Math.round(r.peakRssMb),
      dbBytesPerObject: Math.round(r.dbBytesPerObject),
      pyvmomiS: Object.fromEntries(r.pyvmomi.map((p) => [`workers${p.workers}`, +(p.ms / 1000).toFixed(3)])),
      ratio: Object.fromEntries(Object.entries(r.ratios).map(([k, v]) => [k, +v.toFixed(3)])),
      targets: Object.fromEntries(r.targets.map((t) => [t.name, t.pass])),
    })),
  };
  log(JSON.stringify(summary));
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    if (stopping) return; // Ctrl-C: onSignal cleans up and exits
    console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    killActive();
    await stopAll().catch(() => undefined);
    cleanupTmp();
    process.exit(1);
  },
);
