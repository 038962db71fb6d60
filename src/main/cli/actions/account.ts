import { VminerError } from '../../../shared/errors.js';
import type { CommonOptions, OutputOptions } from '../options.js';
import { emit } from '../output.js';
import { readPassword, withEngine } from '../session.js';

interface AccountOptions extends CommonOptions {
  user?: string;
  passwordStdin?: boolean;
  default?: boolean;
}

export async function add(name: string, opts: AccountOptions): Promise<void> {
  const password = await readPassword(opts, `Password for ${opts.user ?? ''}:`);
  await withEngine(opts, 'vminer account add', async (_engine, call) => {
    const info = await call('accounts.add', {
      name,
      username: opts.user ?? '',
      password,
      isDefault: opts.default ?? false,
    });
    emit(
      opts,
      info,
      (a) => `Added service account ${a.name} (${a.username})${a.isDefault ? ', the default' : ''}.`,
    );
  });
}

export async function list(opts: OutputOptions): Promise<void> {
  await withEngine(opts, 'vminer account list', async (_engine, call) => {
    emit(opts, await call('accounts.list', {}), (accounts) => ({
      rows: accounts.map((a) => ({ ...a })),
      columns: ['id', 'name', 'username', 'isDefault', 'usedBy'],
      headers: ['id', 'name', 'user', 'default', 'vCenters'],
    }));
  });
}

export async function setPassword(name: string, opts: AccountOptions): Promise<void> {
  await withEngine(opts, 'vminer account set-password', async (engine, call) => {
    const a = engine.accounts.resolve(name);
    const password = await readPassword(opts, `Password for ${a.username}:`);
    await call('accounts.update', { id: a.id, password });
    process.stdout.write(`Password for ${a.name} updated.\n`);
  });
}

export async function makeDefault(name: string, opts: CommonOptions): Promise<void> {
  await withEngine(opts, 'vminer account default', async (engine, call) => {
    const a = await call('accounts.update', { id: engine.accounts.resolve(name).id, isDefault: true });
    process.stdout.write(`${a.name} is now the default service account (${a.usedBy} vCenters).\n`);
  });
}

export async function remove(name: string, opts: CommonOptions): Promise<void> {
  await withEngine(opts, 'vminer account remove', async (engine, call) => {
    const a = engine.accounts.resolve(name);
    await call('accounts.remove', { id: a.id });
    process.stdout.write(`Removed ${a.name}.\n`);
  });
}

export async function use(
  vcName: string,
  opts: AccountOptions & { account?: string; own?: string },
): Promise<void> {
  if ([opts.account, opts.default, opts.own].filter(Boolean).length !== 1)
    throw new VminerError('INVALID_INPUT', 'choose one of --account NAME, --default and --own USER');
  const password = opts.own ? await readPassword(opts, `Password for ${opts.own}:`) : undefined;
  await withEngine(opts, 'vminer account use', async (engine, call) => {
    const vc = engine.vcenters.resolve(vcName);
    const v = opts.own
      ? await call('vcenters.update', {
          id: vc.id,
          credential: { kind: 'own' },
          username: opts.own,
          password,
        })
      : await call('vcenters.update', {
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
  });
}
