import type { Command } from 'commander';
import { examples, lazy, withDataDir, withJson, withTable } from '../options.js';

const actions = () => import('../actions/account.js');

/** `vminer account …`: shared service accounts, and which one a vCenter uses. */
export function registerAccountCommands(program: Command): void {
  const acc = program
    .command('account')
    .description('shared service accounts many vCenters log in with (passwords go to the credential vault)');
  examples(acc, [
    'echo "$PW" | vminer account add corp --user svc-vminer@corp.local --password-stdin',
    'vminer account use vc03 --own admin@vsphere.local',
  ]);

  examples(withJson(withDataDir(acc.command('add <name>'))), [
    'echo "$PW" | vminer account add corp --user svc-vminer@corp.local --password-stdin',
    'vminer account add lab --user svc-lab@vsphere.local --default',
  ])
    .description('add a service account; the first one becomes the default')
    .requiredOption('--user <user>', 'account name, e.g. svc-vminer@corp.local')
    .option('--password-stdin', 'read the password from standard input')
    .option('--default', 'make it the default account')
    .action(lazy(actions, 'add'));

  examples(withTable(withDataDir(acc.command('list'))), ['vminer account list', 'vminer account list --json'])
    .description('list service accounts and how many vCenters use each')
    .action(lazy(actions, 'list'));

  examples(withDataDir(acc.command('set-password <name>')), [
    'echo "$PW" | vminer account set-password corp --password-stdin',
  ])
    .description("replace a service account's password (every vCenter using it follows)")
    .option('--password-stdin', 'read the password from standard input')
    .action(lazy(actions, 'setPassword'));

  examples(withDataDir(acc.command('default <name>')), ['vminer account default lab'])
    .description('make an account the default (vCenters that name no account follow)')
    .action(lazy(actions, 'makeDefault'));

  examples(withDataDir(acc.command('remove <name>')), ['vminer account remove lab'])
    .description('remove a service account no vCenter uses')
    .action(lazy(actions, 'remove'));

  examples(withDataDir(acc.command('use <vcenter>')), [
    'vminer account use vc03 --account lab',
    'vminer account use vc03 --default',
    'echo "$PW" | vminer account use vc03 --own admin@vsphere.local --password-stdin',
  ])
    .description('choose how a vCenter logs in: a named account, the default one, or its own (override)')
    .option('--account <name>', 'this service account')
    .option('--default', 'the default service account')
    .option('--own <user>', 'its own account (password from --password-stdin or a prompt)')
    .option('--password-stdin', 'read the password for --own from standard input')
    .action(lazy(actions, 'use'));
}
