import type { Command } from 'commander';
import { examples, lazy, withDataDir, withTable } from '../options.js';

const actions = () => import('../actions/user.js');

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('accounts for the REST API and the browser UI');
  examples(user, ['vminer user add alice --role viewer', 'vminer user list']);
  examples(withDataDir(user.command('add <name>')), [
    'vminer user add alice --role viewer',
    'echo "$PW" | vminer user add ops --password-stdin',
  ])
    .description('add a user (prompts for the password, or --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--role <role>', 'admin (may change things) or viewer (read-only)', 'admin')
    .action(lazy(actions, 'add'));
  examples(withDataDir(user.command('passwd <name>')), [
    'vminer user passwd alice',
    'echo "$PW" | vminer user passwd alice --password-stdin',
  ])
    .description("change a user's password")
    .option('--password-stdin', 'read the password from standard input')
    .action(lazy(actions, 'passwd'));
  examples(withDataDir(user.command('role <name> <role>')), ['vminer user role alice admin'])
    .description("change a user's role to admin or viewer (the user's tokens end: they log in again)")
    .action(lazy(actions, 'role'));
  examples(withDataDir(user.command('remove <name>')), ['vminer user remove alice'])
    .description('remove a user (their tokens stop working at once; never the last admin)')
    .action(lazy(actions, 'remove'));
  examples(withTable(withDataDir(user.command('list'))), ['vminer user list', 'vminer user list --json'])
    .description('list users')
    .action(lazy(actions, 'list'));
}
