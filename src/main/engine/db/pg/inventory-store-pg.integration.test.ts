/**
 * PgInventoryStore writes what InventoryStore writes, row for row: one simulated vCenter is read
 * (collectInventory) and the same readings are stored into a SQLite cache with InventoryStore and
 * into a real PostgreSQL with PgInventoryStore; every inventory, child, link and search row and
 * the change history (ids and times aside) must be equal after a first sync, an unchanged re-sync
 * (no history row), a re-sync after changes made through the vSphere API, and live changes.
 * Then: a stale leadership term writes nothing; a failure mid-write leaves the previous rows;
 * `inventory:changed` is heard only for committed writes; and QueryService's PostgreSQL back end
 * answers as the SQLite one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../../shared/inventory.js';
import { deltaBetween } from '../../../../testing/inventory-delta.js';
import {
  findPostgresBin,
  migratedDatabase,
  startPostgres,
  superuserConfig,
  type RunningPostgres,
} from '../../../../testing/postgres.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../../../testing/vcsim.js';
import { VsphereOps } from '../../../../testing/vsphere-ops.js';
import { waitUntil } from '../../../../testing/wait.js';
import { PgQueryBackend } from '../../query/pg-backend.js';
import { QueryService } from '../../query/query-service.js';
import { NotifyBus } from '../../team/notify-bus.js';
import type { PgTarget } from '../../team/pg-connection.js';
import type { DeviceCache } from '../../vsphere/device-cache.js';
import { collectInventory } from '../../vsphere/collect.js';
import { MoRef } from '../../vsphere/xml.js';
import { openDatabase, type OpenedDatabase as CacheDb } from '../database.js';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import { InventoryStore } from '../inventory-store.js';
import { ENTITY_TABLES, HOST_CHILDREN, LINK_TABLES, OWN_ENTITIES, VM_CHILDREN } from '../inventory-tables.js';
import * as schema from '../schema.js';
import { VcenterRepo } from '../vcenter-repo.js';
import { pgTypes } from './connect.js';
import { copyToPostgres } from './copy.js';
import { StaleTermError } from '../../team/fence.js';
import { PgInventoryStore } from './inventory-store-pg.js';

const PW = 'Store-Pw-1';
const USER = 'store-ro';
const PASSWORD = 'store-secret';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

/** Every table a vCenter's inventory writes (the search index and the history apart). */
const TABLES = [
  ...OWN_ENTITIES.map((e) => ENTITY_TABLES[e]),
  ...LINK_TABLES,
  ...VM_CHILDREN,
  ...HOST_CHILDREN,
  schema.dvSwitches,
  schema.tagCategories,
  schema.tagDefs,
  schema.tagAssignments,
].map((t) => getTableConfig(t).name);

let server: RunningPostgres;
let admin: pg.Client;
let target: PgTarget;
let pool: pg.Pool;
let sim: RunningSimulator;
let ops: VsphereOps;
let dir: string;
let cache: CacheDb;
let sqliteStore: InventoryStore;
let pgStore: PgInventoryStore;
let vcenterId: number;
let term = 7;
const sqliteSql = (sql: string): unknown[] => cache.sqlite.prepare(sql).all();

/** A reading of the simulator; with `devices`, as a sync reads it (unchanged VMs' devices from the cache). */
async function read(devices?: DeviceCache): Promise<Inventory> {
  const res = await collectInventory({
    url: sim.url,
    user: USER,
    password: PASSWORD,
    trust: { kind: 'thumbprint', sha256: sim.thumbprintSha256 },
    ...(devices ? { devices } : {}),
  });
  return res.inventory;
}

/** A row as a comparable string: booleans as SQLite's 0/1, the columns sorted by name. */
function canon(row: Record<string, unknown>, drop: readonly string[]): string {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(row).sort()) {
    if (drop.includes(k)) continue;
    const v = row[k];
    out[k] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  }
  return JSON.stringify(out);
}

/** An answer without `lastChangedAt` values (when each store wrote the history, not what it says). */
function withoutWriteTimes(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'lastChangedAt' ? undefined : x)));
}

async function pgRows(sql: string): Promise<Record<string, unknown>[]> {
  return (await pool.query<Record<string, unknown>>({ text: sql, types: pgTypes })).rows;
}

/** Both stores' rows of every table, the search index and the history, as sorted lists. */
async function dumps(): Promise<{ sqlite: Record<string, string[]>; pg: Record<string, string[]> }> {
  const sqlite: Record<string, string[]> = {};
  const onPg: Record<string, string[]> = {};
  const put = (to: Record<string, string[]>, k: string, rows: unknown[], drop: string[] = []) => {
    to[k] = (rows as Record<string, unknown>[]).map((r) => canon(r, drop)).sort();
  };
  for (const t of TABLES) {
    put(sqlite, t, sqliteSql(`SELECT * FROM ${t}`));
    put(onPg, t, await pgRows(`SELECT * FROM ${t}`));
  }
  const search = 'SELECT name, extra, entity, vcenter_id, moid FROM search_index';
  put(sqlite, 'search_index', sqliteSql(search));
  put(onPg, 'search_index', await pgRows(search));
  put(sqlite, 'changes', sqliteSql('SELECT * FROM changes'), ['id', 'at']);
  put(onPg, 'changes', await pgRows('SELECT * FROM changes'), ['id', 'at']);
  return { sqlite, pg: onPg };
}

async function expectSame(): Promise<Record<string, string[]>> {
  const { sqlite, pg: onPg } = await dumps();
  for (const k of Object.keys(sqlite)) expect(onPg[k], k).toEqual(sqlite[k]);
  return sqlite;
}

const changeCount = async (): Promise<number> =>
  Number((await pgRows('SELECT count(*) AS n FROM changes'))[0]!['n']);

async function both(inv: Inventory): Promise<void> {
  sqliteStore.replace(vcenterId, inv);
  await pgStore.replace(vcenterId, inv);
}

describe(`PgInventoryStore beside InventoryStore${NO_PG}`, { timeout: 240_000 }, () => {
  beforeAll(async () => {
    if (NO_PG) return;
    server = await startPostgres(PW);
    admin = new pg.Client(superuserConfig(server, 'postgres'));
    await admin.connect();
    target = await migratedDatabase(server, admin, 'store');
    sim = await startSimulator({
      seed: 18,
      vms: 12,
      clusters: 2,
      hostsPerCluster: 2,
      standaloneHosts: 1,
      datastores: 2,
      portgroups: 2,
      namePrefix: 'pgw',
      user: USER,
      password: PASSWORD,
    });
    ops = await VsphereOps.connect(sim.url, USER, PASSWORD, sim.thumbprintSha256);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-pgwrite-'));
    cache = openDatabase(dir);
    sqliteStore = new InventoryStore(cache.sqlite);
    vcenterId = new VcenterRepo(cache.db).add({
      name: 'vc-pg',
      url: sim.url,
      username: USER,
      thumbprint: sim.thumbprintSha256,
      caPem: null,
    }).id;
    // The vCenter's row (and nothing else yet) as the team database has it.
    await copyToPostgres({ from: `sqlite:${cache.sqlite.name}`, target });
    pool = new pg.Pool({ ...superuserConfig(server, 'store'), max: 3 });
    await pool.query(
      `INSERT INTO team_leader (id, instance, host, pid, backend_pid, term, acquired_at, renewed_at)
       VALUES ('vminer', 'test', 'here', 1, 1, $1, now(), now())`,
      [term],
    );
    pgStore = new PgInventoryStore(pool, { fence: () => ({ election: 'vminer', term }) });
  });

  afterAll(async () => {
    await ops?.close().catch(() => undefined);
    await stopAll();
    cache?.close();
    await pool?.end();
    await admin?.end();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  let first: Inventory;

  it('a first sync: the same rows everywhere, one first-sync marker', async () => {
    first = await read();
    expect(first.vms.length).toBeGreaterThanOrEqual(12);
    await both(first);
    const rows = await expectSame();
    expect(rows['vms']).toHaveLength(first.vms.length);
    expect(rows['vm_disks']!.length).toBeGreaterThan(0);
    expect(rows['search_index']!.length).toBeGreaterThan(first.vms.length);
    expect(rows['changes']).toHaveLength(1);
    expect(rows['changes']![0]).toContain('"kind":"first-sync"');
  });

  it('an unchanged re-sync writes no row and no history', async () => {
    const before = await changeCount();
    // As a sync reads: the devices of VMs whose configuration did not move come from the cache.
    expect(await pgStore.replace(vcenterId, await read(await pgStore.deviceCache(vcenterId)))).toBe(0);
    expect(sqliteStore.replace(vcenterId, await read(sqliteStore.deviceCache(vcenterId)))).toBe(0);
    expect(await changeCount()).toBe(before);
    await expectSame();
  });

  it('a re-sync after power off, rename, resize, destroy and clone: the same rows and history', async () => {
    const vms = first.vms.filter((v) => !v.template).map((v) => v.moid);
    const on = first.vms.find((v) => v.powerState === 'poweredOn' && !v.template)!.moid;
    await ops.powerOff(on);
    await ops.rename(new MoRef('VirtualMachine', vms[1]!), 'renamed-by-test');
    await ops.reconfigure(vms[2]!, { numCpu: 6, memoryMb: 6144 });
    const victim = vms[3]!;
    if (first.vms.find((v) => v.moid === victim)?.powerState === 'poweredOn') await ops.powerOff(victim);
    await ops.unregister(victim);
    await ops.clone(vms[4]!, 'added-by-test');
    const before = await changeCount();
    await both(await read());
    const rows = await expectSame();
    expect(await changeCount()).toBeGreaterThan(before);
    const history = rows['changes']!.join('\n');
    expect(history).toContain('renamed-by-test');
    expect(history).toContain('"kind":"removed"');
    expect(history).toContain('"kind":"created"');
    expect(history).toContain('"field":"numCpu"');
  });

  it('live changes (applyDelta): the same rows and history on both', async () => {
    const base = await read();
    const vms = base.vms.filter((v) => !v.template);
    await ops.rename(new MoRef('VirtualMachine', vms[0]!.moid), 'live-renamed');
    await ops.reconfigure(vms[1]!.moid, { memoryMb: 3072 });
    await ops.addDisk(vms[1]!.moid, 3);
    const gone = vms[5]!;
    if (gone.powerState === 'poweredOn') await ops.powerOff(gone.moid);
    await ops.unregister(gone.moid);
    const clone = await ops.clone(vms[6]!.moid, 'live-clone');
    const after = await read();
    const d = deltaBetween(base, after);
    expect(d.removed.vms).toEqual([gone.moid]);
    expect(d.vms.map((v) => v.row.moid)).toContain(clone);
    const before = await changeCount();
    sqliteStore.applyDelta(vcenterId, d);
    await pgStore.applyDelta(vcenterId, d);
    const rows = await expectSame();
    const live = rows['changes']!.filter((r) => r.includes('"source":"live"'));
    expect(live.length).toBe((await changeCount()) - before);
    expect(live.join('\n')).toContain('live-renamed');
    // A delta that repeats what is stored records nothing more.
    const again = await changeCount();
    sqliteStore.applyDelta(vcenterId, d);
    await pgStore.applyDelta(vcenterId, d);
    expect(await changeCount()).toBe(again);
    await expectSame();
  });

  it('tags read again (replaceTags) and the device cache and snapshot list read back alike', async () => {
    const inv = await read();
    if (inv.tags) {
      const names = (moid: string) => inv.vms.find((v) => v.moid === moid)?.name ?? null;
      expect(await pgStore.replaceTags(vcenterId, inv.tags, names)).toBe(
        sqliteStore.replaceTags(vcenterId, inv.tags, names),
      );
      await expectSame();
    }
    const a = sqliteStore.deviceCache(vcenterId);
    const b = await pgStore.deviceCache(vcenterId);
    for (const d of inv.vmDevices)
      expect(b.get(d.vmMoid, d.changeVersion)).toBe(a.get(d.vmMoid, d.changeVersion));
    expect((await pgStore.snapshotVms(vcenterId)).sort()).toEqual(sqliteStore.snapshotVms(vcenterId).sort());
  });

  it('a write with a stale term fails with StaleTermError and changes nothing', async () => {
    const inv = await read();
    const changed = structuredClone(inv);
    changed.vms[0]!.name = 'written-by-a-stale-leader';
    const before = await dumps();
    // Another instance was elected meanwhile: the term moved on.
    await pool.query(`UPDATE team_leader SET term = term + 1 WHERE id = 'vminer'`);
    let alongsideRan = false;
    const err = await pgStore
      .replace(vcenterId, changed, async () => {
        alongsideRan = true;
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleTermError);
    expect((err as StaleTermError).current).toBe(term + 1);
    expect((err as Error).message).toMatch(/leader of term 7 of "vminer", but term 8 has begun/);
    await expect(pgStore.applyDelta(vcenterId, deltaBetween(inv, changed))).rejects.toBeInstanceOf(
      StaleTermError,
    );
    expect(alongsideRan).toBe(false);
    expect((await dumps()).pg).toEqual(before.pg);
    term += 1; // elected again with the new term: writes go through
    await pgStore.replace(vcenterId, inv);
    const beforeDuring = (await dumps()).pg;
    // An election while the write runs (here: from its alongside hook, on another connection):
    // the check before the commit finds the new term, and the whole write rolls back.
    const during = await pgStore
      .replace(vcenterId, changed, async () => {
        await pool.query(`UPDATE team_leader SET term = term + 1 WHERE id = 'vminer'`);
      })
      .catch((e: unknown) => e);
    expect(during).toBeInstanceOf(StaleTermError);
    expect((await dumps()).pg).toEqual(beforeDuring);
    expect(JSON.stringify((await dumps()).pg)).not.toContain('written-by-a-stale-leader');
    term += 1;
    await pgStore.replace(vcenterId, inv);
  });

  it('a failure mid-write (a NUL in a name, which PostgreSQL text refuses) rolls everything back', async () => {
    const inv = await read();
    const bad = structuredClone(inv);
    bad.vms[0]!.memoryMb = (bad.vms[0]!.memoryMb ?? 0) + 1; // written before the failing table
    bad.vms.at(-1)!.name = 'nul\u0000name';
    const before = (await dumps()).pg;
    let state = 'untouched';
    await expect(
      pgStore.replace(vcenterId, bad, async (client) => {
        state = 'ran';
        await client.query('SELECT 1');
      }),
    ).rejects.toThrow(/0x00|invalid byte sequence|null character/i);
    expect(state).toBe('untouched');
    expect((await dumps()).pg).toEqual(before);
    // The alongside hook runs in the transaction: its write commits or rolls back with the rows.
    await pgStore.replace(vcenterId, inv, async (client) => {
      await client.query(
        `INSERT INTO sync_state (vcenter_id, status) VALUES ($1, 'ok') ON CONFLICT (vcenter_id) DO UPDATE SET status = 'ok'`,
        [vcenterId],
      );
    });
    expect(await pgRows(`SELECT status FROM sync_state WHERE vcenter_id = ${vcenterId}`)).toEqual([
      { status: 'ok' },
    ]);
  });

  it('publishes inventory:changed in the write transaction: heard after a commit, never after a rollback', async () => {
    const publisher = new NotifyBus({ target, instance: 'writer' });
    const listener = new NotifyBus({ target, instance: 'reader' });
    await listener.start();
    const heard: number[][] = [];
    listener.on('inventory:changed', (p) => heard.push(p.vcenterIds));
    const store = new PgInventoryStore(pool, { fence: () => ({ election: 'vminer', term }), bus: publisher });
    try {
      const inv = await read();
      await store.replace(vcenterId, inv);
      await waitUntil(() => heard.length === 1, { timeout: 5_000, what: 'the notification' });
      expect(heard).toEqual([[vcenterId]]);
      const bad = structuredClone(inv);
      bad.vms[0]!.name = 'x\u0000';
      await expect(store.replace(vcenterId, bad)).rejects.toThrow();
      await store.replace(vcenterId, inv);
      await waitUntil(() => heard.length === 2, { timeout: 5_000, what: 'the second notification' });
      expect(heard).toEqual([[vcenterId], [vcenterId]]);
    } finally {
      await listener.stop();
      await publisher.stop();
    }
  });

  it('the read side sees the writes: QueryService on PostgreSQL answers as on SQLite', async () => {
    // The tests above wrote to PostgreSQL alone; the same reading into both again.
    await both(await read());
    await expectSame();
    const now = () => new Date('2026-12-06T00:00:00Z');
    const onSqlite = new QueryService({ sqlite: cache.sqlite, now });
    const backend = PgQueryBackend.connect(target);
    const onPg = new QueryService({ postgres: backend, now });
    try {
      for (const question of [
        'how many vms',
        'powered off vms',
        'vms with more than 4 cpus',
        'where is live-renamed',
        'hosts by cluster',
        'datastores',
      ]) {
        const a = onSqlite.ask({ question });
        const b = await onPg.askAsync({ question });
        // The history's times are each store's own write times (ms apart): left out of the comparison.
        const { conversationId: _a, ...ea } = a;
        const { conversationId: _b, ...eb } = b;
        expect(withoutWriteTimes(eb), question).toEqual(withoutWriteTimes(ea));
        expect(a.kind, question).not.toBe('not_understood');
      }
    } finally {
      await backend.close();
    }
  });
});
