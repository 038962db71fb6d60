/**
 * Before/after of `vminer sync` on a loaded machine: two builds take turns (A, B, A, B, …)
 * refreshing their own filled cache from one simulator with scenario S's 3,000 varied VMs, so the
 * load from other jobs falls on both alike. Prints wall time, CPU time, peak RSS and the sync's
 * phases per run, then the medians.
 *
 *   node --import tsx bench/sync-ab.ts --a=DIR --b=DIR [--rounds=5] [--vms=3000] [--node-flag=F]
 *        [--a-flag=F] [--b-flag=F] (a V8 flag for one side only: the same build with and without it)
 *
 * DIR is a checkout (or a copy of its out/, drizzle/, package.json and node_modules) whose
 * `npm run build` has run; B defaults to this checkout. The engine's own V8 flags are used
 * (bench/lib/engine-flags.ts) plus any --node-flag.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulators } from '../src/testing/vcsim.js';
import { BENCH_ENGINE_FLAGS } from './lib/engine-flags.js';
import { prepareCli, runCliSync, type CliRun } from './lib/cli-sync.js';
import { median } from './lib/format.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USER = 'bench@vsphere.local';
const PASSWORD = 'bench-Secret-42';

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const A = path.resolve(arg('a') ?? ROOT);
const B = path.resolve(arg('b') ?? ROOT);
const ROUNDS = Number(arg('rounds') ?? 5);
const VMS = Number(arg('vms') ?? 3000);
const FLAGS = [
  ...BENCH_ENGINE_FLAGS,
  ...process.argv.filter((a) => a.startsWith('--node-flag=')).map((a) => a.slice(12)),
];

const sideFlags = (side: 'a' | 'b'): string[] =>
  process.argv.filter((a) => a.startsWith(`--${side}-flag=`)).map((a) => a.slice(`--${side}-flag=`.length));
const FLAGS_A = [...FLAGS, ...sideFlags('a')];
const FLAGS_B = [...FLAGS, ...sideFlags('b')];

function line(tag: string, r: CliRun): string {
  const p = r.split;
  return (
    `${tag} wall ${(r.wallMs / 1000).toFixed(2)} s, cpu ${((r.usage?.cpuMs ?? NaN) / 1000).toFixed(2)} s, ` +
    `rss ${Math.round(r.usage?.maxRssMb ?? NaN)} MB | wait ${p.waitMs} read ${p.readMs} map ${p.mapMs} store ${p.storeMs}`
  );
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-sync-ab-'));
  const [sim] = await startSimulators(1, () => ({
    vms: VMS,
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
  try {
    console.log(
      `A ${A} ${FLAGS_A.join(' ')}\nB ${B} ${FLAGS_B.join(' ')}\nload ${os.loadavg().map((l) => l.toFixed(1))}`,
    );
    const ca = await prepareCli(A, tmp, [sim!], 'a', USER, PASSWORD);
    const cb = await prepareCli(B, tmp, [sim!], 'b', USER, PASSWORD);
    await runCliSync(ca, FLAGS_A); // fill both caches: the measured runs refresh them
    await runCliSync(cb, FLAGS_B);
    const runs: Record<'A' | 'B', CliRun[]> = { A: [], B: [] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const [tag, c, flags] of [
        ['A', ca, FLAGS_A],
        ['B', cb, FLAGS_B],
      ] as const) {
        const r = await runCliSync(c, flags);
        if (r.failures.length) throw new Error(`${tag}: ${r.failures.join('; ')}`);
        runs[tag].push(r);
        console.log(line(`${tag}${i + 1}`, r));
      }
    }
    for (const tag of ['A', 'B'] as const) {
      const rs = runs[tag];
      console.log(
        `${tag} median: wall ${(median(rs.map((r) => r.wallMs)) / 1000).toFixed(2)} s, ` +
          `cpu ${(median(rs.map((r) => r.usage?.cpuMs ?? NaN)) / 1000).toFixed(2)} s, ` +
          `rss ${Math.round(median(rs.map((r) => r.usage?.maxRssMb ?? NaN)))} MB`,
      );
    }
    console.log(`load at the end ${os.loadavg().map((l) => l.toFixed(1))}`);
  } finally {
    await sim!.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
