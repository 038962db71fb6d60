import type { Command } from 'commander';
import { examples, lazy, withDataDir, withJson } from '../options.js';

export function registerDoctorCommand(program: Command): void {
  examples(withJson(withDataDir(program.command('doctor'))), [
    'vminer doctor',
    'vminer doctor --local-only',
    'vminer doctor --json | jq \'.checks[] | select(.status == "fail")\'',
    'PGPASSWORD=… VMINER_SECRET_KEY=… vminer doctor --database postgres://vminer@db.corp:5432/vminer',
  ])
    .description(
      'check the setup: data folder, database migrations, keychain, each vCenter (DNS, TCP, TLS, login), SQL sources, REST port (exit 1 when a check fails); with --database a team database instead: reachable, migrations, pg_trgm, who leads, the team vault and its secrets, then the vCenters and sources',
    )
    .option(
      '--database <url>',
      'check a team database instead of the data folder: postgres://user@host:port/database (default: $VMINER_DATABASE_URL); needs VMINER_SECRET_KEY as serve does; the password from PGPASSWORD, else the vault (vminer db password), else ~/.pgpass',
    )
    .option('--port <port>', 'REST listener port to check', '8000')
    .option('--host <host>', 'REST listener address to check', '127.0.0.1')
    .option('--timeout <ms>', 'per-step network timeout', '5000')
    .option('--local-only', 'skip the vCenter and SQL source checks')
    .action(lazy(() => import('../actions/doctor.js'), 'doctor'));
}
