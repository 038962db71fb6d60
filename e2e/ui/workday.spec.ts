import { expect, test, type Page } from '@playwright/test';
import { VIEWER, pageFor, startEstate, type Estate } from './estate.js';

/*
 * Issue 19: the UI through an engineer's working day, one test per defect, against simulated
 * vCenters behind a real `vminer serve`. Where width matters, at 1000 and 1440 px.
 */

let estate: Estate;
/** One admin session for the whole file (logins are rate limited); each test starts from Chat. */
let admin: Page;
const total = async (entity: string, filter?: unknown): Promise<number> =>
  (
    await estate.rpc<{ total: number }>('inventory.list', {
      entity,
      limit: 1,
      ...(filter ? { filter } : {}),
    })
  ).total;
const gridTotal = (page: Page): ReturnType<Page['getByTestId']> => page.getByTestId('grid-total');
const nav = (page: Page, name: string): Promise<void> =>
  page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: new RegExp(`^${name}`) })
    .click();

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  estate = await startEstate();
});

test.beforeEach(async ({ browser }) => {
  if (!admin) admin = await pageFor(browser, estate);
  await admin.setViewportSize({ width: 1440, height: 900 });
  await admin.goto(`${estate.served.url}/#/chat`);
  await expect(admin.getByRole('navigation', { name: 'Main' })).toBeVisible();
});

test.afterAll(async () => {
  await admin?.close();
  await estate?.stop();
});

for (const width of [1000, 1440]) {
  test(`1. vCenters at ${width} px: every row's actions stay in view, a long error wraps`, async () => {
    const page = admin;
    await page.setViewportSize({ width, height: 800 });
    await nav(page, 'vCenters');
    const lab = page.locator('tr[data-vcenter="vc-lab"]');
    const error = lab.locator('.error');
    await expect(error).toBeVisible();
    for (const name of ['vc-ams', 'vc-fra', 'vc-lab']) {
      const row = page.locator(`tr[data-vcenter="${name}"]`);
      for (const action of [/^(Sync|Retry)/, /^Edit$/, /^Disable$/, /^Remove$/])
        await expect(row.getByRole('button', { name: action })).toBeInViewport({ ratio: 1 });
    }
    const err = await error.boundingBox();
    expect(err!.x + err!.width).toBeLessThanOrEqual(width);
  });
}

test('2. grid filters read numbers in the unit the column shows, and say what they understood', async () => {
  const page = admin;
  await nav(page, 'VMs');
  await page.getByLabel('Filter Memory').fill('> 16');
  const big = await total('vms', { kind: 'cmp', field: 'memoryMb', op: 'gt', value: 16 * 1024 });
  expect(big).toBeLessThan(await total('vms'));
  await expect(gridTotal(page)).toHaveText(`${big.toLocaleString('en-US')} VMs`);
  await expect(page.getByTestId('filter-echo')).toContainText('memory > 16 GB');
  await page.getByLabel('Filter Memory').fill('>= 4 GiB');
  const four = await total('vms', { kind: 'cmp', field: 'memoryMb', op: 'gte', value: 4096 });
  await expect(gridTotal(page)).toHaveText(`${four.toLocaleString('en-US')} VMs`);

  await nav(page, 'Datastores');
  const ds = await estate.rpc<{ items: { freeBytes: number }[] }>('inventory.list', {
    entity: 'datastores',
    limit: 100,
    sort: [{ field: 'freeBytes', dir: 'asc' }],
  });
  const gb = Math.ceil(ds.items[Math.floor(ds.items.length / 2)]!.freeBytes / 1024 ** 3);
  await page.getByLabel('Filter Free', { exact: true }).fill(`< ${gb}`);
  const under = await total('datastores', {
    kind: 'cmp',
    field: 'freeBytes',
    op: 'lt',
    value: gb * 1024 ** 3,
  });
  expect(under).toBeGreaterThan(0);
  await expect(gridTotal(page)).toHaveText(new RegExp(`^${under} datastores?$`));
  await expect(page.getByTestId('filter-echo')).toContainText(`free < ${gb.toLocaleString('en-US')} GB`);

  await nav(page, 'Snapshots');
  await page.getByLabel('Filter Created').fill('> 30d');
  await expect(page.getByTestId('filter-echo')).toContainText('created more than 30 days ago');
  const old = await total('snapshots', {
    kind: 'cmp',
    field: 'createdAt',
    op: 'lt',
    value: new Date(Date.now() - 30 * 86_400_000).toISOString(),
  });
  await expect(gridTotal(page)).toHaveText(new RegExp(`^${old.toLocaleString('en-US')} snapshots?$`));
});

test('3. the status bar shows failures in red and opens them; only answers that involve a failing vCenter say so', async () => {
  const page = admin;
  const failed = page.getByTestId('failed-count');
  await expect(failed).toHaveText('1 failed');
  const color = await failed.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(color).toBe('rgb(180, 35, 24)');
  await failed.click();
  await expect(page.getByTestId('vcenter-filter')).toContainText('Showing the 1 vCenter');
  await expect(page.locator('tr[data-vcenter]')).toHaveCount(1);
  await expect(page.locator('tr[data-vcenter="vc-lab"]')).toBeVisible();
  await page.getByTestId('vcenter-filter').getByRole('button', { name: 'Show all' }).click();
  await expect(page.locator('tr[data-vcenter]')).toHaveCount(3);

  await nav(page, 'Chat');
  const ask = async (q: string): Promise<ReturnType<Page['getByTestId']>> => {
    const n = await page.getByTestId('exchange').count();
    await page.getByLabel('Question').fill(q);
    await page.getByLabel('Question').press('Enter');
    const ex = page.getByTestId('exchange').nth(n);
    await expect(ex.locator('.answer')).toBeVisible();
    return ex;
  };
  await expect((await ask('how many vms in vc-fra')).locator('.answer')).not.toContainText(
    'Data may be incomplete',
  );
  await expect((await ask('florble the wuggets')).locator('.answer')).not.toContainText(
    'Data may be incomplete',
  );
  await expect((await ask('how many vms')).locator('.answer')).toContainText(
    'Data may be incomplete: vc-lab',
  );
});

test('4. a viewer sees what it cannot do as disabled, with the reason in words', async ({ browser }) => {
  const page = await pageFor(browser, estate, VIEWER.name, VIEWER.password);
  await nav(page, 'vCenters');
  const messages: string[] = [];
  page.on('dialog', (d) => {
    messages.push(d.message());
    void d.dismiss();
  });
  for (const name of ['Add vCenter', 'Import list…', 'Review certificates', 'Sync all', 'Add SQL source']) {
    const b = page.getByRole('button', { name, exact: true });
    await expect(b).toHaveAttribute('aria-disabled', 'true');
    await expect(b).toHaveAttribute('title', /needs an admin account; auditor is a viewer/);
  }
  const row = page.locator('tr[data-vcenter="vc-fra"]');
  for (const name of [/^Sync/, /^Edit$/, /^Disable$/, /^Remove$/])
    await expect(row.getByRole('button', { name })).toHaveAttribute('aria-disabled', 'true');
  await page.getByRole('button', { name: 'Sync all' }).click({ force: true });
  await row.getByRole('button', { name: 'Remove' }).click({ force: true });
  await expect(page.getByRole('dialog')).toHaveCount(0);
  expect(messages).toEqual([]);
  await expect(page.locator('body')).not.toContainText('needs an admin account');
  // Settings: read, not changed; the account list is the admins' business.
  await nav(page, 'Settings');
  await expect(page.getByRole('button', { name: 'Save settings' })).toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByTestId('users')).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText('needs an admin account');
  await expect(page.getByTestId('who')).toContainText('auditor · viewer (read only)');
  await page.close();
});

test('5. chat: edited chips update the summary, examples and suggestions work here, short names resolve, "% full", history survives a reload, long cells have tooltips', async () => {
  const page = admin;
  await nav(page, 'Chat');
  const exchanges = page.getByTestId('exchange');
  const ask = async (q: string): Promise<ReturnType<Page['getByTestId']>> => {
    const n = await exchanges.count();
    await page.getByLabel('Question').fill(q);
    await page.getByLabel('Question').press('Enter');
    const ex = exchanges.nth(n);
    await expect(ex.locator('.answer')).toBeVisible();
    return ex;
  };
  await page.getByRole('button', { name: '+ New conversation' }).click();
  // The welcome examples are answered on this inventory (none "not understood").
  const examples = await page.locator('.chat-empty .suggestion').allTextContents();
  expect(examples.length).toBeGreaterThan(3);
  for (const [i, q] of examples.entries()) {
    if (i > 0) await page.getByRole('button', { name: '+ New conversation' }).click();
    await page.getByRole('button', { name: q, exact: true }).click();
    await expect(exchanges.last().locator('.answer')).toBeVisible();
    await expect(exchanges.last().locator('.answer'), q).not.toHaveAttribute(
      'data-kind',
      /not_understood|clarify/,
    );
  }
  await page.getByRole('button', { name: '+ New conversation' }).click();
  // Removing a chip changes the summary line with the rows.
  const off = await ask('powered off vms');
  await expect(off.locator('.interpretation')).toContainText('power state = off');
  await off.getByRole('button', { name: /Remove filter power state/ }).click();
  await expect(off.locator('.interpretation')).not.toContainText('power state');
  // Suggestions of a question not understood are answered, and never suggest themselves again.
  const lost = await ask('florble the wuggets');
  const suggestions = await lost.locator('.suggestion').allTextContents();
  expect(suggestions.length).toBeGreaterThan(0);
  const first = await ask(suggestions[0]!);
  await expect(first.locator('.answer')).not.toHaveAttribute('data-kind', /not_understood|clarify/);
  // "in fra" is vc-fra; a unique part of a cluster name is that cluster.
  const fra = await total('vms', { kind: 'text', field: 'vcenter', op: 'equals', value: 'vc-fra' });
  await expect((await ask('how many vms in fra')).getByTestId('big-number')).toContainText(
    fra.toLocaleString('en-US'),
  );
  const clusters = await estate.rpc<{ items: { name: string }[] }>('inventory.list', {
    entity: 'clusters',
    limit: 50,
  });
  const suffix = (n: string): string => n.slice(n.indexOf('-') + 1).toLowerCase();
  const unique = clusters.items.find(
    (c) => clusters.items.filter((x) => suffix(x.name) === suffix(c.name)).length === 1,
  )!;
  const inCluster = await total('vms', { kind: 'text', field: 'cluster', op: 'equals', value: unique.name });
  await expect(
    (await ask(`how many vms in cluster ${suffix(unique.name)}`)).getByTestId('big-number'),
  ).toContainText(inCluster.toLocaleString('en-US'));
  // "90% full" is at most 10% free.
  await expect((await ask('datastores more than 90% full')).locator('.interpretation')).toContainText(
    'free % < 10',
  );
  // A long guest OS shows whole in its tooltip.
  const rows = await ask('windows vms');
  const cell = rows.locator('.answer-table td', { hasText: /^Microsoft Windows Server/ }).first();
  await expect(cell).toHaveAttribute('title', /^Microsoft Windows Server \d{4}/);
  // The conversations survive a reload.
  const titles = await page.locator('.conversations li').allTextContents();
  await page.reload();
  await expect(page.locator('.conversations li')).toHaveText(titles);
  await expect(exchanges.last().locator('.question')).toHaveText('windows vms');
});

test('6. dialogs trap focus and close on Esc; the column chooser closes outside; the drawer opens on one click or Enter and links its counts', async () => {
  const page = admin;
  await nav(page, 'vCenters');
  const opener = page.getByRole('button', { name: 'Add vCenter' });
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add a vCenter' });
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expect(dialog.getByLabel('Name')).toBeFocused();
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press('Shift+Tab');
  expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();

  await nav(page, 'Hosts');
  await page.getByRole('button', { name: 'Columns' }).click();
  await expect(page.getByRole('dialog', { name: 'Choose columns' })).toBeVisible();
  await page.getByRole('heading', { name: 'Hosts' }).click();
  await expect(page.getByRole('dialog', { name: 'Choose columns' })).toBeHidden();

  // One click on a name opens the drawer, which takes focus; Esc closes it.
  const host = page.locator('[data-row-index="0"]:not([data-loading]) [data-open-row]');
  const hostName = (await host.textContent())!;
  await host.click();
  const drawer = page.getByRole('dialog', { name: 'Row details' });
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(hostName);
  expect(await drawer.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  // Enter on the grid opens the row under the cursor.
  await page.getByTestId('grid-scroll').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(drawer).toBeVisible();
  await page.keyboard.press('Escape');
  // A host's VM count is a link to those VMs.
  const busy = await estate.rpc<{ items: { name: string; vcenter: string; vmCount: number }[] }>(
    'inventory.list',
    {
      entity: 'hosts',
      limit: 1,
      sort: [{ field: 'vmCount', dir: 'desc' }],
    },
  );
  const h = busy.items[0]!;
  await page.getByLabel('Filter Name').fill(`=${h.name}`);
  await page.getByLabel('Filter vCenter').fill(`=${h.vcenter}`);
  await page.locator('[data-row-index="0"]:not([data-loading]) [data-open-row]').click();
  await drawer.locator('[data-count="vmCount"]').click();
  await expect(drawer).toBeHidden();
  await expect(page.getByRole('heading', { name: 'VMs', level: 1 })).toBeVisible();
  await expect(gridTotal(page)).toHaveText(`${h.vmCount} VMs`);
});

test('7. Add vCenter: an invalid address keeps Save disabled with the reason, stale errors go, an unreachable vCenter is saved only after a warning, and the help text names the protection in effect', async () => {
  const page = admin;
  await nav(page, 'vCenters');
  await page.getByRole('button', { name: 'Add vCenter' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a vCenter' });
  // vminer serve here takes its vault key from VMINER_SECRET_KEY: no OS keychain is promised.
  await expect(dialog.getByTestId('vault-text')).toContainText('VMINER_SECRET_KEY');
  await expect(dialog.getByTestId('vault-text')).not.toContainText('keychain');
  await dialog.getByLabel('Name').fill('vc-new');
  await dialog.getByLabel(/^User/).fill('svc@vsphere.local');
  await dialog.getByLabel(/^Password/).fill('pw');
  await dialog.getByLabel('Address').fill('ht!tp://bad host:99999');
  await expect(dialog.getByRole('button', { name: 'Save' })).toBeDisabled();
  await expect(dialog.getByTestId('address-problem')).toContainText('no spaces');
  await dialog.getByLabel('Address').fill('ht!tp://badhost:99999');
  await expect(dialog.getByTestId('address-problem')).toContainText('not a scheme');
  await expect(dialog.getByRole('button', { name: 'Save' })).toBeDisabled();
  // Unreachable: a warning first, then "Save anyway" saves it.
  const port = new URL(estate.sims[0]!.url).port;
  await dialog.getByLabel('Address').fill(`https://127.0.0.1:${Number(port) === 1 ? 2 : 1}/sdk`);
  await expect(dialog.getByTestId('address-problem')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByTestId('unreachable')).toContainText('vc-new could not be reached');
  // The server's refusal shows; a change clears it (and the warning).
  await dialog.getByLabel('Name').fill('vc-fra');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByTestId('unreachable')).toBeVisible();
  await dialog.getByRole('button', { name: 'Save anyway' }).click();
  await expect(dialog.locator('p.error[role="alert"]')).toContainText('vc-fra');
  await dialog.getByLabel('Name').fill('vc-new');
  await expect(dialog.locator('p.error[role="alert"]')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.getByRole('button', { name: 'Save anyway' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('tr[data-vcenter="vc-new"]')).toBeVisible();
  const list = await estate.rpc<{ id: number; name: string }[]>('vcenters.list', {});
  await estate.rpc('vcenters.remove', { id: list.find((v) => v.name === 'vc-new')!.id });
});

test('8. settings: a cron expression is checked at the field with the next three runs; timeouts in seconds and minutes', async () => {
  const page = admin;
  await nav(page, 'Settings');
  const cron = page.getByLabel(/cron expression/);
  await cron.fill('61 * * * *');
  await expect(page.getByTestId('cron-preview')).toHaveText(/minute field .* 0–59/);
  await expect(cron).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  await cron.fill('0 */2 * * *');
  await expect(page.getByTestId('cron-preview')).toContainText('Next runs:');
  expect((await page.getByTestId('cron-preview').textContent())!.split(' · ')).toHaveLength(3);
  await cron.fill('');
  await page.getByLabel('Connect timeout (seconds)').fill('45');
  await page.getByLabel('Deadline per vCenter (minutes)').fill('20');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  const s = await estate.rpc<{ connectTimeoutMs: number; vcenterDeadlineMs: number }>('settings.get', {});
  expect(s.connectTimeoutMs).toBe(45_000);
  expect(s.vcenterDeadlineMs).toBe(20 * 60_000);
});

test('9. a SQL source query that is not a single read-only SELECT is refused with an explanation', async () => {
  const page = admin;
  await nav(page, 'vCenters');
  await page.getByRole('button', { name: 'Add SQL source' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a SQL source' });
  await dialog.getByLabel('Source name', { exact: true }).fill('cmdb');
  await dialog.getByLabel('Server', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Database', { exact: true }).fill('cmdb');
  await dialog.getByLabel('User', { exact: true }).fill('reader');
  await dialog.getByLabel('Password', { exact: true }).fill('pw');
  await dialog.getByRole('textbox', { name: 'Query', exact: true }).fill('DELETE FROM vcenters');
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog).toContainText('must be a read-only SELECT');
  await expect(dialog.getByRole('textbox', { name: 'Query', exact: true })).toHaveAttribute(
    'aria-invalid',
    'true',
  );
  expect(await estate.rpc<unknown[]>('sources.list', {})).toEqual([]);
  // Over the API too: refused, with the reason.
  const r = await fetch(`${estate.served.url}/api/rpc/sources.add`, {
    method: 'POST',
    headers: { authorization: `Bearer ${estate.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'cmdb',
      kind: 'postgres',
      connection: { server: '127.0.0.1', database: 'cmdb', user: 'reader' },
      password: 'pw',
      query: 'SELECT 1; DROP TABLE vcenters',
    }),
  });
  expect(r.status).toBe(400);
  expect(await r.text()).toContain('single statement');
});

test('10. grids as RVTools users expect: columns, colour cues, capitalised titles, go-to-row marks its row', async () => {
  const page = admin;
  await page.evaluate(() => localStorage.removeItem('vminer.grids'));
  await page.reload();
  await nav(page, 'Hosts');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hosts');
  const headers = page.locator('[role="columnheader"]');
  for (const h of ['ESXi version', 'ESXi build', 'Model'])
    await expect(headers.filter({ hasText: h })).toHaveCount(1);
  const maint = await total('hosts', { kind: 'cmp', field: 'inMaintenanceMode', op: 'eq', value: true });
  if (maint > 0) {
    await page.getByLabel('Filter Maintenance mode').fill('yes');
    await expect(page.locator('[data-row-index="0"]:not([data-loading])')).toHaveAttribute(
      'data-cue',
      /cue-(warn|bad)/,
    );
    await page.getByLabel('Filter Maintenance mode').fill('');
  }
  await nav(page, 'Datastores');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Datastores');
  for (const h of ['Used', 'Provisioned'])
    await expect(headers.filter({ hasText: new RegExp(`^${h}`) })).toHaveCount(1);
  // Used space and age are worked out by the engine, sortable and filterable like stored fields.
  const dss = await estate.rpc<{ items: { capacityBytes: number; freeBytes: number; usedBytes: number }[] }>(
    'inventory.list',
    { entity: 'datastores', limit: 20, sort: [{ field: 'usedBytes', dir: 'desc' }] },
  );
  for (const d of dss.items) expect(d.usedBytes).toBe(d.capacityBytes - d.freeBytes);
  const used = dss.items.map((d) => d.usedBytes);
  expect(used).toEqual([...used].sort((a, b) => b - a));
  const snaps = await estate.rpc<{ items: { createdAt: string; ageDays: number }[] }>('inventory.list', {
    entity: 'snapshots',
    limit: 20,
    filter: { kind: 'cmp', field: 'ageDays', op: 'gt', value: 30 },
  });
  expect(snaps.items.length).toBeGreaterThan(0);
  for (const x of snaps.items) {
    expect(x.ageDays).toBeGreaterThan(30);
    expect(Math.abs(x.ageDays - (Date.now() - Date.parse(x.createdAt)) / 86_400_000)).toBeLessThan(1.01);
  }
  await nav(page, 'Snapshots');
  await expect(headers.filter({ hasText: /^Age/ })).toHaveCount(1);
  // The last column takes the room left: no cut-off Description beside empty space.
  const grid = (await page.getByTestId('grid-scroll').boundingBox())!;
  const last = (await headers.last().boundingBox())!;
  expect(grid.x + grid.width - (last.x + last.width)).toBeLessThan(24);
  await nav(page, 'VMs');
  await page.getByLabel('Filter Power state').fill('=poweredOff');
  await expect(page.locator('[data-row-index="0"]:not([data-loading])')).toHaveAttribute(
    'data-cue',
    'cue-off',
  );
  await page.getByLabel('Filter Power state').fill('');
  await page.getByLabel('Go to row').fill('40');
  await page.getByLabel('Go to row').press('Enter');
  await expect(page.locator('[data-row-index="39"]')).toHaveClass(/jumped/);
});
