import type { Command } from 'commander';
import { examples, lazy, withDataDir, withTable } from '../options.js';

export function registerSyncCommand(program: Command): void {
  examples(withTable(withDataDir(program.command('sync [names...]'))), [
    'vminer sync',
    'vminer sync vc01 vc02 --workers 2',
    'vminer sync --json | jq \'.results[] | select(.status != "ok") | .vcenter\'',
  ])
    .description(
      'collect the inventory of all (or the named) vCenters; exit 0 all ok, 2 some failed, 1 none ran',
    )
    .option('--workers <n>', 'vCenters synced at once (default: the engine setting, 10)')
    .action(lazy(() => import('../actions/sync.js'), 'sync'));
}
