/**
 * The RVTools-depth views (issue 16) in Chromium against `vminer serve` and a simulator with
 * seeded tags and custom attributes: the Disks, NICs, Partitions and Tags grids list what pyvmomi
 * (and the tagging REST API) read, their column filters narrow them, and a VM's row drawer shows
 * its disks, NICs, partitions, snapshots, tags and custom attributes.
 */
import { spawnSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { entityLabel, type QueryEntity } from '../../src/shared/fields.js';
import { readWithPyvmomi, type PyInventory } from '../../src/testing/pyvmomi.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../src/testing/vcsim.js';
import { CLI, startServe, testEnv, type Served, rpc as callRpc } from './server.js';

const ADMIN_PW = 'Ui-Depth#2026';
const VC_USER = 'svc-depth@vsphere.local';
const VC_PW = 'Depth&<pw>';

let sim: RunningSimulator;
let served: Served;
let page: Page;
let token = '';
let ref: PyInventory;

const rpc = <T>(name: string, args: unknown): Promise<T> => callRpc<T>(served.url, token, name, args);
const totalText = (entity: QueryEntity, n: number): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? entityLabel(entity, false) : entityLabel(entity)}`;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(240_000);
  sim = await startSimulator({
    vms: 60,
    clusters: 2,
    hostsPerCluster: 2,
    datastores: 2,
    portgroups: 3,
    seed: 33,
    namePrefix: 'dep',
    user: VC_USER,
    password: VC_PW,
  });
  const { dataDir, env } = testEnv();
  const add = spawnSync(
    process.execPath,
    [
      CLI,
      'vcenter',
      'add',
      'vc-dep',
      '--url',
      sim.url,
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
  const sync = spawnSync(process.execPath, [CLI, 'sync', '--data-dir', dataDir], { env, encoding: 'utf8' });
  expect(sync.status, sync.stderr + sync.stdout).toBe(0);
  [served, ref] = await Promise.all([
    startServe(dataDir, env, ADMIN_PW),
    readWithPyvmomi(sim.url, VC_USER, VC_PW),
  ]);
  page = await browser.newPage();
  await page.goto(served.url);
  await page.getByLabel('Password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  token = await page.evaluate(
    () => (JSON.parse(sessionStorage.getItem('vminer.token')!) as { token: string }).token,
  );
});

test.afterAll(async () => {
  await page?.close();
  await served?.stop();
  await stopAll();
});

const open = async (label: RegExp): Promise<void> => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: label }).click();
};

test('the Disks, NICs, Partitions and Tags grids list every row pyvmomi reads', async () => {
  const want: [RegExp, QueryEntity, number][] = [
    [/^Disks/, 'disks', ref.disks.length],
    [/^NICs/, 'nics', ref.nics.length],
    [/^Partitions/, 'partitions', ref.partitions.length],
    [/^Tags/, 'tags', ref.tags.assignments.length],
  ];
  for (const [label, entity, n] of want) {
    expect(n, entity).toBeGreaterThan(0);
    await open(label);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      entityLabel(entity).replace(/^./, (c) => c.toUpperCase()),
    );
    await expect(page.getByTestId('grid-total')).toHaveText(totalText(entity, n));
  }
  // The Disks grid's first row is a disk pyvmomi knows, with its VM.
  await open(/^Disks/);
  const first = page.locator('[data-row-index="0"]:not([data-loading])');
  await expect(first).toBeVisible();
  const cells = await first.locator('[role="gridcell"]').allTextContents();
  expect(ref.disks.some((d) => cells.includes(d.vm) && cells.includes(d.label ?? ''))).toBe(true);
});

test('column filters narrow the new grids in SQLite', async () => {
  await open(/^Disks/);
  const thin = ref.disks.filter((d) => d.provisioning === 'thin').length;
  expect(thin).toBeGreaterThan(0);
  expect(thin).toBeLessThan(ref.disks.length);
  await page.getByLabel('Filter Provisioning').fill('=thin');
  await expect(page.getByTestId('grid-total')).toHaveText(totalText('disks', thin));
  await page.getByRole('button', { name: 'Clear all filters' }).click();
  await expect(page.getByTestId('grid-total')).toHaveText(totalText('disks', ref.disks.length));

  await open(/^Tags/);
  const gold = ref.tags.assignments.filter((t) => t.tag === 'gold').length;
  expect(gold).toBeGreaterThan(0);
  await page.getByLabel('Filter Name').fill('=gold');
  await expect(page.getByTestId('grid-total')).toHaveText(totalText('tags', gold));
  await page.getByRole('button', { name: 'Clear all filters' }).click();
});

test("a VM's drawer shows its disks, NICs, partitions, tags and custom attributes; its disk count opens the Disks grid", async () => {
  const tagged = new Set(
    ref.tags.assignments.filter((t) => t.objectType === 'VirtualMachine').map((t) => t.object),
  );
  const vm = ref.vmDepth.find(
    (v) =>
      ref.disks.filter((d) => d.vm === v.name).length >= 2 &&
      ref.partitions.some((p) => p.vm === v.name) &&
      tagged.has(v.name) &&
      Object.keys(v.customValues).length > 0,
  )!;
  expect(vm, 'a VM with every kind of detail').toBeDefined();
  const disks = ref.disks.filter((d) => d.vm === vm.name);
  const nics = ref.nics.filter((n) => n.vm === vm.name);
  const partitions = ref.partitions.filter((p) => p.vm === vm.name);
  const tags = ref.tags.assignments.filter((t) => t.objectType === 'VirtualMachine' && t.object === vm.name);

  await open(/^VMs/);
  await page.getByLabel('Filter Name').fill(`=${vm.name}`);
  await expect(page.getByTestId('grid-total')).toHaveText(totalText('vms', 1));
  await page.locator('[data-row-index="0"]:not([data-loading])').dblclick();
  const drawer = page.getByRole('dialog', { name: 'Row details' });
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(vm.name);
  await expect(drawer.getByTestId('drawer-disks').locator('tbody tr')).toHaveCount(disks.length);
  for (const d of disks) await expect(drawer.getByTestId('drawer-disks')).toContainText(d.label!);
  await expect(drawer.getByTestId('drawer-disks')).toContainText(disks[0]!.provisioning);
  await expect(drawer.getByTestId('drawer-nics').locator('tbody tr')).toHaveCount(nics.length);
  for (const n of nics) await expect(drawer.getByTestId('drawer-nics')).toContainText(n.macAddress!);
  await expect(drawer.getByTestId('drawer-partitions').locator('tbody tr')).toHaveCount(partitions.length);
  for (const p of partitions) await expect(drawer.getByTestId('drawer-partitions')).toContainText(p.path);
  await expect(drawer.getByTestId('drawer-tags').locator('li')).toHaveText(
    tags.map((t) => `${t.category}: ${t.tag}`).sort((a, b) => a.localeCompare(b)),
  );
  for (const [name, value] of Object.entries(vm.customValues)) {
    const field = drawer.getByTestId('drawer-attributes').locator('.field').filter({ hasText: name });
    await expect(field.locator('dd')).toHaveText(value);
  }
  // The VM's disk count opens the Disks grid, filtered to this VM.
  await drawer.locator('[data-count="diskCount"]').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Disks');
  await expect(page.getByTestId('grid-total')).toHaveText(totalText('disks', disks.length));
  await page.getByRole('button', { name: 'Clear all filters' }).click();
  // The engine answers the drawer's call with the same rows.
  const row = await rpc<{ items: { vcenterId: number; moid: string }[] }>('inventory.list', {
    entity: 'vms',
    limit: 1,
    filter: { kind: 'text', field: 'name', op: 'equals', value: vm.name },
  });
  const details = await rpc<{ disks: unknown[] }>('inventory.details', {
    entity: 'vms',
    vcenterId: row.items[0]!.vcenterId,
    moid: row.items[0]!.moid,
  });
  expect(details.disks).toHaveLength(disks.length);
});
