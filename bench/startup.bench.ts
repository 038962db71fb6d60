/**
 * Start-up benchmark (issue 15): the built CLI run as installed (`node out/main/cli.js …`), whole
 * processes, on a generated 100k-VM cache — `--version`, `--help`, `ask`, `list vms --json
 * --vcenter X` (about 1,000 rows) — and the desktop engine host from its start to "ready" on the same
 * cache (`out/main/engine-host.js` in a fresh Node process, Electron's `process.parentPort` stood in
 * for by bench/lib/parent-port-shim.mjs). Each figure is the median of --runs runs (default 7), the
 * cases taking turns run by run; memory is the peak RSS of separate runs (taking it costs a hook).
 *
 *   npm run bench:startup   (builds first; = node --import tsx bench/startup.bench.ts)
 *   options: --runs=N, --data-dir=DIR (reuse a generated cache), --root=DIR (measure the build of
 *            another checkout, e.g. the code before a change: its out/ must be built)
 *
 * Prints each figure beside its target and writes bench/results/startup-<date>.json. Missed targets
 * are reported, never turned into an exit code; a failing command exits non-zero.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/main/engine/db/database.js';
import { ensureBenchCache } from './lib/cache.js';
import { BENCH_ENGINE_FLAGS } from './lib/engine-flags.js';
import { mark, median, s, table } from './lib/format.js';
import { killActive, runProcess } from './lib/proc.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const SECRET_KEY = 'be'.repeat(32);

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const RUNS = Math.max(5, Number(arg('runs') ?? 7));
const BUILD = path.resolve(arg('root') ?? ROOT);
const CLI = path.join(BUILD, 'out', 'main', 'cli.js');
const HOST = path.join(BUILD, 'out', 'main', 'engine-host.js');
const SHIM = path.join(HERE, 'lib', 'parent-port-shim.mjs');
// Peak RSS at exit (KB) and the CPU time spent (µs), from inside the process. On Linux from /proc (VmHWM): getrusage's
// maxRSS there keeps the high-water mark of the process it was forked from — this benchmark's own.
const RSS_HOOK = `data:text/javascript,${encodeURIComponent(`import fs from 'node:fs';
process.on('exit', () => {
  let kb = process.resourceUsage().maxRSS;
  try { kb = Number(/VmHWM:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}
  const cpu = process.cpuUsage();
  process.stderr.write('\\n@@rss=' + kb + ' cpu=' + (cpu.user + cpu.system) + '\\n');
});`)}`;

interface Case {
  id: string;
  what: string;
  args: string[];
  /** Seconds of wall time, and MB of peak RSS when the issue sets one. */
  target?: { seconds: number; rssMb?: number };
  /** Exit codes that count as the command working. */
  codes?: number[];
}

interface Figure {
  id: string;
  what: string;
  runs: number[];
  rssMb: number[];
  /** CPU time (user + system) of the runs that measured memory, in ms. */
  cpuMs: number[];
  target?: Case['target'];
}

const log = (line: string): void => void process.stdout.write(line + '\n');

async function timeCli(
  c: Case,
  dataDir: string,
  rss: boolean,
): Promise<{ ms: number; rssMb?: number; cpuMs?: number }> {
  const args = [
    ...(rss ? ['--import', RSS_HOOK] : []),
    CLI,
    ...c.args,
    ...(c.id === 'version' ? [] : ['--data-dir', dataDir]),
  ];
  const r = await runProcess(process.execPath, args, { timeoutMs: 60_000 });
  if (r.code === null || !(c.codes ?? [0]).includes(r.code))
    throw new Error(`${c.what} exited with ${r.code ?? r.signal}: ${r.stderr.slice(-500)}`);
  const m = /@@rss=(\d+) cpu=(\d+)/.exec(r.stderr);
  return { ms: r.ms, ...(m ? { rssMb: Number(m[1]) / 1024, cpuMs: Number(m[2]) / 1000 } : {}) };
}

/** One start of the desktop engine host: spawn → init → "ready" (then a clean shutdown). */
function timeEngineReady(dataDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = fork(HOST, [], {
      execArgv: [...BENCH_ENGINE_FLAGS, '--import', SHIM],
      env: { ...process.env, VMINER_SECRET_KEY: SECRET_KEY, VMINER_DATA_DIR: '' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let readyMs: number | undefined;
    let failed: string | undefined;
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('message', (m: { kind: string; error?: { message: string } }) => {
      if (m.kind === 'shim-ready') child.send({ kind: 'init', config: { dataDir, version: 'bench' } });
      else if (m.kind === 'ready') {
        readyMs = performance.now() - t0;
        child.send({ kind: 'control', id: 1, op: 'shutdown' });
      } else if (m.kind === 'fatal') {
        failed = m.error?.message ?? 'fatal';
        child.kill();
      }
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      readyMs !== undefined && code === 0
        ? resolve(readyMs)
        : reject(new Error(`engine host: ${failed ?? `exit ${code}`} ${stderr}`)),
    );
  });
}

function pickVcenter(dataDir: string): { vcenter: string; vms: number; cluster: string } {
  const db = openDatabase(dataDir, { readonly: true });
  try {
    const vc = db.sqlite
      .prepare(
        `SELECT v.name AS vcenter, count(*) AS vms FROM vms m JOIN vcenters v ON v.id = m.vcenter_id
         GROUP BY v.id ORDER BY abs(count(*) - 1000), v.name LIMIT 1`,
      )
      .get() as { vcenter: string; vms: number };
    const cluster = db.sqlite
      .prepare(
        `SELECT c.name FROM clusters c JOIN vcenters v ON v.id = c.vcenter_id WHERE v.name = ? ORDER BY c.name LIMIT 1`,
      )
      .pluck()
      .get(vc.vcenter) as string;
    return { ...vc, cluster };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  for (const f of [CLI, HOST])
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: build first (npm run build)`);
  const given = arg('data-dir');
  const dataDir = given
    ? path.resolve(given)
    : fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-bench-startup-'));
  log(
    `Start-up benchmark: ${path.relative(process.cwd(), CLI) || CLI}, ${RUNS} runs each, Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'})`,
  );
  try {
    ensureBenchCache(
      dataDir,
      { vcenters: 100, vmsTotal: 100_000, hostsTotal: 5000, datastoresTotal: 2000 },
      log,
    );
    const pick = pickVcenter(dataDir);
    const cases: Case[] = [
      { id: 'version', what: 'vminer --version', args: ['--version'], target: { seconds: 0.1, rssMb: 50 } },
      { id: 'help', what: 'vminer --help', args: ['--help'] },
      {
        id: 'ask-list',
        what: `vminer ask "powered off vms in cluster ${pick.cluster}"`,
        args: ['ask', `powered off vms in cluster ${pick.cluster}`],
        target: { seconds: 0.2 },
        codes: [0, 3],
      },
      {
        id: 'ask-count',
        what: 'vminer ask "how many powered off windows vms"',
        args: ['ask', 'how many powered off windows vms'],
        target: { seconds: 0.2 },
      },
      {
        id: 'list',
        what: `vminer list vms --json --vcenter ${pick.vcenter} (${pick.vms} rows)`,
        args: ['list', 'vms', '--json', '--vcenter', pick.vcenter],
        target: { seconds: 0.25 },
      },
    ];
    const figures: Figure[] = cases.map((c) => ({
      id: c.id,
      what: c.what,
      runs: [],
      rssMb: [],
      cpuMs: [],
      target: c.target,
    }));
    // One warm-up run each (the page cache, the file system's), then the cases take turns.
    for (const c of cases) await timeCli(c, dataDir, false);
    for (let r = 0; r < RUNS; r++)
      for (const [i, c] of cases.entries()) figures[i]!.runs.push((await timeCli(c, dataDir, false)).ms);
    for (let r = 0; r < RUNS; r++)
      for (const [i, c] of cases.entries()) {
        const m = await timeCli(c, dataDir, true);
        if (m.rssMb !== undefined) figures[i]!.rssMb.push(m.rssMb);
        if (m.cpuMs !== undefined) figures[i]!.cpuMs.push(m.cpuMs);
      }
    const engine: Figure = {
      id: 'engine-ready',
      what: 'desktop engine host: start → "ready"',
      runs: [],
      rssMb: [],
      cpuMs: [],
      target: { seconds: 0.5 },
    };
    await timeEngineReady(dataDir);
    for (let r = 0; r < RUNS; r++) engine.runs.push(await timeEngineReady(dataDir));
    figures.push(engine);

    const rows = figures.map((f) => {
      const wall = median(f.runs) / 1000;
      const rss = f.rssMb.length ? median(f.rssMb) : undefined;
      const pass =
        f.target === undefined
          ? undefined
          : wall < f.target.seconds && (f.target.rssMb === undefined || (rss ?? Infinity) < f.target.rssMb);
      return {
        figure: f,
        cells: [
          f.what,
          s(median(f.runs)),
          `${s(Math.min(...f.runs))}–${s(Math.max(...f.runs))}`,
          f.cpuMs.length ? s(median(f.cpuMs)) : '',
          rss === undefined ? '' : rss.toFixed(0),
          f.target
            ? `< ${f.target.seconds.toFixed(2)} s${f.target.rssMb ? `, < ${f.target.rssMb} MB` : ''}`
            : '',
          pass === undefined ? '' : mark(pass),
        ],
        pass,
      };
    });
    log('');
    log(
      table(
        ['what', 'median s', 'min–max s', 'RSS MB', 'target', ''],
        rows.map((r) => r.cells),
      ),
    );
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const label = BUILD === ROOT ? '' : `-${path.basename(BUILD)}`;
    const out = path.join(RESULTS_DIR, `startup-${new Date().toISOString().slice(0, 10)}${label}.json`);
    fs.writeFileSync(
      out,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          build: BUILD,
          node: process.version,
          cpus: os.cpus().length,
          cpu: os.cpus()[0]?.model,
          runs: RUNS,
          loadAverage: os.loadavg(),
          figures: rows.map((r) => ({ ...r.figure, medianMs: median(r.figure.runs), pass: r.pass })),
        },
        null,
        2,
      ),
    );
    log(`\nDetails: ${path.relative(ROOT, out)}`);
  } finally {
    if (!given) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

process.on('SIGINT', () => {
  killActive();
  process.exit(130);
});
main().catch((err: unknown) => {
  killActive();
  process.stderr.write(`[bench] ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
