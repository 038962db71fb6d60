/**
 * Before/after of a sync in a warm engine (as the desktop app's and `vminer serve`'s scheduler run
 * it) on a shared machine: two checkouts' engines, each in its own process with a filled cache,
 * take turns refresh by refresh (A B B A A B …) against one simulator with scenario S's 3,000
 * varied VMs, so a swing of the other jobs' load falls on both alike. Prints each pair, then the
 * medians and the ratio B / A.
 *
 *   node --import tsx bench/sync-turns.ts --a=DIR [--b=DIR] [--rounds=20] [--vms=3000]
 *
 * DIR is a checkout with node_modules; bench/lib/sync-turns-worker.ts is copied into it when it
 * has none (an older checkout). B defaults to this checkout. Each engine runs with
 * `--max-semi-space-size=16`, as `vminer sync` does.
 *
 * VMINER_TURNS_PROFILE=PREFIX writes a CPU profile of each engine's refreshes (see the worker).
 *
 * Each turn also prints the simulator's CPU (user + system, from /proc): the vCenter's side of a
 * refresh, which a larger answer makes larger, and which the load of other jobs barely moves
 * (unlike the wall time on a shared machine).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulators } from '../src/testing/vcsim.js';
import { median } from './lib/format.js';
import type { TurnResult } from './lib/sync-turns-worker.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORKER = 'bench/lib/sync-turns-worker.ts';
const USER = 'bench@vsphere.local';
const PASSWORD = 'bench-Secret-42';

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const A = path.resolve(arg('a') ?? ROOT);
const B = path.resolve(arg('b') ?? ROOT);
const ROUNDS = Number(arg('rounds') ?? 20);
const VMS = Number(arg('vms') ?? 3000);

interface Side {
  name: string;
  child: ChildProcess;
  results: (TurnResult & { simCpuMs: number })[];
}

/** CPU time (user + system) a process has spent so far, in ms; NaN where /proc is not there. */
function cpuMsOf(pid: number): number {
  try {
    // Fields after the command name (which may contain spaces): utime and stime are 14 and 15.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** USER_HZ: 100 on Linux for every architecture Node runs on. */
const CLOCK_TICKS = 100;

type Message = { ready: true } | { result: TurnResult } | { error: string };

function next(child: ChildProcess): Promise<Message> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`a bench engine exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      const msg = m as Message;
      if ('error' in msg) reject(new Error(msg.error));
      else resolve(msg);
    });
  });
}

function start(dir: string, name: string): Side {
  const worker = path.join(dir, WORKER);
  if (!fs.existsSync(worker)) {
    fs.mkdirSync(path.dirname(worker), { recursive: true });
    fs.copyFileSync(path.join(ROOT, WORKER), worker);
  }
  const child = fork(worker, [], {
    cwd: dir,
    execArgv: ['--import', 'tsx', '--max-semi-space-size=16'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return { name, child, results: [] };
}

async function turn(side: Side, simPid: number): Promise<Side['results'][number]> {
  const sim0 = cpuMsOf(simPid);
  side.child.send('refresh');
  const m = await next(side.child);
  if (!('result' in m)) throw new Error('unexpected answer from a bench engine');
  const r = { ...m.result, simCpuMs: cpuMsOf(simPid) - sim0 };
  side.results.push(r);
  return r;
}

const fmt = (r: Side['results'][number]): string =>
  `wall ${r.wallMs.toFixed(0)} cpu ${r.cpuMs.toFixed(0)} gc ${r.gcMs.toFixed(0)} sim ${r.simCpuMs.toFixed(0)}`;

async function main(): Promise<void> {
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
  const sides = [start(A, 'A'), start(B, 'B')];
  try {
    // One at a time: both filling the cache at once would measure nothing anyway.
    for (const s of sides) {
      s.child.send({ url: sim!.url, thumbprint: sim!.thumbprintSha256, user: USER, password: PASSWORD });
      await next(s.child);
    }
    const [a, b] = sides as [Side, Side];
    for (let i = 0; i < ROUNDS; i++) {
      // A B, then B A: neither side always follows the other.
      const order = i % 2 === 0 ? [a, b] : [b, a];
      const r0 = await turn(order[0]!, sim!.pid);
      const r1 = await turn(order[1]!, sim!.pid);
      console.log(
        `round ${i + 1}: ${order[0]!.name} ${fmt(r0)} | ${order[1]!.name} ${fmt(r1)} | load ${os.loadavg()[0]!.toFixed(1)}`,
      );
    }
    const m = (s: Side, k: keyof Side['results'][number]): number => median(s.results.map((r) => r[k]));
    for (const s of sides)
      console.log(
        `${s.name} (${s.name === 'A' ? A : B}): median wall ${m(s, 'wallMs').toFixed(0)} ms, ` +
          `cpu ${m(s, 'cpuMs').toFixed(0)} ms, gc ${m(s, 'gcMs').toFixed(0)} ms, simulator cpu ${m(s, 'simCpuMs').toFixed(0)} ms`,
      );
    console.log(
      `B / A: wall ${(m(b, 'wallMs') / m(a, 'wallMs')).toFixed(2)}, cpu ${(m(b, 'cpuMs') / m(a, 'cpuMs')).toFixed(2)}, ` +
        `simulator cpu ${(m(b, 'simCpuMs') / m(a, 'simCpuMs')).toFixed(2)}; ` +
        `load ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
  } finally {
    // Each engine exits on its own (after writing its profile, VMINER_TURNS_PROFILE).
    await Promise.all(
      sides.map(
        (s) =>
          new Promise((resolve) => {
            if (s.child.exitCode !== null) return resolve(null);
            s.child.once('exit', resolve);
            s.child.send('exit');
          }),
      ),
    );
    await sim!.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
