import path from 'node:path';
import { VminerError } from '../../../shared/errors.js';
import { AuthService } from '../../engine/auth/auth-service.js';
import { configureLogging, type LogLevel } from '../../engine/log.js';
import { isLoopback, startRest } from '../../engine/rest/serve.js';
import { findUiRoot } from '../../engine/rest/ui-route.js';
import { createServerLog } from '../../engine/server-log.js';
import { VERSION } from '../../engine/version.js';
import type { CommonOptions } from '../options.js';
import { readPassword, warn, withEngine } from '../session.js';

interface ServeOptions extends CommonOptions {
  host: string;
  port: string;
  logLevel: LogLevel;
  cors?: string;
  allowedHosts?: string;
  trustProxy?: string;
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
  // A server runs for weeks: check the whole cache file once before serving it.
  await withEngine(
    opts,
    'vminer serve',
    async (engine) => {
      // From here on the log goes through pino: the engine's entries and an access line per request.
      configureLogging({ level: opts.logLevel });
      const log = createServerLog({
        file: path.join(engine.dataDir, 'logs', 'vminer.log'),
        level: opts.logLevel,
      });
      try {
        const auth = await AuthService.create(engine.database.db, engine.vault);
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
        log.logger.info({ module: 'serve', url: rest.url, dataDir: engine.dataDir }, 'listening');
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
          if (e.phase === 'finished') {
            process.stdout.write(
              `${new Date().toISOString()} ${e.vcenter}: ${e.status}${e.error ? ` — ${e.error.message}` : ''}\n`,
            );
          }
        });
        const s = engine.scheduler.state();
        const settings = engine.settings.get();
        const updates = settings.paused
          ? 'updates paused'
          : settings.updateMode === 'scheduled'
            ? 'live updates off'
            : `live updates on (${engine.live.sessionsInfo().length} vCenters)`;
        process.stdout.write(
          `vMiner engine running on ${engine.dataDir}\n` +
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
    },
    { check: 'quick' },
  );
}
