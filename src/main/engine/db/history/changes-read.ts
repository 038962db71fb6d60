import type Database from 'better-sqlite3';
import type { PgQueryBackend } from '../../query/pg-backend.js';
import { readAsync, readSync, type Reading, type Row } from '../../query/reading.js';
import { likeOp, nocaseCompare, SqlParams, type Dialect, type SqlQuery } from '../../query/sql-dialect.js';
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

// Aliases quoted: PostgreSQL folds unquoted names to lower case.
const SELECT = `SELECT id, at, vcenter_id AS "vcenterId", vcenter, entity, moid, object_name AS "objectName",
  kind, field, old_value AS "oldValue", new_value AS "newValue", source FROM changes`;

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

/** The rows of one statement (a step of a reading), its parameters those bound in `b`. */
function* rows<T>(sql: string, b: Pick<SqlParams, 'query'>): Generator<SqlQuery, T[], Row[]> {
  return (yield b.query(sql)) as T[];
}

/**
 * The objects a name stands for: those that had it in the history, and those that have it now in
 * the live tables (one entity's table when `entity` is given).
 */
function* objectsNamed(d: Dialect, name: string, entity?: string): Reading<ObjectKey[]> {
  const found = new Map<string, ObjectKey>();
  const add = (keys: ObjectKey[]): void => {
    for (const r of keys) found.set(`${r.vcenterId}\u0000${r.moid}`, r);
  };
  const b = new SqlParams(d);
  add(
    yield* rows<ObjectKey>(
      `SELECT DISTINCT vcenter_id AS "vcenterId", moid FROM changes WHERE ${nocaseCompare(d, 'object_name', b.bind(name))}${entity ? ` AND entity = ${b.bind(entity)}` : ''}`,
      b,
    ),
  );
  const tables = entity ? (NAMED_TABLES[entity] ? [NAMED_TABLES[entity]] : []) : Object.values(NAMED_TABLES);
  for (const t of tables) {
    const bt = new SqlParams(d);
    add(
      yield* rows<ObjectKey>(
        `SELECT vcenter_id AS "vcenterId", moid FROM "${t}" WHERE ${nocaseCompare(d, 'name', bt.bind(name))}`,
        bt,
      ),
    );
  }
  return [...found.values()];
}

interface Where {
  terms: string[];
  since: string | null;
  until: string | null;
  empty: boolean;
}

/** The WHERE terms of a request (without the cursor), their parameters bound into `b`. */
function* whereOf(
  d: Dialect,
  req: ReturnType<typeof ChangesRequestSchema.parse>,
  now: Date,
  b: SqlParams,
): Reading<Where> {
  const terms: string[] = [];
  const since = req.since ? parseTimeBound(req.since, now, 'since') : null;
  const until = req.until ? parseTimeBound(req.until, now, 'until') : null;
  if (since && until && since >= until)
    throw new VminerError('INVALID_INPUT', `since (${since}) must be before until (${until})`);
  if (since) terms.push(`at >= ${b.bind(since)}`);
  if (until) terms.push(`at < ${b.bind(until)}`);
  if (req.vcenter)
    terms.push(
      `(${nocaseCompare(d, 'vcenter', b.bind(req.vcenter))} OR vcenter_id IN (SELECT id FROM vcenters WHERE ${nocaseCompare(d, 'name', b.bind(req.vcenter))}))`,
    );
  if (req.entity) terms.push(`entity = ${b.bind(req.entity)}`);
  if (req.field) {
    if (req.field.endsWith('*'))
      terms.push(
        `field ${likeOp(d)} ${b.bind(`${req.field.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`)} ESCAPE '\\'`,
      );
    else terms.push(`field = ${b.bind(req.field)}`);
  }
  if (req.kind && req.kind.length < CHANGE_KINDS.length)
    terms.push(`kind IN (${req.kind.map((k) => b.bind(k)).join(', ')})`);
  if (req.source) terms.push(`source = ${b.bind(req.source)}`);
  let keys: ObjectKey[] | undefined;
  if (req.vcenterId !== undefined || req.moid !== undefined) {
    if (req.vcenterId === undefined || req.moid === undefined)
      throw new VminerError('INVALID_INPUT', 'give both vcenterId and moid to read one object history');
    keys = [{ vcenterId: req.vcenterId, moid: req.moid }];
  }
  if (req.object) {
    const named = yield* objectsNamed(d, req.object, req.entity);
    keys = keys
      ? keys.filter((k) => named.some((n) => n.vcenterId === k.vcenterId && n.moid === k.moid))
      : named;
  }
  if (keys) {
    if (keys.length === 0) return { terms, since, until, empty: true };
    terms.push(
      `(vcenter_id, moid) IN (VALUES ${keys.map((k) => `(${b.bind(k.vcenterId)}${d === 'pg' ? '::integer' : ''}, ${b.bind(k.moid)})`).join(', ')})`,
    );
  }
  return { terms, since, until, empty: false };
}

const zero = (): Record<ChangeKind, number> =>
  Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;

/** One page, newest first (keyset on `at desc, id desc`), with the filtered set's counts per kind on request. */
export function* changesPage(d: Dialect, request: ChangesRequest, now: Date): Reading<ChangesPage> {
  const req = ChangesRequestSchema.parse(request);
  // The counts' statement binds the filter alone; the page's, the filter and the cursor.
  const b = new SqlParams(d);
  const w = yield* whereOf(d, req, now, b);
  // The counts bind the filter's values alone: the placeholders the filter wrote come first.
  const filterValues = [...b.values];
  if (w.empty)
    return {
      items: [],
      nextCursor: null,
      ...(req.counts ? { counts: zero() } : {}),
      since: w.since,
      until: w.until,
    };
  const terms = [...w.terms];
  if (req.cursor) {
    const [at, id] = decodeCursor(req.cursor);
    terms.push(`(at, id) < (${b.bind(at)}, ${b.bind(id)})`);
  }
  const items = (yield* rows<ChangeRow>(
    `${SELECT}${terms.length ? ` WHERE ${terms.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ${b.bind(req.limit + 1)}`,
    b,
  )).map((r) => ({ ...r, id: Number(r.id) }));
  const more = items.length > req.limit;
  if (more) items.pop();
  const out: ChangesPage = {
    items,
    nextCursor: more ? encodeCursor(items.at(-1)!) : null,
    since: w.since,
    until: w.until,
  };
  if (req.counts) {
    const counts = zero();
    const byKind = yield* rows<{ kind: string; n: number }>(
      `SELECT kind, count(*) AS n FROM changes${w.terms.length ? ` WHERE ${w.terms.join(' AND ')}` : ''} GROUP BY kind`,
      { query: (sql: string) => ({ sql, params: filterValues }) },
    );
    for (const r of byKind)
      if ((CHANGE_KINDS as readonly string[]).includes(r.kind)) counts[r.kind as ChangeKind] = Number(r.n);
    out.counts = counts;
  }
  return out;
}

/**
 * Reads the change history from the SQLite cache: filtered pages newest first, counts per kind,
 * objects by current or past name, and the last change of a page of objects. On PostgreSQL the
 * same readings run through `changesPageAsync`.
 */
export class ChangesReader {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly sqlite: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private run<T>(steps: Reading<T>): T {
    return readSync(steps, (q) => this.stmt(q.sql).all(...q.params) as Row[]);
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.sqlite.prepare(sql);
      if (this.statements.size > 200) this.statements.clear();
      this.statements.set(sql, s);
    }
    return s;
  }

  page(request: ChangesRequest): ChangesPage {
    return this.run(changesPage('sqlite', request, this.now()));
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

/** A page of the change history from a team server's PostgreSQL (the same reading as on SQLite). */
export function changesPageAsync(
  pg: PgQueryBackend,
  request: ChangesRequest,
  now = new Date(),
): Promise<ChangesPage> {
  return readAsync(changesPage('pg', request, now), (q) => pg.all(q));
}

/**
 * The time of each object's latest change on PostgreSQL (a grid's "Last changed" column): one
 * statement for the page's objects, each group read from the (vcenter_id, moid, at) index.
 */
export async function lastChangedAsync(pg: PgQueryBackend, keys: ObjectKey[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (keys.length === 0) return out;
  const b = new SqlParams('pg');
  const values = keys.map((k) => `(${b.bind(k.vcenterId)}::integer, ${b.bind(k.moid)})`).join(', ');
  const rows = await pg.all(
    b.query(
      `SELECT vcenter_id AS "vcenterId", moid, max(at) AS at FROM changes
        WHERE (vcenter_id, moid) IN (VALUES ${values}) GROUP BY vcenter_id, moid`,
    ),
  );
  for (const r of rows)
    if (typeof r['at'] === 'string') out.set(`${String(r['vcenterId'])}:${String(r['moid'])}`, r['at']);
  return out;
}
