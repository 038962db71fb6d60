import { chmodSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const { version } = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as {
  version: string;
};

export default defineConfig({
  main: {
    plugins: [
      {
        // The CLI is the package's bin: a rebuild writes it anew, so it is made executable again
        // (npm set the mode once, at install; `npx vminer` then answered "Permission denied").
        name: 'vminer-cli-executable',
        writeBundle(options): void {
          if (options.dir) chmodSync(join(options.dir, 'cli.js'), 0o755);
        },
      },
    ],
    // The version, written into the build (src/main/engine/version.ts reads package.json otherwise).
    define: { __VMINER_VERSION__: JSON.stringify(version) },
    build: {
      // drizzle-orm is bundled: loaded from node_modules it costs 0.5 s and 130 MB at every start
      // (Node parses its 180 kB package.json, exports map and all, for each of its 200 modules).
      externalizeDeps: { exclude: ['drizzle-orm'] },
      // index.ts is the Electron main process; engine-host.ts the engine's utility process; the CLI
      // runs under plain Node; page-worker.ts is a worker thread of the REST listener.
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          'engine-host': resolve(__dirname, 'src/main/engine-host.ts'),
          cli: resolve(__dirname, 'src/main/cli.ts'),
          // Worker threads that build REST list pages (found beside the entry by page-pool.ts).
          'page-worker': resolve(__dirname, 'src/main/engine/rest/page-worker.ts'),
          // The desktop engine's start-up check of the cache (db/background-check.ts).
          'check-worker': resolve(__dirname, 'src/main/engine/db/check-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot be an ES module: CommonJS, whatever package.json's "type" says.
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
