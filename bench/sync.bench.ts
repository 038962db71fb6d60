/**
 * Sync benchmark: vMiner's full sync (collect + store) against govmomi simulators, next to the
 * best-practice pyvmomi reference collector (bench/pyvmomi_collect.py) on the same simulators.
 *
 *   npm run bench:sync   (builds first; = node --import tsx bench/sync.bench.ts)
 *   options: --quick (small sizes, smoke test), --only=S,B, --skip-pyvmomi, --workers=N,
 *            --repeats=N (default 5), --node-flag=<flag for the worker's and the CLI's node>,
 *            --no-engine-flags (Node's defaults instead of src/main/node-flags.ts's V8 flags),
 *            --root=DIR (`vminer sync` from another checkout's build, for a before/after; its log
 *            may lack the phases, which then count as the rest of the sync)
 *
 * Scenarios: S one simulator with 3,000 varied VMs, `vminer sync` as a whole process (the built
 * CLI) alternating with the pyvmomi script as a whole process, target ratio ≤ 0.5, with the split
 * of vMiner's time (start-up, connect, the simulator's answer, read + parse, map, store, planner
 * statistics, exit) and the simulator's own answer time read without parsing; A one simulator
 * with 10k VMs; B 20 simulators × 500 VMs, target < 3 s, as a whole process and in the engine;
 * C the same 20 with 50 ms added to every SOAP call; H the change history's cost to a re-sync's
 * store step (100k generated VMs, unchanged and 1 % changed, with and without recording; target
 * ≤ 1.10× unchanged; `--only=H` runs it alone, without a build). Engine runs (A, B, C) go in their own child
 * process (bundled worker, plain `node`), into a fresh data folder with the `file` vault backend
 * and pinned thumbprints. Prints a table per scenario and one JSON summary line at the end;
 * writes the details to bench/results/sync-<date>.json. Missed targets are reported, never turned
 * into an exit code; only a crash or a failed sync exits non-zero.
 */
import { execFileSync } from 'node:child_process';
import { BENCH_ENGINE_FLAGS } from './lib/engine-flags.js';
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
import { DEVICE_PATH, PROPERTY_PATHS } from '../src/main/engine/vsphere/properties.js';
import { buildWorker, type BuiltWorker } from './lib/build-worker.js';
import { summarizeProfile, type ProfileSummary } from './lib/cpu-profile.js';
import { int, mark, mb, median, s, table } from './lib/format.js';
import { killActive, runProcess } from './lib/proc.js';
import {
  prepareCli,
  runCliSync,
  runPyvmomiProcess,
  simulatorAnswer,
  type CliRun,
  type CliSplit,
  type PyvmomiProcess,
  type SimulatorAnswer,
} from './lib/cli-sync.js';
import { runHistoryCost, type HistoryCostResult } from './lib/history-cost.js';
import { parseWorkerResult, type WorkerConfig, type WorkerResult } from './lib/worker-protocol.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const PYTHON = '/usr/bin/python3'; // the system Python has pyVmomi; a venv `python3` may not
const PYVMOMI = path.join(ROOT, 'bench', 'pyvmomi_collect.py');
const USER = 'bench@vsphere.local';
const PASSWORD = 'bench-Secret-42';
const REPEATS =
  argValues('--repeats')
    .map(Number)
    .find((n) => Number.isInteger(n) && n > 0) ?? 5;
/** Where the measured `vminer sync` comes from (its out/main/cli.js). */
const CLI_ROOT = path.resolve(argValues('--root')[0] ?? ROOT);
/** Scenario S: vMiner's whole process at most this share of pyvmomi's. */
const RATIO_TARGET = 0.5;
const RSS_TARGET_MB = 300;
const QUICK = process.argv.includes('--quick');
/** --only=S,C runs a subset; --skip-pyvmomi; --node-flag=--max-semi-space-size=64 (repeatable) goes to the worker's and the CLI's node. */
const ONLY = argValues('--only').flatMap((v) => v.split(','));
/** The engine's own V8 flags first (none with --no-engine-flags), then any --node-flag. */
const WORKER_NODE_FLAGS = [...BENCH_ENGINE_FLAGS, ...argValues('--node-flag')];
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
  /** Also run `vminer sync` as a whole process (the built CLI) this many times. */
  cli?: boolean;
}

const small = (n: number, quick: number): number => (QUICK ? quick : n);

// Every simulator runs without its live-update emulation (e2e/vcsim/live_updates.go): that loop
// re-reads every object ten times a second to report changes, which costs a 3,000-VM simulator
// 20 % of a core and twenty 500-VM ones 60 %, taken from the two cores vMiner and pyvmomi share.
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
      emitUpdates: false,
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
      emitUpdates: false,
    }),
    pyWorkers: [1, 10],
    targetMs: 3_000,
    profile: true,
    cli: true,
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
      emitUpdates: false,
    }),
    pyWorkers: [1, 10],
    targetMs: 4_000,
    profile: false,
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
  /** Whole-process `vminer sync` runs (scenario B). */
  cli?: { runs: CliRun[]; medianMs: number; split: CliSplit };
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
  let cli: ScenarioResult['cli'];
  try {
    for (let r = 1; r <= REPEATS; r++) {
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
    if (sc.cli) {
      const c = await prepareCli(CLI_ROOT, tmpRoot, sims, sc.id.toLowerCase(), USER, PASSWORD);
      const first = await runCliSync(c, WORKER_NODE_FLAGS);
      log(`    vminer sync (whole process), first sync into an empty cache: ${s(first.wallMs)} s`);
      const cliRuns: CliRun[] = [];
      for (let r = 1; r <= REPEATS; r++) {
        const run = await runCliSync(c, WORKER_NODE_FLAGS);
        cliRuns.push(run);
        log(
          `    vminer sync (whole process) run ${r}: ${s(run.wallMs)} s` +
            (run.failures.length ? `, FAILED: ${run.failures.join('; ')}` : ''),
        );
      }
      cli = { runs: cliRuns, medianMs: median(cliRuns.map((r) => r.wallMs)), split: medianSplit(cliRuns) };
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
      name: `${sc.id}: under ${s(sc.targetMs)} s${cli ? ' (in the engine)' : ''}`,
      pass: medianMs < sc.targetMs,
      detail: `median ${s(medianMs)} s`,
    });
    if (cli) {
      targets.push({
        name: `${sc.id}: under ${s(sc.targetMs)} s (vminer sync, whole process)`,
        pass: cli.medianMs < sc.targetMs,
        detail: `median ${s(cli.medianMs)} s`,
      });
    }
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
    cli,
  };
}

/** Field by field median of the runs' splits. */
function medianSplit(runs: CliRun[]): CliSplit {
  const keys = Object.keys(runs[0]!.split) as (keyof CliSplit)[];
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r.split[k]))])) as unknown as CliSplit;
}

const SPLIT_ROWS: [keyof CliSplit, string][] = [
  ['startupMs', 'start-up: Node, modules, engine open'],
  ['connectMs', 'TLS + login + container view'],
  ['waitMs', 'waiting for the answer (simulator)'],
  ['readMs', 'reading + parsing the answer'],
  ['mapMs', 'mapping objects to rows'],
  ['storeMs', 'storing (SQLite, one transaction)'],
  ['otherSyncMs', 'rest of the sync'],
  ['plannerMs', 'planner statistics'],
  ['exitMs', 'output, close, exit'],
];

function splitTable(splits: { label: string; split: CliSplit; wallMs: number }[]): string {
  return table(
    ['where the time went (median, ms)', ...splits.map((x) => x.label)],
    [
      ...SPLIT_ROWS.map(([k, label]) => [label, ...splits.map((x) => int(x.split[k]))]),
      ['whole process (median wall)', ...splits.map((x) => int(x.wallMs))],
    ],
  );
}

// ------------------------------------------------------------------------------------------
// Scenario S: the ratio to pyvmomi, whole processes, alternating

const RATIO_VMS = (): number => small(3_000, 500);

interface RatioResult {
  id: 'S';
  title: string;
  vms: number;
  objects: number;
  startupMs: number;
  firstSyncMs: number;
  vminer: CliRun[];
  pyvmomi: PyvmomiProcess[];
  vminerMedianMs: number;
  pyvmomiMedianMs: number;
  /** pyvmomi's own figure (its collection, without Python's start-up and imports). */
  pyvmomiCollectMedianMs: number;
  ratio: number;
  split: CliSplit;
  simulator: SimulatorAnswer[];
  simulatorCpuMs: number | null;
  targets: Target[];
}

async function runRatioScenario(tmpRoot: string, pathsJson: string): Promise<RatioResult> {
  const vms = RATIO_VMS();
  const title = `1 simulator × ${int(vms)} varied VMs: vminer sync vs pyvmomi, whole processes, alternating`;
  log(`\n=== Scenario S: ${title}`);
  const t0 = performance.now();
  const [sim] = await startSimulators(1, () => ({
    vms,
    seed: 303,
    datacenters: 2,
    clusters: 3,
    hostsPerCluster: 4,
    datastores: 4,
    portgroups: 3,
    namePrefix: 's',
    user: USER,
    password: PASSWORD,
    emitUpdates: false,
  }));
  const startupMs = performance.now() - t0;
  log(`    simulator up in ${s(startupMs)} s: ${int(sim!.counts.vms)} VMs, ${int(sim!.counts.hosts)} hosts`);
  const vminer: CliRun[] = [];
  const pyvmomi: PyvmomiProcess[] = [];
  let simulator: SimulatorAnswer[];
  let firstSyncMs: number;
  let simCpu: number | null = null;
  try {
    const c = await prepareCli(CLI_ROOT, tmpRoot, [sim!], 's', USER, PASSWORD);
    // The cache a scheduled `vminer sync` finds: the first sync fills it, the measured ones refresh it.
    firstSyncMs = (await runCliSync(c, WORKER_NODE_FLAGS)).wallMs;
    log(`    vminer sync into an empty cache (not in the figures): ${s(firstSyncMs)} s`);
    simulator = await simulatorAnswer(sim!, USER, PASSWORD, 3);
    const cpu0 = simulatorCpuMs([sim!]);
    for (let r = 1; r <= REPEATS; r++) {
      const v = await runCliSync(c, WORKER_NODE_FLAGS);
      vminer.push(v);
      if (v.failures.length) throw new Error(`vminer sync failed: ${v.failures.join('; ')}`);
      let line = `    run ${r}: vminer sync ${s(v.wallMs)} s`;
      if (!SKIP_PYVMOMI) {
        const p = await runPyvmomiProcess(
          PYTHON,
          PYVMOMI,
          pathsJson,
          [sim!],
          USER,
          PASSWORD,
          1,
          ROOT,
          tmpRoot,
        );
        pyvmomi.push(p);
        line += `, pyvmomi ${s(p.wallMs)} s (its own collection figure ${s(p.collectMs)} s)`;
      }
      log(line);
    }
    const cpu1 = simulatorCpuMs([sim!]);
    if (cpu0 !== null && cpu1 !== null) simCpu = cpu1 - cpu0;
  } finally {
    await sim!.stop();
  }
  const vminerMedianMs = median(vminer.map((r) => r.wallMs));
  const pyvmomiMedianMs = median(pyvmomi.map((r) => r.wallMs));
  const ratio = vminerMedianMs / pyvmomiMedianMs;
  const targets: Target[] = pyvmomi.length
    ? [
        {
          name: `S: vminer sync at most ${RATIO_TARGET} × pyvmomi (whole processes)`,
          pass: ratio <= RATIO_TARGET,
          detail: `ratio ${ratio.toFixed(2)}: ${s(vminerMedianMs)} s vs ${s(pyvmomiMedianMs)} s`,
        },
      ]
    : [];
  return {
    id: 'S',
    title,
    vms,
    objects: vminer[0]?.objects ?? 0,
    startupMs,
    firstSyncMs,
    vminer,
    pyvmomi,
    vminerMedianMs,
    pyvmomiMedianMs,
    pyvmomiCollectMedianMs: median(pyvmomi.map((r) => r.collectMs)),
    ratio,
    split: medianSplit(vminer),
    simulator,
    simulatorCpuMs: simCpu,
    targets,
  };
}

function printRatio(r: RatioResult): void {
  log(`\n--- Scenario S: ${r.title}`);
  log(
    `    ${REPEATS} runs each, alternating; ${int(r.objects)} objects per sync; simulator, vMiner and ` +
      `pyvmomi share the same ${os.cpus().length} cores; load average before: ${os.loadavg()[0]!.toFixed(1)}`,
  );
  const usage = (xs: (CliRun | PyvmomiProcess)[], f: (u: NonNullable<CliRun['usage']>) => number): string =>
    xs.every((x) => x.usage) ? s(median(xs.map((x) => f(x.usage!)))) : '-';
  log(
    table(
      ['whole process', 'median s', 'runs (s)', 'CPU s (median)', 'peak RSS MB'],
      [
        [
          'vminer sync',
          s(r.vminerMedianMs),
          r.vminer.map((x) => s(x.wallMs)).join(' '),
          usage(r.vminer, (u) => u.cpuMs),
          r.vminer.every((x) => x.usage) ? mb(Math.max(...r.vminer.map((x) => x.usage!.maxRssMb))) : '-',
        ],
        [
          'pyvmomi_collect.py',
          s(r.pyvmomiMedianMs),
          r.pyvmomi.map((x) => s(x.wallMs)).join(' '),
          usage(r.pyvmomi, (u) => u.cpuMs),
          r.pyvmomi.every((x) => x.usage) ? mb(Math.max(...r.pyvmomi.map((x) => x.usage!.maxRssMb))) : '-',
        ],
      ],
    ),
  );
  log(
    `    pyvmomi's own figure (collection only, no Python start-up): median ${s(r.pyvmomiCollectMedianMs)} s`,
  );
  log('');
  log(indent(splitTable([{ label: 'vminer sync', split: r.split, wallMs: r.vminerMedianMs }])));
  const a = r.simulator;
  if (a.length) {
    log(
      `\n    the simulator alone (the same retrieval read to the end without parsing, ${a.length} times): ` +
        `first byte after ${a.map((x) => int(x.firstByteMs)).join(' / ')} ms, last byte after ` +
        `${a.map((x) => int(x.lastByteMs)).join(' / ')} ms, ${(a[0]!.bytes / 1e6).toFixed(1)} MB`,
    );
  }
  if (r.simulatorCpuMs !== null) {
    log(
      `    simulator CPU during the ${r.vminer.length + r.pyvmomi.length} measured runs: ${s(r.simulatorCpuMs)} s`,
    );
  }
  log('');
  for (const t of r.targets) log(`    [${mark(t.pass)}] ${t.name} (${t.detail})`);
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
  if (r.cli) {
    log('');
    log(indent(splitTable([{ label: 'vminer sync', split: r.cli.split, wallMs: r.cli.medianMs }])));
    log(`    (summed over the ${r.simulators} vCenters, which are synced concurrently: phases overlap)`);
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

function printHistory(h: HistoryCostResult): void {
  const ms = (x: number): string => x.toFixed(0);
  log(
    table(
      ['re-sync', 'with history (ms)', 'without (ms)', 'ratio', 'history rows per run'],
      [
        [
          `${int(h.vms)} VMs unchanged`,
          ms(h.unchanged.withMs),
          ms(h.unchanged.withoutMs),
          `${h.unchanged.ratio.toFixed(3)} ${mark(h.unchanged.ratio <= h.target)}`,
          int(h.unchanged.rowsRecorded / h.repeats),
        ],
        [
          `${int(h.vms)} VMs, ${int(h.changed.changedVms)} changed`,
          ms(h.changed.withMs),
          ms(h.changed.withoutMs),
          h.changed.ratio.toFixed(3),
          int(h.changed.rowsPerRun),
        ],
      ],
    ),
  );
  log(`  medians of ${h.repeats} interleaved runs each; target for unchanged ≤ ${h.target.toFixed(2)}×`);
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
  // pyvmomi keeps no state between runs: it reads every VM's devices, which vMiner reads only for
  // VMs whose config.changeVersion moved since its cache read them (a first sync reads them all).
  const pyPaths = { ...PROPERTY_PATHS, VirtualMachine: [...PROPERTY_PATHS['VirtualMachine']!, DEVICE_PATH] };
  fs.writeFileSync(pathsJson, JSON.stringify(pyPaths));

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
  log(
    `each vMiner figure: the median of ${REPEATS} runs; engine runs each in a fresh child process and data ` +
      'folder, `vminer sync` runs as whole processes refreshing a filled cache (as a scheduled sync does)',
  );
  log(
    `load average at the start: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  if (WORKER_NODE_FLAGS.length) log(`worker node flags: ${WORKER_NODE_FLAGS.join(' ')}`);
  let history: HistoryCostResult | undefined;
  if (ONLY.length === 0 || ONLY.includes('H')) {
    log('\n=== H: change history recording, re-sync of one vCenter (store step, in-process)');
    history = await runHistoryCost(tmpRoot, { vms: QUICK ? 5_000 : 100_000, repeats: REPEATS, log });
    printHistory(history);
    if (ONLY.length === 1) {
      log(
        JSON.stringify({
          bench: 'sync',
          date: now.toISOString(),
          quick: QUICK,
          cores: machine.cores,
          history,
        }),
      );
      return 0;
    }
  }
  if (!fs.existsSync(path.join(CLI_ROOT, 'out', 'main', 'cli.js'))) {
    throw new Error(`${CLI_ROOT}/out/main/cli.js is missing: build it first (npm run bench:sync does)`);
  }
  if (CLI_ROOT !== ROOT) log(`vminer sync from ${CLI_ROOT}`);

  const worker = await buildWorker(ROOT);
  const results: ScenarioResult[] = [];
  let ratio: RatioResult | undefined;
  let exitCode = 0;
  try {
    if (ONLY.length === 0 || ONLY.includes('S')) {
      ratio = await runRatioScenario(tmpRoot, pathsJson);
      printRatio(ratio);
    }
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
  if (results.length > 0)
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
  if (ratio) {
    log(
      `S 1×${int(ratio.vms)}: vminer sync ${s(ratio.vminerMedianMs)} s, pyvmomi ${s(ratio.pyvmomiMedianMs)} s ` +
        `(whole processes, medians): ratio ${ratio.ratio.toFixed(2)}, target ≤ ${RATIO_TARGET}`,
    );
  }
  for (const r of [...(ratio ? [ratio] : []), ...results])
    for (const t of r.targets) log(`[${mark(t.pass)}] ${t.name} (${t.detail})`);

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const outFile = path.join(RESULTS_DIR, `sync-${stamp}.json`);
  fs.writeFileSync(
    outFile,
    JSON.stringify(
      {
        date: now.toISOString(),
        quick: QUICK,
        workerNodeFlags: WORKER_NODE_FLAGS,
        machine,
        loadAverage: os.loadavg(),
        ratio,
        results,
      },
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
    history,
    ratio: ratio && {
      vms: ratio.vms,
      vminerS: +(ratio.vminerMedianMs / 1000).toFixed(3),
      pyvmomiS: +(ratio.pyvmomiMedianMs / 1000).toFixed(3),
      ratio: +ratio.ratio.toFixed(3),
      target: RATIO_TARGET,
      splitMs: Object.fromEntries(Object.entries(ratio.split).map(([k, v]) => [k, Math.round(v)])),
    },
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
