import { openTestEngine } from '../../../testing/engine.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../main/engine/db/database.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { Engine } from '../../../main/engine/engine.js';
import { startRest } from '../../../main/engine/rest/serve.js';
import type { SyncProgressEvent } from '../../../shared/events.js';
import { HttpApi, login } from './http.js';

// The browser client against a real listener: contract calls, error codes, expiry, events.
let dir: string;
let engine: Engine;
let app: FastifyInstance;
let base: string;
let token: string | null = null;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-http-'));
  const db = openDatabase(dir);
  populateCache(db, { vcenters: 2, vmsTotal: 300, hostsTotal: 10, datastoresTotal: 6, seed: 5 });
  db.close();
  engine = await openTestEngine(dir, { owner: 'http test' });
  const rest = await startRest(engine, { host: '127.0.0.1', port: 0, version: 'test' });
  app = rest.app;
  base = rest.url;
  await rest.auth.addUser('ops', 'ops-password-1', 'admin');
});

afterAll(async () => {
  await app.close();
  engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('HttpApi', () => {
  it('logs in, calls the contract, and keeps error codes', async () => {
    await expect(login(base, 'ops', 'nope')).rejects.toMatchObject({ code: 'LOGIN_FAILED' });
    const r = await login(base, 'ops', 'ops-password-1');
    expect(r.expiresAt).toBeGreaterThan(Date.now());
    token = r.token;
    const api = new HttpApi(
      base,
      () => token,
      () => {},
    );
    const page = await api.call('inventory.list', {
      entity: 'vms',
      limit: 5,
      sort: [{ field: 'memoryMb', dir: 'desc' }],
    });
    expect(page.items).toHaveLength(5);
    expect(page.total).toBe(300);
    await expect(api.call('vcenters.get', { id: 999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(api.call('inventory.list', { entity: 'vms', limit: 0 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('tells the app when the token is no longer accepted', async () => {
    let told = 0;
    const api = new HttpApi(
      base,
      () => 'not-a-token',
      () => told++,
    );
    await expect(api.call('stats.get', {})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(told).toBe(1);
  });

  it('streams engine events with the token in a header, and stops when nobody listens', async () => {
    const api = new HttpApi(
      base,
      () => token,
      () => {},
    );
    const got: SyncProgressEvent[] = [];
    const off = api.on('sync:progress', (e) => got.push(e));
    const event: SyncProgressEvent = { vcenterId: 1, vcenter: 'vc-x', phase: 'started', status: 'syncing' };
    // The stream connects asynchronously: emit until it is heard.
    await vi.waitFor(
      () => {
        engine.bus.emit('sync:progress', event);
        expect(got[0]).toEqual(event);
      },
      { timeout: 5_000, interval: 100 },
    );
    off();
    const before = got.length;
    engine.bus.emit('sync:progress', event);
    await new Promise((r) => setTimeout(r, 200));
    expect(got.length).toBe(before);
  });
});
