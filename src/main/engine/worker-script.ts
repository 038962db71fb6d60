import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** How to start a worker thread: the built script, or (from the sources) a tsx bootstrap. */
export interface WorkerScript {
  file: string | URL;
  eval: boolean;
}

/**
 * Where a worker entry is. `here` is the caller's `import.meta.url` and `source` the entry's
 * sources beside it (`./page-worker.ts`); built, the entry is `out/main/<name>.js`, beside the
 * program's entry or one folder up from a chunk (electron.vite.config.ts lists the entries).
 */
export function workerScript(here: string, source: string, name: string): WorkerScript | undefined {
  if (here.endsWith('.ts')) {
    // Running from the sources (tests, `--tsx`): a worker thread does not inherit tsx's hooks, so
    // a small bootstrap registers them before importing the TypeScript entry.
    const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href;
    const entry = new URL(source, here).href;
    const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
    return { file: code, eval: true };
  }
  for (const rel of [`./${name}.js`, `../${name}.js`]) {
    const file = fileURLToPath(new URL(rel, here));
    if (fs.existsSync(file)) return { file, eval: false };
  }
  return undefined;
}
