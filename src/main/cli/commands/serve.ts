import { Option, type Command } from 'commander';
import { examples, lazy, withDataDir } from '../options.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function registerServeCommand(program: Command): void {
  examples(withDataDir(program.command('serve')), [
    'VMINER_ADMIN_PASSWORD=… vminer serve',
    'vminer serve --host 0.0.0.0 --port 8443 --log-level warn',
    'VMINER_HOST=127.0.0.1 VMINER_PORT=9000 vminer serve --allowed-hosts vminer.corp',
    'PGPASSWORD=… VMINER_SECRET_KEY=… vminer serve --database postgres://vminer@db.corp:5432/vminer',
  ])
    .description(
      'run the engine headless: REST API (with OpenAPI docs at /docs), live updates of every vCenter (see `vminer live`) and the background sync schedule; logs JSON lines to <data folder>/logs/vminer.log (an access line per request, rotated by size)',
    )
    .addOption(
      new Option('--host <address>', 'address to bind (anything but loopback exposes the API to the network)')
        .env('VMINER_HOST')
        .default('127.0.0.1'),
    )
    .addOption(new Option('--port <port>', 'TCP port').env('VMINER_PORT').default('8000'))
    .addOption(
      new Option(
        '--log-level <level>',
        'what the log keeps: debug, info (with the access log), warn or error',
      )
        .choices(LOG_LEVELS)
        .env('VMINER_LOG_LEVEL')
        .default('info'),
    )
    .option(
      '--database <url>',
      "serve a team database instead of the data folder: postgres://user@host:port/database[?sslmode=require|verify-full] (default: $VMINER_DATABASE_URL), migrated with `vminer db migrate`; several instances may share it (one leads). Needs VMINER_SECRET_KEY (the team vault's key, the same on every instance); the password from PGPASSWORD, else the vault (vminer db password), else ~/.pgpass; the data folder then holds the logs only",
    )
    .option('--cors <origins>', 'comma-separated browser origins allowed to call the API (off by default)')
    .addOption(
      new Option(
        '--allowed-hosts <names>',
        'on a loopback address, host names besides localhost/127.0.0.1/::1 that requests may name, e.g. the name a reverse proxy passes on (others are refused: DNS rebinding)',
      ).env('VMINER_ALLOWED_HOSTS'),
    )
    .addOption(
      new Option(
        '--trust-proxy <addresses>',
        "comma-separated proxy addresses/CIDRs whose X-Forwarded-For names the client (the login limit's address); none by default",
      ).env('VMINER_TRUST_PROXY'),
    )
    .action(lazy(() => import('../actions/serve.js'), 'serve'));
}
