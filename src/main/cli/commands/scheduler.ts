import type { Command } from 'commander';
import { examples, lazy, withDataDir, withJson } from '../options.js';

export function registerSchedulerCommand(program: Command): void {
  examples(withJson(withDataDir(program.command('scheduler <action>'))), [
    'vminer scheduler status',
    'vminer scheduler on --interval 60',
    'vminer scheduler on --cron "0 */4 * * *"',
    'vminer scheduler off',
  ])
    .description('background sync schedule used by `vminer serve` and the desktop app: status | on | off')
    .option('--interval <minutes>', 'sync every N minutes')
    .option('--cron <expr>', 'sync on a cron schedule instead, e.g. "0 */4 * * *"')
    .action(lazy(() => import('../actions/scheduler.js'), 'scheduler'));
}
