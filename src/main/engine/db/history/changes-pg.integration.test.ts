/**
 * The change history on PostgreSQL (issue 18): `GET /api/changes`, `vminer changes` and the History
 * tab read pages of the history by filters and keyset cursors. A cache with 3,000 recorded changes
 * (three vCenters, VMs and hosts, every kind and source, ten days) is copied into a real
 * PostgreSQL, and every request below gives the same pages on both back ends — items, counts per
 * kind and cursors — walked to the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangesRequest } from '../../../../shared/changes.js';
import { insertChanges, randomChanges } from '../../../../testing/changes-seed.js';
import { populateCache } from '../../../../testing/generate-inventory.js';
import {
  findPostgresBin,
  startPostgres,
  teamCopyOf,
  type RunningPostgres,
} from '../../../../testing/postgres.js';
import { PgQueryBackend } from '../../query/pg-backend.js';
import { openDatabase, type OpenedDatabase } from '../database.js';
import { ChangesReader, changesPageAsync, lastChangedAsync } from './changes-read.js';

const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';
const NOW = new Date('2026-12-06T05:00:00Z');
let dir: string;
let opened: OpenedDatabase;
let server: RunningPostgres;
let backend: PgQueryBackend;
let liveVm: { vcenterId: number; moid: string; name: string };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-changes-pg-'));
  opened = openDatabase(dir);
  populateCache(opened, { vcenters: 3, vmsTotal: 300, hostsTotal: 9, datastoresTotal: 6, seed: 8 });
  insertChanges(
    opened.sqlite,
    randomChanges({ n: 3000, now: NOW, days: 10, seed: 4, vcenters: 3, objects: 120 }),
  );
  liveVm = opened.sqlite
    .prepare('SELECT vcenter_id AS vcenterId, moid, name FROM vms ORDER BY moid LIMIT 1')
    .get() as {
    vcenterId: number;
    moid: string;
    name: string;
  };
  // The live VM under an older name in the history, so a search by either name finds both.
  insertChanges(opened.sqlite, [
    {
      at: new Date(NOW.getTime() - 3_600_000),
      vcenterId: liveVm.vcenterId,
      vcenter: 'vc-1',
      entity: 'vms',
      moid: liveVm.moid,
      objectName: 'Old-Name-Of-It',
      kind: 'changed',
      field: 'name',
      oldValue: 'Old-Name-Of-It',
      newValue: liveVm.name,
      source: 'live',
    },
  ]);
  if (NO_PG) return;
  server = await startPostgres('Changes-Pg-1');
  backend = PgQueryBackend.connect(await teamCopyOf(server, 'changes', dir));
}, 120_000);

afterAll(async () => {
  await backend?.close();
  await server?.stop();
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const REQUESTS: [string, () => ChangesRequest][] = [
  ['everything', () => ({ limit: 250 })],
  ['the last 3 days', () => ({ since: '3d', limit: 200 })],
  ['a window', () => ({ since: '2026-11-28T00:00:00Z', until: '2026-12-01T12:00:00Z', limit: 100 })],
  ['a vCenter by name in another case', () => ({ vcenter: 'VC-2', limit: 300 })],
  ['hosts', () => ({ entity: 'hosts', limit: 50 })],
  ['one field', () => ({ field: 'powerState', limit: 100 })],
  ['a field prefix in another case', () => ({ field: 'NUM*', limit: 100 })],
  ['created and removed', () => ({ kind: ['created', 'removed'], limit: 40 })],
  ['syncs only', () => ({ source: 'sync', limit: 150 })],
  ['an object by its history name', () => ({ object: 'vm-1-7', limit: 10 })],
  ['an object by its old name', () => ({ object: 'old-name-of-it' })],
  ['an object by its live name', () => ({ object: liveVm.name.toUpperCase() })],
  ['one object by key', () => ({ vcenterId: liveVm.vcenterId, moid: liveVm.moid })],
  ['nothing matches', () => ({ object: 'no-such-object' })],
  [
    'everything at once',
    () => ({ since: '9d', vcenter: 'vc-1', entity: 'vms', kind: ['changed'], source: 'live', limit: 30 }),
  ],
];

describe.skipIf(NO_PG !== '')(`the change history on PostgreSQL${NO_PG}`, { timeout: 60_000 }, () => {
  it.each(REQUESTS)('%s: the same pages on both back ends, walked to the end', async (_label, request) => {
    const reader = new ChangesReader(opened.sqlite, () => NOW);
    let req: ChangesRequest = request();
    let pages = 0;
    let rows = 0;
    for (;;) {
      const a = reader.page(req);
      const b = await changesPageAsync(backend, req, NOW);
      expect(b).toEqual(a);
      pages++;
      rows += a.items.length;
      if (!a.nextCursor) break;
      req = { ...request(), cursor: a.nextCursor, counts: false };
    }
    if (_label !== 'nothing matches') expect(rows).toBeGreaterThan(0);
    expect(pages).toBeGreaterThan(0);
  });

  it('"Last changed" of a page of objects: the same times on both', async () => {
    const keys = [
      ...(opened.sqlite
        .prepare('SELECT DISTINCT vcenter_id AS vcenterId, moid FROM changes LIMIT 60')
        .all() as {
        vcenterId: number;
        moid: string;
      }[]),
      { vcenterId: 1, moid: 'vm-never-changed' },
    ];
    const a = new ChangesReader(opened.sqlite, () => NOW).lastChanged(keys);
    expect(a.size).toBe(60);
    expect(await lastChangedAsync(backend, keys)).toEqual(a);
    expect((await lastChangedAsync(backend, [])).size).toBe(0);
  });

  it('refuses what it refuses on SQLite, with the same message', async () => {
    const reader = new ChangesReader(opened.sqlite, () => NOW);
    for (const bad of [
      { cursor: 'not-a-cursor' },
      { since: '1d', until: '2d' },
      { vcenterId: 1 },
    ] as ChangesRequest[]) {
      const a = (() => {
        try {
          reader.page(bad);
          return undefined;
        } catch (err) {
          return (err as Error).message;
        }
      })();
      expect(a).toBeDefined();
      await expect(changesPageAsync(backend, bad, NOW)).rejects.toThrow(a!);
    }
  });
});
