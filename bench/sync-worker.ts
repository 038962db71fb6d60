/**
 * Benchmark worker: one full vMiner sync in its own process, so that its peak RSS is the engine's
 * alone (not the simulators' nor the harness'). The harness bundles this file (bench/lib/
 * build-worker.ts) and runs it with plain `node`; `npx tsx bench/sync-worker.ts` works too.
 *
 * stdin: a WorkerConfig JSON document. stdout: one `RESULT {WorkerResult}` line. Exit 0 when the
 * measurement was taken (even if some vCenters failed: they are listed in `failures`).
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/main/engine/engine.js';
import { DB_FILE } from '../src/main/engine/db/database.js';
import {
  RESULT_PREFIX,
  parseWorkerConfig,
  type WorkerFailure,
  type WorkerResult,
} from './lib/worker-protocol.js';

const MB = 1024 * 1024;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Like `node --cpu-prof`, but around the sync call only: start-up and module loading stay out. */
async function startProfiler(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return session;
}

async function stopProfiler(session: Session, file: string): Promise<void> {
  const { profile } = await session.post('Profiler.stop');
  fs.writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
}

async function main(): Promise<void> {
  const cfg = parseWorkerConfig(JSON.parse(await readStdin()));
  const engine = await Engine.open({
    dataDir: cfg.dataDir,
    owner: 'vminer bench',
    vaultBackend: 'file',
    onWarning: () => undefined, // "the key is stored in a file": expected for a throw-away folder
  });
  let result: WorkerResult;
  try {
    for (const vc of cfg.vcenters) {
      const info = engine.vcenters.add({
        name: vc.name,
        url: vc.url,
        username: cfg.user,
        thumbprint: vc.thumbprint,
        caPem: null,
      });
      await engine.setPassword(info.id, cfg.password);
    }

    let objects = 0;
    let storeMs = 0;
    const storingSince = new Map<number, number>();
    engine.bus.on('sync:progress', (e) => {
      if (e.phase === 'storing') {
        objects += e.objects ?? 0;
        storingSince.set(e.vcenterId, performance.now());
      } else if (e.phase === 'finished') {
        const since = storingSince.get(e.vcenterId);
        if (since !== undefined) storeMs += performance.now() - since;
      }
    });
    let peakHeap = 0;
    let peakExternal = 0;
    const sample = (): void => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakExternal = Math.max(peakExternal, m.external);
    };
    const sampler = setInterval(sample, 25);
    const profiler = cfg.cpuProfileFile ? await startProfiler() : undefined;

    const t0 = performance.now();
    const summary = await engine.sync.sync(undefined, cfg.workers ? { workers: cfg.workers } : {});
    const wallMs = performance.now() - t0;
    clearInterval(sampler);
    sample();
    if (profiler && cfg.cpuProfileFile) await stopProfiler(profiler, cfg.cpuProfileFile);

    engine.database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const dbFile = path.join(engine.dataDir, DB_FILE);
    const dbBytes = fileSize(dbFile) + fileSize(`${dbFile}-wal`);

    let rows = 0;
    let vms = 0;
    const failures: WorkerFailure[] = [];
    for (const r of summary.results) {
      if (r.counts) {
        vms += r.counts.vms;
        for (const n of Object.values(r.counts)) rows += n;
      }
      if (r.status !== 'ok') {
        failures.push({
          vcenter: r.vcenter,
          code: r.error?.code ?? r.status,
          message: r.error?.message ?? '',
        });
      }
    }
    const ru = process.resourceUsage();
    result = {
      wallMs,
      engineMs: summary.durationMs,
      storeMs,
      objects,
      rows,
      vms,
      dbBytes,
      maxRssMb: ru.maxRSS / 1024, // maxRSS is in kilobytes
      peakHeapUsedMb: peakHeap / MB,
      peakExternalMb: peakExternal / MB,
      cpuUserMs: ru.userCPUTime / 1000,
      cpuSystemMs: ru.systemCPUTime / 1000,
      workers: cfg.workers ?? engine.settings.get().syncWorkers,
      perVcenterMs: {
        min: Math.min(...summary.results.map((r) => r.durationMs)),
        median: median(summary.results.map((r) => r.durationMs)),
        max: Math.max(...summary.results.map((r) => r.durationMs)),
      },
      failures,
    };
  } finally {
    engine.close();
  }
  await new Promise<void>((resolve) =>
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`, () => resolve()),
  );
}

main().then(
  // Leftover keep-alive sockets must not hold the process (and the measurement) open.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
