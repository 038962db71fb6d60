import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { SourceInfo } from '../../src/shared/sources.js';
import { startPostgres, type RunningPostgres } from '../../src/testing/postgres.js';
import { SCREENSHOTS, startServe, testEnv, type Served, rpc as callRpc } from './server.js';

/*
 * A SQL source added and edited through the UI's form, against a real PostgreSQL (Debian's
 * packages, as in the engine's postgres-source test) behind a real `vminer serve`.
 */

const ADMIN_PW = 'Ui-Admin#2026';
const PG_ADMIN_PW = 'Pg#Admin-1';
const READER_PW = `Rd'r"Pw&1`;
const QUERY = 'SELECT vc_name, fqdn, port, site, active FROM cmdb_vcenters ORDER BY vc_name';

let pgServer: RunningPostgres;
let admin: pg.Client;
let served: Served;
let page: Page;
let token = '';

const rpc = <T>(name: string, args: unknown): Promise<T> => callRpc<T>(served.url, token, name, args);

const sourceDialog = (): Locator => page.getByRole('dialog', { name: /SQL source/ });
const sourceRow = (name: string): Locator => page.locator(`tr[data-source="${name}"]`);

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  pgServer = await startPostgres(PG_ADMIN_PW);
  admin = new pg.Client({
    host: pgServer.host,
    port: pgServer.port,
    user: pgServer.user,
    password: PG_ADMIN_PW,
    database: 'postgres',
  });
  await admin.connect();
  await admin.query(`CREATE ROLE vminer_reader LOGIN PASSWORD '${READER_PW.replace(/'/g, "''")}'`);
  await admin.query(
    'CREATE TABLE cmdb_vcenters (vc_name text, fqdn text, port int, site text, active boolean)',
  );
  await admin.query('GRANT SELECT ON cmdb_vcenters TO vminer_reader');
  // Loopback addresses on closed ports: the vCenters are listed, and fail fast if anything syncs them.
  await admin.query(`INSERT INTO cmdb_vcenters VALUES
    ('vc-pg-ams', '127.0.0.1', 1, 'AMS', true),
    ('vc-pg-fra', '127.0.0.1', 2, 'FRA', true),
    ('vc-pg-old', '127.0.0.1', 3, null, false)`);
  const { dataDir, env } = testEnv();
  served = await startServe(dataDir, env, ADMIN_PW);
  page = await browser.newPage();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.goto(served.url);
  await page.getByLabel('Password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  token = await page.evaluate(
    () => (JSON.parse(sessionStorage.getItem('vminer.token')!) as { token: string }).token,
  );
  // A source that already holds a name, for the server's refusal below (schedule off: never refreshed).
  await rpc('sources.add', {
    name: 'cmdb-legacy',
    kind: 'mssql',
    connection: { server: '127.0.0.1', port: 1, database: 'cmdb', user: 'sa' },
    password: 'unused',
    enabled: false,
  });
});

test.afterAll(async () => {
  await page?.close();
  await served?.stop();
  if (served) fs.rmSync(served.dataDir, { recursive: true, force: true });
  await admin?.end();
  await pgServer?.stop();
});

test('add a PostgreSQL source: field checks, a server refusal, a failed test, a good test, saved', async () => {
  await page.getByRole('button', { name: 'vCenters' }).click();
  await expect(sourceRow('cmdb-legacy')).toBeVisible();
  await page.getByRole('button', { name: 'Add SQL source' }).click();
  const dialog = sourceDialog();
  await expect(dialog.getByRole('heading')).toHaveText('Add a SQL source');

  // The kind sets the default port.
  await expect(dialog.getByLabel('Port', { exact: true })).toHaveValue('1433');
  await expect(dialog.getByLabel('Login')).toBeVisible();
  await dialog.getByLabel('Database kind').selectOption({ label: 'PostgreSQL' });
  await expect(dialog.getByLabel('Port', { exact: true })).toHaveValue('5432');
  await expect(dialog.getByLabel('Login')).toBeHidden();

  // Client-side checks: messages beside the fields, nothing sent.
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog.getByText('Give the source a name.')).toBeVisible();
  await expect(dialog.getByText('The database password.')).toBeVisible();
  await expect(dialog.getByText('Fix the fields marked in red; nothing was saved.')).toBeVisible();
  await expect(dialog.getByLabel('Source name')).toHaveAttribute('aria-invalid', 'true');
  expect((await rpc<SourceInfo[]>('sources.list', {})).map((s) => s.name)).toEqual(['cmdb-legacy']);

  await dialog.getByLabel('Source name').fill('CMDB-Legacy');
  await dialog.getByLabel('Server', { exact: true }).fill(`127.0.0.1:${pgServer.port}`);
  await dialog.getByLabel('Server', { exact: true }).blur();
  await expect(dialog.getByText('Put the port in the Port field.')).toBeVisible();
  await dialog.getByLabel('Server', { exact: true }).fill('127.0.0.1');
  await expect(dialog.getByText('Put the port in the Port field.')).toBeHidden();
  await dialog.getByLabel('Port', { exact: true }).fill(String(pgServer.port));
  await dialog.getByLabel('Database', { exact: true }).fill('postgres');
  await dialog.getByLabel('User', { exact: true }).fill('vminer_reader');
  await dialog.getByLabel(/^Password/).fill('not-the-password');
  // The throwaway server has no TLS.
  await dialog.getByLabel('Encrypt the connection (TLS)').uncheck();
  await expect(dialog.getByText(/Without encryption the password/)).toBeVisible();
  await dialog.getByLabel('Query').fill(QUERY);
  await dialog.getByLabel('Column for name').fill('vc_name');
  await dialog.getByLabel('Column for host').fill('fqdn');
  await dialog.getByLabel('Column for site').fill('site');
  await dialog.getByLabel('Column for enabled').fill('active');
  await dialog.getByLabel('Refresh every (minutes)').fill('0');
  await dialog.getByLabel('Refresh every (minutes)').blur();
  await expect(dialog.getByText('Whole minutes from 1 to 10080 (a week).')).toBeVisible();
  await dialog.getByLabel('Refresh every (minutes)').fill('30');
  // Test before it refreshes on its own: schedule off for now.
  await dialog.getByLabel(/Refresh on its own schedule/).uncheck();
  await expect(dialog.getByTestId('test-note')).toContainText('vMiner tests saved sources only');

  // The server refuses the name (taken, whatever the case): the message shows, every field stays.
  await dialog.getByRole('button', { name: 'Save & test' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('a source named "cmdb-legacy" already exists');
  await expect(dialog.getByRole('heading')).toHaveText('Add a SQL source');
  await expect(dialog.getByLabel('Query')).toHaveValue(QUERY);
  await expect(dialog.getByLabel(/^Password/)).toHaveValue('not-the-password');

  // Saved, then tested: the database refuses the login; the dialog now edits the saved source.
  await dialog.getByLabel('Source name').fill('pg-cmdb');
  await dialog.getByRole('button', { name: 'Save & test' }).click();
  await expect(dialog.getByTestId('source-test-error')).toContainText(
    `pg-cmdb: PostgreSQL 127.0.0.1:${pgServer.port}/postgres refused the login for vminer_reader`,
  );
  await expect(dialog.getByRole('heading')).toHaveText('Edit SQL source pg-cmdb');
  await expect(dialog.getByLabel('Column for enabled')).toHaveValue('active');
  await expect(dialog.getByLabel(/^Password/)).toHaveValue('');
  await expect(dialog.getByLabel(/^Password/)).toHaveAccessibleName(/leave blank to keep the stored one/);
  await expect(dialog.getByLabel('Database kind')).toBeDisabled();

  await dialog.getByLabel(/^Password/).fill(READER_PW);
  await dialog.getByRole('button', { name: 'Save & test' }).click();
  await expect(dialog.getByTestId('source-test-summary')).toHaveText(
    'The query returned 3 rows: 2 vCenters, 1 not listed (enabled column).',
  );
  await expect(dialog.getByTestId('source-test')).toContainText('https://127.0.0.1:2/sdk');
  await shot('add-sql-source');

  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog).toBeHidden();
  const row = sourceRow('pg-cmdb');
  await expect(row).toContainText('PostgreSQL');
  await expect(row).toContainText(`127.0.0.1:${pgServer.port}/postgres`);
  await expect(row.getByTestId('source-every')).toContainText('30 min');
  await expect(row.getByTestId('source-every')).toContainText('schedule off');
  const saved = (await rpc<SourceInfo[]>('sources.list', {})).find((s) => s.name === 'pg-cmdb')!;
  expect(saved).toMatchObject({ kind: 'postgres', refreshMinutes: 30, enabled: false, lastRefreshAt: null });
  expect(saved.config).toEqual({
    connection: {
      server: '127.0.0.1',
      port: pgServer.port,
      database: 'postgres',
      auth: 'sql',
      user: 'vminer_reader',
      encrypt: false,
      trustServerCertificate: false,
      caPem: null,
      thumbprint: null,
    },
    query: QUERY,
    mapping: {
      name: 'vc_name',
      host: 'fqdn',
      port: 'port',
      username: null,
      site: 'site',
      tags: null,
      enabled: 'active',
    },
    timeoutSeconds: 30,
    maxRows: 10_000,
    trustCaValid: false,
  });
  // The list says what is weak about it.
  await expect(row.getByTestId('source-warning')).toContainText('PostgreSQL is not encrypted');
  // Write-only: the password is nowhere in what the API returns.
  expect(JSON.stringify(await rpc('sources.list', {}))).not.toContain(READER_PW);
});

test('refresh it: its vCenters appear in the vCenters list', async () => {
  await sourceRow('pg-cmdb').getByRole('button', { name: 'Refresh now' }).click();
  await expect(page.locator('section.sources')).toContainText(
    'pg-cmdb: 2 added, 0 updated, 0 retired, 0 restored.',
  );
  for (const name of ['vc-pg-ams', 'vc-pg-fra']) {
    const vc = page.locator(`tr[data-vcenter="${name}"]`);
    await expect(vc).toContainText('from source pg-cmdb');
    // The CMDB does not decide where passwords go: no login until the certificate is reviewed.
    await expect(vc.getByTestId('awaiting-review')).toHaveText('certificate to review');
  }
  await expect(page.locator('tr[data-vcenter="vc-pg-old"]')).toHaveCount(0);
  await expect(sourceRow('pg-cmdb').locator('td').nth(2)).toHaveText('2');
});

test('edit it: prefilled without the password; a new interval and the schedule stick; the password is kept', async () => {
  await sourceRow('pg-cmdb').getByRole('button', { name: 'Edit' }).click();
  const dialog = sourceDialog();
  await expect(dialog.getByRole('heading')).toHaveText('Edit SQL source pg-cmdb');
  await expect(dialog.getByLabel('Source name')).toHaveValue('pg-cmdb');
  await expect(dialog.getByLabel('Database kind')).toHaveValue('postgres');
  await expect(dialog.getByLabel('Port', { exact: true })).toHaveValue(String(pgServer.port));
  await expect(dialog.getByLabel('Query')).toHaveValue(QUERY);
  await expect(dialog.getByLabel('Column for host')).toHaveValue('fqdn');
  await expect(dialog.getByLabel('Encrypt the connection (TLS)')).not.toBeChecked();
  await expect(dialog.getByLabel(/^Password/)).toHaveValue('');
  await expect(dialog.getByLabel('Refresh every (minutes)')).toHaveValue('30');
  await dialog.getByLabel('Refresh every (minutes)').fill('15');
  await dialog.getByLabel(/Refresh on its own schedule/).check();
  await expect(dialog.getByLabel('Read at most (rows)')).toHaveValue('10000');
  await dialog.getByLabel('Read at most (rows)').fill('500');
  await expect(dialog.getByText(/gets no password until its certificate is\s+reviewed/)).toBeVisible();
  await dialog.getByLabel(/Trust the vCenters’ CA-valid certificates/).check();
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(sourceRow('pg-cmdb').getByTestId('source-every')).toHaveText('15 min');
  const after = (await rpc<SourceInfo[]>('sources.list', {})).find((s) => s.name === 'pg-cmdb')!;
  expect([after.refreshMinutes, after.enabled, after.config.query]).toEqual([15, true, QUERY]);
  expect([after.config.maxRows, after.config.trustCaValid]).toEqual([500, true]);
  // The source vouches for CA-valid certificates now: its vCenters no longer wait for a review.
  await expect(page.locator('tr[data-vcenter="vc-pg-ams"]').getByTestId('awaiting-review')).toHaveCount(0);

  // The stored password still logs in: a row switched on in the CMDB arrives with the next refresh.
  await admin.query(`UPDATE cmdb_vcenters SET active = true WHERE vc_name = 'vc-pg-old'`);
  await sourceRow('pg-cmdb').getByRole('button', { name: 'Refresh now' }).click();
  await expect(page.locator('section.sources')).toContainText('pg-cmdb: 1 added');
  await expect(page.locator('tr[data-vcenter="vc-pg-old"]')).toContainText('from source pg-cmdb');

  // Opened again, the form shows the saved interval.
  await sourceRow('pg-cmdb').getByRole('button', { name: 'Edit' }).click();
  await expect(sourceDialog().getByLabel('Refresh every (minutes)')).toHaveValue('15');
  await sourceDialog().getByRole('button', { name: 'Cancel' }).click();
  await expect(sourceDialog()).toBeHidden();
});

function shot(name: string): Promise<Buffer> {
  return page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}
