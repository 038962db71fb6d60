import { expect, test, type Page } from '@playwright/test';
import { openDatabase } from '../../src/main/engine/db/database.js';
import { populateCache } from '../../src/testing/generate-inventory.js';
import { startServe, testEnv, type Served } from './server.js';

// The grid's promise on a big estate: 100k VMs, sorted by memory, jump to row 90,000 — its rows
// show in under 300 ms with fewer than 200 rows in the DOM.
const ADMIN_PW = 'Big-Grid#2026';
let served: Served;
let page: Page;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  const { dataDir, env } = testEnv();
  const db = openDatabase(dataDir);
  populateCache(db, {
    vcenters: 40,
    vmsTotal: 100_000,
    hostsTotal: 3000,
    datastoresTotal: 800,
    seed: 9,
    failedVcenters: 1,
  });
  db.close();
  served = await startServe(dataDir, env, ADMIN_PW);
  page = await browser.newPage();
});

test.afterAll(async () => {
  await page?.close();
  await served?.stop();
});

/** Submits "Go to row" and measures, in the page, until the row is rendered with its data. */
async function jump(row: number): Promise<number> {
  return page.evaluate(async (index) => {
    const input = document.querySelector<HTMLInputElement>('input[aria-label="Go to row"]')!;
    input.value = String(index + 1);
    const t0 = performance.now();
    input.form!.requestSubmit();
    await new Promise<void>((resolve, reject) => {
      const deadline = t0 + 10_000;
      const check = (): void => {
        if (document.querySelector(`[data-row-index="${index}"]:not([data-loading]) [role="gridcell"]`))
          resolve();
        else if (performance.now() > deadline) reject(new Error(`row ${index + 1} never showed`));
        else requestAnimationFrame(check);
      };
      check();
    });
    return performance.now() - t0;
  }, row - 1);
}

test('jumping to row 90,000 of 100k VMs sorted by memory shows its rows fast, with a small DOM', async () => {
  await page.goto(`${served.url}/#/vms`);
  await page.getByLabel('Password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('grid-total')).toHaveText('100,000 VMs');
  const memory = page.locator('[role="columnheader"][data-field="memoryMb"]');
  await memory.click();
  await expect(memory).toHaveAttribute('aria-sort', 'ascending');
  await expect(page.locator('[data-row-index="0"]:not([data-loading])')).toBeVisible();

  const times: number[] = [];
  for (const row of [90_000, 45_000, 90_500, 10_000, 99_990]) times.push(await jump(row));
  const rows = await page.locator('[role="row"][data-row-index]').count();
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(
    `grid jump on 100k VMs sorted by memory: ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')} ` +
      `(median ${median.toFixed(0)} ms); ${rows} rows in the DOM`,
  );
  expect(rows).toBeLessThan(200);
  // The figure the issue names: row 90,000 shows in under 300 ms (median of five jumps).
  expect(median).toBeLessThan(300);

  // The rows shown are the engine's rows at that position.
  await jump(90_000);
  const engineRow = await page.evaluate(async () => {
    const t = (JSON.parse(sessionStorage.getItem('vminer.token')!) as { token: string }).token;
    const r = await fetch('/api/rpc/inventory.list', {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        entity: 'vms',
        limit: 1,
        offset: 89_999,
        sort: [{ field: 'memoryMb', dir: 'asc' }],
      }),
    });
    return ((await r.json()) as { result: { items: { name: string }[] } }).result.items[0]!.name;
  });
  await expect(page.locator('[data-row-index="89999"] [role="gridcell"]').nth(1)).toHaveText(engineRow);
});
