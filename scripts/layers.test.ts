import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The layer rules of eslint.config.js, tried on deliberately wrong imports in each layer: a
 * rule that stopped matching (a moved folder, a typo in a glob) fails here, not in review.
 */
const eslint = new ESLint();

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: [string, string, string, RegExp][] = [
  [
    'shared → main',
    'src/shared/x.ts',
    "import { Engine } from '../main/engine/engine.js';",
    /imports nothing from main/,
  ],
  [
    'shared → renderer',
    'src/shared/x.ts',
    "import { App } from '../renderer/src/App.js';",
    /imports nothing from main/,
  ],
  ['shared → node', 'src/shared/x.ts', "import fs from 'node:fs';", /no Node modules/],
  ['shared → electron', 'src/shared/x.ts', "import { app } from 'electron';", /Only the desktop shell/],
  [
    'renderer → engine',
    'src/renderer/src/x.ts',
    "import { Engine } from '../../main/engine/engine.js';",
    /only through the API object/,
  ],
  ['renderer → node', 'src/renderer/src/x.tsx', "import path from 'node:path';", /no Node modules/],
  ['engine → cli', 'src/main/engine/x.ts', "import { program } from '../cli/program.js';", /bottom layer/],
  [
    'engine → rpc',
    'src/main/engine/sync/x.ts',
    "import { serveContract } from '../../rpc/rpc-server.js';",
    /bottom layer/,
  ],
  [
    'engine → shell',
    'src/main/engine/x.ts',
    "import { createTray } from '../shell/tray.js';",
    /bottom layer/,
  ],
  ['engine → electron', 'src/main/engine/x.ts', "import { app } from 'electron';", /plain Node/],
  [
    'engine → testing',
    'src/main/engine/x.ts',
    "import { freePort } from '../../testing/net.js';",
    /for tests only/,
  ],
  [
    'cli → testing',
    'src/main/cli/x.ts',
    "import { openTestEngine } from '../../testing/engine.js';",
    /for tests only/,
  ],
  [
    'cli → shell',
    'src/main/cli/x.ts',
    "import { createTray } from '../shell/tray.js';",
    /Only the desktop app/,
  ],
  [
    'shell → testing',
    'src/main/shell/x.ts',
    "import { freePort } from '../../testing/net.js';",
    /for tests only/,
  ],
];

describe('layer rules (eslint.config.js)', () => {
  it.each(cases)('%s is refused', async (_what, file, code, message) => {
    const found = await restricted(file, code);
    expect(found.length, `${file}: ${code}`).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(message);
  });

  it('the allowed directions pass', async () => {
    expect(
      await restricted('src/renderer/src/x.ts', "import { CONTRACT } from '../../shared/contract.js';"),
    ).toEqual([]);
    expect(await restricted('src/main/cli/x.ts', "import { Engine } from '../engine/engine.js';")).toEqual(
      [],
    );
    expect(await restricted('src/main/shell/x.ts', "import { app } from 'electron';")).toEqual([]);
    expect(
      await restricted('src/main/engine/x.test.ts', "import { freePort } from '../../testing/net.js';"),
    ).toEqual([]);
  });
});
