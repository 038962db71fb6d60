import type { Command } from 'commander';
import { VminerError } from '../../shared/errors.js';
import { AuthService, type Role } from '../engine/auth/auth-service.js';
import { openEngine, readPassword, withDataDir, withJson, type CommonOptions } from './common.js';
import { printJson, printTable } from './output.js';

interface UserOptions extends CommonOptions {
  passwordStdin?: boolean;
  role?: string;
}

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('accounts for the REST API and the browser UI');
  withDataDir(user.command('add <name>'))
    .description('add a user (prompts for the password, or --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--role <role>', 'admin (may change things) or viewer (read-only)', 'admin')
    .action(async (name: string, opts: UserOptions) => {
      if (opts.role !== 'admin' && opts.role !== 'viewer')
        throw new VminerError('INVALID_INPUT', '--role is admin or viewer');
      const pw = await readPassword(opts, `Password for ${name}:`);
      const engine = await openEngine(opts, 'vminer user add');
      try {
        await (
          await AuthService.create(engine.database.db, engine.vault)
        ).addUser(name, pw, opts.role as Role);
        process.stdout.write(`Added user ${name} (${opts.role}).\n`);
      } finally {
        engine.close();
      }
    });
  withDataDir(user.command('passwd <name>'))
    .description("change a user's password")
    .option('--password-stdin', 'read the password from standard input')
    .action(async (name: string, opts: UserOptions) => {
      const pw = await readPassword(opts, `New password for ${name}:`);
      const engine = await openEngine(opts, 'vminer user passwd');
      try {
        await (await AuthService.create(engine.database.db, engine.vault)).setPassword(name, pw);
        process.stdout.write(`Password for ${name} changed.\n`);
      } finally {
        engine.close();
      }
    });
  withDataDir(user.command('role <name> <role>'))
    .description("change a user's role to admin or viewer (the user's tokens end: they log in again)")
    .action(async (name: string, role: string, opts: CommonOptions) => {
      if (role !== 'admin' && role !== 'viewer')
        throw new VminerError('INVALID_INPUT', 'the role is admin or viewer');
      const engine = await openEngine(opts, 'vminer user role');
      try {
        (await AuthService.create(engine.database.db, engine.vault)).setRole(name, role);
        process.stdout.write(`${name} is now ${role}; their open sessions have ended.\n`);
      } finally {
        engine.close();
      }
    });
  withDataDir(user.command('remove <name>'))
    .description('remove a user (their tokens stop working at once; never the last admin)')
    .action(async (name: string, opts: CommonOptions) => {
      const engine = await openEngine(opts, 'vminer user remove');
      try {
        (await AuthService.create(engine.database.db, engine.vault)).removeUser(name);
        process.stdout.write(`Removed user ${name}.\n`);
      } finally {
        engine.close();
      }
    });
  withJson(withDataDir(user.command('list')))
    .description('list users')
    .action(async (opts: UserOptions) => {
      const engine = await openEngine(opts, 'vminer user list');
      try {
        const list = (await AuthService.create(engine.database.db, engine.vault)).listUsers();
        if (opts.json) printJson(list);
        else printTable(list, ['username', 'role', 'createdAt']);
      } finally {
        engine.close();
      }
    });
}
