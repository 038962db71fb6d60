// `vminer serve` as run from a service manager: its address and port from VMINER_HOST/VMINER_PORT,
// its log through pino into the data folder — an access line per request, no token, no body, no
// password — at the level --log-level (or VMINER_LOG_LEVEL) asks for.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../engine/db/database.js';
import { ensureBuiltCli } from '../../testing/built-cli.js';
import { populateCache } from '../../testing/generate-inventory.js';
import { freePort } from '../../testing/net.js';

const ADMIN_PASSWORD = 'Adm1n"pass\\word';
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-serve-log-'));
  const db = openDatabase(dir);
  populateCache(db, { vcenters: 1, vmsTotal: 20, hostsTotal: 2, datastoresTotal: 1, seed: 2 });
  db.close();
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs serve until `body` is done, then stops it as a service manager would (SIGTERM). */
async function serving(
  args: string[],
  env: Record<string, string>,
  body: (url: string) => Promise<void>,
): Promise<void> {
  const child = spawn(process.execPath, [ensureBuiltCli(), 'serve', '--data-dir', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      VMINER_DATA_DIR: '',
      VMINER_ADMIN_PASSWORD: ADMIN_PASSWORD,
      VMINER_SECRET_KEY: 'cd'.repeat(32),
      VMINER_PAGE_WORKERS: '0',
      ...env,
    },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /REST API: (http:\/\/\S+)\/api /.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    await body(url);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function login(url: string): Promise<string> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { access_token: string }).access_token;
}

const logLines = (): Record<string, unknown>[] =>
  fs
    .readFileSync(path.join(dir, 'logs', 'vminer.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('vminer serve: environment, pino access log', { timeout: 120_000 }, () => {
  it('binds VMINER_HOST:VMINER_PORT and logs one line per request without tokens, bodies or passwords', async () => {
    const port = await freePort();
    let token = '';
    await serving([], { VMINER_HOST: '127.0.0.1', VMINER_PORT: String(port) }, async (url) => {
      expect(url).toBe(`http://127.0.0.1:${port}`);
      token = await login(url);
      const auth = { authorization: `Bearer ${token}` };
      expect((await fetch(`${url}/api/vms?limit=2`, { headers: auth })).status).toBe(200);
      // A token in a URL (the API takes none there) is refused, and not written down either.
      expect((await fetch(`${url}/api/vms?token=leaked-in-url`, { headers: auth })).status).toBe(400);
      expect(
        (
          await fetch(`${url}/api/rpc/settings.get`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: '{}',
          })
        ).status,
      ).toBe(200);
      expect((await fetch(`${url}/api/vms`)).status).toBe(401);
    });
    const text = fs.readFileSync(path.join(dir, 'logs', 'vminer.log'), 'utf8');
    for (const secret of [token, token.split('.')[2]!, 'leaked-in-url', 'Adm1n', 'pass\\\\word'])
      expect(text, secret.slice(0, 12)).not.toContain(secret);
    const access = logLines().filter((l) => l['module'] === 'http');
    expect(access.map((l) => [l['method'], l['url'], l['status']])).toEqual([
      ['POST', '/api/auth/login', 200],
      ['GET', '/api/vms?limit=2', 200],
      ['GET', '/api/vms?token=***', 400],
      ['POST', '/api/rpc/settings.get', 200],
      ['GET', '/api/vms', 401],
    ]);
    expect(access[1]).toMatchObject({ level: 'info', msg: 'request', user: 'admin', ip: '127.0.0.1' });
    expect(access.at(-1)).not.toHaveProperty('user');
    expect(typeof access[1]!['ms']).toBe('number');
    for (const l of access) expect(Object.keys(l)).not.toEqual(expect.arrayContaining(['headers', 'body']));
    expect(logLines().some((l) => l['module'] === 'serve' && l['msg'] === 'listening')).toBe(true);
  });

  it('VMINER_LOG_LEVEL=warn keeps the access log out; --log-level wins over it', async () => {
    const before = logLines().length;
    await serving(['--port', '0'], { VMINER_LOG_LEVEL: 'warn' }, async (url) => {
      await login(url);
    });
    const warnOnly = logLines().slice(before);
    expect(warnOnly.filter((l) => l['module'] === 'http')).toEqual([]);
    expect(warnOnly.every((l) => l['level'] === 'warn' || l['level'] === 'error')).toBe(true);
    await serving(['--port', '0', '--log-level', 'info'], { VMINER_LOG_LEVEL: 'warn' }, async (url) => {
      await login(url);
    });
    expect(
      logLines()
        .slice(before + warnOnly.length)
        .filter((l) => l['module'] === 'http')
        .map((l) => l['url']),
    ).toEqual(['/api/auth/login']);
  });
});
