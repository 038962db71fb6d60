/**
 * Writes the change history inside the inventory store's transactions: TableWriter tells it of
 * each row that differs from the cache (a full sync), or the live path compares what it is about
 * to write with what it replaces; the rules of tracked-tables.ts turn those rows into history
 * rows, inserted with one prepared statement.
 */
import type Database from 'better-sqlite3';
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as schema from '../schema.js';
import { shapeOf, type RowObserver, type TableShape } from '../table-shape.js';
import { TRACKED_TABLES, type HistoryEntity, type TrackedTable } from './tracked-tables.js';

export type ChangeSource = 'live' | 'sync';
export type ChangeKind = 'changed' | 'created' | 'removed' | 'first-sync';

type Row = Readonly<Record<string, unknown>>;

/** One tracked table, compiled: where its columns sit in a row of values and which are recorded. */
interface Rules {
  tracked: TrackedTable;
  props: readonly string[];
  moidAt: number;
  nameAt: number;
  /** The vCenter's own creation time of the object (VMs, snapshots, dvSwitches), or -1. */
  createdAtAt: number;
  ownerAt: number;
  parentAt: number;
  /** Recorded columns: index, property, boolean column, entity whose rename explains a change. */
  recorded: { at: number; prop: string; bool: boolean; derived: HistoryEntity | undefined }[];
  columnByProp: ReadonlyMap<string, string>;
}

function compile(tracked: TrackedTable): Rules {
  const cols = Object.entries(getTableColumns(tracked.table));
  const props = cols.map(([p]) => p);
  const cfg = getTableConfig(tracked.table);
  const pkNames = new Set(cfg.primaryKeys[0]?.columns.map((c) => c.name) ?? []);
  const skip = new Set(['vcenterId', 'moid', ...Object.keys(tracked.ignore)]);
  if (tracked.child) skip.add(tracked.child.ownerProp);
  const recorded = cols.flatMap(([prop, col], at) =>
    skip.has(prop) || pkNames.has(col.name)
      ? []
      : [{ at, prop, bool: col.columnType === 'SQLiteBoolean', derived: tracked.derived?.[prop] }],
  );
  return {
    tracked,
    props,
    moidAt: props.indexOf('moid'),
    nameAt: props.indexOf('name'),
    createdAtAt: props.indexOf('createdAt'),
    ownerAt: tracked.child ? props.indexOf(tracked.child.ownerProp) : -1,
    parentAt: tracked.parentProp ? props.indexOf(tracked.parentProp) : -1,
    recorded,
    columnByProp: new Map(cols.map(([p, c]) => [p, c.name])),
  };
}

function text(v: unknown, bool: boolean): string | null {
  if (v === null || v === undefined) return null;
  if (bool) return v === 1 || v === true ? 'true' : 'false';
  return typeof v === 'string' ? v : String(v as number);
}

/** A row of values as an object of its recorded, non-null columns (a created / removed row's value). */
function mainFields(r: Rules, values: readonly unknown[]): string {
  const out: Record<string, unknown> = {};
  for (const c of r.recorded) {
    const v = values[c.at];
    if (v === null || v === undefined) continue;
    out[c.prop] = c.bool ? v === 1 || v === true : v;
  }
  return JSON.stringify(out);
}

function asRow(r: Rules, values: readonly unknown[]): Row {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < r.props.length; i++) o[r.props[i]!] = values[i];
  return o;
}

const RENAME_MEMORY = 2_000;

const RULES = new Map<SQLiteTable, Rules>(TRACKED_TABLES.map((t) => [t.table, compile(t)]));

/** The compiled rules of a tracked table; undefined for a table the history does not track. */
export function rulesOf(table: SQLiteTable): Rules | undefined {
  return RULES.get(table);
}

/** Names that other rows carry (a VM's host, cluster, …), by the entity and table that own them. */
export const RENAME_SOURCES: readonly (readonly [HistoryEntity, SQLiteTable])[] = [
  ['hosts', schema.hosts],
  ['clusters', schema.clusters],
  ['datacenters', schema.datacenters],
  ['datastores', schema.datastores],
  ['networks', schema.networks],
  ['dvswitches', schema.dvSwitches],
];

/** Per vCenter and entity: old name → new name, for the renames seen lately (a store keeps one). */
export class RenameMemory {
  private readonly renames = new Map<number, Map<HistoryEntity, Map<string, string>>>();

  renamesOf(vcenterId: number, entity: HistoryEntity): Map<string, string> {
    let byEntity = this.renames.get(vcenterId);
    if (!byEntity) this.renames.set(vcenterId, (byEntity = new Map()));
    let m = byEntity.get(entity);
    if (!m) byEntity.set(entity, (m = new Map()));
    return m;
  }

  noteRename(vcenterId: number, entity: HistoryEntity, from: string, to: string): void {
    const m = this.renamesOf(vcenterId, entity);
    m.delete(from);
    m.set(from, to);
    if (m.size > RENAME_MEMORY) m.delete(m.keys().next().value as string);
  }

  /** Drops what it remembers of a vCenter (removed). */
  forget(vcenterId: number): void {
    this.renames.delete(vcenterId);
  }
}

/**
 * What a HistoryWrite needs of its store, synchronously: the SQLite store reads its database; the
 * PostgreSQL store answers from rows it read before (and inserts the history rows it collects).
 */
export interface HistoryContext {
  /** Stores one history row (values in the order of `CHANGE_COLUMNS`). */
  write(values: readonly (string | number | null)[]): void;
  /** The stored name of an object of a vCenter (VM, host, …), by moid; null when none. */
  storedNameOf(vcenterId: number, moid: string): string | null;
  /** Stored rows of a table where a column equals a value (an object by moid, an owner's children). */
  stored(
    shape: TableShape,
    column: string,
    vcenterId: number,
    value: string,
  ): readonly (readonly unknown[])[];
  /** The stored names of a vCenter's objects of a table, by moid. */
  storedNames(shape: TableShape, vcenterId: number): ReadonlyMap<string, string>;
  readonly renames: RenameMemory;
}

/** The columns of `changes` a history row's values fill, in order. */
export const CHANGE_COLUMNS = [
  'at',
  'vcenter_id',
  'vcenter',
  'entity',
  'moid',
  'object_name',
  'kind',
  'field',
  'old_value',
  'new_value',
  'source',
] as const;

/**
 * Starts recording one write of a vCenter: `lastSuccessAt` is the vCenter's last successful read
 * (sync_state.last_success_at) as stored before this write.
 */
export function startHistoryWrite(
  ctx: HistoryContext,
  vcenterId: number,
  vcenterName: string | undefined,
  lastSuccessAt: string | null,
  source: ChangeSource,
  at: Date,
): HistoryWrite {
  const name = vcenterName ?? `vcenter ${vcenterId}`;
  const unseenSince = lastSuccessAt === null ? Number.NaN : Date.parse(lastSuccessAt);
  return new HistoryWrite(ctx, vcenterId, name, at.toISOString(), source, unseenSince);
}

export class HistoryRecorder implements HistoryContext {
  /** Off only for the benchmark that measures what recording costs. */
  enabled = true;
  readonly renames = new RenameMemory();
  private readonly insert: Database.Statement;
  private readonly vcenterName: Database.Statement;
  private readonly lastSuccess: Database.Statement;
  private readonly hasRows: Database.Statement;
  private readonly nameByMoid: Database.Statement;
  private readonly selects = new Map<string, Database.Statement>();
  constructor(private readonly sqlite: Database.Database) {
    this.insert = sqlite.prepare(
      `INSERT INTO changes (${CHANGE_COLUMNS.join(', ')}) VALUES (${CHANGE_COLUMNS.map(() => '?').join(', ')})`,
    );
    this.vcenterName = sqlite.prepare('SELECT name FROM vcenters WHERE id = ?').pluck();
    this.lastSuccess = sqlite.prepare('SELECT last_success_at FROM sync_state WHERE vcenter_id = ?').pluck();
    this.hasRows = sqlite
      .prepare(
        'SELECT EXISTS (SELECT 1 FROM datacenters WHERE vcenter_id = @vc) OR EXISTS (SELECT 1 FROM hosts WHERE vcenter_id = @vc) ' +
          'OR EXISTS (SELECT 1 FROM vms WHERE vcenter_id = @vc)',
      )
      .pluck();
    this.nameByMoid = sqlite
      .prepare(
        ['vms', 'hosts', 'clusters', 'datastores', 'networks', 'datacenters', 'dv_switches']
          .map((t) => `SELECT name FROM ${t} WHERE vcenter_id = @vc AND moid = @moid`)
          .join(' UNION ALL ') + ' LIMIT 1',
      )
      .pluck();
  }

  storedNameOf(vcenterId: number, moid: string): string | null {
    return (this.nameByMoid.get({ vc: vcenterId, moid }) as string | undefined) ?? null;
  }

  /** Starts recording one write of a vCenter (call inside its transaction); undefined when off. */
  begin(vcenterId: number, source: ChangeSource, at = new Date()): HistoryWrite | undefined {
    if (!this.enabled) return undefined;
    const name = this.vcenterName.get(vcenterId) as string | undefined;
    const last = (this.lastSuccess.get(vcenterId) as string | null | undefined) ?? null;
    return startHistoryWrite(this, vcenterId, name, last, source, at);
  }

  /** The vCenter has no cached inventory: its next full read is its first sync. */
  isEmpty(vcenterId: number): boolean {
    return this.hasRows.get({ vc: vcenterId }) === 0;
  }

  write(values: readonly (string | number | null)[]): void {
    this.insert.run(values);
  }

  /** Stored rows of a table where a column equals a value (an object by moid, an owner's children). */
  stored(writer: TableShape, column: string, vcenterId: number, value: string): unknown[][] {
    const k = `${writer.tableName}\u0000${column}`;
    let s = this.selects.get(k);
    if (!s) {
      s = this.sqlite
        .prepare(
          `SELECT ${writer.columnList} FROM "${writer.tableName}" WHERE vcenter_id = ? AND "${column}" = ?`,
        )
        .raw(true);
      this.selects.set(k, s);
    }
    return s.all(vcenterId, value) as unknown[][];
  }

  /** The stored names of a vCenter's objects of a table, by moid. */
  storedNames(writer: TableShape, vcenterId: number): Map<string, string> {
    const k = `${writer.tableName}\u0000names`;
    let s = this.selects.get(k);
    if (!s) {
      s = this.sqlite.prepare(`SELECT moid, name FROM "${writer.tableName}" WHERE vcenter_id = ?`).raw(true);
      this.selects.set(k, s);
    }
    return new Map(s.all(vcenterId) as [string, string][]);
  }

  /** Drops what it remembers of a vCenter (removed). */
  forget(vcenterId: number): void {
    this.renames.forget(vcenterId);
  }
}

/** One write (a sync's transaction or a live change's): what it created and removed, and the rows. */
export class HistoryWrite {
  private readonly created = new Set<string>();
  private readonly removed = new Set<string>();
  private readonly names = new Map<string, string>();
  private readonly observers = new Map<SQLiteTable, RowObserver>();
  /** History rows written. */
  rows = 0;

  constructor(
    private readonly rec: HistoryContext,
    readonly vcenterId: number,
    private readonly vcenter: string,
    private readonly at: string,
    private readonly source: ChangeSource,
    /** Since when vMiner has not read the vCenter (its last successful sync), in ms; NaN: never. */
    private readonly unseenSince: number,
  ) {}

  /**
   * When an object was created: the vCenter's own creation time when the object cannot have been
   * seen before it (created after the last successful read, not in the future), else this write's
   * time. An object that only came into view (a VM registered from an old .vmx, a permission
   * granted) keeps the time vMiner saw it.
   */
  private createdAt(r: Rules, values: readonly unknown[]): string {
    if (r.createdAtAt < 0) return this.at;
    const v = values[r.createdAtAt];
    if (typeof v !== 'string') return this.at;
    const t = Date.parse(v);
    if (Number.isNaN(t) || !(t > this.unseenSince) || t > Date.parse(this.at)) return this.at;
    return new Date(t).toISOString();
  }

  /** An owner's name: from its own row when that changed in this write, else as stored. */
  private nameOf(moid: string): string | null {
    return this.names.get(moid) ?? this.rec.storedNameOf(this.vcenterId, moid);
  }

  private put(
    entity: HistoryEntity,
    moid: string,
    objectName: string | null,
    kind: ChangeKind,
    field: string | null,
    oldValue: string | null,
    newValue: string | null,
    at: string = this.at,
  ): void {
    this.rec.write([
      at,
      this.vcenterId,
      this.vcenter,
      entity,
      moid,
      objectName,
      kind,
      field,
      oldValue,
      newValue,
      this.source,
    ]);
    this.rows++;
  }

  /** A vCenter read for the first time: one marker with its object counts, not a row per object. */
  firstSync(counts: Readonly<Record<string, number>>): void {
    this.put(
      'vcenters',
      String(this.vcenterId),
      this.vcenter,
      'first-sync',
      null,
      null,
      JSON.stringify(counts),
    );
  }

  /**
   * Renames of objects that other rows name (hosts, clusters, …), known before those rows are
   * compared: a VM whose host was renamed has a new host name, which is not a change of the VM.
   */
  noteRenames(
    entity: HistoryEntity,
    stored: ReadonlyMap<string, string>,
    rows: readonly { moid: string; name: string }[],
  ): void {
    for (const r of rows) {
      const old = stored.get(r.moid);
      if (old !== undefined && old !== r.name)
        this.rec.renames.noteRename(this.vcenterId, entity, old, r.name);
    }
  }

  /** A change of a name column of another object that only follows that object's rename. */
  private followsRename(entity: HistoryEntity, from: unknown, to: unknown): boolean {
    if (typeof from !== 'string' || typeof to !== 'string') return false;
    const m = this.rec.renames.renamesOf(this.vcenterId, entity);
    if (m.size === 0) return false;
    const map = (s: string): string => {
      let cur = s;
      for (let i = 0; i < 8; i++) {
        const next = m.get(cur);
        if (next === undefined || next === cur) break;
        cur = next;
      }
      return cur;
    };
    if (map(from) === to) return true;
    // Name lists ("ds1, ds2", sorted).
    if (!from.includes(', ') && !to.includes(', ')) return false;
    const mapped = from.split(', ').map(map).sort().join(', ');
    return mapped === to;
  }

  /** The observer TableWriter.sync / diff tell of a tracked table's differing rows. */
  observe(table: SQLiteTable): RowObserver | undefined {
    const existing = this.observers.get(table);
    if (existing) return existing;
    const r = rulesOf(table);
    if (!r) return undefined;
    const o = r.tracked.child ? this.childObserver(r) : this.objectObserver(r);
    this.observers.set(table, o);
    return o;
  }

  private objectObserver(r: Rules): RowObserver {
    const entity = r.tracked.entity;
    const nameOf = (values: readonly unknown[]): string | null =>
      r.nameAt >= 0 ? ((values[r.nameAt] as string | null) ?? null) : null;
    return {
      created: (values) => {
        const moid = String(values[r.moidAt]);
        this.created.add(moid);
        const name = nameOf(values);
        if (name !== null) this.names.set(moid, name);
        if (r.parentAt >= 0 && this.created.has(String(values[r.parentAt]))) return;
        this.put(entity, moid, name, 'created', null, null, mainFields(r, values), this.createdAt(r, values));
      },
      removed: (old) => {
        const moid = String(old[r.moidAt]);
        this.removed.add(moid);
        if (r.parentAt >= 0 && this.removed.has(String(old[r.parentAt]))) return;
        this.put(entity, moid, nameOf(old), 'removed', null, mainFields(r, old), null);
      },
      changed: (old, values) => {
        const moid = String(values[r.moidAt]);
        const name = nameOf(values);
        if (name !== null) this.names.set(moid, name);
        for (const c of r.recorded) {
          const a = old[c.at];
          const b = values[c.at];
          if (a === b || (a == null && b == null)) continue;
          if (c.derived !== undefined && this.followsRename(c.derived, a, b)) continue;
          if (c.prop === 'name' && typeof a === 'string' && typeof b === 'string')
            this.rec.renames.noteRename(this.vcenterId, entity, a, b);
          this.put(entity, moid, name, 'changed', c.prop, text(a, c.bool), text(b, c.bool));
        }
      },
    };
  }

  private childObserver(r: Rules): RowObserver {
    const child = r.tracked.child!;
    const owner = (values: readonly unknown[]): { moid: string; entity: HistoryEntity } | null => {
      const moid = String(values[r.ownerAt]);
      if (this.created.has(moid) || this.removed.has(moid)) return null;
      const entity = child.ownerEntity ? child.ownerEntity(asRow(r, values)) : r.tracked.entity;
      return entity === null ? null : { moid, entity };
    };
    const presence = (values: readonly unknown[]): string =>
      r.tracked.presenceOnly ? String(values[r.props.indexOf('category')] ?? '') : mainFields(r, values);
    return {
      created: (values) => {
        const o = owner(values);
        if (!o) return;
        const label = child.label(asRow(r, values));
        this.put(o.entity, o.moid, this.nameOf(o.moid), 'changed', label, null, presence(values));
      },
      removed: (old) => {
        const o = owner(old);
        if (!o) return;
        const label = child.label(asRow(r, old));
        this.put(o.entity, o.moid, this.nameOf(o.moid), 'changed', label, presence(old), null);
      },
      changed: (old, values) => {
        if (r.tracked.presenceOnly) return;
        let o: { moid: string; entity: HistoryEntity } | null | undefined;
        let label: string | undefined;
        for (const c of r.recorded) {
          const a = old[c.at];
          const b = values[c.at];
          if (a === b || (a == null && b == null)) continue;
          if (c.derived !== undefined && this.followsRename(c.derived, a, b)) continue;
          if (o === undefined) o = owner(values);
          if (o === null) return;
          label ??= child.label(asRow(r, values));
          this.put(
            o.entity,
            o.moid,
            this.nameOf(o.moid),
            'changed',
            `${label} ${c.prop}`,
            text(a, c.bool),
            text(b, c.bool),
          );
        }
      },
    };
  }

  /**
   * A live change: compares the rows about to be written with the stored rows they replace
   * (selected by `column` = `value`: the object's moid, or its owner's for child rows).
   */
  diff(table: SQLiteTable, column: string, value: string, rows: readonly Record<string, unknown>[]): void {
    const o = this.observe(table);
    if (!o) return;
    const shape = shapeOf(table);
    shape.diff(this.vcenterId, this.rec.stored(shape, column, this.vcenterId, value), rows, o);
  }

  /** A live removal: the stored row is recorded as removed (its children and snapshots go with it). */
  removedObject(table: SQLiteTable, moid: string): void {
    const o = this.observe(table);
    if (!o) return;
    for (const old of this.rec.stored(shapeOf(table), 'moid', this.vcenterId, moid)) o.removed(old);
  }

  /**
   * Renames of the objects other rows name (RENAME_SOURCES), from the stored names and the rows
   * about to be written, by entity; an entity without rows is not read.
   */
  noteRenamesOf(lists: Partial<Record<HistoryEntity, readonly { moid: string; name: string }[]>>): void {
    for (const [entity, table] of RENAME_SOURCES) {
      const rows = lists[entity] ?? [];
      if (rows.length > 0)
        this.noteRenames(entity, this.rec.storedNames(shapeOf(table), this.vcenterId), rows);
    }
  }

  /** The SQL column of a tracked table's property (the owner column of child rows). */
  columnOf(table: SQLiteTable, prop: string): string {
    const c = rulesOf(table)?.columnByProp.get(prop);
    if (!c) throw new Error(`${getTableConfig(table).name}: no column for ${prop}`);
    return c;
  }
}
