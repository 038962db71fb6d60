/**
 * Export benchmark: every VM of a big generated cache (100k VMs with 2 disks and 2 NICs each, 5k
 * hosts, 2k datastores, 100 vCenters; written through the sync's own store) exported to XLSX, CSV
 * and JSON, plus the full workbook (one sheet per entity) and the RVTools-layout workbook.
 *
 *   npm run bench:export       (builds first) node --import tsx bench/export.bench.ts [--quick] [--data-dir DIR]
 *                              [--runs N] [--node-flag=<flag for the CLI's node>] [--tsx]
 *
 * Each export is what a user runs: the built `vminer export` (out/main/cli.js) as a whole process
 * under GNU time (its wall time, start-up included, and its peak RSS). `--tsx` runs the exporter in
 * a child process through tsx instead (a read-only connection, as `vminer export` uses; its start
 * RSS, ~200 MB of modules compiled by tsx, is then in the peak). Targets: all VMs to
 * XLSX < 10 s with peak RSS < 300 MB, to CSV < 2 s; the RVTools layout < 20 s with peak RSS < 400 MB. Prints a table, one JSON summary line, and
 * writes bench/results/export-<date>.json. The children run with the engine's V8 flags
 * (src/main/node-flags.ts; `--no-engine-flags`: Node's defaults). A missed target is reported, never an exit code.
 *
 * Internal: `--child DIR FORMAT OUT [full]` runs one export and prints one JSON line.
 */
import { ensureBenchCache } from './lib/cache.js';
import { BENCH_ENGINE_FLAGS } from './lib/engine-flags.js';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/main/engine/db/database.js';
import { VcenterRepo } from '../src/main/engine/db/vcenter-repo.js';
import { exportFull, exportRows } from '../src/main/engine/export/exporter.js';
import { exportRvtools } from '../src/main/engine/export/rvtools/rvtools-export.js';
import type { ExportFormat as RowFormat } from '../src/main/engine/export/table.js';
import { timed } from './lib/cli-sync.js';
import { int, mark, mb, median, s, table } from './lib/format.js';

type ExportFormat = RowFormat | 'rvtools';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

const TARGET = {
  xlsxMs: 10_000,
  xlsxRssMb: 300,
  csvMs: 2_000,
  rvtoolsMs: 20_000,
  rvtoolsRssMb: 400,
} as const;

interface ChildResult {
  ms: number;
  rows: number;
  bytes: number | null;
  /** RSS before the export started (Node, tsx, the modules, the open database); tsx children only. */
  startRssMb: number | null;
  /** Peak RSS of the whole child process. */
  maxRssMb: number;
  /** CPU time (user + system) of the whole process: steadier than wall time on a busy machine; CLI runs only. */
  cpuMs?: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Child: one export, one JSON line.

async function childMain(dir: string, format: ExportFormat, out: string, full: boolean): Promise<void> {
  const opened = openDatabase(dir, { readonly: true });
  const startRssMb = process.memoryUsage().rss / 2 ** 20;
  const t = performance.now();
  const res =
    format === 'rvtools'
      ? await exportRvtools({ sqlite: opened.sqlite, out })
      : full
        ? await exportFull({
            sqlite: opened.sqlite,
            vcenters: new VcenterRepo(opened.db).list(),
            format: format as 'xlsx' | 'json',
            out,
          })
        : await exportRows({ sqlite: opened.sqlite, plan: { entity: 'vms' }, format, out, bom: true });
  const ms = performance.now() - t;
  opened.close();
  const result: ChildResult = {
    ms,
    rows: res.rows,
    bytes: res.bytes ?? null,
    startRssMb,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

const CLI = path.join(ROOT, 'out', 'main', 'cli.js');
const USE_TSX = process.argv.includes('--tsx');
const NODE_FLAGS = process.argv
  .filter((a) => a.startsWith('--node-flag='))
  .map((a) => a.slice('--node-flag='.length));

/** One export as a user runs it: the built CLI, a whole process, timed by GNU time. */
async function runCli(dir: string, format: ExportFormat, out: string, full: boolean): Promise<ChildResult> {
  const args =
    format === 'rvtools'
      ? ['--format', 'rvtools']
      : full
        ? ['--format', format]
        : ['--entity', 'vms', '--format', format];
  const run = await timed(process.execPath, [...NODE_FLAGS, CLI, 'export', ...args, '--out', out, '--json'], {
    cwd: ROOT,
    env: { ...process.env, VMINER_DATA_DIR: dir },
    tmpDir: path.dirname(out),
  });
  const res = JSON.parse(run.stdout) as { rows: number };
  return {
    ms: run.wallMs,
    rows: res.rows,
    bytes: fs.statSync(out).size,
    startRssMb: null,
    maxRssMb: run.usage?.maxRssMb ?? NaN,
    ...(run.usage ? { cpuMs: run.usage.cpuMs } : {}),
  };
}

function runChild(dir: string, format: ExportFormat, out: string, full: boolean): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...BENCH_ENGINE_FLAGS,
        ...process.execArgv,
        SELF,
        '--child',
        dir,
        format,
        out,
        ...(full ? ['full'] : []),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let buf = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (buf += d));
    child.once('error', reject);
    child.once('close', (code) => {
      const line = buf.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as ChildResult);
      } catch {
        reject(new Error(`export child failed (exit ${code}): ${buf.slice(0, 500)}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------

interface Case {
  name: string;
  format: ExportFormat;
  full: boolean;
  targetMs?: number;
  targetRssMb?: number;
}

const CASES: Case[] = [
  {
    name: 'all VMs → XLSX',
    format: 'xlsx',
    full: false,
    targetMs: TARGET.xlsxMs,
    targetRssMb: TARGET.xlsxRssMb,
  },
  { name: 'all VMs → CSV', format: 'csv', full: false, targetMs: TARGET.csvMs },
  { name: 'all VMs → JSON', format: 'json', full: false },
  { name: 'full inventory → XLSX', format: 'xlsx', full: true },
  {
    name: 'estate → RVTools layout',
    format: 'rvtools',
    full: true,
    targetMs: TARGET.rvtoolsMs,
    targetRssMb: TARGET.rvtoolsRssMb,
  },
];

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const runs = Math.max(1, Number(arg('--runs') ?? (quick ? 1 : 3)));
  const size = quick
    ? {
        vcenters: 10,
        vmsTotal: 10_000,
        hostsTotal: 500,
        datastoresTotal: 200,
        devices: { disks: 2, nics: 2 },
      }
    : {
        vcenters: 100,
        vmsTotal: 100_000,
        hostsTotal: 5_000,
        datastoresTotal: 2_000,
        devices: { disks: 2, nics: 2 },
      };
  const log = (line = ''): void => console.log(line);

  const given = arg('--data-dir');
  const dir = given ? path.resolve(given) : fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-xbench-'));
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-xbench-out-'));
  const { genMs } = ensureBenchCache(dir, size, log);
  const opened = openDatabase(dir);
  const vmCount = (opened.sqlite.prepare('SELECT count(*) AS n FROM vms').get() as { n: number }).n;
  opened.close();

  log(
    `Exporting ${int(vmCount)} VMs, ${runs} run(s) per case, each ${USE_TSX ? 'in a tsx child process' : `as the built CLI, a whole process${NODE_FLAGS.length ? ` (node ${NODE_FLAGS.join(' ')})` : ''}`} …`,
  );
  if (!USE_TSX && !fs.existsSync(CLI)) throw new Error(`${CLI} is missing: npm run build first (or --tsx)`);
  const results: {
    name: string;
    format: ExportFormat;
    full: boolean;
    runs: ChildResult[];
    medianMs: number;
    cpuMs: number | null;
    maxRssMb: number;
    startRssMb: number | null;
    rows: number;
    bytes: number | null;
    pass: boolean | null;
    targetMs?: number;
    targetRssMb?: number;
  }[] = [];
  for (const c of CASES) {
    const got: ChildResult[] = [];
    for (let r = 0; r < runs; r++) {
      const out = path.join(
        outDir,
        `${c.full ? 'full' : 'vms'}-${r}.${c.format === 'rvtools' ? 'xlsx' : c.format}`,
      );
      got.push(await (USE_TSX ? runChild : runCli)(dir, c.format, out, c.full));
      fs.rmSync(out, { force: true });
      fs.rmSync(`${out}.meta.json`, { force: true });
    }
    const medianMs = median(got.map((g) => g.ms));
    const maxRssMb = Math.max(...got.map((g) => g.maxRssMb));
    const checks: boolean[] = [];
    if (c.targetMs !== undefined) checks.push(medianMs < c.targetMs);
    if (c.targetRssMb !== undefined) checks.push(maxRssMb < c.targetRssMb);
    results.push({
      name: c.name,
      format: c.format,
      full: c.full,
      runs: got,
      medianMs,
      cpuMs: got.every((g) => g.cpuMs !== undefined) ? median(got.map((g) => g.cpuMs!)) : null,
      maxRssMb,
      startRssMb: USE_TSX ? median(got.map((g) => g.startRssMb ?? 0)) : null,
      rows: got[0]!.rows,
      bytes: got[0]!.bytes,
      pass: checks.length ? checks.every(Boolean) : null,
      ...(c.targetMs !== undefined ? { targetMs: c.targetMs } : {}),
      ...(c.targetRssMb !== undefined ? { targetRssMb: c.targetRssMb } : {}),
    });
    const cpu = results[results.length - 1]!.cpuMs;
    log(
      `  ${c.name}: ${s(medianMs)} s${cpu === null ? '' : ` (CPU ${s(cpu)} s)`}, peak RSS ${mb(maxRssMb)} MB`,
    );
  }
  fs.rmSync(outDir, { recursive: true, force: true });

  log();
  log(
    table(
      [
        'case',
        'rows',
        'MB out',
        'time s',
        'CPU s',
        'rows/s',
        'RSS start MB',
        'RSS peak MB',
        'target',
        'result',
      ],
      results.map((r) => [
        r.name,
        int(r.rows),
        r.bytes === null ? '' : (r.bytes / 2 ** 20).toFixed(1),
        s(r.medianMs),
        r.cpuMs === null ? '' : s(r.cpuMs),
        int(r.rows / (r.medianMs / 1000)),
        r.startRssMb === null ? '' : mb(r.startRssMb),
        mb(r.maxRssMb),
        [
          r.targetMs !== undefined ? `< ${s(r.targetMs)} s` : '',
          r.targetRssMb !== undefined ? `< ${r.targetRssMb} MB` : '',
        ]
          .filter(Boolean)
          .join(', '),
        r.pass === null ? '' : mark(r.pass),
      ]),
    ),
  );

  const summary = {
    bench: 'export',
    date: new Date().toISOString(),
    quick,
    mode: USE_TSX ? 'tsx' : 'cli',
    nodeFlags: NODE_FLAGS,
    vms: vmCount,
    runs,
    generateMs: Math.round(genMs),
    cases: results.map((r) => ({
      name: r.name,
      format: r.format,
      full: r.full,
      rows: r.rows,
      bytes: r.bytes,
      medianMs: Math.round(r.medianMs),
      cpuMs: r.cpuMs === null ? null : Math.round(r.cpuMs),
      startRssMb: r.startRssMb === null ? null : Math.round(r.startRssMb),
      maxRssMb: Math.round(r.maxRssMb),
      targetMs: r.targetMs ?? null,
      targetRssMb: r.targetRssMb ?? null,
      pass: r.pass,
    })),
    allPass: results.every((r) => r.pass !== false),
    host: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? '',
      memGb: Math.round(os.totalmem() / 2 ** 30),
    },
    node: process.version,
  };
  log();
  log(JSON.stringify(summary));
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = summary.date
    .replace(/[:T]/g, '-')
    .replace(/\..*$/, '')
    .replace(/-(\d\d)-(\d\d)$/, '$1$2');
  const file = path.join(RESULTS_DIR, `export-${stamp}.json`);
  fs.writeFileSync(file, JSON.stringify({ ...summary, details: results }, null, 2) + '\n');
  log(`\nwrote ${path.relative(ROOT, file)}`);
  if (!given) fs.rmSync(dir, { recursive: true, force: true });
}

const childAt = process.argv.indexOf('--child');
const run =
  childAt >= 0
    ? childMain(
        process.argv[childAt + 1]!,
        process.argv[childAt + 2] as ExportFormat,
        process.argv[childAt + 3]!,
        process.argv[childAt + 4] === 'full',
      )
    : main();
run.catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  // A failure to run (not a missed target) is still an error.
  process.exitCode = 1;
});
