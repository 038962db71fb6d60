/**
 * The built `vminer` (out/main/cli.js) as tests run it: a whole process, with what it printed and
 * its exit code, and — through a module resolution hook — which modules it loaded.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'out', 'main', 'cli.js');

/** Builds the app when out/ has no CLI yet (`npm run test:all` builds first). */
export function ensureBuiltCli(): string {
  if (!fs.existsSync(CLI)) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
  return CLI;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  input?: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
  timeoutMs?: number;
}

export function runBuiltCli(args: string[], opts: CliRunOptions = {}): CliRun {
  const r = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), ensureBuiltCli(), ...args], {
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, VMINER_DATA_DIR: '', ...opts.env },
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// Records every module a process resolves (ESM imports and CommonJS requires alike) and writes the
// list to the file named by VMINER_TEST_MODULES when the process exits.
const HOOK = `
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const seen = new Set();
registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.add(r.url); return r; } });
process.on('exit', () => writeFileSync(process.env.VMINER_TEST_MODULES, JSON.stringify([...seen])));
`;

export interface LoadedModules extends CliRun {
  /** Every resolved module URL. */
  urls: string[];
  /** The npm packages among them (from node_modules), by name. */
  packages: string[];
  /** The app's own built files among them (out/main/…). */
  ownFiles: string[];
}

/** Runs the built CLI and says which modules it loaded. */
export function loadedModules(args: string[], opts: CliRunOptions = {}): LoadedModules {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-modules-'));
  try {
    const hook = path.join(dir, 'hook.mjs');
    const list = path.join(dir, 'modules.json');
    fs.writeFileSync(hook, HOOK);
    const run = runBuiltCli(args, {
      ...opts,
      nodeArgs: ['--import', hook, ...(opts.nodeArgs ?? [])],
      env: { ...opts.env, VMINER_TEST_MODULES: list },
    });
    const urls = JSON.parse(fs.readFileSync(list, 'utf8')) as string[];
    const packages = new Set<string>();
    for (const u of urls) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
      if (m) packages.add(m[1]!);
    }
    return {
      ...run,
      urls,
      packages: [...packages].sort(),
      ownFiles: urls.filter((u) => u.includes('/out/main/')),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Records, at exit, the process's id, its node flags and the re-exec marker (node-flags.ts).
const FLAGS_HOOK = `
import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(process.env.VMINER_TEST_FLAGS, JSON.stringify({
  pid: process.pid, execArgv: process.execArgv, marker: process.env.VMINER_NODE_FLAGS_APPLIED ?? null,
})));
`;

export interface ProcessFlags extends CliRun {
  /** The id of the process spawned, and of the one that exited (the same after an in-place restart). */
  spawnedPid: number;
  pid: number;
  execArgv: string[];
  marker: string | null;
}

/** Runs the built CLI and says which node flags the process that ran the command had. */
export function processFlags(args: string[], opts: CliRunOptions = {}): ProcessFlags {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-flags-'));
  try {
    const hook = path.join(dir, 'hook.mjs');
    const out = path.join(dir, 'flags.json');
    fs.writeFileSync(hook, FLAGS_HOOK);
    const r = spawnSync(
      process.execPath,
      ['--import', hook, ...(opts.nodeArgs ?? []), ensureBuiltCli(), ...args],
      {
        input: opts.input ?? '',
        encoding: 'utf8',
        env: { ...process.env, VMINER_DATA_DIR: '', ...opts.env, VMINER_TEST_FLAGS: out },
        timeout: opts.timeoutMs ?? 60_000,
      },
    );
    const seen = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      pid: number;
      execArgv: string[];
      marker: string | null;
    };
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, spawnedPid: r.pid ?? -1, ...seen };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
