import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { ADMIN_PW, logIn, pageFor, startEstate, type Estate } from './estate.js';
import { SCREENSHOTS } from './server.js';

/*
 * Issue 19, accessibility: axe-core over every page, the row drawer and every dialog, in the light
 * and the dark theme, with no critical or serious violation; and keyboard-only walks (sort, filter,
 * open the drawer, close a dialog).
 */

let estate: Estate;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  estate = await startEstate();
});

test.afterAll(async () => {
  await estate?.stop();
});

/** Critical and serious violations on the page as it is now, named for the failure message. */
async function axe(page: Page, where: string): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map(
      (v) =>
        `${where}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(' | ')}`,
    );
  expect(bad, bad.join('\n')).toEqual([]);
}

const nav = (page: Page, name: string): Locator =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: new RegExp(`^${name}`) });

const PAGES = [
  'Chat',
  'VMs',
  'Hosts',
  'Datastores',
  'Clusters',
  'Networks',
  'Snapshots',
  'vCenters',
  'Settings',
];

for (const scheme of ['light', 'dark'] as const) {
  test(`axe: every page, the drawer and every dialog, ${scheme} theme`, async ({ browser }) => {
    test.setTimeout(180_000);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(estate.served.url);
    await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
    await axe(page, 'login');
    await logIn(page, estate.served.url, 'admin', ADMIN_PW);
    for (const name of PAGES) {
      await nav(page, name).click();
      await expect(page.locator('main')).not.toContainText('Loading…');
      if (name === 'Chat') {
        await page.getByLabel('Question').fill('powered off vms');
        await page.getByLabel('Question').press('Enter');
        await expect(page.getByTestId('exchange').last().locator('.answer')).toBeVisible();
      }
      if (['VMs', 'Hosts', 'Datastores', 'Snapshots'].includes(name))
        await expect(page.locator('[data-row-index="0"]:not([data-loading])')).toBeVisible();
      await axe(page, `${name} page`);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
    }
    // The row drawer.
    await nav(page, 'Hosts').click();
    await page.locator('[data-row-index="0"]:not([data-loading]) [data-open-row]').click();
    await expect(page.getByRole('dialog', { name: 'Row details' })).toBeVisible();
    await axe(page, 'row drawer');
    await page.keyboard.press('Escape');
    // The column chooser.
    await page.getByRole('button', { name: 'Columns' }).click();
    await expect(page.getByRole('dialog', { name: 'Choose columns' })).toBeVisible();
    await axe(page, 'column chooser');
    await page.keyboard.press('Escape');
    // The dialogs of the vCenters page.
    await nav(page, 'vCenters').click();
    const dialogs: [button: Locator, name: string | RegExp][] = [
      [page.getByRole('button', { name: 'Add vCenter' }), 'Add a vCenter'],
      [page.locator('tr[data-vcenter="vc-fra"]').getByRole('button', { name: 'Edit' }), 'Edit vc-fra'],
      [page.getByRole('button', { name: 'Import list…' }), 'Import vCenters'],
      [page.getByRole('button', { name: 'Review certificates' }), 'Review certificates'],
      [page.getByRole('button', { name: 'Add SQL source' }), 'Add a SQL source'],
    ];
    for (const [button, name] of dialogs) {
      await button.click();
      const dialog = page.getByRole('dialog', { name });
      await expect(dialog).toBeVisible();
      if (name === 'Review certificates')
        await expect(dialog).not.toContainText('Connecting to each vCenter');
      await axe(page, `dialog ${String(name)}`);
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
    }
    if (scheme === 'dark') await page.screenshot({ path: path.join(SCREENSHOTS, 'vcenters-dark.png') });
    await context.close();
  });
}

test('keyboard only: sort by a column, filter it, open a row, close the drawer and a dialog', async ({
  browser,
}) => {
  const page = await pageFor(browser, estate);
  await nav(page, 'VMs').click();
  await expect(page.locator('[data-row-index="0"]:not([data-loading])')).toBeVisible();
  // Tab from the quick search to the grid's column headers; Enter sorts.
  await page.getByLabel('Quick search').focus();
  const memory = page.locator('[role="columnheader"][data-field="memoryMb"]');
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await memory.evaluate((h) => h.contains(document.activeElement))) break;
  }
  expect(await memory.evaluate((h) => h.contains(document.activeElement))).toBe(true);
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
  expect(ring).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(memory).toHaveAttribute('aria-sort', 'ascending');
  await page.keyboard.press('Enter');
  await expect(memory).toHaveAttribute('aria-sort', 'descending');
  // Shift+Tab back through the headers, Tab on to the filter boxes: type a filter.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Filter vCPUs'))
      break;
  }
  await expect(page.getByLabel('Filter vCPUs')).toBeFocused();
  await page.keyboard.type('>=4');
  const expected = await estate.rpc<{ total: number }>('inventory.list', {
    entity: 'vms',
    limit: 1,
    filter: { kind: 'cmp', field: 'numCpu', op: 'gte', value: 4 },
  });
  await expect(page.getByTestId('grid-total')).toHaveText(`${expected.total.toLocaleString('en-US')} VMs`);
  // Into the rows: the grid itself takes focus, arrows move, Enter opens the details.
  const grid = page.getByTestId('grid-scroll');
  await grid.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('[data-row-index="1"]')).toHaveClass(/cursor/);
  await page.keyboard.press('Enter');
  const drawer = page.getByRole('dialog', { name: 'Row details' });
  await expect(drawer).toBeVisible();
  expect(await drawer.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await expect(grid).toBeFocused();
  // A dialog opened from the keyboard closes with Esc, and focus returns to its button.
  await nav(page, 'vCenters').focus();
  await page.keyboard.press('Enter');
  const add = page.getByRole('button', { name: 'Add vCenter' });
  await add.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add a vCenter' });
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(add).toBeFocused();
  await page.close();
});
