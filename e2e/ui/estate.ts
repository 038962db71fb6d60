import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { expect, type Browser, type Page } from '@playwright/test';
import { freePort } from '../../src/testing/net.js';
import { startSimulator, type RunningSimulator } from '../../src/testing/vcsim.js';
import { CLI, SCREENSHOTS, startServe, testEnv, type Served, rpc } from './server.js';

/*
 * A small working estate for the UI specs of issue 19: two simulated vCenters (vc-ams, vc-fra)
 * synced and live, one that cannot be reached (vc-lab, failed), an admin and a read-only viewer.
 */

export const ADMIN_PW = 'Ui-Admin#2026';
export const VIEWER = { name: 'auditor', password: 'Auditor-pw-1' };
const VC_USER = 'svc-readonly@vsphere.local';
const VC_PW = 'Read<Only>&"pw';

export interface Estate {
  served: Served;
  sims: RunningSimulator[];
  /** The admin's bearer token, for checking the UI against the engine. */
  token: string;
  rpc<T>(name: string, args: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function logIn(page: Page, url: string, user: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('User').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

export async function tokenOf(page: Page): Promise<string> {
  return page.evaluate(
    () => (JSON.parse(sessionStorage.getItem('vminer.token')!) as { token: string }).token,
  );
}

export async function startEstate(): Promise<Estate> {
  const sims = await Promise.all(
    [
      { namePrefix: 'ams', seed: 31, clusters: 3 },
      { namePrefix: 'fra', seed: 32, clusters: 2 },
    ].map((o) =>
      startSimulator({ ...o, vms: 160, hostsPerCluster: 3, datastores: 4, user: VC_USER, password: VC_PW }),
    ),
  );
  const { dataDir, env } = testEnv();
  for (const [i, name] of ['vc-ams', 'vc-fra'].entries()) {
    const add = spawnSync(
      process.execPath,
      [
        CLI,
        'vcenter',
        'add',
        name,
        '--url',
        sims[i]!.url,
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
  }
  const served = await startServe(dataDir, env, ADMIN_PW);
  const login = await fetch(`${served.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PW }),
  });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const call = <T>(name: string, args: unknown): Promise<T> => rpc<T>(served.url, token, name, args);
  await call('users.add', { username: VIEWER.name, password: VIEWER.password, role: 'viewer' });
  // A vCenter nobody answers for: its sync fails, with an error to show.
  await call('vcenters.add', {
    name: 'vc-lab',
    url: `https://127.0.0.1:${await freePort()}/sdk`,
    username: VC_USER,
    password: VC_PW,
  });
  await call('sync.start', {});
  await expect
    .poll(
      async () =>
        (await call<{ name: string; sync: { status: string } }[]>('vcenters.list', {}))
          .map((v) => `${v.name}:${v.sync.status}`)
          .sort()
          .join(' '),
      { timeout: 120_000 },
    )
    .toMatch(/^vc-ams:(ok|live) vc-fra:(ok|live) vc-lab:(failed|reconnecting)$/);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    served,
    sims,
    token,
    rpc: call,
    stop: async () => {
      await served.stop();
      fs.rmSync(served.dataDir, { recursive: true, force: true });
      await Promise.all(sims.map((s) => s.stop()));
    },
  };
}

/** A fresh page (its own storage) logged in as the given user. */
export async function pageFor(
  browser: Browser,
  estate: Estate,
  user = 'admin',
  password = ADMIN_PW,
  viewport = { width: 1440, height: 900 },
): Promise<Page> {
  // A context of its own per page: separate storage, and axe-core can inspect it.
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('close', () => void context.close().catch(() => undefined));
  await logIn(page, estate.served.url, user, password);
  return page;
}
