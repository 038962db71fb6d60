/**
 * The change history in Chromium against `vminer serve` with a generated cache and seeded history
 * (the recording side writes these rows in production): the Changes page's timeline, counts per
 * kind, filters and CSV export; a VM's History tab; the screenshot for the README.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openDatabase } from '../../src/main/engine/db/database.js';
import { insertChanges, randomChanges, type SeedChange } from '../../src/testing/changes-seed.js';
import { populateCache } from '../../src/testing/generate-inventory.js';
import { SCREENSHOTS, startServe, testEnv, type Served } from './server.js';

const ADMIN_PW = 'Ui-Changes#2026';
let served: Served;
let page: Page;
let vm: { vcenterId: number; moid: string; name: string };
/** When the VM's newest seeded change happened (ISO). */
let vmNewest: string;
/** A host with seeded changes, and how many. */
let host: { name: string; vcenter: string; n: number; newest: string };
/** Rows of the last 24 hours per kind, as seeded. */
let last24: Record<string, number>;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const { dataDir, env } = testEnv();
  const db = openDatabase(dataDir);
  populateCache(db, { vcenters: 2, vmsTotal: 200, hostsTotal: 8, datastoresTotal: 4, seed: 12 });
  const vcs = db.sqlite.prepare('SELECT id, name FROM vcenters ORDER BY id').all() as {
    id: number;
    name: string;
  }[];
  vm = db.sqlite
    .prepare('SELECT vcenter_id AS vcenterId, moid, name FROM vms ORDER BY name LIMIT 1')
    .get() as typeof vm;
  const now = new Date();
  insertChanges(
    db.sqlite,
    randomChanges({ n: 600, now, days: 5, seed: 21, vcenters: 2, objects: 40 }).map((r) => ({
      ...r,
      vcenterId: vcs[r.vcenterId - 1]!.id,
      vcenter: vcs[r.vcenterId - 1]!.name,
    })),
  );
  const own: SeedChange[] = [
    { field: 'memoryMb', oldValue: '4096', newValue: '8192', at: new Date(now.getTime() - 3 * 3_600_000) },
    {
      field: 'powerState',
      oldValue: 'poweredOn',
      newValue: 'poweredOff',
      at: new Date(now.getTime() - 2 * 3_600_000),
    },
    { field: 'host', oldValue: 'esx-a', newValue: 'esx-b', at: new Date(now.getTime() - 30 * 60_000) },
  ].map((c) => ({
    ...c,
    vcenterId: vm.vcenterId,
    vcenter: vcs.find((v) => v.id === vm.vcenterId)!.name,
    entity: 'vms',
    moid: vm.moid,
    objectName: vm.name,
    kind: 'changed' as const,
    source: 'live' as const,
  }));
  insertChanges(db.sqlite, own);
  vmNewest = own
    .map((c) => new Date(c.at).toISOString())
    .sort()
    .at(-1)!;
  // A host's own history: it went into maintenance and came back, then was renamed.
  const h = db.sqlite
    .prepare(
      'SELECT h.vcenter_id AS vcenterId, h.moid, h.name, v.name AS vcenter FROM hosts h JOIN vcenters v ON v.id = h.vcenter_id ORDER BY h.name LIMIT 1',
    )
    .get() as { vcenterId: number; moid: string; name: string; vcenter: string };
  const hostChanges: SeedChange[] = [
    {
      field: 'inMaintenance',
      oldValue: 'false',
      newValue: 'true',
      at: new Date(now.getTime() - 5 * 3_600_000),
    },
    {
      field: 'inMaintenance',
      oldValue: 'true',
      newValue: 'false',
      at: new Date(now.getTime() - 4 * 3_600_000),
    },
    {
      field: 'esxBuild',
      oldValue: '24022510',
      newValue: '24585383',
      at: new Date(now.getTime() - 4.5 * 3_600_000),
    },
  ].map((c) => ({
    ...c,
    vcenterId: h.vcenterId,
    vcenter: h.vcenter,
    entity: 'hosts',
    moid: h.moid,
    objectName: h.name,
    kind: 'changed' as const,
    source: 'sync' as const,
  }));
  insertChanges(db.sqlite, hostChanges);
  host = {
    name: h.name,
    vcenter: h.vcenter,
    n: db.sqlite
      .prepare("SELECT count(*) FROM changes WHERE entity = 'hosts' AND vcenter_id = ? AND moid = ?")
      .pluck()
      .get(h.vcenterId, h.moid) as number,
    newest: db.sqlite
      .prepare("SELECT max(at) FROM changes WHERE entity = 'hosts' AND vcenter_id = ? AND moid = ?")
      .pluck()
      .get(h.vcenterId, h.moid) as string,
  };
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  last24 = Object.fromEntries(
    (
      db.sqlite.prepare('SELECT kind, count(*) AS n FROM changes WHERE at >= ? GROUP BY kind').all(since) as {
        kind: string;
        n: number;
      }[]
    ).map((r) => [r.kind, r.n]),
  );
  db.close();
  served = await startServe(dataDir, env, ADMIN_PW);
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
});

test.afterAll(async () => {
  await page?.close();
  await served?.stop();
});

const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);

test('the Changes page: the last 24 hours as a timeline by hour, with counts per kind', async () => {
  await page.goto(`${served.url}/#/changes`);
  await page.getByLabel('Password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Changes', level: 1 })).toBeVisible();
  const total = sum(last24);
  await expect(page.getByTestId('changes-total')).toHaveText(`${total.toLocaleString('en-US')} changes`);
  for (const k of ['changed', 'created', 'removed'])
    await expect(page.locator(`[data-kind="${k}"] .nav-count`)).toHaveText(String(last24[k] ?? 0));
  await expect(page.getByRole('list', { name: 'Changes by hour' })).toBeVisible();
  // The first page: 200 rows, newest first, then "Show older changes" brings the rest.
  await expect(page.locator('[data-change-id]')).toHaveCount(Math.min(200, total));
  if (total > 200) {
    await page.getByRole('button', { name: 'Show older changes' }).click();
    await expect(page.locator('[data-change-id]')).toHaveCount(Math.min(400, total));
  }
  const times = await page
    .locator('.change time')
    .evaluateAll((els) => els.map((e) => e.getAttribute('datetime')!));
  expect(times).toEqual([...times].sort().reverse());
  await page.getByLabel('Since').selectOption('24h');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'changes.png') });
});

test('filters: a kind, an object by name; the CSV export holds the filtered rows', async () => {
  await page.locator('[data-kind="removed"]').click();
  await expect(page.getByTestId('changes-total')).toHaveText(
    `${last24['removed'] ?? 0} change${last24['removed'] === 1 ? '' : 's'}`,
  );
  await expect(page.locator('.change:not(.kind-removed)')).toHaveCount(0);
  await page.locator('[data-kind="removed"]').click();
  await page.getByLabel('Object', { exact: true }).fill(vm.name);
  await expect(page.getByTestId('changes-total')).toHaveText('3 changes');
  await expect(page.locator('.change-what').first()).toHaveText('host: esx-a → esx-b');
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-export="csv"]').click(),
  ]);
  const lines = fs
    .readFileSync((await csv.path())!, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r\n/);
  expect(lines).toHaveLength(4);
  expect(lines[1]).toContain('esx-b');
  await page.getByLabel('Object', { exact: true }).fill('');
});

test("a VM's row drawer has a History tab with its changes", async () => {
  await page.getByRole('button', { name: 'VMs' }).click();
  await page.getByLabel('Filter Name').fill(vm.name);
  const row = page.locator('[data-row-index="0"]:not([data-loading])');
  await expect(row).toContainText(vm.name);
  await row.dblclick();
  const drawer = page.getByRole('dialog', { name: 'Row details' });
  await drawer.getByRole('tab', { name: 'History' }).click();
  const items = drawer.getByRole('list', { name: 'History' }).locator('li');
  await expect(items).toHaveCount(3);
  await expect(items.first()).toContainText('host: esx-a → esx-b');
  await expect(items.nth(2)).toContainText('memoryMb: 4096 → 8192');
});

test('the "Last changed" column: chosen in the VMs grid, it shows when the VM last changed', async () => {
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Row details' })).toBeHidden();
  await page.getByRole('button', { name: 'Columns' }).click();
  const chooser = page.getByRole('dialog', { name: 'Choose columns' });
  await chooser.getByRole('checkbox', { name: 'Last changed' }).check();
  await page.getByRole('heading', { name: 'VMs', level: 1 }).click();
  await expect(chooser).toBeHidden();
  const header = page.locator('[role="columnheader"][data-field="lastChangedAt"]');
  await expect(header).toBeVisible();
  const row = page.locator('[data-row-index="0"]:not([data-loading])');
  await expect(row).toContainText(vm.name);
  // The newest of the VM's three changes (the vMotion 30 minutes ago), as the grid formats dates.
  const expected = await page.evaluate((iso) => new Date(iso).toLocaleString(), vmNewest);
  const col = await header.getAttribute('aria-colindex');
  await expect(row.locator(`[role="gridcell"][aria-colindex="${col}"]`)).toHaveText(expected);
});

test("a host's row drawer has a History tab with its changes, newest first", async () => {
  await page.getByRole('button', { name: 'Hosts' }).click();
  await page.getByLabel('Filter Name').fill(`=${host.name}`);
  await page.getByLabel('Filter vCenter').fill(`=${host.vcenter}`);
  const row = page.locator('[data-row-index="0"]:not([data-loading])');
  await expect(row).toContainText(host.name);
  await row.dblclick();
  const drawer = page.getByRole('dialog', { name: 'Row details' });
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(host.name);
  await drawer.getByRole('tab', { name: 'History' }).click();
  const items = drawer.getByRole('list', { name: 'History' }).locator('li');
  await expect(items).toHaveCount(host.n);
  const times = await items.locator('time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime')!));
  expect(times[0]).toBe(host.newest);
  await expect(items.filter({ hasText: 'inMaintenance: false → true' })).toHaveCount(1);
  expect(times).toEqual([...times].sort().reverse());
});
