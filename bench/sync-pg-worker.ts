/**
 * bench:sync-pg's worker: a first sync and an unchanged re-sync of every given vCenter in a
 * process of its own, on SQLite (the desktop `Engine` on a fresh data folder: SyncRunner over the
 * SQLite store) or on PostgreSQL (`TeamEngine` on a freshly migrated team database: this instance
 * is elected and its TeamSync runs SyncRunner over PgSyncBackend, as a team server's leader does).
 *
 *   node --import tsx bench/sync-pg-worker.ts   (stdin: a SyncPgWorkerConfig JSON document)
 *
 * stdout: one `RESULT {SyncPgWorkerResult}` line. Exit 0 when the measurement was taken (even if
 * some vCenters failed: they are listed); non-zero on a crash.
 */
import { performance } from 'node:perf_hooks';
import { Engine } from '../src/main/engine/engine.js';
import type { ServingEngine } from '../src/main/engine/serving-engine.js';
import { TeamEngine } from '../src/main/engine/team/team-engine.js';
import { pgTarget } from '../src/main/engine/team/pg-connection.js';
import type { SyncSummary } from '../src/main/engine/sync/sync-runner.js';
import { RESULT_PREFIX, type SyncPgWorkerConfig, type SyncPgWorkerResult } from './lib/sync-pg-protocol.js';

const SECRET_KEY = 'be'.repeat(32);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function open(cfg: SyncPgWorkerConfig): Promise<{ engine: ServingEngine; close(): Promise<void> }> {
  if (cfg.side === 'sqlite') {
    const engine = await Engine.open({
      dataDir: cfg.dataDir,
      owner: 'vminer bench',
      vaultBackend: 'file',
      onWarning: () => undefined, // "the key is stored in a file": expected for a throw-away folder
    });
    return { engine, close: async () => engine.close() };
  }
  if (!cfg.pgUrl) throw new Error('side pg needs pgUrl');
  const engine = await TeamEngine.open({
    target: pgTarget(cfg.pgUrl, { password: cfg.pgPassword, applicationName: 'bench sync-pg' }),
    logDir: cfg.dataDir,
    instance: 'bench',
    env: { VMINER_SECRET_KEY: SECRET_KEY },
    onWarning: () => undefined,
  });
  // The only instance on a new database: elected on its first try.
  await until('this instance to lead', () => engine.teamSync.leading);
  return { engine, close: () => engine.close() };
}

function failuresOf(s: SyncSummary): string[] {
  return s.results
    .filter((r) => r.status !== 'ok')
    .map((r) => `${r.vcenter}: ${r.error?.code ?? r.status} ${r.error?.message ?? ''}`.trim());
}

async function main(): Promise<void> {
  const cfg = JSON.parse(await readStdin()) as SyncPgWorkerConfig;
  const { engine, close } = await open(cfg);
  let result: SyncPgWorkerResult;
  try {
    for (const vc of cfg.vcenters) {
      const info = await engine.vcenters.add({
        name: vc.name,
        url: vc.url,
        username: cfg.user,
        thumbprint: vc.thumbprint,
        caPem: null,
      });
      await engine.setPassword(info.id, cfg.password);
    }
    await until('the passwords in the vault', () =>
      engine.vcenters.list().every((v) => engine.vault.get(`vcenter:${v.id}`) === cfg.password),
    );
    let t = performance.now();
    const first = await engine.sync.sync();
    const firstMs = performance.now() - t;
    t = performance.now();
    const again = await engine.sync.sync();
    const resyncMs = performance.now() - t;
    result = {
      side: cfg.side,
      firstMs,
      resyncMs,
      vms: first.results.reduce((n, r) => n + (r.counts?.vms ?? 0), 0),
      failures: [...failuresOf(first), ...failuresOf(again).map((f) => `re-sync ${f}`)],
    };
  } finally {
    await engine.shutdown();
    await close();
  }
  await new Promise<void>((resolve) =>
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`, () => resolve()),
  );
}

main().then(
  // Leftover keep-alive sockets must not hold the process open.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
