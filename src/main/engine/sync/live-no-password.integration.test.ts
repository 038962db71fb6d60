/**
 * A vCenter with no stored password cannot be kept live: instead of silently having no session,
 * it shows `failed` with a reason that says what to do, through `live.status` (GET /api/live), the
 * vCenter's own state (the vCenters page, `vminer vcenter list`) and a `live:state` event — and
 * goes live as soon as a password or a service account is there. Over a real REST listener, with
 * a simulator behind it.
 */
import { waitUntil } from '../../../testing/wait.js';
import { openTestEngine } from '../../../testing/engine.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveStatusResult } from '../../../shared/contract.js';
import type { LiveStateEvent } from '../../../shared/events.js';
import type { VcenterWithState } from '../../../shared/vcenter.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { Engine } from '../engine.js';
import { startRest } from '../rest/serve.js';
import { loginToken } from '../../../testing/rest-login.js';

const USER = 'live-ro';
const PASSWORD = 'live-nopw-secret';

let dataDir: string;
let engine: Engine;
let sim: RunningSimulator;
let app: FastifyInstance;
let base: string;
let token: string;
let ownId: number;
let svcId: number;
const events: LiveStateEvent[] = [];

async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const r = await fetch(base + url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  expect(r.status, text).toBe(200);
  return JSON.parse(text) as T;
}

const live = (): Promise<LiveStatusResult> => api<LiveStatusResult>('GET', '/api/live');
const entry = async (id: number) => (await live()).sessions.find((s) => s.vcenterId === id);
const vcenter = async (id: number) =>
  (await api<VcenterWithState[]>('GET', '/api/vcenters')).find((v) => v.id === id)!;

beforeAll(async () => {
  sim = await startSimulator({ seed: 41, vms: 8, namePrefix: 'np', user: USER, password: PASSWORD });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-live-nopw-'));
  engine = await openTestEngine(dataDir, {
    live: { maxWaitSeconds: 5, backoffBaseMs: 200, backoffMaxMs: 1_000, connectTimeoutMs: 2_000 },
  });
  const common = { url: sim.url, thumbprint: sim.thumbprintSha256, caPem: null };
  // Its own account, whose password was never set (an imported list names users, never passwords).
  ownId = engine.vcenters.add({ ...common, name: 'vc-own', username: USER }).id;
  // "The default service account", but there is none yet.
  svcId = engine.vcenters.add({ ...common, name: 'vc-svc', username: '', useServiceAccount: true }).id;
  engine.bus.on('live:state', (e) => events.push(e));
  const rest = await startRest(engine, { host: '127.0.0.1', port: 0, version: 'test' });
  app = rest.app;
  base = rest.url;
  await rest.auth.addUser('admin', 'admin password 1', 'admin');
  token = await loginToken(base, 'admin', 'admin password 1');
  engine.live.start();
});

afterAll(async () => {
  await app?.close();
  await engine?.shutdown();
  engine?.close();
  await stopAll();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('live updates for a vCenter without a stored password', () => {
  it('GET /api/live lists it as failed, saying why and what to do', async () => {
    const status = await live();
    expect(status).toMatchObject({ mode: 'live', paused: false, running: true });
    const own = await entry(ownId);
    expect(own).toMatchObject({
      vcenter: 'vc-own',
      status: 'failed',
      error: { code: 'LOGIN_FAILED' },
      updateSets: 0,
      fullLoads: 0,
      lastChangeAt: null,
    });
    expect(own!.error!.message).toMatch(/^vc-own: no password is stored for live-ro/);
    expect(own!.error!.message).toContain('`vminer vcenter set-password vc-own`');
    expect(own!.error!.message).toMatch(/vCenters page/);
    expect(own!.error!.message).toMatch(/service account/);
    expect(own!.error!.message).toMatch(/no live updates until then$/);
    const svc = await entry(svcId);
    expect(svc).toMatchObject({ vcenter: 'vc-svc', status: 'failed', error: { code: 'LOGIN_FAILED' } });
    expect(svc!.error!.message).toMatch(
      /^vc-svc: it logs in with the default service account, but none is set/,
    );
    expect(svc!.error!.message).toContain('`vminer account add');
  });

  it('the vCenter itself shows it (vCenters page, `vminer vcenter list`), and a live:state event said so once', async () => {
    const v = await vcenter(ownId);
    expect(v.sync.status).toBe('failed');
    expect(v.sync.error).toEqual((await entry(ownId))!.error);
    const mine = events.filter((e) => e.vcenterId === ownId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ vcenter: 'vc-own', status: 'failed', error: { code: 'LOGIN_FAILED' } });
    // Reconfiguring again (a settings change, a source refresh) does not repeat it.
    engine.reconfigured();
    engine.reconfigured();
    expect(events.filter((e) => e.vcenterId === ownId)).toHaveLength(1);
  });

  it('the contract entry answers the same (the desktop app reads it over IPC)', async () => {
    expect((await api<{ result: LiveStatusResult }>('POST', '/api/rpc/live.status', {})).result).toEqual(
      await live(),
    );
  });

  it('setting its password (vCenters page → Edit) makes it live; the reason is gone', async () => {
    await api('POST', '/api/rpc/vcenters.update', { id: ownId, password: PASSWORD });
    await waitUntil(async () => (await entry(ownId))?.status === 'live', { timeout: 20_000 });
    expect((await entry(ownId))!.error).toBeNull();
    expect((await entry(ownId))!.fullLoads).toBe(1);
    const v = await vcenter(ownId);
    expect(v.sync).toMatchObject({ status: 'live', error: null });
    expect(v.sync.counts?.vms).toBe(sim.counts.vms);
    // The other one still waits, still saying why.
    expect(await entry(svcId)).toMatchObject({ status: 'failed', error: { code: 'LOGIN_FAILED' } });
  });

  it('a default service account makes the other one live too', async () => {
    await api('POST', '/api/rpc/accounts.add', {
      name: 'ro',
      username: USER,
      password: PASSWORD,
      isDefault: true,
    });
    await waitUntil(async () => (await entry(svcId))?.status === 'live', { timeout: 20_000 });
    expect((await live()).sessions.map((s) => [s.vcenter, s.status, s.error])).toEqual([
      ['vc-own', 'live', null],
      ['vc-svc', 'live', null],
    ]);
  });

  it('a password removed again (the account deleted) brings the reason back', async () => {
    await api('POST', '/api/rpc/vcenters.update', {
      id: svcId,
      credential: { kind: 'own' },
      username: USER,
      password: PASSWORD,
    });
    const [account] = (await api<{ result: { id: number }[] }>('POST', '/api/rpc/accounts.list', {})).result;
    await api('POST', '/api/rpc/accounts.remove', { id: account!.id });
    // The vault entry of vc-own's password goes, as if it had never been stored.
    await engine.vault.delete(`vcenter:${ownId}`);
    engine.reconfigured();
    await waitUntil(async () => (await entry(ownId))?.status === 'failed', { timeout: 20_000 });
    expect((await entry(ownId))!.error!.message).toMatch(/no password is stored/);
    expect((await vcenter(ownId)).sync.status).toBe('failed');
    expect(await entry(svcId)).toMatchObject({ status: 'live', error: null });
  });

  it('turning live updates off drops the reason (a stopped vCenter is "ok as of" its last success)', async () => {
    await api('POST', '/api/rpc/settings.update', { updateMode: 'scheduled' });
    await waitUntil(async () => (await live()).sessions.length === 0, { timeout: 20_000 });
    expect(await vcenter(ownId)).toMatchObject({ sync: { status: 'ok', error: null } });
    expect((await vcenter(ownId)).sync.lastSuccessAt).not.toBeNull();
    // Back on: the reason is back, once.
    const before = events.filter((e) => e.vcenterId === ownId && e.status === 'failed').length;
    await api('POST', '/api/rpc/settings.update', { updateMode: 'live' });
    expect(await entry(ownId)).toMatchObject({ status: 'failed', error: { code: 'LOGIN_FAILED' } });
    expect(events.filter((e) => e.vcenterId === ownId && e.status === 'failed')).toHaveLength(before + 1);
    await waitUntil(async () => (await entry(svcId))?.status === 'live', { timeout: 20_000 });
  });
});
