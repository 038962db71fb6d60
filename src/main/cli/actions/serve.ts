import path from 'node:path';
import { VminerError } from '../../../shared/errors.js';
import { configureLogging, type LogLevel } from '../../engine/log.js';
import { isLoopback, startRest } from '../../engine/rest/serve.js';
import { findUiRoot } from '../../engine/rest/ui-route.js';
import { createServerLog } from '../../engine/server-log.js';
import { finishedLine } from '../../engine/sync/sync-outcome.js';
import { VERSION } from '../../engine/version.js';
import type { CommonOptions } from '../options.js';
import type { EngineHealth, ServingEngine } from '../../engine/serving-engine.js';
import { dataDirOf, readPassword, warn, withEngine } from '../session.js';

interface ServeOptions extends CommonOptions {
  host: string;
  port: string;
  logLevel: LogLevel;
  cors?: string;
  allowedHosts?: string;
  trustProxy?: string;
  database?: string;
}

const list = (v: string | undefined): string[] | undefined =>
  v
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export async function serve(opts: ServeOptions): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new VminerError('INVALID_INPUT', '--port takes 0–65535');
  const { databaseUrl } = await import('./db-migrate.js');
  const url = databaseUrl(opts.database, '--database');
  if (url) return serveTeam(url, opts, port);
  // A server runs for weeks: check the whole cache file once before serving it.
  await withEngine(opts, 'vminer serve', (engine) => run(engine, engine.dataDir, opts, port), {
    check: 'quick',
  });
}

/**
 * `--database`: the team engine on PostgreSQL. No data-folder lock (the cache is the database);
 * the folder keeps this instance's logs, and the database's password when PGPASSWORD is not set.
 */
async function serveTeam(url: string, opts: ServeOptions, port: number): Promise<void> {
  const { target } = await import('./db-migrate.js');
  const { TeamEngine } = await import('../../engine/team/team-engine.js');
  const logDir = dataDirOf(opts);
  configureLogging({ file: path.join(logDir, 'logs', 'vminer.log') });
  const engine = await TeamEngine.open({ target: await target(url, 'serve', opts), logDir, onWarning: warn });
  try {
    await run(engine, logDir, opts, port);
  } finally {
    await engine.close();
  }
}

/** Serves `engine` (either back end) until SIGINT or SIGTERM. */
async function run(engine: ServingEngine, logDir: string, opts: ServeOptions, port: number): Promise<void> {
  // From here on the log goes through pino: the engine's entries and an access line per request.
  configureLogging({ level: opts.logLevel });
  const log = createServerLog({ file: path.join(logDir, 'logs', 'vminer.log'), level: opts.logLevel });
  try {
    const auth = await engine.authService();
    if (!auth.hasUsers()) {
      // No default admin/admin: the first start needs a real password.
      const fromEnv = process.env['VMINER_ADMIN_PASSWORD'];
      if (!fromEnv && !process.stdin.isTTY) {
        throw new VminerError(
          'INVALID_INPUT',
          'no users yet: set VMINER_ADMIN_PASSWORD for the first start, or run `vminer user add admin` first',
        );
      }
      const pw = fromEnv ?? (await readPassword({}, 'Choose a password for the "admin" user:'));
      await auth.addUser('admin', pw, 'admin');
      process.stdout.write('Created the user "admin".\n');
    }
    if (!isLoopback(opts.host)) {
      warn(
        `listening on ${opts.host}: anyone who can reach this address can try to log in and read the whole inventory. ` +
          'Prefer 127.0.0.1 behind a TLS reverse proxy.',
      );
    }
    const uiRoot = findUiRoot();
    const rest = await startRest(engine, {
      uiRoot,
      host: opts.host,
      port,
      version: VERSION,
      corsOrigins: list(opts.cors),
      allowedHosts: list(opts.allowedHosts),
      trustedProxies: list(opts.trustProxy),
      accessLog: log.logger,
    });
    const health = engine.health();
    log.logger.info({ module: 'serve', url: rest.url, dataDir: logDir, ...health }, 'listening');
    engine.scheduler.resume();
    // SQL sources refresh on their own intervals (no scheduled sync needed).
    engine.sourceRefresher.start();
    engine.live.start();
    engine.bus.on('live:state', (e) => {
      if (e.status === 'live' || e.status === 'reconnecting' || e.status === 'certificate_changed') {
        process.stdout.write(
          `${new Date().toISOString()} ${e.vcenter}: ${e.status}${e.error ? ` — ${e.error.message}` : ''}\n`,
        );
      }
    });
    engine.bus.on('sync:progress', (e) => {
      if (e.phase === 'finished') process.stdout.write(`${new Date().toISOString()} ${finishedLine(e)}\n`);
    });
    const s = engine.scheduler.state();
    const settings = engine.settings.get();
    const updates = settings.paused
      ? 'updates paused'
      : settings.updateMode === 'scheduled'
        ? 'live updates off'
        : `live updates on (${engine.live.sessionsInfo().length} vCenters)`;
    process.stdout.write(
      `${describe(health, engine.dataDir)}\n` +
        (uiRoot ? `UI: ${rest.url}/\n` : 'UI: not built (run `npm run build`)\n') +
        `REST API: ${rest.url}/api (docs: ${rest.url}/docs); ${updates}; scheduler ${s.enabled ? `on, next run ${s.nextRunAt}` : 'off'}. Ctrl-C stops.\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await rest.app.close();
    // Live sessions log out, so 100 vCenters are not left with 100 idle sessions.
    await engine.shutdown();
    log.logger.info({ module: 'serve' }, 'stopped');
  } finally {
    log.close();
  }
}

/** The first line `vminer serve` prints: what it serves, and on a team server who leads. */
function describe(health: EngineHealth, dataDir: string): string {
  if (health.backend === 'sqlite') return `vMiner engine running on ${dataDir}`;
  const lease = health.lease;
  const leads =
    health.role === 'leader'
      ? `this instance (${health.instance}) leads, term ${health.term}`
      : lease && !lease.released
        ? `${lease.instance} leads (term ${health.term}, since ${lease.since}); this instance (${health.instance}) follows`
        : `no instance leads yet; this instance (${health.instance}) follows`;
  return `vMiner engine running on ${health.database} (PostgreSQL; logs in ${dataDir}): ${leads}`;
}
