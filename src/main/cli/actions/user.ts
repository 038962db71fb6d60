import { VminerError } from '../../../shared/errors.js';
import type { CommonOptions, OutputOptions } from '../options.js';
import { emit } from '../output.js';
import { readPassword, withEngine } from '../session.js';

interface UserOptions extends CommonOptions {
  passwordStdin?: boolean;
  role?: string;
}

function roleOf(role: string | undefined, what: string): 'admin' | 'viewer' {
  if (role !== 'admin' && role !== 'viewer')
    throw new VminerError('INVALID_INPUT', `${what} is admin or viewer`);
  return role;
}

export async function add(name: string, opts: UserOptions): Promise<void> {
  const role = roleOf(opts.role, '--role');
  const password = await readPassword(opts, `Password for ${name}:`);
  await withEngine(opts, 'vminer user add', async (_engine, call) => {
    await call('users.add', { username: name, password, role });
    process.stdout.write(`Added user ${name} (${role}).\n`);
  });
}

export async function passwd(name: string, opts: UserOptions): Promise<void> {
  const password = await readPassword(opts, `New password for ${name}:`);
  await withEngine(opts, 'vminer user passwd', async (_engine, call) => {
    await call('users.setPassword', { username: name, password });
    process.stdout.write(`Password for ${name} changed.\n`);
  });
}

export async function role(name: string, newRole: string, opts: CommonOptions): Promise<void> {
  const r = roleOf(newRole, 'the role');
  await withEngine(opts, 'vminer user role', async (_engine, call) => {
    await call('users.setRole', { username: name, role: r });
    process.stdout.write(`${name} is now ${r}; their open sessions have ended.\n`);
  });
}

export async function remove(name: string, opts: CommonOptions): Promise<void> {
  await withEngine(opts, 'vminer user remove', async (_engine, call) => {
    await call('users.remove', { username: name });
    process.stdout.write(`Removed user ${name}.\n`);
  });
}

export async function list(opts: OutputOptions): Promise<void> {
  await withEngine(opts, 'vminer user list', async (_engine, call) => {
    emit(opts, await call('users.list', {}), (users) => ({
      rows: users.map((u) => ({ ...u })),
      columns: ['username', 'role', 'createdAt'],
    }));
  });
}
