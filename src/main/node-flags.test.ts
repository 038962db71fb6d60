import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ENGINE_NODE_FLAGS,
  REEXEC_MARKER,
  SEMI_SPACE_FLAG,
  engineHostForkOptions,
  hasEngineFlags,
  isHeavyCommand,
  reexecPlan,
} from './node-flags.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

describe('engine node flags', () => {
  it('caps the young generation at 16 MB semi-spaces', () => {
    expect(ENGINE_NODE_FLAGS).toEqual(['--max-semi-space-size=16']);
    expect(SEMI_SPACE_FLAG).toBe('--max-semi-space-size=16');
  });

  it('are the ones the `vminer` shebang passes to node', () => {
    const first = fs.readFileSync(path.join(HERE, 'cli.ts'), 'utf8').split('\n')[0];
    expect(first).toBe(`#!/usr/bin/env -S node ${ENGINE_NODE_FLAGS.join(' ')}`);
  });

  it('are what the desktop app forks its engine host with', () => {
    expect(engineHostForkOptions()).toEqual({
      serviceName: 'vMiner engine',
      stdio: 'inherit',
      execArgv: [...ENGINE_NODE_FLAGS],
    });
    // A copy each time: Electron may keep the array.
    expect(engineHostForkOptions().execArgv).not.toBe(engineHostForkOptions().execArgv);
    const app = fs.readFileSync(path.join(HERE, 'shell', 'desktop-app.ts'), 'utf8');
    expect(app).toMatch(/utilityProcess\.fork\(hostPath, \[\], engineHostForkOptions\(\)\)/);
  });

  it('tells heavy commands from light ones', () => {
    for (const cmd of ['serve', 'sync', 'export', 'live']) expect(isHeavyCommand([cmd, '--json'])).toBe(true);
    for (const args of [[], ['--version'], ['help'], ['ask', 'sync', 'export'], ['list', 'vms'], ['--help']])
      expect(isHeavyCommand(args)).toBe(false);
  });

  it('recognises the flag in either spelling and with another value', () => {
    expect(hasEngineFlags(['--max-semi-space-size=16'])).toBe(true);
    expect(hasEngineFlags(['--import', 'tsx', '--max_semi_space_size=32'])).toBe(true);
    expect(hasEngineFlags(['--max-old-space-size=4096'])).toBe(false);
    expect(hasEngineFlags([])).toBe(false);
  });
});

describe('reexecPlan', () => {
  const env = { PATH: '/bin', HOME: '/home/u', UNSET: undefined };

  it('restarts a heavy command once, with the flags before the script and everything kept', () => {
    const plan = reexecPlan({
      argv: ['/usr/bin/node', '/app/out/main/cli.js', 'sync', 'vc1', '--json'],
      execArgv: ['--import', 'tsx'],
      env,
    });
    expect(plan).toEqual({
      args: [
        '/usr/bin/node',
        '--import',
        'tsx',
        ...ENGINE_NODE_FLAGS,
        '/app/out/main/cli.js',
        'sync',
        'vc1',
        '--json',
      ],
      env: { PATH: '/bin', HOME: '/home/u', [REEXEC_MARKER]: '1' },
    });
  });

  it('does nothing for light commands, when the flags are there, or after one restart', () => {
    const argv = (...rest: string[]) => ['/usr/bin/node', '/app/cli.js', ...rest];
    expect(reexecPlan({ argv: argv('--version'), execArgv: [], env })).toBeNull();
    expect(reexecPlan({ argv: argv('ask', 'how', 'many', 'vms'), execArgv: [], env })).toBeNull();
    expect(reexecPlan({ argv: argv('list', 'vms'), execArgv: [], env })).toBeNull();
    expect(reexecPlan({ argv: argv('serve'), execArgv: [SEMI_SPACE_FLAG], env })).toBeNull();
    expect(
      reexecPlan({ argv: argv('serve'), execArgv: [], env: { ...env, [REEXEC_MARKER]: '1' } }),
    ).toBeNull();
    expect(reexecPlan({ argv: ['/usr/bin/node'], execArgv: [], env })).toBeNull();
  });
});
