/**
 * One side of bench/sync-turns.ts: a warm engine in its own process (this checkout's code), told
 * by the parent when to refresh its filled cache from the parent's simulator. Each refresh answers
 * with its wall time, the CPU this process spent (user + system, the garbage collector's threads
 * included) and the garbage collector's pause time.
 *
 * Copied as is into an older checkout to measure it: it uses only the engine's public entry.
 *
 * VMINER_TURNS_PROFILE=PREFIX: a CPU profile of every refresh after the first, all in one file
 * (PREFIX-<pid>.cpuprofile, written on exit), to compare where two checkouts spend their CPU.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { Engine } from '../../src/main/engine/engine.js';

interface Setup {
  url: string;
  thumbprint: string;
  user: string;
  password: string;
}

export interface TurnResult {
  wallMs: number;
  cpuMs: number;
  gcMs: number;
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

const send = (m: unknown): void => {
  process.send?.(m);
};

async function main(): Promise<void> {
  const setup = await new Promise<Setup>((resolve) => process.once('message', (m) => resolve(m as Setup)));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-sync-turns-'));
  const engine = await Engine.open({
    dataDir: tmp,
    owner: 'vminer bench',
    vaultBackend: 'file',
    onWarning: () => undefined, // "the key is stored in a file": expected for a throw-away folder
  });
  const info = engine.vcenters.add({
    name: 's-vc01',
    url: setup.url,
    username: setup.user,
    thumbprint: setup.thumbprint,
    caPem: null,
  });
  await engine.setPassword(info.id, setup.password);
  const refresh = async (): Promise<TurnResult> => {
    const gc0 = gcMs;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const summary = await engine.sync.sync();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const failed = summary.results.filter((r) => r.status !== 'ok');
    if (failed.length) throw new Error(failed.map((r) => r.error?.message ?? r.status).join('; '));
    return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, gcMs: gcMs - gc0 };
  };
  await refresh(); // fills the cache
  const prefix = process.env['VMINER_TURNS_PROFILE'];
  let profiler: Session | undefined;
  if (prefix) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  send({ ready: true });
  process.on('message', (m) => {
    if (m === 'refresh')
      refresh().then(
        (r) => send({ result: r }),
        (err: unknown) => send({ error: String(err) }),
      );
    else if (m === 'exit') {
      void (async () => {
        if (profiler && prefix) {
          const { profile } = await profiler.post('Profiler.stop');
          fs.writeFileSync(`${prefix}-${process.pid}.cpuprofile`, JSON.stringify(profile));
        }
        engine.close();
        fs.rmSync(tmp, { recursive: true, force: true });
        process.exit(0);
      })();
    }
  });
}

main().catch((err: unknown) => {
  send({ error: String(err) });
  process.exit(1);
});
