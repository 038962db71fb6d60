import type { Command } from 'commander';
import { examples, lazy, withDataDir, withJson } from '../options.js';

export function registerAskCommand(program: Command): void {
  examples(withJson(withDataDir(program.command('ask <question...>'))), [
    'vminer ask "shoe me all powred off vms in cluster prodction"',
    'vminer ask "count vms by cluster" --conversation c1 && vminer ask "only windows" --conversation c1',
    'vminer ask "which hosts are in maintenance mode" --json',
  ])
    .description(
      'ask the cached inventory a question in plain English, e.g. vminer ask "powered off vms in cluster Prod"; exit 3 when it was not understood (for scripts: vminer list --where)',
    )
    .option('--conversation <id>', 'continue a conversation (follow-ups such as "only the windows ones")')
    .action(lazy(() => import('../ask-command.js'), 'ask'));
}
