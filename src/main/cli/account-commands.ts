import type { Command } from 'commander';
import { VminerError } from '../../shared/errors.js';
import { createHandlers } from '../engine/api.js';
import { openEngine, readPassword, withDataDir, withJson, type CommonOptions } from './common.js';
import { printJson, printTable } from './output.js';

interface AccountOptions extends CommonOptions {
  user?: string;
  passwordStdin?: boolean;
  default?: boolean;
}

/** `vminer account …`: shared service accounts, and which one a vCenter uses. */
export function registerAccountCommands(program: Command): void {
  const acc = program
    .command('account')
    .description('shared service accounts many vCenters log in with (passwords go to the credential vault)');

  withJson(withDataDir(acc.command('add <name>')))
    .description('add a service account; the first one becomes the default')
    .requiredOption('--user <user>', 'account name, e.g. svc-vminer@corp.local')
    .option('--password-stdin', 'read the password from standard input')
    .option('--default', 'make it the default account')
    .action(async (name: string, opts: AccountOptions) => {
      const password = await readPassword(opts, `Password for ${opts.user ?? ''}:`);
      const engine = await openEngine(opts, 'vminer account add');
      try {
        const info = await createHandlers(engine)['accounts.add']({
          name,
          username: opts.user ?? '',
          password,
          isDefault: opts.default ?? false,
        });
        if (opts.json) printJson(info);
        else
          process.stdout.write(
            `Added service account ${info.name} (${info.username})${info.isDefault ? ', the default' : ''}.\n`,
          );
      } finally {
        engine.close();
      }
    });

  withJson(withDataDir(acc.command('list')))
    .description('list service accounts and how many vCenters use each')
    .action(async (opts: CommonOptions) => {
      const engine = await openEngine(opts, 'vminer account list');
      try {
        const list = engine.accounts.list();
        if (opts.json) printJson(list);
        else
          printTable(
            list.map((a) => ({ ...a })),
            ['id', 'name', 'username', 'isDefault', 'usedBy'],
            ['id', 'name', 'user', 'default', 'vCenters'],
          );
      } finally {
        engine.close();
      }
    });

  withDataDir(acc.command('set-password <name>'))
    .description("replace a service account's password (every vCenter using it follows)")
    .option('--password-stdin', 'read the password from standard input')
    .action(async (name: string, opts: AccountOptions) => {
      const engine = await openEngine(opts, 'vminer account set-password');
      try {
        const a = engine.accounts.resolve(name);
        const password = await readPassword(opts, `Password for ${a.username}:`);
        await engine.setAccountPassword(a.id, password);
        process.stdout.write(`Password for ${a.name} updated.\n`);
      } finally {
        engine.close();
      }
    });

  withDataDir(acc.command('default <name>'))
    .description('make an account the default (vCenters that name no account follow)')
    .action(async (name: string, opts: CommonOptions) => {
      const engine = await openEngine(opts, 'vminer account default');
      try {
        const a = engine.accounts.update(engine.accounts.resolve(name).id, { isDefault: true });
        process.stdout.write(`${a.name} is now the default service account (${a.usedBy} vCenters).\n`);
      } finally {
        engine.close();
      }
    });

  withDataDir(acc.command('remove <name>'))
    .description('remove a service account no vCenter uses')
    .action(async (name: string, opts: CommonOptions) => {
      const engine = await openEngine(opts, 'vminer account remove');
      try {
        const a = engine.accounts.resolve(name);
        await engine.removeAccount(a.id);
        process.stdout.write(`Removed ${a.name}.\n`);
      } finally {
        engine.close();
      }
    });

  withDataDir(acc.command('use <vcenter>'))
    .description('choose how a vCenter logs in: a named account, the default one, or its own (override)')
    .option('--account <name>', 'this service account')
    .option('--default', 'the default service account')
    .option('--own <user>', 'its own account (password from --password-stdin or a prompt)')
    .option('--password-stdin', 'read the password for --own from standard input')
    .action(async (vcName: string, opts: AccountOptions & { account?: string; own?: string }) => {
      if ([opts.account, opts.default, opts.own].filter(Boolean).length !== 1)
        throw new VminerError('INVALID_INPUT', 'choose one of --account NAME, --default and --own USER');
      const password = opts.own ? await readPassword(opts, `Password for ${opts.own}:`) : undefined;
      const engine = await openEngine(opts, 'vminer account use');
      try {
        const vc = engine.vcenters.resolve(vcName);
        const update = createHandlers(engine)['vcenters.update'];
        const v = opts.own
          ? await update({ id: vc.id, credential: { kind: 'own' }, username: opts.own, password })
          : await update({
              id: vc.id,
              credential: {
                kind: 'service',
                accountId: opts.account ? engine.accounts.resolve(opts.account).id : null,
              },
            });
        const how =
          v.credential.kind === 'own'
            ? `its own account ${v.username}`
            : `${v.credential.accountId === null ? 'the default service account' : 'service account'} ${v.credential.account ?? '(none set yet)'}`;
        process.stdout.write(`${v.name} logs in with ${how}.\n`);
      } finally {
        engine.close();
      }
    });
}
