import { Option, type Command } from 'commander';
import { CHANGE_ENTITIES, CHANGE_KINDS, CHANGE_SOURCES } from '../../../shared/change-kinds.js';
import { examples, lazy, withDataDir, withList } from '../options.js';

export function registerChangesCommand(program: Command): void {
  examples(withList(withDataDir(program.command('changes'))), [
    'vminer changes --since 24h',
    'vminer changes --since 2026-11-01 --until 2026-11-08 --vcenter vc01 --entity vms --field powerState',
    'vminer changes --object web-01',
    'vminer changes --since 7d --kind removed --csv > removed-this-week.csv',
    'vminer changes --since 1d --jsonl | jq -c \'select(.field == "host") | {objectName, oldValue, newValue}\'',
  ])
    .description(
      'the change history, newest first: what changed (fields, objects created and removed), when, where and how it was seen (live or sync)',
    )
    .option(
      '--since <time>',
      'from: a duration back from now (30m, 24h, 7d, 2w), a date (2026-11-01, UTC) or an ISO time',
    )
    .option('--until <time>', 'before: the same forms as --since')
    .option('--vcenter <name>', 'only this vCenter (its name now, or when the change was recorded)')
    .addOption(new Option('--entity <entity>', 'only this kind of object').choices(CHANGE_ENTITIES))
    .option(
      '--field <field>',
      'only changes of this field (powerState, memoryMb, host…); a trailing * for a prefix ("disk*")',
    )
    .option('--object <name>', "one object's history by its current or a past name (renames included)")
    .addOption(new Option('--kind <kind>', 'only this kind of change').choices(CHANGE_KINDS))
    .addOption(new Option('--source <source>', 'only changes seen this way').choices(CHANGE_SOURCES))
    .option(
      '--limit <n>',
      'at most this many rows (default: 100 in a table, all with --json, --jsonl or --csv)',
    )
    .action(lazy(() => import('../actions/changes.js'), 'changes'));
}
