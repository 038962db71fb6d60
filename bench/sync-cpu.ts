/**
 * vMiner's own CPU in a sync, in one process: the engine refreshes its filled cache from one
 * simulator with scenario S's 3,000 varied VMs, several times, and each refresh prints its wall
 * time, the CPU this process spent (user + system, garbage collector threads included; the
 * simulator is another process and is not counted), the garbage collector's pause time and the
 * sync's phases. What is left out on purpose: Node's start-up and module loading, the CLI's
 * output, the exit (bench/sync-ab.ts measures the whole `vminer sync` process).
 *
 *   node --import tsx --max-semi-space-size=16 bench/sync-cpu.ts [--rounds=7] [--vms=3000]
 *        [--profile=FILE.cpuprofile] (a CPU profile of the last refresh)
 *        [--profile-refreshes=N] (the profile spans the last N refreshes instead; default 1)
 *
 * Run it in two checkouts taking turns for a before/after; the load of other jobs falls on the
 * wall time far more than on the CPU time.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { Engine } from '../src/main/engine/engine.js';
import { setLogSink } from '../src/main/engine/log.js';
import { startSimulators } from '../src/testing/vcsim.js';
import { median } from './lib/format.js';

const USER = 'bench@vsphere.local';
const PASSWORD = 'bench-Secret-42';

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const ROUNDS = Number(arg('rounds') ?? 7);
const VMS = Number(arg('vms') ?? 3000);
const PROFILE = arg('profile');
const PROFILED = Math.max(1, Math.min(Number(arg('profile-refreshes') ?? 1), ROUNDS));

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

/** The sync's own split of its time (the engine's 'synced' log line), printed with each refresh. */
let phases = '';
setLogSink((_level, entry) => {
  if (entry['msg'] !== 'synced') return;
  const p = entry['phases'];
  if (typeof p === 'object' && p !== null)
    phases = Object.entries(p)
      .map(([k, v]) => `${k.replace(/Ms$/, '')} ${String(v)}`)
      .join(', ');
});

interface Refresh {
  wallMs: number;
  cpuMs: number;
  gcMs: number;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-sync-cpu-'));
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
  const engine = await Engine.open({
    dataDir: tmp,
    owner: 'vminer bench',
    vaultBackend: 'file',
    onWarning: () => undefined, // "the key is stored in a file": expected for a throw-away folder
  });
  try {
    const info = engine.vcenters.add({
      name: 's-vc01',
      url: sim!.url,
      username: USER,
      thumbprint: sim!.thumbprintSha256,
      caPem: null,
    });
    await engine.setPassword(info.id, PASSWORD);
    const runs: Refresh[] = [];
    const firstProfiled = ROUNDS - PROFILED + 1;
    let profiler: Session | undefined;
    for (let i = 0; i <= ROUNDS; i++) {
      if (PROFILE && i === firstProfiled) {
        profiler = new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
      }
      const gc0 = gcMs;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const summary = await engine.sync.sync();
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (profiler && PROFILE && i === ROUNDS) {
        const { profile } = await profiler.post('Profiler.stop');
        fs.writeFileSync(PROFILE, JSON.stringify(profile));
        profiler.disconnect();
      }
      const failed = summary.results.filter((r) => r.status !== 'ok');
      if (failed.length) throw new Error(failed.map((r) => r.error?.message ?? r.status).join('; '));
      const r: Refresh = { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, gcMs: gcMs - gc0 };
      // The first sync fills the cache; the refreshes are what is measured.
      const tag = i === 0 ? 'fill' : `refresh ${i}`;
      console.log(
        `${tag}: wall ${r.wallMs.toFixed(0)} ms, cpu ${r.cpuMs.toFixed(0)} ms, gc ${r.gcMs.toFixed(0)} ms` +
          (profiler ? ' (profiled)' : '') +
          (phases ? ` [${phases}]` : ''),
      );
      if (i > 0 && !profiler) runs.push(r);
    }
    console.log(
      `median of ${runs.length}: wall ${median(runs.map((r) => r.wallMs)).toFixed(0)} ms, ` +
        `cpu ${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms, gc ${median(runs.map((r) => r.gcMs)).toFixed(0)} ms; ` +
        `load ${os.loadavg().map((l) => l.toFixed(1))}`,
    );
  } finally {
    engine.close();
    await sim!.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
