import type Database from 'better-sqlite3';
import {
  CHANGE_KINDS,
  ChangesRequestSchema,
  type ChangeKind,
  type ChangeRow,
  type ChangesPage,
  type ChangesRequest,
} from '../../../../shared/changes.js';
import { VminerError } from '../../../../shared/errors.js';
import { parseTimeBound } from './time-bound.js';

type Param = string | number;

const SELECT = `SELECT id, at, vcenter_id AS vcenterId, vcenter, entity, moid, object_name AS objectName,
  kind, field, old_value AS oldValue, new_value AS newValue, source FROM changes`;

/** Live tables whose objects a name can find, by the entity name the history records. */
const NAMED_TABLES: Record<string, string> = {
  vms: 'vms',
  hosts: 'hosts',
  clusters: 'clusters',
  datastores: 'datastores',
  networks: 'networks',
  datacenters: 'datacenters',
  snapshots: 'snapshots',
};

/** An object's key: the history joins an object's rows by it, whatever it was called. */
export interface ObjectKey {
  vcenterId: number;
  moid: string;
}

function encodeCursor(row: { at: string; id: number }): string {
  return Buffer.from(JSON.stringify([row.at, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, number] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !Number.isInteger(v[1]))
    throw new VminerError(
      'INVALID_INPUT',
      'the cursor is not valid for the change history (start again without one)',
    );
  return [v[0], v[1] as number];
}

/**
 * Reads the change history: filtered pages newest first (keyset on `at desc, id desc`), counts
 * per kind, objects by current or past name, and the last change of a page of objects.
 */
export class ChangesReader {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly sqlite: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.sqlite.prepare(sql);
      if (this.statements.size > 200) this.statements.clear();
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * The objects a name stands for: those that had it in the history, and those that have it now
   * in the live tables (one entity's table when `entity` is given).
   */
  objectsNamed(name: string, entity?: string): ObjectKey[] {
    const found = new Map<string, ObjectKey>();
    const add = (rows: ObjectKey[]): void => {
      for (const r of rows) found.set(`${r.vcenterId}\u0000${r.moid}`, r);
    };
    add(
      this.stmt(
        `SELECT DISTINCT vcenter_id AS vcenterId, moid FROM changes WHERE object_name = ? COLLATE NOCASE${entity ? ' AND entity = ?' : ''}`,
      ).all(...(entity ? [name, entity] : [name])) as ObjectKey[],
    );
    const tables = entity
      ? NAMED_TABLES[entity]
        ? [NAMED_TABLES[entity]]
        : []
      : Object.values(NAMED_TABLES);
    for (const t of tables)
      add(
        this.stmt(`SELECT vcenter_id AS vcenterId, moid FROM "${t}" WHERE name = ? COLLATE NOCASE`).all(
          name,
        ) as ObjectKey[],
      );
    return [...found.values()];
  }

  /** The WHERE clause of a request (without the cursor) and its parameters. */
  private where(req: ReturnType<typeof ChangesRequestSchema.parse>): {
    terms: string[];
    params: Param[];
    since: string | null;
    until: string | null;
    empty: boolean;
  } {
    const terms: string[] = [];
    const params: Param[] = [];
    const now = this.now();
    const since = req.since ? parseTimeBound(req.since, now, 'since') : null;
    const until = req.until ? parseTimeBound(req.until, now, 'until') : null;
    if (since && until && since >= until)
      throw new VminerError('INVALID_INPUT', `since (${since}) must be before until (${until})`);
    if (since) {
      terms.push('at >= ?');
      params.push(since);
    }
    if (until) {
      terms.push('at < ?');
      params.push(until);
    }
    if (req.vcenter) {
      terms.push(
        '(vcenter = ? COLLATE NOCASE OR vcenter_id IN (SELECT id FROM vcenters WHERE name = ? COLLATE NOCASE))',
      );
      params.push(req.vcenter, req.vcenter);
    }
    if (req.entity) {
      terms.push('entity = ?');
      params.push(req.entity);
    }
    if (req.field) {
      if (req.field.endsWith('*')) {
        terms.push(`field LIKE ? ESCAPE '\\'`);
        params.push(`${req.field.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      } else {
        terms.push('field = ?');
        params.push(req.field);
      }
    }
    if (req.kind && req.kind.length < CHANGE_KINDS.length) {
      terms.push(`kind IN (${req.kind.map(() => '?').join(', ')})`);
      params.push(...req.kind);
    }
    if (req.source) {
      terms.push('source = ?');
      params.push(req.source);
    }
    let keys: ObjectKey[] | undefined;
    if (req.vcenterId !== undefined || req.moid !== undefined) {
      if (req.vcenterId === undefined || req.moid === undefined)
        throw new VminerError('INVALID_INPUT', 'give both vcenterId and moid to read one object history');
      keys = [{ vcenterId: req.vcenterId, moid: req.moid }];
    }
    if (req.object) {
      const named = this.objectsNamed(req.object, req.entity);
      keys = keys
        ? keys.filter((k) => named.some((n) => n.vcenterId === k.vcenterId && n.moid === k.moid))
        : named;
    }
    if (keys) {
      if (keys.length === 0) return { terms, params, since, until, empty: true };
      terms.push(`(vcenter_id, moid) IN (VALUES ${keys.map(() => '(?, ?)').join(', ')})`);
      for (const k of keys) params.push(k.vcenterId, k.moid);
    }
    return { terms, params, since, until, empty: false };
  }

  /** One page, newest first, with the filtered set's counts per kind on request. */
  page(request: ChangesRequest): ChangesPage {
    const req = ChangesRequestSchema.parse(request);
    const w = this.where(req);
    const zero = (): Record<ChangeKind, number> =>
      Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
    if (w.empty)
      return {
        items: [],
        nextCursor: null,
        ...(req.counts ? { counts: zero() } : {}),
        since: w.since,
        until: w.until,
      };
    const terms = [...w.terms];
    const params = [...w.params];
    if (req.cursor) {
      const [at, id] = decodeCursor(req.cursor);
      terms.push('(at, id) < (?, ?)');
      params.push(at, id);
    }
    params.push(req.limit + 1);
    const rows = this.stmt(
      `${SELECT}${terms.length ? ` WHERE ${terms.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`,
    ).all(...params) as ChangeRow[];
    const more = rows.length > req.limit;
    if (more) rows.pop();
    const out: ChangesPage = {
      items: rows,
      nextCursor: more ? encodeCursor(rows.at(-1)!) : null,
      since: w.since,
      until: w.until,
    };
    if (req.counts) {
      const counts = zero();
      const byKind = this.stmt(
        `SELECT kind, count(*) AS n FROM changes${w.terms.length ? ` WHERE ${w.terms.join(' AND ')}` : ''} GROUP BY kind`,
      ).all(...w.params) as { kind: string; n: number }[];
      for (const r of byKind)
        if ((CHANGE_KINDS as readonly string[]).includes(r.kind)) counts[r.kind as ChangeKind] = r.n;
      out.counts = counts;
    }
    return out;
  }

  /**
   * The time of each object's latest change (a grid's "Last changed" column): one seek of the
   * (vcenter_id, moid, at) index per object of the visible page.
   */
  lastChanged(keys: ObjectKey[]): Map<string, string> {
    const s = this.stmt('SELECT max(at) FROM changes WHERE vcenter_id = ? AND moid = ?').pluck();
    const out = new Map<string, string>();
    for (const k of keys) {
      const at = s.get(k.vcenterId, k.moid) as string | null;
      if (at) out.set(`${k.vcenterId}:${k.moid}`, at);
    }
    return out;
  }
}
