import { defineConfig } from '@playwright/test';

/**
 * Playwright `_electron` specs for the desktop shell. They need an Electron binary (`npm ci`
 * without ELECTRON_SKIP_BINARY_DOWNLOAD); where there is none they report themselves skipped, with
 * the reason, and the run still passes. `npm run test:electron` (part of `npm run test:all`).
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 90_000,
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  globalSetup: './global-setup.ts',
  outputDir: '../../.tmp/electron-e2e',
});
