/**
 * A one-off sync cancelled midway (the user's cancel, Ctrl-C, quitting the app, the overall
 * deadline) still logs out of the vCenter: no session is left open there until it expires.
 * Checked on a simulator through its `SessionManager.sessionList`, read by a second client.
 */
import { openTestEngine } from '../../../testing/engine.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { VsphereOps } from '../../../testing/vsphere-ops.js';
import { Engine } from '../engine.js';
import { startPagingProxy, type PagingProxy } from '../../../testing/paging-proxy.js';

const USER = 'svc-sync';

let dataDir: string;
let engine: Engine;
let sim: RunningSimulator;
let proxy: PagingProxy;
let observer: VsphereOps;
let vcId: number;

/** vMiner's sessions open on the simulator (the observer's own excluded). */
async function syncSessions(ops = observer): Promise<number> {
  return (await ops.otherSessions()).filter((s) => s.userName === USER).length;
}

/**
 * Runs `midway` (synchronously, in the progress event) once the sync has its first page of
 * objects — pages of 100 through the paging proxy, so most of the inventory is still to come.
 */
function onFirstPage(midway: () => unknown): void {
  const off = engine.bus.on('sync:progress', (e) => {
    if (e.vcenterId !== vcId || e.phase !== 'collecting' || !e.objects) return;
    off();
    void midway();
  });
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 21, vms: 400, clusters: 2, hostsPerCluster: 3, namePrefix: 'cx' });
  proxy = await startPagingProxy(sim);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-sync-cancel-'));
  engine = await openTestEngine(dataDir);
  engine.settings.update({ pageSize: 100 });
  const vc = engine.vcenters.add({
    name: 'vc-cancel',
    url: proxy.url,
    username: USER,
    thumbprint: proxy.thumbprintSha256,
    caPem: null,
  });
  vcId = vc.id;
  await engine.setPassword(vcId, 'sync-pw');
  observer = await VsphereOps.connect(sim.url, 'observer', 'observer-pw', sim.thumbprintSha256);
});

afterAll(async () => {
  await observer?.close();
  engine?.close();
  await proxy?.close();
  await stopAll();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a cancelled sync logs out', () => {
  it('a finished sync leaves no session behind (the baseline)', async () => {
    const summary = await engine.sync.sync([vcId]);
    expect(summary.results[0]).toMatchObject({ status: 'ok', error: null });
    expect(proxy.callCount('ContinueRetrievePropertiesEx')).toBeGreaterThanOrEqual(3);
    // The normal path logs out in the background: give it a moment.
    await vi.waitFor(async () => expect(await syncSessions()).toBe(0), { timeout: 5_000, interval: 100 });
  });

  it('cancelled after its first page: logged out before the sync settles, still CANCELLED', async () => {
    const logins = proxy.callCount('Login');
    const logouts = proxy.callCount('Logout');
    const pages = proxy.pagesServed;
    onFirstPage(() => engine.sync.cancel([vcId]));
    const summary = await engine.sync.sync([vcId]);
    expect(summary.results[0]).toMatchObject({ status: 'failed', error: { code: 'CANCELLED' } });
    expect(summary.results[0]!.error!.message).toMatch(/vc-cancel.*cancelled/);
    // It was midway: logged in, one page read of several.
    expect(proxy.callCount('Login')).toBe(logins + 1);
    expect(proxy.pagesServed - pages).toBeLessThanOrEqual(2);
    // And logged out, before sync() resolved: nothing left open on the vCenter.
    expect(proxy.callCount('Logout')).toBe(logouts + 1);
    expect(await syncSessions()).toBe(0);
    expect(engine.vcenters.list()[0]!.sync).toMatchObject({ status: 'failed', error: { code: 'CANCELLED' } });
  });

  it('quitting (engine.shutdown) cancels the sync and resolves after it logged out', async () => {
    let quit: Promise<void> | undefined;
    onFirstPage(() => (quit = engine.shutdown()));
    const run = engine.sync.sync([vcId]);
    await new Promise<void>((r) => {
      const t = setInterval(() => quit && (clearInterval(t), r()), 5);
    });
    await quit;
    // shutdown() has resolved: the sync is over and its session already gone.
    expect(engine.sync.isSyncing()).toBe(false);
    expect(await syncSessions()).toBe(0);
    expect((await run).results[0]).toMatchObject({ status: 'failed', error: { code: 'CANCELLED' } });
  });
});

describe('the overall deadline', () => {
  it('aborts a slow sync and logs out as well', async () => {
    // 1.5 s a call: service content, login and the view take 4.5 s, so the 5 s deadline ends the
    // sync while it reads the inventory.
    const slow = await startSimulator({ seed: 22, vms: 10, delayMs: 1_500, namePrefix: 'dl' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-sync-deadline-'));
    const e = await openTestEngine(dir);
    try {
      e.settings.update({ vcenterDeadlineMs: 5_000 });
      const vc = e.vcenters.add({
        name: 'vc-slow',
        url: slow.url,
        username: USER,
        thumbprint: slow.thumbprintSha256,
        caPem: null,
      });
      await e.setPassword(vc.id, 'sync-pw');
      const summary = await e.sync.sync([vc.id]);
      expect(summary.results[0]).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
      expect(summary.results[0]!.error!.message).toMatch(/overall deadline/);
      const ops = await VsphereOps.connect(slow.url, 'observer', 'observer-pw', slow.thumbprintSha256);
      try {
        expect(await syncSessions(ops)).toBe(0);
      } finally {
        await ops.close();
      }
    } finally {
      e.close();
      fs.rmSync(dir, { recursive: true, force: true });
      await slow.stop();
    }
  });
});
