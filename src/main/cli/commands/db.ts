import type { Command } from 'commander';
import { examples, lazy, withDataDir, withJson } from '../options.js';

const actions = () => import('../actions/db.js');

/** `vminer db check` and `vminer db repair`. */
export function registerDbCommands(program: Command): void {
  const db = program
    .command('db')
    .description('the cache file: check it, rebuild it when damaged (the configuration is kept)');
  examples(db, ['vminer db check', 'vminer db repair']);

  examples(withJson(withDataDir(db.command('check'))), ['vminer db check', 'vminer db check --full --json'])
    .description(
      "run SQLite's check on the cache (read-only, works beside a running engine) and list the configuration backups; exit 1 when damaged",
    )
    .option('--full', 'the full integrity check (indexes too; about 3x slower than the default quick check)')
    .action(lazy(actions, 'check'));

  examples(withJson(withDataDir(db.command('repair'))), ['vminer db repair', 'vminer db repair --no-sync'])
    .description(
      'rebuild a damaged cache: vCenters, accounts, sources, users and settings are salvaged (from a backup where the file cannot give them), the damaged file is kept aside, then every vCenter is synced again',
    )
    .option('--no-sync', 'do not sync the inventory afterwards')
    .option('--force', 'rebuild even when the cache passes the integrity check')
    .action(lazy(actions, 'repair'));
}
