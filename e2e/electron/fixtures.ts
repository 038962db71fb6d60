import { _electron, test as base, type ElectronApplication, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VminerBridge } from '../../src/shared/ipc.js';
import { electronBinary } from './electron-binary.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = electronBinary();

export interface Launched {
  app: ElectronApplication;
  page: Page;
}

/** Each test gets its own data folder (which also holds the shell's store and instance lock). */
export const test = base.extend<{ dataDir: string; launch: () => Promise<Launched>; needsElectron: void }>({
  // Where no Electron binary exists (this project's CI containers), every spec reports itself skipped.
  needsElectron: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use, testInfo) => {
      testInfo.skip(!bin.ok, bin.ok ? '' : bin.reason);
      await use();
    },
    { auto: true },
  ],
  // eslint-disable-next-line no-empty-pattern
  dataDir: async ({}, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-electron-'));
    await use(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  },
  launch: async ({ dataDir }, use) => {
    const apps: ElectronApplication[] = [];
    await use(async () => {
      if (!bin.ok) throw new Error(bin.reason);
      const app = await _electron.launch({
        executablePath: bin.path,
        args: [ROOT, ...(process.env['CI'] && process.platform === 'linux' ? ['--no-sandbox'] : [])],
        cwd: ROOT,
        env: { ...process.env, VMINER_DATA_DIR: dataDir, NODE_ENV: 'production' } as Record<string, string>,
      });
      apps.push(app);
      const page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      return { app, page };
    });
    for (const app of apps) await app.close().catch(() => {});
  },
});

export { expect } from '@playwright/test';

/** `window.vminer` inside `page.evaluate`. */
export type WindowWithBridge = Window & { vminer: VminerBridge };
