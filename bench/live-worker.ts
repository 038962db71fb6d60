/**
 * The engine side of `bench/live.bench.ts`, in its own process so its CPU time and memory are
 * its own: opens an engine on a fresh data folder, registers the given simulators, keeps them
 * live, and answers commands (JSON lines on stdin) with measurements (JSON lines on stdout).
 */
import readline from 'node:readline';
import { Engine } from '../src/main/engine/engine.js';

interface Sim {
  name: string;
  url: string;
  thumbprint: string;
}

type Command =
  | { cmd: 'start'; dataDir: string; user: string; password: string; sims: Sim[]; history: boolean }
  | { cmd: 'usage' }
  | { cmd: 'fullsync' }
  | { cmd: 'quit' };

let engine: Engine | undefined;

function send(msg: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

function usage(): { cpuMs: number; rssMb: number; heapMb: number } {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMb: mem.rss / 1048576,
    heapMb: mem.heapUsed / 1048576,
  };
}

async function handle(c: Command): Promise<void> {
  switch (c.cmd) {
    case 'start': {
      engine = await Engine.open({
        dataDir: c.dataDir,
        owner: 'bench',
        vaultBackend: 'file',
        onWarning: () => undefined,
      });
      // --no-history: what the live path costs without recording the change history.
      engine.store.history.enabled = c.history;
      for (const s of c.sims) {
        const vc = engine.vcenters.add({
          name: s.name,
          url: s.url,
          username: c.user,
          thumbprint: s.thumbprint,
          caPem: null,
        });
        await engine.setPassword(vc.id, c.password);
      }
      const started = Date.now();
      engine.live.start();
      for (;;) {
        const states = engine.vcenters.list().map((v) => v.sync.status);
        if (states.every((s) => s === 'live')) break;
        if (Date.now() - started > 300_000) throw new Error(`not all live: ${states.join(',')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      send({ event: 'ready', ms: Date.now() - started, ...usage() });
      return;
    }
    case 'usage': {
      const sessions = engine?.live.sessionsInfo() ?? [];
      const sum = (k: 'updateSets' | 'objectUpdates' | 'rowsWritten' | 'fullLoads'): number =>
        sessions.reduce((n, x) => n + x[k], 0);
      send({
        event: 'usage',
        ...usage(),
        updateSets: sum('updateSets'),
        objectUpdates: sum('objectUpdates'),
        rowsWritten: sum('rowsWritten'),
        fullLoads: sum('fullLoads'),
      });
      return;
    }
    case 'fullsync': {
      // The same estate read in full, the way a scheduled full sync does (live stopped first).
      await engine!.live.stopAll();
      const before = usage();
      const t = Date.now();
      const summary = await engine!.sync.sync();
      const after = usage();
      send({
        event: 'fullsync',
        wallMs: Date.now() - t,
        cpuMs: after.cpuMs - before.cpuMs,
        failed: summary.results.filter((r) => r.status !== 'ok').length,
        rssMb: after.rssMb,
      });
      return;
    }
    case 'quit':
      await engine?.shutdown();
      engine?.close();
      send({ event: 'bye' });
      process.exit(0);
  }
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  handle(JSON.parse(line) as Command).catch((err: unknown) => {
    send({ event: 'error', message: String(err) });
    process.exit(1);
  });
});
