/**
 * `stats` on PostgreSQL (issue 18): the figures `vminer stats`, the Settings page and
 * `GET /api/stats` show — rows per entity and vCenter, power states, capacity, the change history's
 * size — from a team database equal those of the SQLite cache it was copied from.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertChanges } from '../../../testing/changes-seed.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import {
  findPostgresBin,
  startPostgres,
  teamCopyOf,
  type RunningPostgres,
} from '../../../testing/postgres.js';
import { PgQueryBackend } from '../query/pg-backend.js';
import { SettingsRepo } from '../settings-repo.js';
import { openDatabase, type OpenedDatabase } from './database.js';
import { inventoryStats, inventoryStatsPg } from './stats.js';
import { VcenterRepo } from './vcenter-repo.js';

const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';
let dir: string;
let opened: OpenedDatabase;
let server: RunningPostgres;
let backend: PgQueryBackend;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-stats-pg-'));
  opened = openDatabase(dir);
  populateCache(opened, {
    vcenters: 3,
    vmsTotal: 900,
    hostsTotal: 15,
    datastoresTotal: 9,
    seed: 3,
    failedVcenters: 1,
  });
  opened.sqlite.exec('UPDATE vms SET power_state = NULL WHERE rowid % 17 = 0');
  const vc = opened.sqlite.prepare('SELECT id, name FROM vcenters ORDER BY id LIMIT 1').get() as {
    id: number;
    name: string;
  };
  insertChanges(
    opened.sqlite,
    Array.from({ length: 120 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 10, 1 + (i % 28), i % 24)),
      vcenterId: vc.id,
      vcenter: vc.name,
      entity: 'vms' as const,
      moid: `vm-${i}`,
      objectName: `vm ${i}`,
      kind: 'changed' as const,
      field: 'numCpu',
      oldValue: '2',
      newValue: '4',
      source: 'sync' as const,
    })),
  );
  if (NO_PG) return;
  server = await startPostgres('Stats-Pg-1');
  backend = PgQueryBackend.connect(await teamCopyOf(server, 'stats', dir));
}, 120_000);

afterAll(async () => {
  await backend?.close();
  await server?.stop();
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(NO_PG !== '')(`stats on PostgreSQL${NO_PG}`, () => {
  it('gives the same figures as the SQLite cache, the history size aside', async () => {
    const lite = inventoryStats(opened);
    const pg = await inventoryStatsPg(
      backend,
      new VcenterRepo(opened.db).list(),
      new SettingsRepo(opened.db).get(),
    );
    expect(lite.totals.vms).toBe(900);
    expect(lite.totals.disks).toBeGreaterThan(0);
    expect(Object.keys(lite.powerStates)).toContain('unknown');
    expect(lite.failedVcenters).toHaveLength(1);
    const { history: h1, ...rest1 } = lite;
    const { history: h2, ...rest2 } = pg;
    expect(rest2).toEqual(rest1);
    // Rows and the oldest entry are the same; bytes are each engine's own page count.
    expect({ ...h2, bytes: 0 }).toEqual({ ...h1, bytes: 0 });
    expect(h1.rows).toBeGreaterThanOrEqual(120); // and the generated syncs' own entries
    expect(h2.bytes).toBeGreaterThan(0);
  });
});
