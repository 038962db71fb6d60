/**
 * The engine's configuration and accounts on the team database, mirrored in memory: vCenters and
 * their sync state, service accounts, sources, settings, users and logged-out tokens. These tables
 * are small (a few thousand rows at most), and the engine reads them synchronously and often
 * (every sync, every request's token check, every list of vCenters), so each instance keeps a copy
 * of every row and answers reads from it. The repos over this mirror (pg-vcenter-repo.ts, …) apply
 * the same rules as the SQLite ones; only where the rows come from differs.
 *
 * - **Writes** run in one PostgreSQL transaction (`write`): a transaction-scoped advisory lock per
 *   table serialises the writers of all instances, so the rules (names unique regardless of case,
 *   one default account, the last admin) are checked against the database as it is under that
 *   lock, not against a mirror that may lag; leader-only writes check the fencing term (fence.ts)
 *   as their last statement before COMMIT. The transaction also sends `config:changed` (the tables
 *   and the keys of the rows it wrote) on the notify bus, which PostgreSQL delivers when it commits
 *   (never on rollback). After the commit the writer re-reads those rows, then returns: what it
 *   wrote is in its mirror when its promise resolves.
 * - **Other instances** re-read those rows when the `config:changed` arrives, and every table when
 *   the bus's listening connection comes back after a drop (notifications sent meanwhile are lost).
 * - **Refreshes** read the rows a write named by their primary key (a whole table when it named
 *   none: a cascade or an update of many rows). One refresh per table runs at a time; what is asked
 *   for while one runs is read by the next, which starts after it, so a refresh always reads after
 *   the change that asked for it, and later reads land later.
 */
import pg from 'pg';
import { createHash } from 'node:crypto';
import { VminerError } from '../../../../shared/errors.js';
import { pgError, pgTypes } from '../../db/pg/connect.js';
import {
  revokedTokens,
  serviceAccounts,
  settings,
  sources,
  syncState,
  users,
  vcenters,
} from '../../db/schema.js';
import { createLogger } from '../../log.js';
import { checkTerm } from '../fence.js';
import type { NotifyBus } from '../notify-bus.js';
import { clientConfig, type PgTarget } from '../pg-connection.js';
import { col, selectRows } from './pg-rows.js';

const log = createLogger('team-config');

/** The mirrored tables, by their PostgreSQL name. */
export const CONFIG_TABLES = {
  vcenters,
  sync_state: syncState,
  service_accounts: serviceAccounts,
  sources,
  settings,
  users,
  revoked_tokens: revokedTokens,
} as const;
export type ConfigTable = keyof typeof CONFIG_TABLES;
export type ConfigRow<K extends ConfigTable> = (typeof CONFIG_TABLES)[K]['$inferSelect'];
/** A row's primary key. */
export type RowKey = number | string;
const NAMES = Object.keys(CONFIG_TABLES) as ConfigTable[];

/** Each table's primary key (its first column: the mirror reads in its order). */
const PRIMARY: { [K in ConfigTable]: keyof ConfigRow<K> & string } = {
  vcenters: 'id',
  sync_state: 'vcenterId',
  service_accounts: 'id',
  sources: 'id',
  settings: 'key',
  users: 'id',
  revoked_tokens: 'jti',
};

/** Past this many keys of one table, a change says "the whole table" (smaller notifications). */
const MAX_KEYS = 500;

/** What changed: by table, the keys of the rows written, or 'all'. */
export type Changes = Partial<Record<ConfigTable, RowKey[] | 'all'>>;

/** The advisory locks' namespace ("vmcf"); the key is a hash of the table's name. */
const LOCK_NS = 0x766d6366;
function lockKey(table: ConfigTable): number {
  return createHash('sha256').update(`vminer-config:${table}`).digest().readUInt32BE(0) & 0x7fffffff;
}

export interface WriteOptions {
  /**
   * The tables the transaction writes: refreshed after the commit here, and on the other
   * instances — the rows `touch` named, or the whole table when none was named.
   */
  tables: ConfigTable[];
  /** The tables whose writers it must exclude while it checks and writes (advisory locks, in a fixed order). */
  lock?: ConfigTable[];
  /** A leader-only write, with the fencing term its writer was elected with (fence.ts; undefined is refused). */
  leader?: { term: number | undefined };
}

/** Names the rows a write changed (inserted, updated or deleted), by primary key. */
export type Touch = (table: ConfigTable, ...keys: RowKey[]) => void;

export interface OpenPgConfigOptions {
  target: PgTarget;
  /** The instance's notify bus (started): carries `config:changed` both ways. */
  bus: NotifyBus;
  /** A refresh that failed in the background (the last rows stay in use). */
  onWarning?: (message: string) => void;
}

interface Loading {
  current: Promise<void> | null;
  next: Promise<void> | null;
  /** What the next read takes: the whole table, or these rows. */
  all: boolean;
  keys: Set<RowKey>;
}

export class PgConfig {
  readonly target: PgTarget;
  readonly #pool: pg.Pool;
  readonly #bus: NotifyBus;
  readonly #onWarning: (message: string) => void;
  readonly #rows = new Map<ConfigTable, Map<RowKey, object>>();
  readonly #lists = new Map<ConfigTable, readonly object[]>();
  readonly #loading = new Map<ConfigTable, Loading>();
  readonly #reloaded = new Set<(table: ConfigTable) => void>();
  readonly #unsubscribe: (() => void)[] = [];
  #closed = false;

  private constructor(opts: OpenPgConfigOptions, pool: pg.Pool) {
    this.target = opts.target;
    this.#pool = pool;
    this.#bus = opts.bus;
    this.#onWarning = opts.onWarning ?? ((message) => log.warn(message));
  }

  /** Loads every table, then follows the other instances' changes. */
  static async open(opts: OpenPgConfigOptions): Promise<PgConfig> {
    const pool = new pg.Pool({
      ...clientConfig(opts.target, 'config', { types: pgTypes }),
      max: 4,
      idleTimeoutMillis: 30_000,
    });
    pool.on('error', () => undefined); // an idle connection dropped: the next query opens another
    const config = new PgConfig(opts, pool);
    try {
      await config.reload(NAMES);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    config.#follow();
    return config;
  }

  /** The mirrored rows of `table` (in primary-key order), as last read. */
  rows<K extends ConfigTable>(table: K): readonly ConfigRow<K>[] {
    let list = this.#lists.get(table);
    if (!list) this.#lists.set(table, (list = [...(this.#rows.get(table)?.values() ?? [])]));
    return list as readonly ConfigRow<K>[];
  }

  /** The mirrored row of `table` with primary key `key`. */
  row<K extends ConfigTable>(table: K, key: RowKey): ConfigRow<K> | undefined {
    return this.#rows.get(table)?.get(key) as ConfigRow<K> | undefined;
  }

  /** Told after each refresh of a table (the user store compares token versions). */
  onReload(listener: (table: ConfigTable) => void): () => void {
    this.#reloaded.add(listener);
    return () => this.#reloaded.delete(listener);
  }

  /** Reads `tables` whole again; resolves once a read that started after this call has landed. */
  async reload(tables: readonly ConfigTable[] = NAMES): Promise<void> {
    await this.refresh(Object.fromEntries(tables.map((t) => [t, 'all'])) as Changes);
  }

  /** Reads what `changes` names again; resolves once reads that started after this call have landed. */
  async refresh(changes: Changes): Promise<void> {
    await Promise.all(
      (Object.entries(changes) as [ConfigTable, RowKey[] | 'all'][]).map(([t, keys]) =>
        this.#request(t, keys),
      ),
    );
  }

  /**
   * Runs `fn` in one transaction (see the module comment): locks, `fn`, the fencing term, the
   * notification, COMMIT; then refreshes what it wrote and returns `fn`'s result.
   */
  async write<T>(opts: WriteOptions, fn: (client: pg.PoolClient, touch: Touch) => Promise<T>): Promise<T> {
    if (this.#closed) throw new VminerError('INVALID_INPUT', 'the team configuration is closed');
    const touched = new Map<ConfigTable, Set<RowKey>>();
    const touch: Touch = (table, ...keys) => {
      let set = touched.get(table);
      if (!set) touched.set(table, (set = new Set()));
      for (const k of keys) set.add(k);
    };
    const client = await this.#pool.connect().catch((err: unknown) => {
      throw pgError(err, this.target);
    });
    let result: T;
    let changes: Changes;
    try {
      await client.query('BEGIN');
      for (const t of NAMES.filter((n) => opts.lock?.includes(n)))
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NS, lockKey(t)]);
      result = await fn(client, touch);
      // Last, just before COMMIT: the share lock on the leader's row then lasts only for the
      // commit, and never holds up the leader's lease renewal (an UPDATE of that row) for longer.
      if (opts.leader) await checkTerm(client, opts.leader.term);
      changes = Object.fromEntries(
        opts.tables.map((t) => {
          const keys = touched.get(t);
          return [t, keys && keys.size <= MAX_KEYS ? [...keys] : 'all'];
        }),
      ) as Changes;
      await this.announceIn(client, changes);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.error(err);
    } finally {
      client.release();
    }
    await this.settle(changes);
    return result;
  }

  /**
   * Tells the other instances, in the caller's open transaction on `client`, what changes:
   * delivered when it commits. Pair it with `settle` after the commit for this instance's mirror.
   */
  announceIn(client: pg.ClientBase, changes: Changes): Promise<void> {
    const tables = Object.keys(changes);
    const keys = Object.fromEntries(Object.entries(changes).filter(([, k]) => k !== 'all')) as Record<
      string,
      RowKey[]
    >;
    return this.#bus.publishIn(client, 'config:changed', { tables, keys });
  }

  /**
   * This instance's mirror after a committed write: refreshes what it changed. A failed refresh
   * does not undo the write: it is reported, and the next refresh of the table reads it whole.
   */
  async settle(changes: Changes): Promise<void> {
    await this.refresh(changes).catch((err: unknown) =>
      this.#onWarning(
        `the team configuration (${Object.keys(changes).join(', ')}) could not be re-read after a write: ${(err as Error).message}`,
      ),
    );
  }

  /**
   * PostgreSQL's (or the network's) error as one a person can act on (a unique index's refusal
   * names what clashed); the rules' own errors (VminerError, zod's) pass as they are.
   */
  error(err: unknown): unknown {
    const e = err as { code?: unknown; constraint?: string; detail?: string };
    if (err instanceof VminerError || typeof e?.code !== 'string') return err;
    if (e.code === '23505')
      return new VminerError(
        'INVALID_INPUT',
        `another instance has just stored the same ${e.constraint ?? 'value'} (${e.detail ?? 'a duplicate'}): nothing was written`,
        { cause: err },
      );
    return pgError(err, this.target);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const u of this.#unsubscribe) u();
    await Promise.all(
      [...this.#loading.values()].flatMap((l) => [l.current, l.next]).map((p) => p?.catch(() => undefined)),
    );
    await this.#pool.end();
  }

  #follow(): void {
    this.#unsubscribe.push(
      this.#bus.on('config:changed', ({ tables, keys }) => {
        const changes: Changes = {};
        for (const t of tables) if (t in CONFIG_TABLES) changes[t as ConfigTable] = keys?.[t] ?? 'all';
        this.#background(changes, 'a change another instance announced');
      }),
      this.#bus.onState((state) => {
        // Notifications sent while the listener was away are lost: read everything again.
        if (state === 'listening')
          this.#background(
            Object.fromEntries(NAMES.map((t) => [t, 'all'])) as Changes,
            'the notification listener reconnected',
          );
      }),
    );
  }

  #background(changes: Changes, why: string): void {
    if (this.#closed || Object.keys(changes).length === 0) return;
    this.refresh(changes).catch((err: unknown) =>
      this.#onWarning(
        `the team configuration (${Object.keys(changes).join(', ')}) could not be re-read after ${why}; the rows read before stay in use: ${(err as Error).message}`,
      ),
    );
  }

  #request(table: ConfigTable, keys: RowKey[] | 'all'): Promise<void> {
    let state = this.#loading.get(table);
    if (!state)
      this.#loading.set(table, (state = { current: null, next: null, all: false, keys: new Set() }));
    if (keys === 'all') state.all = true;
    else for (const k of keys) state.keys.add(k);
    const s = state;
    if (s.next) return s.next; // queued and not started yet: it reads what was just asked for
    if (!s.current) return this.#start(table, s);
    s.next = s.current
      .catch(() => undefined)
      .then(() => {
        s.next = null;
        return this.#start(table, s);
      });
    return s.next;
  }

  #start(table: ConfigTable, s: Loading): Promise<void> {
    const what: RowKey[] | 'all' = s.all ? 'all' : [...s.keys];
    s.all = false;
    s.keys = new Set();
    const p = this.#fetch(table, what)
      .catch((err: unknown) => {
        s.all = true; // what this read would have brought is read (whole) by the next one
        throw err;
      })
      .finally(() => {
        if (s.current === p) s.current = null;
      });
    s.current = p;
    return p;
  }

  async #fetch(table: ConfigTable, what: RowKey[] | 'all'): Promise<void> {
    if (what !== 'all' && what.length === 0) return;
    const def = CONFIG_TABLES[table];
    const key = PRIMARY[table];
    let rows: object[];
    try {
      rows =
        what === 'all'
          ? await selectRows(this.#pool, def, '', [], 'ORDER BY 1')
          : await selectRows(this.#pool, def, `${col(def, key)} = ANY({1})`, [what]);
    } catch (err) {
      if ((err as { code?: string }).code === '42P01')
        throw new VminerError(
          'NOT_FOUND',
          `${this.target.display} has no ${table} table: run \`vminer db migrate --database ${this.target.display}\` first`,
          { cause: err },
        );
      throw pgError(err, this.target);
    }
    const pk = (r: object): RowKey => (r as Record<string, RowKey>)[key]!;
    if (what === 'all') this.#rows.set(table, new Map(rows.map((r) => [pk(r), r])));
    else {
      const map = this.#rows.get(table) ?? new Map<RowKey, object>();
      this.#rows.set(table, map);
      // An updated row keeps its place (primary-key order); a new one comes last, as new ids do.
      const found = new Set<RowKey>();
      for (const r of rows) {
        map.set(pk(r), r);
        found.add(pk(r));
      }
      for (const k of what) if (!found.has(k)) map.delete(k);
    }
    this.#lists.delete(table);
    for (const l of this.#reloaded) l(table);
  }
}
