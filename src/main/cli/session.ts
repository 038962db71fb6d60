/**
 * What command actions share: the data folder, the engine opened and closed around an action
 * (`withEngine`), a read-only database for readers (`withDatabase`), passwords from stdin or a prompt.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ContractResults, Handlers, RequestArgs, RequestName } from '../../shared/contract.js';
import { VminerError } from '../../shared/errors.js';
import { defaultDataDir } from '../engine/data-dir.js';
import { openDatabase, type OpenedDatabase } from '../engine/db/database.js';
import type { Engine } from '../engine/engine.js';
import { KEY_FILE_NAME } from '../engine/secrets/file-names.js';
import type { CommonOptions } from './options.js';

export function dataDirOf(opts: CommonOptions): string {
  return opts.dataDir ?? defaultDataDir();
}

export function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/** Opens the engine on the data folder (taking its lock): for writers and for what needs the vault. */
export async function openEngine(
  opts: CommonOptions,
  owner: string,
  extra: { check?: 'quick' } = {},
): Promise<Engine> {
  const dataDir = dataDirOf(opts);
  // The key-file warning is said in full when the key file is created, then as a one-line reminder.
  const hadKeyFile = fs.existsSync(path.join(dataDir, KEY_FILE_NAME));
  // Loaded here, not at the top: readers (list, ask, stats) never load the engine.
  const { Engine } = await import('../engine/engine.js');
  return Engine.open({
    dataDir,
    owner,
    ...extra,
    onWarning: (message) =>
      hadKeyFile && message.includes(KEY_FILE_NAME)
        ? warn(`stored passwords are protected by ${path.join(dataDir, KEY_FILE_NAME)}, not an OS keychain`)
        : warn(message),
  });
}

/** A contract call, as the CLI makes it: the same checks and handler as over IPC and REST. */
export type Call = <K extends RequestName>(name: K, args: RequestArgs<K>) => Promise<ContractResults[K]>;

/** Calls through the shared dispatcher (the contract's schema, then the handler); failures throw. */
export async function contractClient(handlers: Handlers): Promise<Call> {
  const { dispatch } = await import('../../shared/dispatch.js');
  return async <K extends RequestName>(name: K, args: RequestArgs<K>): Promise<ContractResults[K]> => {
    // The CLI runs as the data folder's owner: every request, local-path ones included.
    const out = await dispatch(handlers, name, args, { role: 'admin', transport: 'local' });
    if (!out.ok) throw new VminerError(out.error.code, out.error.message);
    return out.value as ContractResults[K];
  };
}

/**
 * Runs `fn` with the engine open and closes it afterwards, however `fn` ends. Every write goes
 * through `call`, the contract's handlers, as over IPC and REST: validated the same way, and
 * followed by the same after-write step.
 */
export async function withEngine<T>(
  opts: CommonOptions,
  owner: string,
  fn: (engine: Engine, call: Call) => Promise<T> | T,
  extra: { check?: 'quick' } = {},
): Promise<T> {
  const engine = await openEngine(opts, owner, extra);
  try {
    const { createHandlers } = await import('../engine/api.js');
    return await fn(engine, await contractClient(createHandlers(engine)));
  } finally {
    engine.close();
  }
}

/** Runs `fn` on a read-only connection to the cache: readers work beside a running engine. */
export async function withDatabase<T>(
  opts: CommonOptions,
  fn: (db: OpenedDatabase, dataDir: string) => Promise<T> | T,
): Promise<T> {
  const dataDir = dataDirOf(opts);
  const db = openDatabase(dataDir, { readonly: true });
  try {
    return await fn(db, dataDir);
  } finally {
    db.close();
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Passwords come from stdin or an interactive prompt, never from the command line. */
export async function readPassword(opts: { passwordStdin?: boolean }, prompt: string): Promise<string> {
  if (opts.passwordStdin) {
    const text = (await readStdin()).replace(/\r?\n$/, '');
    if (!text) throw new VminerError('INVALID_INPUT', 'no password on standard input');
    return text;
  }
  if (process.stdin.isTTY) {
    const { default: password } = await import('@inquirer/password');
    const pw = await password({ message: prompt, mask: true });
    if (!pw) throw new VminerError('INVALID_INPUT', 'an empty password is not accepted');
    return pw;
  }
  throw new VminerError(
    'INVALID_INPUT',
    'no password given: pipe it in with --password-stdin (passwords never go on the command line)',
  );
}

export function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new VminerError('INVALID_INPUT', `cannot read the CA file ${file}: ${(err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new VminerError('INVALID_INPUT', `${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return pem;
}
