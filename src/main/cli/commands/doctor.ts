import type { Command } from 'commander';
import { examples, lazy, withDataDir, withJson } from '../options.js';

export function registerDoctorCommand(program: Command): void {
  examples(withJson(withDataDir(program.command('doctor'))), [
    'vminer doctor',
    'vminer doctor --local-only',
    'vminer doctor --json | jq \'.checks[] | select(.status == "fail")\'',
  ])
    .description(
      'check the setup: data folder, database migrations, keychain, each vCenter (DNS, TCP, TLS, login), SQL sources, REST port (exit 1 when a check fails)',
    )
    .option('--port <port>', 'REST listener port to check', '8000')
    .option('--host <host>', 'REST listener address to check', '127.0.0.1')
    .option('--timeout <ms>', 'per-step network timeout', '5000')
    .option('--local-only', 'skip the vCenter and SQL source checks')
    .action(lazy(() => import('../actions/doctor.js'), 'doctor'));
}
