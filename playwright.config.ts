import { defineConfig } from '@playwright/test';

/**
 * Browser end-to-end tests: Debian's Chromium against `vminer serve` (built by `npm run build`)
 * with vCenter simulators behind it. No browser download: CHROMIUM_PATH or /usr/bin/chromium.
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: 'ui/**/*.spec.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  outputDir: '.tmp/playwright',
  use: {
    viewport: { width: 1400, height: 850 },
    acceptDownloads: true,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
