// The built `vminer` runs its heavy commands with the engine's V8 flags (node-flags.ts) however it
// is started — from its shebang, or as `node cli.js …`, restarting itself in place — and its light
// commands without a second start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltCli, processFlags } from '../testing/built-cli.js';
import { ENGINE_NODE_FLAGS, REEXEC_MARKER } from './node-flags.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-node-flags-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the built CLI and the engine node flags', { timeout: 120_000 }, () => {
  it('carries them in its shebang', () => {
    const first = fs.readFileSync(ensureBuiltCli(), 'utf8').split('\n')[0];
    expect(first).toBe(`#!/usr/bin/env -S node ${ENGINE_NODE_FLAGS.join(' ')}`);
  });

  it.runIf(typeof process.execve === 'function')(
    'restarts a heavy command in place with them (same process id, once)',
    () => {
      // `export` stops at its missing --out: after the restart, which comes first.
      const run = processFlags(['export', '--data-dir', dir, '--json']);
      expect(run.code).toBe(64);
      expect(run.stdout).toContain('--out');
      expect(run.execArgv).toEqual(expect.arrayContaining([...ENGINE_NODE_FLAGS]));
      expect(run.marker).toBe('1');
      expect(run.pid).toBe(run.spawnedPid);
    },
  );

  it('does not restart when node already has them', () => {
    const run = processFlags(['export', '--data-dir', dir, '--json'], { nodeArgs: [...ENGINE_NODE_FLAGS] });
    expect(run.code).toBe(64);
    expect(run.marker).toBeNull();
    expect(run.execArgv.filter((a) => ENGINE_NODE_FLAGS.includes(a))).toEqual([...ENGINE_NODE_FLAGS]);
  });

  it('runs light commands as started, without a second start', () => {
    for (const args of [['--version'], ['--help'], ['ask', 'how', 'many', 'vms', '--data-dir', dir]]) {
      const run = processFlags(args);
      expect(run.marker, args.join(' ')).toBeNull();
      expect(
        run.execArgv.some((a) => ENGINE_NODE_FLAGS.includes(a)),
        args.join(' '),
      ).toBe(false);
    }
  });

  it('does not loop when the restart is marked done already', () => {
    const run = processFlags(['export', '--data-dir', dir, '--json'], { env: { [REEXEC_MARKER]: '1' } });
    expect(run.code).toBe(64);
    expect(run.execArgv.some((a) => ENGINE_NODE_FLAGS.includes(a))).toBe(false);
  });
});
