/**
 * Live-updates benchmark (`npm run bench:live`).
 *
 *   options: --quick (fewer simulators and changes), --changes=N, --idle-seconds=N,
 *            --only=A|B, --node-flag=<flag for the engine's node> (e.g. --cpu-prof),
 *            --no-history (the engine records no change history: its cost, by difference)
 *
 * A. 20 simulators kept live; N random changes (power, CPU/memory, rename, maintenance mode) made
 *    through the vSphere API, 4 at a time; for each, the delay from the task's completion to the
 *    changed row in the cache (polled every 10 ms from this process, read-only). Then the engine's
 *    CPU time for all those changes versus one full re-sync of the same estate.
 * B. 100 small simulators live and idle: the engine's CPU time per minute and its memory.
 *
 * The engine runs in its own process (bench/live-worker.ts) so its CPU time is its own.
 * Prints tables and one JSON summary line; writes bench/results/live-<date>.json.
 */
import { mulberry32 } from '../src/testing/random.js';
import { BENCH_ENGINE_FLAGS } from './lib/engine-flags.js';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startSimulators, stopAll, type RunningSimulator } from '../src/testing/vcsim.js';
import { VsphereOps } from '../src/testing/vsphere-ops.js';
import { MoRef } from '../src/main/engine/vsphere/xml.js';
import { int, mb, table } from './lib/format.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const USER = 'bench-live';
const PASSWORD = 'bench-Live-42';
const QUICK = process.argv.includes('--quick');
const arg = (name: string, dflt: number): number => {
  const v = process.argv.find((a) => a.startsWith(`--${name}=`));
  return v ? Number(v.slice(name.length + 3)) : dflt;
};
const CHANGES = arg('changes', QUICK ? 100 : 1000);
const IDLE_SECONDS = arg('idle-seconds', QUICK ? 20 : 120);
const SIMS_A = QUICK ? 4 : 20;
const HISTORY = !process.argv.includes('--no-history');
const SIMS_B = QUICK ? 10 : 100;

class Worker {
  private readonly child: ChildProcess;
  private readonly waiting: ((m: Record<string, unknown>) => void)[] = [];
  constructor() {
    // --node-flag=--cpu-prof (repeatable) profiles the engine process.
    const flags = process.argv.filter((a) => a.startsWith('--node-flag=')).map((a) => a.slice(12));
    this.child = spawn(
      process.execPath,
      [...BENCH_ENGINE_FLAGS, ...flags, '--import', 'tsx', path.join(ROOT, 'bench', 'live-worker.ts')],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const m = JSON.parse(line) as Record<string, unknown>;
      if (m['event'] === 'error') throw new Error(`worker: ${String(m['message'])}`);
      this.waiting.shift()?.(m);
    });
  }
  /** Sends a command; the answer's numeric fields by name. */
  ask(cmd: Record<string, unknown>): Promise<Map<string, number>> {
    return new Promise((resolve) => {
      this.waiting.push((m) =>
        resolve(new Map(Object.entries(m).filter((e): e is [string, number] => typeof e[1] === 'number'))),
      );
      this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    });
  }
  async quit(): Promise<void> {
    await this.ask({ cmd: 'quit' });
  }
}

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function startWorker(
  sims: RunningSimulator[],
  prefix: string,
): Promise<{ worker: Worker; dataDir: string; ready: Map<string, number> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `vminer-bench-live-${prefix}-`));
  const worker = new Worker();
  const ready = await worker.ask({
    cmd: 'start',
    dataDir,
    user: USER,
    password: PASSWORD,
    history: HISTORY,
    sims: sims.map((s, i) => ({
      name: `${prefix}${String(i).padStart(3, '0')}`,
      url: s.url,
      thumbprint: s.thumbprintSha256,
    })),
  });
  return { worker, dataDir, ready };
}

async function scenarioA(): Promise<Record<string, unknown>> {
  process.stdout.write(`A. ${SIMS_A} simulators × 100 VMs live; ${CHANGES} random changes\n`);
  const sims = await startSimulators(SIMS_A, (i) => ({
    seed: 500 + i,
    vms: 100,
    clusters: 2,
    hostsPerCluster: 3,
    datastores: 2,
    portgroups: 2,
    namePrefix: `lv${i}`,
    user: USER,
    password: PASSWORD,
  }));
  const { worker, dataDir, ready } = await startWorker(sims, 'a');
  const db = new Database(path.join(dataDir, 'vminer.db'), { readonly: true });
  const ops = await Promise.all(
    sims.map((s) => VsphereOps.connect(s.url, USER, PASSWORD, s.thumbprintSha256)),
  );
  const ids = db.prepare('SELECT id, name FROM vcenters ORDER BY name').all() as {
    id: number;
    name: string;
  }[];
  const vmStmt = db.prepare(
    'SELECT name, power_state AS power, num_cpu AS cpu, memory_mb AS mem FROM vms WHERE vcenter_id = ? AND moid = ?',
  );
  const hostStmt = db.prepare(
    'SELECT in_maintenance_mode AS mm FROM hosts WHERE vcenter_id = ? AND moid = ?',
  );
  interface Target {
    vms: { moid: string; power: string }[];
    hosts: { moid: string; mm: boolean }[];
  }
  const targets: Target[] = ids.map((v) => ({
    vms: db
      .prepare('SELECT moid, power_state AS power FROM vms WHERE vcenter_id = ? AND template = 0')
      .all(v.id) as { moid: string; power: string }[],
    hosts: (
      db.prepare('SELECT moid, in_maintenance_mode AS mm FROM hosts WHERE vcenter_id = ?').all(v.id) as {
        moid: string;
        mm: number;
      }[]
    ).map((h) => ({ moid: h.moid, mm: h.mm === 1 })),
  }));
  const rnd = mulberry32(7);
  const delays: number[] = [];
  const kinds: Record<string, number> = {};
  const base = await worker.ask({ cmd: 'usage' });
  const wallStart = Date.now();
  let next = 0;
  // One change at a time per vCenter (4 vCenters changing at once), so no two changes of one
  // object overlap and each delay is the stream's own.
  const lane = async (lanes: number, k: number): Promise<void> => {
    for (let i = next++; i < CHANGES; i = next++) {
      const vi = (Math.floor(rnd() * (SIMS_A / lanes)) * lanes + k) % SIMS_A;
      const t = targets[vi]!;
      const op = ops[vi]!;
      const vcId = ids[vi]!.id;
      const vm = t.vms[Math.floor(rnd() * t.vms.length)]!;
      const r = rnd();
      let check: () => boolean;
      let kind: string;
      if (r < 0.35) {
        kind = 'power';
        const want = vm.power === 'poweredOn' ? 'poweredOff' : 'poweredOn';
        if (want === 'poweredOff') await op.powerOff(vm.moid);
        else await op.powerOn(vm.moid);
        vm.power = want;
        check = () => (vmStmt.get(vcId, vm.moid) as { power: string } | undefined)?.power === want;
      } else if (r < 0.65) {
        kind = 'reconfigure';
        const cpu = 1 + Math.floor(rnd() * 16);
        const mem = 1024 * (1 + Math.floor(rnd() * 32));
        await op.reconfigure(vm.moid, { numCpu: cpu, memoryMb: mem });
        check = () => {
          const row = vmStmt.get(vcId, vm.moid) as { cpu: number; mem: number } | undefined;
          return row?.cpu === cpu && row.mem === mem;
        };
      } else if (r < 0.9) {
        kind = 'rename';
        const name = `bench-${i}`;
        await op.rename(new MoRef('VirtualMachine', vm.moid), name);
        check = () => (vmStmt.get(vcId, vm.moid) as { name: string } | undefined)?.name === name;
      } else {
        kind = 'maintenance';
        const h = t.hosts[Math.floor(rnd() * t.hosts.length)]!;
        if (h.mm) await op.exitMaintenance(h.moid);
        else await op.enterMaintenance(h.moid);
        h.mm = !h.mm;
        const want = h.mm ? 1 : 0;
        check = () => (hostStmt.get(vcId, h.moid) as { mm: number } | undefined)?.mm === want;
      }
      const t0 = performance.now();
      while (!check()) {
        if (performance.now() - t0 > 30_000)
          throw new Error(`change ${i} (${kind}) did not reach the cache in 30 s`);
        await new Promise((res) => setTimeout(res, 10));
      }
      delays.push(performance.now() - t0);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
  };
  await Promise.all([0, 1, 2, 3].map((k) => lane(4, k)));
  const wallMs = Date.now() - wallStart;
  const after = await worker.ask({ cmd: 'usage' });
  const liveCpuMs = after.get('cpuMs')! - base.get('cpuMs')!;
  await Promise.all(ops.map((o) => o.close()));
  const full = await worker.ask({ cmd: 'fullsync' });
  await worker.quit();
  db.close();
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const res = {
    simulators: SIMS_A,
    vms: sims.reduce((n, s) => n + s.counts.vms, 0),
    changes: CHANGES,
    kinds,
    firstLoadMs: ready.get('ms')!,
    delayMedianMs: percentile(delays, 50),
    delayP95Ms: percentile(delays, 95),
    delayMaxMs: Math.max(...delays),
    changesWallMs: wallMs,
    liveCpuMs,
    liveCpuPerChangeMs: liveCpuMs / CHANGES,
    updateSets: after.get('updateSets')! - base.get('updateSets')!,
    objectUpdates: after.get('objectUpdates')! - base.get('objectUpdates')!,
    rowsWritten: after.get('rowsWritten')! - base.get('rowsWritten')!,
    fullLoadsDuringChanges: after.get('fullLoads')! - base.get('fullLoads')!,
    fullSyncCpuMs: full.get('cpuMs')!,
    fullSyncWallMs: full.get('wallMs')!,
    fullSyncFailed: full.get('failed')!,
    rssMb: after.get('rssMb')!,
  };
  process.stdout.write(
    table(
      ['measure', 'value'],
      [
        ['estate', `${SIMS_A} vCenters, ${int(res.vms)} VMs`],
        [
          'changes (power / reconfigure / rename / maintenance)',
          `${CHANGES} (${['power', 'reconfigure', 'rename', 'maintenance'].map((k) => kinds[k] ?? 0).join(' / ')})`,
        ],
        ['delay change → cache, median', `${int(res.delayMedianMs)} ms`],
        ['delay change → cache, p95', `${int(res.delayP95Ms)} ms`],
        ['delay change → cache, max', `${int(res.delayMaxMs)} ms`],
        [
          `engine CPU for all ${CHANGES} changes`,
          `${int(liveCpuMs)} ms (${res.liveCpuPerChangeMs.toFixed(2)} ms a change)`,
        ],
        [
          'update sets / object updates / rows written',
          `${int(res.updateSets)} / ${int(res.objectUpdates)} / ${int(res.rowsWritten)} (full re-reads: ${res.fullLoadsDuringChanges})`,
        ],
        [
          'engine CPU for one full re-sync of the estate',
          `${int(res.fullSyncCpuMs)} ms (wall ${int(res.fullSyncWallMs)} ms)`,
        ],
        ['engine RSS', `${mb(res.rssMb)} MB`],
      ],
    ) + '\n',
  );
  return res;
}

async function scenarioB(): Promise<Record<string, unknown>> {
  process.stdout.write(`B. ${SIMS_B} small simulators live and idle for ${IDLE_SECONDS} s\n`);
  const sims = await startSimulators(SIMS_B, (i) => ({
    seed: 900 + i,
    vms: 20,
    clusters: 1,
    hostsPerCluster: 2,
    namePrefix: `idle${i}`,
    user: USER,
    password: PASSWORD,
    emitUpdates: false,
  }));
  const { worker, dataDir, ready } = await startWorker(sims, 'b');
  // Let start-up garbage settle before measuring.
  await new Promise((r) => setTimeout(r, 5_000));
  const before = await worker.ask({ cmd: 'usage' });
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const after = await worker.ask({ cmd: 'usage' });
  await worker.quit();
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const cpuMs = after.get('cpuMs')! - before.get('cpuMs')!;
  const res = {
    simulators: SIMS_B,
    vms: sims.reduce((n, s) => n + s.counts.vms, 0),
    firstLoadMs: ready.get('ms')!,
    idleSeconds: IDLE_SECONDS,
    idleCpuMs: cpuMs,
    idleCpuPercent: (cpuMs / (IDLE_SECONDS * 1000)) * 100,
    rssMb: after.get('rssMb')!,
    heapMb: after.get('heapMb')!,
  };
  process.stdout.write(
    table(
      ['measure', 'value'],
      [
        [
          'estate',
          `${SIMS_B} vCenters, ${int(res.vms)} VMs, all live (first loads took ${int(res.firstLoadMs)} ms)`,
        ],
        [
          `engine CPU over ${IDLE_SECONDS} s idle`,
          `${int(cpuMs)} ms (${res.idleCpuPercent.toFixed(2)} % of one core)`,
        ],
        ['engine RSS / JS heap', `${mb(res.rssMb)} MB / ${mb(res.heapMb)} MB`],
      ],
    ) + '\n',
  );
  return res;
}

const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const results = {
  date: new Date().toISOString(),
  quick: QUICK,
  history: HISTORY,
  a: only === 'B' ? null : await scenarioA(),
  b: only === 'A' ? null : await scenarioB(),
};
fs.mkdirSync(RESULTS_DIR, { recursive: true });
fs.writeFileSync(
  path.join(RESULTS_DIR, `live-${results.date.slice(0, 10)}.json`),
  JSON.stringify(results, null, 2),
);
process.stdout.write(`${JSON.stringify({ bench: 'live', ...results })}\n`);
process.exit(0);
