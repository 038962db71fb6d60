/**
 * A vCenter's new rows and the state that describes them ("as of", counts, status) are written
 * in one transaction: a failure between the two never leaves new data with an old "as of".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateInventory, populateCache } from '../../../testing/generate-inventory.js';
import { openDatabase } from '../db/database.js';
import { Engine } from '../engine.js';

let dataDir: string;
let engine: Engine;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-state-'));
  const db = openDatabase(dataDir);
  populateCache(db, { vcenters: 2, vmsTotal: 100, hostsTotal: 6, datastoresTotal: 4, seed: 4 });
  db.close();
  const inventory = generateInventory({ seed: 99, vcenterIndex: 0, vms: 7, hosts: 2, datastores: 1 });
  engine = await Engine.open({
    dataDir,
    owner: 'test',
    vaultBackend: 'file',
    onWarning: () => undefined,
    collect: async () => ({
      about: {
        name: 'x',
        fullName: 'VMware vCenter Server 8.0',
        version: '8.0',
        build: '1',
        apiVersion: '8.0',
        instanceUuid: 'u',
        productLineId: 'vpx',
      },
      inventory,
      droppedPaths: [],
      missing: [],
      pages: 1,
      objects: 10,
    }),
  });
  // The generated vCenters log in with an account of their own: give them a password.
  for (const v of engine.vcenters.list()) await engine.setPassword(v.id, 'pw');
});

afterEach(() => {
  vi.restoreAllMocks();
  engine?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const vmCount = (id: number): number =>
  (
    engine.database.sqlite.prepare('SELECT count(*) AS n FROM vms WHERE vcenter_id = ?').get(id) as {
      n: number;
    }
  ).n;

describe('storing a sync', () => {
  it('writes the rows and the "ok" state together', async () => {
    const vc = engine.vcenters.list()[0]!;
    const r = await engine.sync.sync([vc.id]);
    expect(r.results[0]).toMatchObject({ status: 'ok' });
    expect(vmCount(vc.id)).toBe(7);
    const after = engine.vcenters.list()[0]!.sync;
    expect(after.counts?.vms).toBe(7);
    expect(after.lastSuccessAt).not.toBe(vc.sync.lastSuccessAt);
  });

  it('keeps the old rows when the state cannot be written (no new data with an old "as of")', async () => {
    const vc = engine.vcenters.list()[0]!;
    const before = vmCount(vc.id);
    const setState = engine.vcenters.setState.bind(engine.vcenters);
    vi.spyOn(engine.vcenters, 'setState').mockImplementation((id, patch) => {
      if (patch.status === 'ok') throw new Error('disk I/O error');
      setState(id, patch);
    });
    const r = await engine.sync.sync([vc.id]);
    expect(r.results[0]).toMatchObject({
      status: 'failed',
      error: { message: expect.stringMatching(/disk I\/O error/) },
    });
    expect(vmCount(vc.id)).toBe(before);
    const after = engine.vcenters.list()[0]!.sync;
    expect(after.lastSuccessAt).toBe(vc.sync.lastSuccessAt);
    expect(after.counts?.vms).toBe(before);
  });
});
