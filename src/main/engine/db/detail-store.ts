/**
 * The child rows of an inventory (a VM's disks, NICs, partitions and custom values; a host's
 * physical NICs, VMkernel adapters, vSwitches and custom values), the dvSwitches and the tags,
 * written inside the inventory store's transactions: replaced with their vCenter on a full read,
 * with their owner on a live change.
 */
import type Database from 'better-sqlite3';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { getTableColumns } from 'drizzle-orm';
import type { Inventory, TagSet } from '../../../shared/inventory.js';
import type { HostRows, VmRows } from '../vsphere/inventory-mapper.js';
import * as schema from './schema.js';

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

const VM_CHILDREN = [schema.vmDisks, schema.vmNics, schema.vmPartitions, schema.vmCustomValues];
const HOST_CHILDREN = [schema.hostNics, schema.hostVmkernels, schema.hostVswitches, schema.hostCustomValues];
const name = (t: SQLiteTable): string => getTableConfig(t).name;

/** moid → name of every object of a vCenter that can carry a tag. */
export type ObjectNames = (moid: string) => string | null;

export function inventoryNames(inv: Inventory): ObjectNames {
  const names = new Map<string, string>();
  for (const rows of [
    inv.vms,
    inv.hosts,
    inv.clusters,
    inv.datastores,
    inv.networks,
    inv.datacenters,
    inv.dvSwitches,
  ])
    for (const r of rows) names.set(r.moid, r.name);
  return (moid) => names.get(moid) ?? null;
}

export class DetailStore {
  private readonly write: {
    disks: RowWriter;
    nics: RowWriter;
    partitions: RowWriter;
    vmCustomValues: RowWriter;
    hostCustomValues: RowWriter;
    hostNics: RowWriter;
    hostVmkernels: RowWriter;
    hostVswitches: RowWriter;
    dvSwitches: RowWriter;
    dvSwitchUpsert: RowWriter;
    categories: RowWriter;
    tags: RowWriter;
    assignments: RowWriter;
  };
  /** Children first, so deleting their owners afterwards finds nothing to cascade. */
  private readonly deleteAll: Database.Statement[];
  private readonly deleteTags: Database.Statement;
  private readonly deleteByVm: Database.Statement[];
  private readonly deleteByHost: Database.Statement[];
  private readonly deleteDvSwitch: Database.Statement;
  private readonly renameObject: Database.Statement;
  private readonly untagObject: Database.Statement;
  private readonly taggedObjects: Database.Statement;

  constructor(sqlite: Database.Database) {
    this.write = {
      disks: inserter(sqlite, schema.vmDisks),
      nics: inserter(sqlite, schema.vmNics),
      partitions: inserter(sqlite, schema.vmPartitions),
      vmCustomValues: inserter(sqlite, schema.vmCustomValues),
      hostCustomValues: inserter(sqlite, schema.hostCustomValues),
      hostNics: inserter(sqlite, schema.hostNics, 'INSERT OR IGNORE'),
      hostVmkernels: inserter(sqlite, schema.hostVmkernels, 'INSERT OR IGNORE'),
      hostVswitches: inserter(sqlite, schema.hostVswitches, 'INSERT OR IGNORE'),
      dvSwitches: inserter(sqlite, schema.dvSwitches),
      dvSwitchUpsert: inserter(sqlite, schema.dvSwitches, 'INSERT OR REPLACE'),
      categories: inserter(sqlite, schema.tagCategories, 'INSERT OR IGNORE'),
      tags: inserter(sqlite, schema.tagDefs, 'INSERT OR IGNORE'),
      assignments: inserter(sqlite, schema.tagAssignments, 'INSERT OR IGNORE'),
    };
    this.deleteAll = [...VM_CHILDREN, ...HOST_CHILDREN, schema.dvSwitches].map((t) =>
      sqlite.prepare(`DELETE FROM "${name(t)}" WHERE vcenter_id = ?`),
    );
    // Assignments and tags go with their categories (cascade).
    this.deleteTags = sqlite.prepare(`DELETE FROM "${name(schema.tagCategories)}" WHERE vcenter_id = ?`);
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
    this.taggedObjects = sqlite.prepare(
      `SELECT DISTINCT object_moid AS moid FROM "${name(schema.tagAssignments)}" WHERE vcenter_id = ?`,
    );
  }

  /** Before a vCenter's inventory rows are deleted: its child rows (its tags stay until replaced). */
  clear(vcenterId: number): void {
    for (const d of this.deleteAll) d.run(vcenterId);
  }

  /** A full read's child rows, dvSwitches and (when they were read) tags. */
  writeAll(vcenterId: number, inv: Inventory): void {
    const w = this.write;
    for (const r of inv.disks) w.disks({ ...r, vcenterId });
    for (const r of inv.nics) w.nics({ ...r, vcenterId });
    for (const r of inv.partitions) w.partitions({ ...r, vcenterId });
    for (const r of inv.vmCustomValues) w.vmCustomValues({ ...r, vcenterId, vmMoid: r.ownerMoid });
    for (const r of inv.hostCustomValues) w.hostCustomValues({ ...r, vcenterId, hostMoid: r.ownerMoid });
    for (const r of inv.hostNics) w.hostNics({ ...r, vcenterId });
    for (const r of inv.hostVmkernels) w.hostVmkernels({ ...r, vcenterId });
    for (const r of inv.hostVswitches) w.hostVswitches({ ...r, vcenterId });
    for (const r of inv.dvSwitches) w.dvSwitches({ ...r, vcenterId });
    const names = inventoryNames(inv);
    if (inv.tags) this.replaceTags(vcenterId, inv.tags, names);
    else this.renameTagged(vcenterId, names);
  }

  /** Replaces a vCenter's categories, tags and assignments (object names resolved now). */
  replaceTags(vcenterId: number, tags: TagSet, names: ObjectNames): void {
    const w = this.write;
    this.deleteTags.run(vcenterId);
    const categories = new Map<string, string>();
    for (const c of tags.categories) {
      categories.set(c.id, c.name);
      w.categories({ ...c, vcenterId });
    }
    const defs = new Map<string, { name: string; category: string; description: string | null }>();
    for (const t of tags.tags) {
      const category = categories.get(t.categoryId);
      if (category === undefined) continue; // a tag whose category was removed meanwhile
      defs.set(t.id, { name: t.name, category, description: t.description });
      w.tags({ ...t, vcenterId });
    }
    for (const [objectType, objectMoid, tagId] of tags.attachments) {
      const def = defs.get(tagId);
      if (!def) continue;
      w.assignments({
        vcenterId,
        moid: `${objectMoid}/${tagId}`,
        tagId,
        name: def.name,
        category: def.category,
        description: def.description,
        objectType,
        objectMoid,
        object: names(objectMoid),
      });
    }
  }

  /** Tags kept from an earlier read: their objects' names as the new inventory has them. */
  private renameTagged(vcenterId: number, names: ObjectNames): void {
    for (const { moid } of this.taggedObjects.all(vcenterId) as { moid: string }[]) {
      const n = names(moid);
      this.renameObject.run(n, vcenterId, moid, n);
    }
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
