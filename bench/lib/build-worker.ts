/**
 * Bundles bench/sync-worker.ts (and the engine code it imports) into one plain ESM file that
 * `node` runs without a TypeScript loader: the worker's memory and CPU figures are then the
 * engine's, not tsx's (whose loader runs in an extra V8 isolate inside the same process).
 *
 * The bundle goes to node_modules/.cache/vminer-bench/: packages stay external and resolve from
 * there, the drizzle/ migrations folder is found by walking up, and linters never see it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

export interface BuiltWorker {
  file: string;
  /** Bundle line (1-based) -> source module, from esbuild's `// src/…` markers. */
  moduleAt(line: number): string | undefined;
}

export async function buildWorker(root: string): Promise<BuiltWorker> {
  const outDir = path.join(root, 'node_modules', '.cache', 'vminer-bench');
  const file = path.join(outDir, 'sync-worker.mjs');
  await build({
    entryPoints: [path.join(root, 'bench', 'sync-worker.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    legalComments: 'none',
  });
  const markers: { line: number; module: string }[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const m = /^\/\/ ((?:src|bench)\/\S+\.ts)$/.exec(text);
      if (m) markers.push({ line: i + 1, module: m[1]! });
    });
  return {
    file,
    moduleAt(line) {
      let found: string | undefined;
      for (const m of markers) {
        if (m.line > line) break;
        found = m.module;
      }
      return found;
    },
  };
}
