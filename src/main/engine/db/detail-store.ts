/**
 * The child rows of an inventory (a VM's disks, NICs, partitions and custom values; a host's
 * physical NICs, VMkernel adapters, vSwitches and custom values), the dvSwitches and the tags,
 * written inside the inventory store's transactions: replaced with their vCenter on a full read,
 * with their owner on a live change.
 */
import type Database from 'better-sqlite3';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { getTableColumns } from 'drizzle-orm';
import type { Inventory, TagSet, VmDevicesRow } from '../../../shared/inventory.js';
import type { HostRows, VmRows } from '../vsphere/inventory-mapper.js';
import * as schema from './schema.js';
import { TableWriter } from './table-writer.js';
import type { HistoryWrite } from './history/recorder.js';
import {
  childSteps,
  HOST_CHILDREN,
  IGNORES_DUPLICATES,
  inventoryNames,
  tagSteps,
  VM_CHILDREN,
  writesDevices,
  type ObjectNames,
  type SyncStep,
} from './inventory-tables.js';

type Bindable = string | number | bigint | null;
export type RowWriter = (row: Record<string, unknown>) => void;

/** Insert statement and row encoder generated from the drizzle table: the schema is stated once. */
export function inserter(sqlite: Database.Database, table: SQLiteTable, verb = 'INSERT'): RowWriter {
  const cfg = getTableConfig(table);
  const cols = Object.entries(getTableColumns(table)).map(([prop, col]) => ({ prop, name: col.name }));
  const stmt = sqlite.prepare(
    `${verb} INTO "${cfg.name}" (${cols.map((c) => `"${c.name}"`).join(',')}) VALUES (${cols.map(() => '?').join(',')})`,
  );
  return (row: Record<string, unknown>): void => {
    const values: Bindable[] = cols.map(({ prop }) => {
      const v = row[prop];
      if (v === undefined || v === null) return null;
      if (typeof v === 'boolean') return v ? 1 : 0;
      return v as Bindable;
    });
    stmt.run(values);
  };
}

const name = (t: SQLiteTable): string => getTableConfig(t).name;

export class DetailStore {
  private readonly write: {
    disks: RowWriter;
    nics: RowWriter;
    partitions: RowWriter;
    vmCustomValues: RowWriter;
    vmDevices: RowWriter;
    hostCustomValues: RowWriter;
    hostNics: RowWriter;
    hostVmkernels: RowWriter;
    hostVswitches: RowWriter;
    dvSwitchUpsert: RowWriter;
  };
  /** A full read's tables, written by difference (an unchanged re-sync writes no row). */
  private readonly full = new Map<SQLiteTable, TableWriter>();
  private readonly deleteByVm: Database.Statement[];
  private readonly deleteByHost: Database.Statement[];
  private readonly deleteDvSwitch: Database.Statement;
  private readonly renameObject: Database.Statement;
  private readonly untagObject: Database.Statement;
  private readonly taggedObjects: Database.Statement;
  private readonly deviceVersions: Database.Statement;
  private readonly deviceMoids: Database.Statement;
  private readonly deviceUpsert: Database.Statement;
  private readonly deviceDelete: Database.Statement;

  constructor(sqlite: Database.Database) {
    this.write = {
      disks: inserter(sqlite, schema.vmDisks),
      nics: inserter(sqlite, schema.vmNics),
      partitions: inserter(sqlite, schema.vmPartitions),
      vmCustomValues: inserter(sqlite, schema.vmCustomValues),
      vmDevices: inserter(sqlite, schema.vmDevices),
      hostCustomValues: inserter(sqlite, schema.hostCustomValues),
      hostNics: inserter(sqlite, schema.hostNics, 'INSERT OR IGNORE'),
      hostVmkernels: inserter(sqlite, schema.hostVmkernels, 'INSERT OR IGNORE'),
      hostVswitches: inserter(sqlite, schema.hostVswitches, 'INSERT OR IGNORE'),
      dvSwitchUpsert: inserter(sqlite, schema.dvSwitches, 'INSERT OR REPLACE'),
    };
    // A host may list a device or switch name twice (IGNORES_DUPLICATES: INSERT OR IGNORE).
    for (const t of [
      schema.vmDisks,
      schema.vmNics,
      schema.vmPartitions,
      schema.vmCustomValues,
      schema.hostCustomValues,
      schema.hostNics,
      schema.hostVmkernels,
      schema.hostVswitches,
      schema.dvSwitches,
      schema.tagCategories,
      schema.tagDefs,
      schema.tagAssignments,
    ])
      this.full.set(t, new TableWriter(sqlite, t, IGNORES_DUPLICATES.has(t) ? 'INSERT OR IGNORE' : 'INSERT'));
    this.deleteByVm = VM_CHILDREN.map((t) =>
      sqlite.prepare(`DELETE FROM "${name(t)}" WHERE vcenter_id = ? AND vm_moid = ?`),
    );
    this.deleteByHost = HOST_CHILDREN.map((t) =>
      sqlite.prepare(`DELETE FROM "${name(t)}" WHERE vcenter_id = ? AND host_moid = ?`),
    );
    this.deleteDvSwitch = sqlite.prepare(
      `DELETE FROM "${name(schema.dvSwitches)}" WHERE vcenter_id = ? AND moid = ?`,
    );
    this.renameObject = sqlite.prepare(
      `UPDATE "${name(schema.tagAssignments)}" SET object = ? WHERE vcenter_id = ? AND object_moid = ? AND object IS NOT ?`,
    );
    this.untagObject = sqlite.prepare(
      `DELETE FROM "${name(schema.tagAssignments)}" WHERE vcenter_id = ? AND object_moid = ?`,
    );
    this.deviceVersions = sqlite.prepare(
      'SELECT vm_moid, change_version FROM vm_devices WHERE vcenter_id = ?',
    );
    this.deviceMoids = sqlite.prepare('SELECT vm_moid FROM vm_devices WHERE vcenter_id = ?');
    this.deviceUpsert = sqlite.prepare(
      'INSERT INTO vm_devices (vcenter_id, vm_moid, change_version, devices) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (vcenter_id, vm_moid) DO UPDATE SET change_version = excluded.change_version, devices = excluded.devices',
    );
    this.deviceDelete = sqlite.prepare('DELETE FROM vm_devices WHERE vcenter_id = ? AND vm_moid = ?');
    this.taggedObjects = sqlite.prepare(
      `SELECT DISTINCT object_moid AS moid FROM "${name(schema.tagAssignments)}" WHERE vcenter_id = ?`,
    );
  }

  /**
   * A full read's child rows, dvSwitches and (when they were read) tags, written by difference:
   * what is stored with the same values stays, so an unchanged re-sync writes no row. Runs after
   * the owners' rows (a removed VM's or host's children went with it). Returns the rows written.
   */
  syncAll(vcenterId: number, inv: Inventory, h?: HistoryWrite): number {
    let written = this.syncDevices(vcenterId, inv.vmDevices);
    written += this.syncSteps(vcenterId, childSteps(inv), h);
    const names = inventoryNames(inv);
    if (inv.tags) written += this.syncTags(vcenterId, inv.tags, names, h);
    else written += this.renameTagged(vcenterId, names);
    return written;
  }

  private syncSteps(vcenterId: number, steps: readonly SyncStep[], h?: HistoryWrite): number {
    let written = 0;
    for (const step of steps)
      written += this.full
        .get(step.table)!
        .sync(vcenterId, step.rows, step.observed ? h?.observe(step.table) : undefined, step.keep);
    return written;
  }

  /**
   * The device cache by difference of versions: a list read at the stored version is the stored
   * list (that is what the version says), so the lists themselves are not read back to compare.
   * An entry read from the vCenter this time is written anyway (the stored one may be of an
   * older format, which the reader could not use); one taken from the cache is what is stored.
   */
  private syncDevices(vcenterId: number, rows: readonly VmDevicesRow[]): number {
    // The stored VMs from the primary key's index alone; their versions (which means reading the
    // table's pages, the entries on them) only when a row did not come from the cache or a read.
    const stored = new Set(this.deviceMoids.pluck().all(vcenterId) as string[]);
    let versions: Map<string, string> | undefined;
    let written = 0;
    for (const r of rows) {
      const had = stored.delete(r.vmMoid);
      const storedVersion = (): string | undefined =>
        (versions ??= new Map(this.deviceVersions.raw(true).all(vcenterId) as [string, string][])).get(
          r.vmMoid,
        );
      if (!writesDevices(had, r, storedVersion)) continue;
      this.deviceUpsert.run(vcenterId, r.vmMoid, r.changeVersion, r.devices);
      written++;
    }
    for (const moid of stored) {
      this.deviceDelete.run(vcenterId, moid);
      written++;
    }
    return written;
  }

  /**
   * Makes a vCenter's categories, tags and assignments those of `tags` (object names resolved
   * now), writing only what differs. Categories first: one that is gone takes its tags and their
   * assignments with it (cascade); a new tag finds its category in place.
   */
  syncTags(vcenterId: number, tags: TagSet, names: ObjectNames, h?: HistoryWrite): number {
    return this.syncSteps(vcenterId, tagSteps(tags, names), h);
  }

  /** Tags kept from an earlier read: their objects' names as the new inventory has them. */
  private renameTagged(vcenterId: number, names: ObjectNames): number {
    let written = 0;
    for (const { moid } of this.taggedObjects.all(vcenterId) as { moid: string }[]) {
      const n = names(moid);
      written += this.renameObject.run(n, vcenterId, moid, n).changes;
    }
    return written;
  }

  /** Before a VM's row is replaced: its child rows go (so the replace has nothing to cascade). */
  clearVm(vcenterId: number, moid: string): void {
    for (const d of this.deleteByVm) d.run(vcenterId, moid);
  }

  clearHost(vcenterId: number, moid: string): void {
    for (const d of this.deleteByHost) d.run(vcenterId, moid);
  }

  /** A VM changed (live), after `clearVm` and its row: its child rows, its name on its tags. */
  vmChanged(vcenterId: number, v: VmRows): void {
    const moid = v.row.moid;
    const w = this.write;
    for (const r of v.disks) w.disks({ ...r, vcenterId });
    for (const r of v.nics) w.nics({ ...r, vcenterId });
    for (const r of v.partitions) w.partitions({ ...r, vcenterId });
    for (const r of v.customValues) w.vmCustomValues({ ...r, vcenterId, vmMoid: moid });
    if (v.deviceCache) w.vmDevices({ ...v.deviceCache, vcenterId });
    this.renameObject.run(v.row.name, vcenterId, moid, v.row.name);
  }

  hostChanged(vcenterId: number, h: HostRows): void {
    const moid = h.row.moid;
    const w = this.write;
    for (const r of h.customValues) w.hostCustomValues({ ...r, vcenterId, hostMoid: moid });
    for (const r of h.nics) w.hostNics({ ...r, vcenterId });
    for (const r of h.vmkernels) w.hostVmkernels({ ...r, vcenterId });
    for (const r of h.vswitches) w.hostVswitches({ ...r, vcenterId });
    this.renameObject.run(h.row.name, vcenterId, moid, h.row.name);
  }

  /** Another tagged object's row changed: keep its name on its tags current. */
  renamed(vcenterId: number, moid: string, objectName: string): void {
    this.renameObject.run(objectName, vcenterId, moid, objectName);
  }

  /** An object left the inventory: its child rows (cascade from the owner) and its tags go. */
  removed(vcenterId: number, moid: string): void {
    this.untagObject.run(vcenterId, moid);
  }

  dvSwitchChanged(vcenterId: number, row: Record<string, unknown>): void {
    this.write.dvSwitchUpsert({ ...row, vcenterId });
  }

  dvSwitchRemoved(vcenterId: number, moid: string): void {
    this.deleteDvSwitch.run(vcenterId, moid);
    this.untagObject.run(vcenterId, moid);
  }
}
