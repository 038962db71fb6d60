import type { Command } from 'commander';
import { ENTITIES } from '../../../shared/inventory.js';
import { examples, lazy, withDataDir, withList, withTable } from '../options.js';

const actions = () => import('../actions/inventory.js');
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export const WHERE_HELP =
  'a filter, repeatable (all must match): FIELD=VALUE (* wildcards on text), FIELD!=VALUE, FIELD>=N, ' +
  'FIELD<=N, FIELD>N, FIELD<N, FIELD.contains=TEXT (also .startsWith, .endsWith, .empty=true), or a ' +
  'query-plan filter as JSON — the REST list parameters\u2019 language';

export function registerInventoryCommands(program: Command): void {
  examples(withList(withDataDir(program.command('list <entity>'))), [
    'vminer list vms --vcenter vc01',
    "vminer list vms --where powerState=poweredOff --where 'memoryMb>=16384' --sort memoryMb:desc --columns name,host,memoryMb --limit 20",
    "vminer list hosts --where 'cluster=prod-*' --where inMaintenanceMode=true --json",
    'vminer list vms --jsonl | jq -c \'select(.toolsStatus != "toolsOk") | {name, vcenter}\'',
    "vminer list datastores --where 'freePercent<10' --csv > low-datastores.csv",
  ])
    .description(`list cached inventory: ${ENTITIES.join('|')}`)
    .option('--vcenter <name>', 'only this vCenter')
    .option('--where <filter>', WHERE_HELP, collect)
    .option('--sort <fields>', 'sort by these fields, e.g. memoryMb:desc,name (default: vCenter, then name)')
    .option(
      '--columns <fields>',
      'comma-separated fields to print (default: every field; in a table: the usual columns)',
    )
    .option('--limit <n>', 'at most this many rows')
    .action(lazy(actions, 'list'));

  examples(withTable(withDataDir(program.command('stats'))), ['vminer stats', 'vminer stats --csv'])
    .description('counts per entity and per vCenter, and the last sync of each vCenter')
    .action(lazy(actions, 'stats'));
}
