/**
 * The inventory store on PostgreSQL (issue 18, the team server): the same operations as the SQLite
 * InventoryStore (db/inventory-store.ts), async, on a `pg` pool, with the same results row for row
 * (inventory, child, link and search rows, and the change history).
 *
 * Shared with the SQLite store, not copied: the tables and the order a full sync writes them, the
 * rows each gets, the row encoding and the comparison that decides what is created, changed or
 * removed (inventory-tables.ts, table-shape.ts), and the change history's rules (HistoryWrite).
 * What differs is how rows travel: a full sync reads a table's stored rows in one statement,
 * compares them in memory and writes the difference in batches (pg-rows.ts), table by table in
 * the SQLite store's order (so the foreign keys' cascades happen between the same steps).
 *
 * Every write is one transaction (fenced-write.ts): the writer's leadership term is checked first
 * (a stale term throws StaleTermError and writes nothing), `alongside` (the sync state) runs
 * inside it, and `inventory:changed` is published in it when a bus is given.
 */
import type pg from 'pg';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Entity, Inventory, TagSet, VmDevicesRow } from '../../../../shared/inventory.js';
import { deviceCacheOf, type DeviceCache } from '../../vsphere/device-cache.js';
import type { InventoryDelta } from '../../vsphere/live-inventory.js';
import { RenameMemory, type ChangeSource, type HistoryWrite } from '../history/recorder.js';
import {
  childSteps,
  countsOf,
  deltaRemovals,
  deltaSimple,
  ENTITY_TABLES,
  entitySteps,
  HOST_CHILDREN,
  IGNORES_DUPLICATES,
  inventoryNames,
  linkSteps,
  planSearch,
  recordDelta,
  renameLists,
  SEARCH_SPAN,
  searchBase,
  searchEntries,
  tagSteps,
  VM_CHILDREN,
  vmSearchExtra,
  writesDevices,
  type ObjectNames,
  type SearchEntry,
  type SyncStep,
} from '../inventory-tables.js';
import { RENAME_SOURCES } from '../history/recorder.js';
import * as schema from '../schema.js';
import { shapeOf, type Bindable } from '../table-shape.js';
import { pgTypes } from './connect.js';
import type { Fence } from '../../team/fence.js';
import { fencedWrite, type TransactionalPublisher } from './fenced-write.js';
import {
  beginHistory,
  HistoryQuestions,
  PgHistoryContext,
  storedNamesOf,
  vcenterFacts,
} from './pg-history.js';
import { insertRows, PgRows, selectAll, type PgQueryable } from './pg-rows.js';
import { Cascade } from '../cascade.js';

/** Runs inside the write's transaction, on its client (the vCenter's sync state). */
export type PgAlongside = (client: pg.PoolClient) => Promise<void>;

export interface PgInventoryStoreOptions {
  /** The writer's election and term, read at each write (e.g. from the LeaderElector). */
  fence: () => Fence;
  /** Publishes `inventory:changed` in each write's transaction (NotifyBus). */
  bus?: TransactionalPublisher;
}

type Row = Record<string, unknown>;
const asRows = (xs: readonly object[]): readonly Row[] => xs as readonly Row[];

export class PgInventoryStore {
  /** Off only for a benchmark that measures what recording costs (as the SQLite store's switch). */
  historyEnabled = true;
  private readonly renames = new RenameMemory();
  private readonly rows = new Map<SQLiteTable, PgRows>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: PgInventoryStoreOptions,
  ) {}

  private t(table: SQLiteTable): PgRows {
    let r = this.rows.get(table);
    if (!r) this.rows.set(table, (r = new PgRows(shapeOf(table))));
    return r;
  }

  private write<T>(vcenterId: number, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return fencedWrite(this.pool, { fence: this.opts.fence(), vcenterId, bus: this.opts.bus }, fn);
  }

  /**
   * Makes the stored inventory of a vCenter exactly `inv`, writing only what differs (an unchanged
   * re-sync writes no row and no history), as InventoryStore.replace. Returns the rows written.
   */
  replace(
    vcenterId: number,
    inv: Inventory,
    alongside?: PgAlongside,
    source: ChangeSource = 'sync',
  ): Promise<number> {
    return this.write(vcenterId, async (db) => {
      const facts = this.historyEnabled ? await vcenterFacts(db, vcenterId) : undefined;
      // A vCenter whose cache is empty is seen for the first time: one marker, not a row per object.
      const first = facts?.empty === true;
      const names = inventoryNames(inv);
      // Child rows are compared after their owners are written: an owner's name is the new one.
      const ctx = new PgHistoryContext(this.renames, names);
      const h = facts ? beginHistory(ctx, vcenterId, facts, source) : undefined;
      const rec = first ? undefined : h;
      const entities = entitySteps(inv);
      const later = [...linkSteps(inv), ...childSteps(inv), ...(inv.tags ? tagSteps(inv.tags, names) : [])];
      // Every table's stored rows in one round trip; what a deletion cascades to is worked out.
      const stored = await selectAll(
        db,
        vcenterId,
        [...entities, ...later].map((step) => this.t(step.table)),
      );
      const cascade = new Cascade();
      if (rec) {
        for (const [, table] of RENAME_SOURCES) {
          const shape = shapeOf(table);
          const moidAt = shape.props.indexOf('moid');
          const nameAt = shape.props.indexOf('name');
          const rows = stored.get(this.t(table)) ?? [];
          ctx.setNames(shape.tableName, new Map(rows.map((r) => [String(r[moidAt]), String(r[nameAt])])));
        }
        rec.noteRenamesOf(renameLists(inv));
      }
      const run = (step: SyncStep): Promise<number> =>
        this.syncStep(
          db,
          vcenterId,
          step,
          cascade.surviving(step.table, stored.get(this.t(step.table)) ?? []),
          cascade,
          rec,
        );
      let written = 0;
      for (const step of entities) written += await run(step);
      if (first && h && written > 0) h.firstSync(countsOf(inv));
      for (const step of later) written += await run(step);
      written += await this.syncDevices(db, vcenterId, inv.vmDevices);
      if (!inv.tags) written += await this.renameTagged(db, vcenterId, names);
      written += await this.syncSearch(db, vcenterId, searchEntries(inv));
      await ctx.flush(db);
      await alongside?.(db);
      return written;
    });
  }

  /** One table of a full sync: its stored rows compared, the difference written in batches. */
  private async syncStep(
    db: PgQueryable,
    vcenterId: number,
    step: SyncStep,
    stored: readonly (readonly unknown[])[],
    cascade: Cascade,
    h?: HistoryWrite,
  ): Promise<number> {
    const t = this.t(step.table);
    const o = step.observed ? h?.observe(step.table) : undefined;
    const created: Bindable[][] = [];
    const changed: Bindable[][] = [];
    const removed: (readonly unknown[])[] = [];
    const ignore = IGNORES_DUPLICATES.has(step.table);
    t.shape.diff(
      vcenterId,
      stored,
      step.rows,
      {
        created: (values) => {
          created.push(values.slice() as Bindable[]);
          o?.created(values);
        },
        changed: (old, values) => {
          changed.push(values.slice() as Bindable[]);
          o?.changed(old, values);
        },
        removed: (old) => {
          removed.push(old);
          o?.removed(old);
        },
      },
      ignore ? 'first' : 'all',
      step.keep,
    );
    cascade.removed(step.table, removed);
    await t.deleteRows(db, vcenterId, removed);
    await t.update(db, changed);
    await t.insert(db, created, ignore ? 'ignore' : 'fail');
    return created.length + changed.length + removed.length;
  }

  /** The device cache by difference of versions, as the SQLite store writes it (`writesDevices`). */
  private async syncDevices(
    db: PgQueryable,
    vcenterId: number,
    rows: readonly VmDevicesRow[],
  ): Promise<number> {
    const res = await db.query<[string, string]>({
      text: 'SELECT vm_moid, change_version FROM vm_devices WHERE vcenter_id = $1',
      values: [vcenterId],
      rowMode: 'array',
    });
    const stored = new Map(res.rows);
    const t = this.t(schema.vmDevices);
    const put: Bindable[][] = [];
    for (const r of rows) {
      const v = stored.get(r.vmMoid);
      if (!writesDevices(stored.delete(r.vmMoid), r, () => v)) continue;
      put.push(t.shape.fill(vcenterId, r as unknown as Row).slice());
    }
    await t.deleteWhere(db, vcenterId, 'vm_moid', [...stored.keys()]);
    await t.insert(db, put, 'update');
    return put.length + stored.size;
  }

  private async syncTags(
    db: PgQueryable,
    vcenterId: number,
    tags: TagSet,
    names: ObjectNames,
    h?: HistoryWrite,
  ): Promise<number> {
    let written = 0;
    const steps = tagSteps(tags, names);
    const stored = await selectAll(
      db,
      vcenterId,
      steps.map((step) => this.t(step.table)),
    );
    const cascade = new Cascade();
    for (const step of steps)
      written += await this.syncStep(
        db,
        vcenterId,
        step,
        cascade.surviving(step.table, stored.get(this.t(step.table)) ?? []),
        cascade,
        h,
      );
    return written;
  }

  /** Tags kept from an earlier read: their objects' names as the new inventory has them. */
  private async renameTagged(db: PgQueryable, vcenterId: number, names: ObjectNames): Promise<number> {
    const res = await db.query<[string]>({
      text: 'SELECT DISTINCT object_moid FROM tag_assignments WHERE vcenter_id = $1',
      values: [vcenterId],
      rowMode: 'array',
    });
    return this.renameObjects(
      db,
      vcenterId,
      res.rows.map(([moid]) => [moid, names(moid)]),
    );
  }

  /** Keeps objects' names on their tags current: (moid, name) pairs. */
  private async renameObjects(
    db: PgQueryable,
    vcenterId: number,
    pairs: readonly (readonly [string, string | null])[],
  ): Promise<number> {
    if (pairs.length === 0) return 0;
    const res = await db.query(
      `UPDATE tag_assignments AS t SET object = v.name
       FROM unnest($2::text[], $3::text[]) AS v(moid, name)
       WHERE t.vcenter_id = $1 AND t.object_moid = v.moid AND t.object IS DISTINCT FROM v.name`,
      [vcenterId, pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    return res.rowCount ?? 0;
  }

  /** The search rows, numbered as the SQLite store numbers them (planSearch). */
  private async syncSearch(db: PgQueryable, vcenterId: number, entries: SearchEntry[]): Promise<number> {
    const base = searchBase(vcenterId);
    const res = await db.query<SearchEntry & { id: number }>({
      text: 'SELECT id, name, extra, entity, moid FROM search_index WHERE id BETWEEN $1 AND $2',
      values: [base, base + SEARCH_SPAN],
      types: pgTypes,
    });
    const stored = new Map<number, SearchEntry>();
    for (const r of res.rows) stored.set(r.id, r);
    const drop: number[] = [];
    const put: unknown[][] = [];
    const written = planSearch(
      vcenterId,
      stored,
      entries,
      (id) => drop.push(id),
      (id, e) => put.push([id, e.name, e.extra, e.entity, vcenterId, e.moid]),
    );
    await this.searchWrite(db, drop, put);
    return written;
  }

  private async searchWrite(
    db: PgQueryable,
    drop: readonly number[],
    put: readonly unknown[][],
  ): Promise<void> {
    if (drop.length > 0) await db.query('DELETE FROM search_index WHERE id = ANY($1::bigint[])', [drop]);
    await insertRows(db, 'search_index', ['id', 'name', 'extra', 'entity', 'vcenter_id', 'moid'], put);
  }

  /**
   * Applies the rows a live change touched (InventoryStore.applyDelta): removals, then each
   * changed VM's and host's row with its children, snapshots and links rewritten, dvSwitches and
   * the other objects upserted, their names kept current on their tags, search entries in step,
   * the history compared with the rows replaced (source 'live'); `alongside` in the transaction.
   */
  applyDelta(vcenterId: number, d: InventoryDelta, alongside?: PgAlongside): Promise<void> {
    return this.write(vcenterId, async (db) => {
      const ctx = this.historyEnabled ? await this.deltaHistory(db, vcenterId, d) : undefined;
      const search = new LiveSearch(vcenterId);
      const renames: [string, string | null][] = [];
      // Removals.
      for (const [kind, moids] of deltaRemovals(d)) {
        if (moids.length === 0) continue;
        if (kind === 'dvSwitches') {
          await this.t(schema.dvSwitches).deleteWhere(db, vcenterId, 'moid', moids);
          await this.t(schema.tagAssignments).deleteWhere(db, vcenterId, 'object_moid', moids);
          continue;
        }
        if (kind === 'vms') await this.clearChildren(db, vcenterId, VM_CHILDREN, 'vm_moid', moids);
        if (kind === 'hosts') await this.clearChildren(db, vcenterId, HOST_CHILDREN, 'host_moid', moids);
        await this.t(ENTITY_TABLES[kind]).deleteWhere(db, vcenterId, 'moid', moids);
        await this.t(schema.tagAssignments).deleteWhere(db, vcenterId, 'object_moid', moids);
        for (const moid of moids) search.unindex(kind, moid);
        if (kind === 'vms') await this.clearChildren(db, vcenterId, VM_OWNED, 'vm_moid', moids);
        if (kind === 'hosts')
          await this.t(schema.hostDatastores).deleteWhere(db, vcenterId, 'host_moid', moids);
      }
      // VMs: children go first, then the row, its snapshots and links, its children again.
      if (d.vms.length > 0) {
        const moids = d.vms.map((v) => v.row.moid);
        await this.clearChildren(db, vcenterId, VM_CHILDREN, 'vm_moid', moids);
        await this.upsert(
          db,
          vcenterId,
          schema.vms,
          d.vms.map((v) => v.row),
        );
        await this.clearChildren(db, vcenterId, VM_OWNED, 'vm_moid', moids);
        await this.upsert(
          db,
          vcenterId,
          schema.snapshots,
          d.vms.flatMap((v) => v.snapshots),
        );
        const links = (pick: (v: (typeof d.vms)[number]) => string[]): Row[] =>
          d.vms.flatMap((v) => pick(v).map((b) => ({ a: v.row.moid, b })));
        await this.insertAll(
          db,
          vcenterId,
          schema.vmDatastores,
          links((v) => v.datastores),
          'ignore',
        );
        await this.insertAll(
          db,
          vcenterId,
          schema.vmNetworks,
          links((v) => v.networks),
          'ignore',
        );
        await this.insertAll(
          db,
          vcenterId,
          schema.vmDisks,
          d.vms.flatMap((v) => asRows(v.disks)),
          'fail',
        );
        await this.insertAll(
          db,
          vcenterId,
          schema.vmNics,
          d.vms.flatMap((v) => asRows(v.nics)),
          'fail',
        );
        await this.insertAll(
          db,
          vcenterId,
          schema.vmPartitions,
          d.vms.flatMap((v) => asRows(v.partitions)),
          'fail',
        );
        await this.insertAll(
          db,
          vcenterId,
          schema.vmCustomValues,
          d.vms.flatMap((v) => v.customValues.map((r) => ({ ...r, vmMoid: v.row.moid }))),
          'fail',
        );
        await this.insertAll(
          db,
          vcenterId,
          schema.vmDevices,
          d.vms.flatMap((v) => (v.deviceCache ? [v.deviceCache as unknown as Row] : [])),
          'fail',
        );
        for (const v of d.vms) {
          renames.push([v.row.moid, v.row.name]);
          search.index('vms', v.row.moid, v.row.name, vmSearchExtra(v.row));
        }
      }
      if (d.hosts.length > 0) {
        const moids = d.hosts.map((h) => h.row.moid);
        await this.clearChildren(db, vcenterId, HOST_CHILDREN, 'host_moid', moids);
        await this.upsert(
          db,
          vcenterId,
          schema.hosts,
          d.hosts.map((h) => h.row),
        );
        await this.t(schema.hostDatastores).deleteWhere(db, vcenterId, 'host_moid', moids);
        await this.insertAll(
          db,
          vcenterId,
          schema.hostDatastores,
          d.hosts.flatMap((h) => h.datastores.map((b) => ({ a: h.row.moid, b }))),
          'ignore',
        );
        await this.insertAll(
          db,
          vcenterId,
          schema.hostCustomValues,
          d.hosts.flatMap((h) => h.customValues.map((r) => ({ ...r, hostMoid: h.row.moid }))),
          'fail',
        );
        await this.insertAll(
          db,
          vcenterId,
          schema.hostNics,
          d.hosts.flatMap((h) => asRows(h.nics)),
          'ignore',
        );
        await this.insertAll(
          db,
          vcenterId,
          schema.hostVmkernels,
          d.hosts.flatMap((h) => asRows(h.vmkernels)),
          'ignore',
        );
        await this.insertAll(
          db,
          vcenterId,
          schema.hostVswitches,
          d.hosts.flatMap((h) => asRows(h.vswitches)),
          'ignore',
        );
        for (const h of d.hosts) {
          renames.push([h.row.moid, h.row.name]);
          search.index('hosts', h.row.moid, h.row.name, '');
        }
      }
      if (d.dvSwitches.length > 0) {
        await this.upsert(db, vcenterId, schema.dvSwitches, asRows(d.dvSwitches));
        for (const sw of d.dvSwitches) renames.push([sw.moid, sw.name]);
      }
      for (const [entity, rows] of deltaSimple(d)) {
        if (rows.length === 0) continue;
        await this.upsert(db, vcenterId, ENTITY_TABLES[entity], rows);
        for (const r of rows) {
          renames.push([r.moid, r.name]);
          search.index(entity, r.moid, r.name, '');
        }
      }
      await this.renameObjects(db, vcenterId, renames);
      await search.write(db, (drop, put) => this.searchWrite(db, drop, put));
      await ctx?.flush(db);
      await alongside?.(db);
    });
  }

  /**
   * The history of a live change, compared with the rows it replaces before they are written: the
   * comparison runs once to learn which stored rows and names it asks for, those are read, and it
   * runs again on them (recordDelta, the SQLite store's own comparison).
   */
  private async deltaHistory(
    db: PgQueryable,
    vcenterId: number,
    d: InventoryDelta,
  ): Promise<PgHistoryContext> {
    const facts = await vcenterFacts(db, vcenterId);
    const questions = new HistoryQuestions();
    recordDelta(beginHistory(questions, vcenterId, facts, 'live'), d);
    for (const v of d.vms) questions.namedMoids.add(v.row.moid);
    for (const h of d.hosts) questions.namedMoids.add(h.row.moid);
    const names = await storedNamesOf(db, vcenterId, [...questions.namedMoids]);
    const ctx = new PgHistoryContext(this.renames, (moid) => names.get(moid) ?? null);
    await ctx.loadNames(db, vcenterId, questions.namedTables);
    await ctx.loadStored(db, vcenterId, questions.wanted);
    recordDelta(beginHistory(ctx, vcenterId, facts, 'live'), d);
    return ctx;
  }

  private async clearChildren(
    db: PgQueryable,
    vcenterId: number,
    tables: readonly SQLiteTable[],
    column: string,
    moids: readonly string[],
  ): Promise<void> {
    for (const t of tables) await this.t(t).deleteWhere(db, vcenterId, column, moids);
  }

  /** Adds or replaces rows (INSERT OR REPLACE: the last row of a key wins). */
  private upsert(
    db: PgQueryable,
    vcenterId: number,
    table: SQLiteTable,
    rows: readonly Row[],
  ): Promise<number> {
    return this.insertAll(db, vcenterId, table, rows, 'update');
  }

  private insertAll(
    db: PgQueryable,
    vcenterId: number,
    table: SQLiteTable,
    rows: readonly Row[],
    onConflict: 'fail' | 'ignore' | 'update',
  ): Promise<number> {
    const t = this.t(table);
    return t.insert(
      db,
      rows.map((r) => t.shape.fill(vcenterId, r).slice()),
      onConflict,
    );
  }

  /**
   * A fresh read of a vCenter's tags, written by difference in one transaction with `alongside`
   * (InventoryStore.replaceTags). Returns the rows written.
   */
  replaceTags(vcenterId: number, tags: TagSet, names: ObjectNames, alongside?: PgAlongside): Promise<number> {
    return this.write(vcenterId, async (db) => {
      let h: HistoryWrite | undefined;
      let ctx: PgHistoryContext | undefined;
      if (this.historyEnabled) {
        const facts = await vcenterFacts(db, vcenterId);
        const stored = await storedNamesOf(db, vcenterId, [...new Set(tags.attachments.map((a) => a[1]))]);
        ctx = new PgHistoryContext(this.renames, (moid) => stored.get(moid) ?? null);
        h = beginHistory(ctx, vcenterId, facts, 'live');
      }
      const written = await this.syncTags(db, vcenterId, tags, names, h);
      await ctx?.flush(db);
      await alongside?.(db);
      return written;
    });
  }

  /** The devices stored for a vCenter's VMs, by VM and config.changeVersion (read in one pass). */
  async deviceCache(vcenterId: number): Promise<DeviceCache> {
    const res = await this.pool.query<[string, string, string]>({
      text: 'SELECT vm_moid, change_version, devices FROM vm_devices WHERE vcenter_id = $1',
      values: [vcenterId],
      rowMode: 'array',
    });
    return deviceCacheOf(res.rows);
  }

  /** The VMs of a vCenter that had snapshots when it was last written (moids). */
  async snapshotVms(vcenterId: number): Promise<string[]> {
    const res = await this.pool.query<[string]>({
      text: 'SELECT DISTINCT vm_moid FROM snapshots WHERE vcenter_id = $1',
      values: [vcenterId],
      rowMode: 'array',
    });
    return res.rows.map(([m]) => m);
  }

  /** Drops what the store remembers about a vCenter (after it was removed). */
  forget(vcenterId: number): void {
    this.renames.forget(vcenterId);
  }
}

/** A VM's rows that a live change deletes and writes again with it (besides its children). */
const VM_OWNED = [schema.snapshots, schema.vmDatastores, schema.vmNetworks] as const;

/**
 * A live change's search entries, numbered as the SQLite store numbers them: an entry keeps its id,
 * a new one takes the next after the vCenter's highest.
 */
class LiveSearch {
  private readonly touched = new Map<string, { entity: Entity; moid: string; entry?: SearchEntry }>();

  constructor(private readonly vcenterId: number) {}

  index(entity: Entity, moid: string, name: string, extra: string): void {
    this.touched.set(`${entity}:${moid}`, { entity, moid, entry: { name, extra, entity, moid } });
  }

  unindex(entity: Entity, moid: string): void {
    this.touched.set(`${entity}:${moid}`, { entity, moid });
  }

  async write(db: PgQueryable, apply: (drop: number[], put: unknown[][]) => Promise<void>): Promise<void> {
    if (this.touched.size === 0) return;
    const base = searchBase(this.vcenterId);
    const list = [...this.touched.values()];
    const res = await db.query<{ id: number; entity: string; moid: string; top: number | null }>({
      text: `SELECT s.id, s.entity, s.moid, NULL::bigint AS top FROM search_index s
               JOIN unnest($3::text[], $4::text[]) AS k(entity, moid) ON s.entity = k.entity AND s.moid = k.moid
              WHERE s.id BETWEEN $1 AND $2
             UNION ALL SELECT NULL, NULL, NULL, max(id) FROM search_index WHERE id BETWEEN $1 AND $2`,
      values: [base, base + SEARCH_SPAN, list.map((t) => t.entity), list.map((t) => t.moid)],
      types: pgTypes,
    });
    const ids = new Map<string, number>();
    let next = base;
    for (const r of res.rows) {
      if (r.top !== null) next = Math.max(next, r.top);
      else ids.set(`${r.entity}:${r.moid}`, r.id);
    }
    const drop: number[] = [];
    const put: unknown[][] = [];
    for (const [k, t] of this.touched) {
      const old = ids.get(k);
      if (old !== undefined) drop.push(old);
      if (t.entry)
        put.push([old ?? ++next, t.entry.name, t.entry.extra, t.entry.entity, this.vcenterId, t.moid]);
    }
    await apply(drop, put);
  }
}
