import type { Command } from 'commander';
import { examples, lazy, withDataDir, withJson } from '../options.js';

export function registerLiveCommand(program: Command): void {
  examples(withJson(withDataDir(program.command('live [action]'))), [
    'vminer live',
    'vminer live both',
    'vminer live pause',
    'vminer live status --json',
  ])
    .description(
      'how the cache stays fresh: status | on (live updates, the default) | off (scheduled syncs only) | ' +
        'both (live + a nightly full sync) | pause | resume (pause stops both)',
    )
    .action(lazy(() => import('../actions/live.js'), 'live'));
}
