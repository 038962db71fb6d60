import type { Command } from 'commander';
import { VminerError } from '../../shared/errors.js';
import { AuthService } from '../engine/auth/auth-service.js';
import { isLoopback, startRest } from '../engine/rest/serve.js';
import { findUiRoot } from '../engine/rest/ui-route.js';
import { openEngine, readPassword, warn, withDataDir, type CommonOptions } from './common.js';

interface ServeOptions extends CommonOptions {
  host: string;
  port: string;
  cors?: string;
  allowedHosts?: string;
  trustProxy?: string;
}

const list = (v: string | undefined): string[] | undefined =>
  v
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);

declare const __VMINER_VERSION__: string | undefined;
const VERSION = typeof __VMINER_VERSION__ === 'string' ? __VMINER_VERSION__ : '0.0.0-dev';

export function registerServeCommand(program: Command): void {
  withDataDir(program.command('serve'))
    .description(
      'run the engine headless: REST API (with OpenAPI docs at /docs), live updates of every vCenter (see `vminer live`) and the background sync schedule',
    )
    .option(
      '--host <address>',
      'address to bind (anything but loopback exposes the API to the network)',
      '127.0.0.1',
    )
    .option('--port <port>', 'TCP port', '8000')
    .option('--cors <origins>', 'comma-separated browser origins allowed to call the API (off by default)')
    .option(
      '--allowed-hosts <names>',
      'on a loopback address, host names besides localhost/127.0.0.1/::1 that requests may name, e.g. the name a reverse proxy passes on (others are refused: DNS rebinding)',
      process.env['VMINER_ALLOWED_HOSTS'],
    )
    .option(
      '--trust-proxy <addresses>',
      "comma-separated proxy addresses/CIDRs whose X-Forwarded-For names the client (the login limit's address); none by default",
      process.env['VMINER_TRUST_PROXY'],
    )
    .action(async (opts: ServeOptions) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new VminerError('INVALID_INPUT', '--port takes 0–65535');
      const engine = await openEngine(opts, 'vminer serve');
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
        });
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
      } finally {
        engine.close();
      }
    });
}
