import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import { expect, test, type Page } from '@playwright/test';
import { VsphereOps } from '../../src/testing/vsphere-ops.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../src/testing/vcsim.js';
import { and, quickSearchFilter } from '../../src/renderer/src/lib/filters.js';
import { CLI, SCREENSHOTS, startServe, testEnv, type Served, rpc as callRpc } from './server.js';

const ADMIN_PW = 'Ui-Admin#2026';
const VC_USER = 'svc-readonly@vsphere.local';
const VC_PW = 'Read<Only>&"pw';

let big: RunningSimulator;
let small: RunningSimulator;
let served: Served;
let page: Page;
let token = '';

const rpc = <T>(name: string, args: unknown): Promise<T> => callRpc<T>(served.url, token, name, args);

const shot = (name: string): Promise<Buffer> =>
  page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  [big, small] = await Promise.all([
    startSimulator({
      vms: 10_500,
      clusters: 4,
      hostsPerCluster: 6,
      datastores: 6,
      seed: 11,
      namePrefix: 'ams',
      user: VC_USER,
      password: VC_PW,
    }),
    startSimulator({
      vms: 300,
      clusters: 2,
      hostsPerCluster: 3,
      datastores: 3,
      seed: 12,
      namePrefix: 'fra',
      user: VC_USER,
      password: VC_PW,
    }),
  ]);
  const { dataDir, env } = testEnv();
  // One vCenter registered beforehand with the CLI, the other through the UI below.
  const add = spawnSync(
    process.execPath,
    [
      CLI,
      'vcenter',
      'add',
      'vc-fra',
      '--url',
      small.url,
      '--user',
      VC_USER,
      '--password-stdin',
      '--trust-presented-cert',
      '--data-dir',
      dataDir,
    ],
    { input: VC_PW, env, encoding: 'utf8' },
  );
  expect(add.status, add.stderr).toBe(0);
  served = await startServe(dataDir, env, ADMIN_PW);
  page = await browser.newPage();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});

test.afterAll(async () => {
  await page?.close();
  await served?.stop();
  await stopAll();
});

test('log in: a wrong password is refused, the right one opens the app', async () => {
  await page.goto(served.url);
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toContainText('Wrong user name or password');
  await shot('login');
  await page.getByLabel('Password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  token = await page.evaluate(
    () => (JSON.parse(sessionStorage.getItem('vminer.token')!) as { token: string }).token,
  );
  expect(token.length).toBeGreaterThan(20);
});

test('add a vCenter: test the connection, trust its thumbprint, save', async () => {
  await page.getByRole('button', { name: 'vCenters' }).click();
  await expect(page.getByTestId('vcenter-table')).toContainText('vc-fra');
  await page.getByRole('button', { name: 'Add vCenter' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a vCenter' });
  await dialog.getByLabel('Name').fill('vc-ams');
  await dialog.getByLabel('Address').fill(big.url);
  await dialog.getByLabel(/^User/).fill(VC_USER);
  await dialog.getByLabel(/^Password/).fill(VC_PW);
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByTestId('thumbprint')).toContainText(big.thumbprintSha256);
  await expect(dialog.getByRole('button', { name: 'Save' })).toBeDisabled();
  await dialog.getByLabel(/Trust this self-signed certificate/).check();
  await shot('add-vcenter');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('tr[data-vcenter="vc-ams"]')).toBeVisible();
  const list = await rpc<{ name: string; thumbprint: string | null }[]>('vcenters.list', {});
  expect(list.find((v) => v.name === 'vc-ams')?.thumbprint).toBe(big.thumbprintSha256);
});

test('import a list: preview with reasons, all-or-nothing apply, then the certificate review', async () => {
  const csv =
    '\ufeffname;host;port\r\n' +
    `vc-fra-again;${new URL(small.url).hostname};${new URL(small.url).port}\r\n` +
    'vc-lab;127.0.0.1;1\r\n' +
    'vc-lab;127.0.0.1;1\r\n' +
    '\r\n';
  await page.getByRole('button', { name: 'Import list…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import vCenters' });
  await dialog
    .getByLabel('vCenter list file')
    .setInputFiles({ name: 'vcenters.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(dialog.getByTestId('import-counts')).toHaveText('1 to add · 0 to update · 2 skipped');
  await expect(dialog.getByTestId('import-preview')).toContainText('duplicate');
  await dialog.getByRole('button', { name: /^Apply 1 changes$/ }).click();
  // The new vCenter's certificate is reviewed next: it cannot be reached, so nothing can be trusted.
  const review = page.getByRole('dialog', { name: 'Review certificates' });
  await expect(review.getByTestId('cert-review')).toContainText('vc-lab');
  await expect(review.getByLabel('Trust vc-lab')).toBeDisabled();
  await review.getByRole('button', { name: 'Close' }).click();
  await expect(page.locator('tr[data-vcenter="vc-lab"]')).toBeVisible();
  page.once('dialog', (d) => void d.accept());
  await page.locator('tr[data-vcenter="vc-lab"]').getByRole('button', { name: 'Remove' }).click();
  await expect(page.locator('tr[data-vcenter="vc-lab"]')).toBeHidden();
});

test('sync all: progress shows while it runs, then both vCenters are ok', async () => {
  await page.getByRole('button', { name: 'Sync all' }).click();
  await expect(page.getByTestId('syncing')).toBeVisible();
  // Live updates are on by default: after the full load a vCenter is "live" (or "ok" when scheduled).
  await expect(page.locator('tr[data-vcenter="vc-ams"] [data-testid="vc-status"]')).toHaveText(
    /^(ok|live)$/,
    {
      timeout: 90_000,
    },
  );
  await expect(page.locator('tr[data-vcenter="vc-fra"] [data-testid="vc-status"]')).toHaveText(/^(ok|live)$/);
  await expect(page.getByTestId('syncing')).toBeHidden();
  await shot('vcenters');
});

test('the VM grid: 10k+ rows, sorted in SQLite, virtual (few rows in the DOM)', async () => {
  await page.getByRole('button', { name: /^VMs/ }).click();
  const total = await rpc<{ total: number }>('inventory.list', { entity: 'vms', limit: 1 });
  expect(total.total).toBe(big.counts.vms + small.counts.vms);
  await expect(page.getByTestId('grid-total')).toHaveText(`${total.total.toLocaleString('en-US')} VMs`);
  // Sort by memory, largest first (two clicks), and compare with the engine's own order.
  const memory = page.locator('[role="columnheader"][data-field="memoryMb"]');
  await memory.click();
  await memory.click();
  await expect(memory).toHaveAttribute('aria-sort', 'descending');
  const top = await rpc<{ items: { name: string }[] }>('inventory.list', {
    entity: 'vms',
    limit: 3,
    sort: [{ field: 'memoryMb', dir: 'desc' }],
  });
  const firstRow = page.locator('[data-row-index="0"] [role="gridcell"]').nth(1);
  await expect(firstRow).toHaveText(top.items[0]!.name);
  // The last row, by jumping: rendered with data, and the DOM holds a window, not 10k rows.
  await page.getByLabel('Go to row').fill(String(total.total));
  await page.getByLabel('Go to row').press('Enter');
  const last = page.locator(`[data-row-index="${total.total - 1}"]:not([data-loading])`);
  await expect(last).toBeVisible();
  expect(await page.locator('[role="row"][data-row-index]').count()).toBeLessThan(200);
  await memory.click(); // third click: back to the default order
  await shot('vms');
});

test('filters: a column filter and the quick search narrow the list in SQLite', async () => {
  const cpu = page.getByLabel('Filter vCPUs');
  await cpu.fill('>=4');
  const expected = await rpc<{ total: number }>('inventory.list', {
    entity: 'vms',
    limit: 1,
    filter: { kind: 'cmp', field: 'numCpu', op: 'gte', value: 4 },
  });
  await expect(page.getByTestId('grid-total')).toHaveText(`${expected.total.toLocaleString('en-US')} VMs`);
  await cpu.fill('>>4');
  await expect(cpu).toHaveClass(/invalid/);
  await cpu.fill('>=4');
  // Quick search: one word across the main text fields, on top of the column filter.
  await page.getByLabel('Quick search').fill('web');
  const both = await rpc<{ total: number }>('inventory.list', {
    entity: 'vms',
    limit: 1,
    filter: and({ kind: 'cmp', field: 'numCpu', op: 'gte', value: 4 }, quickSearchFilter('vms', 'web')),
  });
  expect(both.total).toBeLessThan(expected.total);
  await expect(page.getByTestId('grid-total')).toHaveText(`${both.total.toLocaleString('en-US')} VMs`);
  await page.getByRole('button', { name: 'Clear all filters' }).click();
  await expect(cpu).toHaveValue('');
  await expect(page.getByTestId('grid-total')).toHaveText(
    `${(big.counts.vms + small.counts.vms).toLocaleString('en-US')} VMs`,
  );
});

test('live updates: a VM powered off in vCenter changes in the open grid, without a reload', async () => {
  const on = await rpc<{ items: { name: string; moid: string; vcenter: string }[] }>('inventory.list', {
    entity: 'vms',
    limit: 1,
    filter: {
      kind: 'and',
      filters: [
        { kind: 'text', field: 'vcenter', op: 'equals', value: 'vc-fra' },
        { kind: 'cmp', field: 'powerState', op: 'eq', value: 'poweredOn' },
        { kind: 'cmp', field: 'template', op: 'eq', value: false },
      ],
    },
  });
  const vm = on.items[0]!;
  await page.getByLabel('Filter Name').fill(`=${vm.name}`);
  const power = page.locator('[data-row-index="0"] [role="gridcell"]').nth(4);
  await expect(power).toHaveText('poweredOn');
  const ops = await VsphereOps.connect(small.url, VC_USER, VC_PW, small.thumbprintSha256);
  try {
    await ops.powerOff(vm.moid);
  } finally {
    await ops.close();
  }
  await expect(power).toHaveText('poweredOff', { timeout: 10_000 });
  await page.getByLabel('Filter Name').fill('');
});

test('row details: all fields, and the VM’s host opens from a link', async () => {
  await page.getByLabel('Go to row').fill('1');
  await page.getByLabel('Go to row').press('Enter');
  const row = page.locator('[data-row-index="0"]:not([data-loading])');
  const name = await row.locator('[role="gridcell"]').nth(1).textContent();
  await row.dblclick();
  const drawer = page.getByRole('dialog', { name: 'Row details' });
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(name!);
  await expect(drawer).toContainText('Guest OS');
  await expect(drawer).toContainText('Instance UUID');
  await shot('details');
  const hostLink = drawer
    .locator('.field')
    .filter({ has: page.locator('dt', { hasText: /^Host$/ }) })
    .locator('dd button');
  await expect(hostLink).toHaveCount(1);
  const host = await hostLink.textContent();
  await hostLink.click();
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(host!);
  await expect(drawer).toContainText('ESXi version');
  await drawer.getByRole('button', { name: 'Back' }).click();
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(name!);
  await drawer.getByRole('button', { name: 'Close details' }).click();
  await expect(drawer).toBeHidden();
});

test('exports of the grid: CSV and Excel downloads read back with every row', async () => {
  const total = (await rpc<{ total: number }>('inventory.list', { entity: 'vms', limit: 1 })).total;
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-export="csv"]').click(),
  ]);
  expect(csv.suggestedFilename()).toMatch(/^vminer-vms-.*\.csv$/);
  const text = fs.readFileSync((await csv.path())!, 'utf8');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const lines = text.slice(1).trim().split(/\r\n/);
  expect(lines[0]).toContain('Memory');
  expect(lines.length).toBe(total + 1);
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-export="xlsx"]').click(),
  ]);
  expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile((await xlsx.path())!);
  const sheet = wb.worksheets.find((w) => w.rowCount === total + 1);
  expect(sheet, wb.worksheets.map((w) => `${w.name}:${w.rowCount}`).join(',')).toBeDefined();
});

test('chat: a count, a typo corrected, a follow-up, open in grid', async () => {
  await page.getByRole('button', { name: 'Chat' }).click();
  const ask = async (q: string): Promise<void> => {
    await page.getByLabel('Question').fill(q);
    await page.getByLabel('Question').press('Enter');
  };
  await ask('how many vms are powered off');
  const off = await rpc<{ total: number }>('inventory.list', {
    entity: 'vms',
    limit: 1,
    filter: { kind: 'cmp', field: 'powerState', op: 'eq', value: 'poweredOff' },
  });
  await expect(page.getByTestId('big-number').last()).toContainText(off.total.toLocaleString('en-US'));

  const clusters = await rpc<{ items: { name: string }[] }>('inventory.list', {
    entity: 'clusters',
    limit: 50,
  });
  const cluster = clusters.items.map((c) => c.name).find((n) => n.length >= 8)!;
  const typo = `vms in clustr ${cluster.slice(0, -2)}${cluster.at(-1)}`; // a typo in a word and in the name
  await ask(typo);
  const answer = page.getByTestId('exchange').nth(1);
  await expect(answer.locator('.corrected')).toContainText('Showing results for');
  await expect(answer.locator('.chip').first()).toBeVisible();
  await ask('only the powered on ones');
  const follow = page.getByTestId('exchange').nth(2);
  await expect(follow.locator('.chip')).toHaveCount(2);
  const followTotal = /of ([\d,]+)|^([\d,]+) match/
    .exec((await follow.locator('.answer > p.muted').first().textContent())!)!
    .slice(1)
    .find(Boolean)!;
  await ask('vms by power state');
  await expect(page.getByTestId('answer-groups').last()).toContainText('poweredOn');
  // ↑ recalls the last question.
  await page.getByLabel('Question').press('ArrowUp');
  await expect(page.getByLabel('Question')).toHaveValue('vms by power state');
  await page.getByLabel('Question').fill('');
  await shot('chat');
  await follow.getByRole('button', { name: 'Open in grid' }).click();
  await expect(page.locator('.chips .chip')).toHaveCount(2);
  // The grid shows the same rows the answer counted.
  await expect(page.getByTestId('grid-total')).toHaveText(`${followTotal} VMs`);
});

test('chat: a word it does not know is named, never answered more broadly; suggestions are buttons', async () => {
  await page.getByRole('button', { name: 'Chat' }).click();
  const before = await page.getByTestId('exchange').count();
  await page.getByLabel('Question').fill('zombie vms with snapshots');
  await page.getByLabel('Question').press('Enter');
  const answer = page.getByTestId('exchange').nth(before);
  await expect(answer.locator('[data-kind="not_understood"]')).toBeVisible();
  await expect(answer.locator('p.error')).toContainText('"zombie"');
  await expect(answer.locator('table')).toHaveCount(0);
  const suggestions = answer.locator('button.suggestion');
  expect(await suggestions.count()).toBeGreaterThan(0);
  await suggestions.first().click();
  await expect(page.getByTestId('exchange')).toHaveCount(before + 2);
});

test('settings: the schedule turns on with a next run, and back off', async () => {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByLabel('Sync all vCenters on a schedule').check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status')).toHaveText('Settings saved.');
  await expect(page.getByTestId('statusbar')).toContainText('next run');
  await shot('settings');
  await page.getByLabel('Sync all vCenters on a schedule').uncheck();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByTestId('statusbar')).toContainText('schedule off');
  await expect(page.getByTestId('data-dir')).toHaveText(served.dataDir);
  // Accounts: a read-only viewer is added, can log in over the API, and cannot change anything.
  await page.getByLabel('New user name').fill('auditor');
  await page.getByLabel('New user password').fill('Auditor-pw-1');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByTestId('users')).toContainText('auditor');
  const login = await fetch(`${served.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'auditor', password: 'Auditor-pw-1' }),
  });
  const viewer = ((await login.json()) as { access_token: string }).access_token;
  const denied = await fetch(`${served.url}/api/rpc/sync.start`, {
    method: 'POST',
    headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(denied.status).toBe(403);
  page.once('dialog', (d) => void d.accept());
  await page
    .getByTestId('users')
    .locator('tr', { hasText: 'auditor' })
    .getByRole('button', { name: 'Remove' })
    .click();
  await expect(page.getByTestId('users')).not.toContainText('auditor');
  const gone = await fetch(`${served.url}/api/stats`, { headers: { authorization: `Bearer ${viewer}` } });
  expect(gone.status).toBe(401);
});

test('log out revokes the token', async () => {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await expect
    .poll(
      async () =>
        (await fetch(`${served.url}/api/stats`, { headers: { authorization: `Bearer ${token}` } })).status,
    )
    .toBe(401);
});
