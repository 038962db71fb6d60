import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'out/main/cli.js');

export interface Served {
  url: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** A fresh data folder with a vault key of its own (no keychain needed), for one test file. */
export function testEnv(): { dataDir: string; env: NodeJS.ProcessEnv } {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-ui-'));
  const env = {
    ...process.env,
    VMINER_SECRET_KEY: randomBytes(32).toString('hex'),
    VMINER_DATA_DIR: '',
  };
  return { dataDir, env };
}

/** Starts the built `vminer serve` on a free loopback port and waits for its UI address. */
export async function startServe(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  adminPassword: string,
): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--port', '0'], {
    env: { ...env, VMINER_ADMIN_PASSWORD: adminPassword },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vminer serve did not start:\n${out}`)), 60_000);
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = /UI: (http:\/\/\S+?)\/?\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vminer serve exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    dataDir,
    env,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

export const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');

/** A contract request through `POST /api/rpc/{name}` with a bearer token; its `result`. */
export async function rpc<T>(url: string, token: string, name: string, args: unknown): Promise<T> {
  const r = await fetch(`${url}/api/rpc/${name}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  if (!r.ok) throw new Error(`${name}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { result: T }).result;
}
