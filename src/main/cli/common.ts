import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { VminerError } from '../../shared/errors.js';
import { defaultDataDir } from '../engine/data-dir.js';
import { Engine } from '../engine/engine.js';
import { KEY_FILE_NAME } from '../engine/secrets/index.js';

export interface CommonOptions {
  dataDir?: string;
  json?: boolean;
}

/** `--data-dir` goes on every command, `--json` on those that print data. */
export function withDataDir(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--data-dir <dir>',
      'vMiner data folder (default: $VMINER_DATA_DIR or the per-user app data folder)',
    ),
  );
}

export function withJson(cmd: Command): Command {
  return cmd.option('--json', 'print machine-readable JSON');
}

export function dataDirOf(opts: CommonOptions): string {
  return opts.dataDir ?? defaultDataDir();
}

export function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

export async function openEngine(
  opts: CommonOptions,
  owner: string,
  extra: { check?: 'quick' } = {},
): Promise<Engine> {
  const dataDir = dataDirOf(opts);
  // The key-file warning is said in full when the key file is created, then as a one-line reminder.
  const hadKeyFile = fs.existsSync(path.join(dataDir, KEY_FILE_NAME));
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
