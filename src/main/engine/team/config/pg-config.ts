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
 *   lock, not against a mirror that may lag; leader-only writes check the fencing term
 *   (fence.ts) as their last statement before COMMIT. The transaction also sends `config:changed {tables}` on the notify bus, which
 *   PostgreSQL delivers when it commits (never on rollback). After the commit the writer reloads
 *   the tables it wrote, then returns: what it wrote is in its mirror when its promise resolves.
 * - **Other instances** reload a table when its `config:changed` arrives, and every table when the
 *   bus's listening connection comes back after a drop (notifications sent meanwhile are lost).
 * - **Reloads** read the whole table. One reload per table runs at a time; a reload asked for while
 *   one runs starts after it, so a reload always reads after the change that asked for it.
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
import { selectRows } from './pg-rows.js';

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
const NAMES = Object.keys(CONFIG_TABLES) as ConfigTable[];

/** The advisory locks' namespace ("vmcf"); the key is a hash of the table's name. */
const LOCK_NS = 0x766d6366;
function lockKey(table: ConfigTable): number {
  return createHash('sha256').update(`vminer-config:${table}`).digest().readUInt32BE(0) & 0x7fffffff;
}

export interface WriteOptions {
  /** The tables the transaction writes: reloaded after the commit here, and on the other instances. */
  tables: ConfigTable[];
  /** The tables whose writers it must exclude while it checks and writes (advisory locks, in a fixed order). */
  lock?: ConfigTable[];
  /** A leader-only write, with the fencing term its writer was elected with (fence.ts; undefined is refused). */
  leader?: { term: number | undefined };
}

export interface OpenPgConfigOptions {
  target: PgTarget;
  /** The instance's notify bus (started): carries `config:changed` both ways. */
  bus: NotifyBus;
  /** A reload that failed in the background (the last rows stay in use). */
  onWarning?: (message: string) => void;
}

interface Loading {
  current: Promise<void> | null;
  next: Promise<void> | null;
}

export class PgConfig {
  readonly target: PgTarget;
  readonly #pool: pg.Pool;
  readonly #bus: NotifyBus;
  readonly #onWarning: (message: string) => void;
  readonly #rows = new Map<ConfigTable, readonly object[]>();
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

  /** The mirrored rows of `table` (in primary-key order), as last loaded. */
  rows<K extends ConfigTable>(table: K): readonly ConfigRow<K>[] {
    return (this.#rows.get(table) ?? []) as readonly ConfigRow<K>[];
  }

  /** Told after each reload of a table (the user store compares token versions). */
  onReload(listener: (table: ConfigTable) => void): () => void {
    this.#reloaded.add(listener);
    return () => this.#reloaded.delete(listener);
  }

  /** Reads `tables` again; resolves once a read that started after this call has landed. */
  async reload(tables: readonly ConfigTable[] = NAMES): Promise<void> {
    await Promise.all([...new Set(tables)].map((t) => this.#reloadOne(t)));
  }

  /**
   * Runs `fn` in one transaction (see the module comment): locks, the fencing term, `fn`, the
   * notification, COMMIT; then reloads the written tables and returns `fn`'s result.
   */
  async write<T>(opts: WriteOptions, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw new VminerError('INVALID_INPUT', 'the team configuration is closed');
    const client = await this.#pool.connect().catch((err: unknown) => {
      throw pgError(err, this.target);
    });
    let result: T;
    try {
      await client.query('BEGIN');
      for (const t of NAMES.filter((n) => opts.lock?.includes(n)))
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NS, lockKey(t)]);
      result = await fn(client);
      // Last, just before COMMIT: the share lock on the leader's row then lasts only for the
      // commit, and never holds up the leader's lease renewal (an UPDATE of that row) for longer.
      if (opts.leader) await checkTerm(client, opts.leader.term);
      await this.announceIn(client, opts.tables);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.error(err);
    } finally {
      client.release();
    }
    await this.settle(opts.tables);
    return result;
  }

  /**
   * Tells the other instances, in the caller's open transaction on `client`, that `tables` change:
   * delivered when it commits. Pair it with `settle` after the commit for this instance's mirror.
   */
  announceIn(client: pg.ClientBase, tables: readonly ConfigTable[]): Promise<void> {
    return this.#bus.publishIn(client, 'config:changed', { tables: [...new Set(tables)] });
  }

  /**
   * This instance's mirror after a committed write: reloads `tables`. A failed reload does not
   * undo the write: it is reported, and the next reload (another write, a notification, a
   * reconnect) brings the rows.
   */
  async settle(tables: readonly ConfigTable[]): Promise<void> {
    await this.reload(tables).catch((err: unknown) =>
      this.#onWarning(
        `the team configuration (${tables.join(', ')}) could not be re-read after a write: ${(err as Error).message}`,
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
      this.#bus.on('config:changed', ({ tables }) => {
        const known = tables.filter((t): t is ConfigTable => t in CONFIG_TABLES);
        this.#background(known, 'a change another instance announced');
      }),
      this.#bus.onState((state) => {
        // Notifications sent while the listener was away are lost: read everything again.
        if (state === 'listening') this.#background(NAMES, 'the notification listener reconnected');
      }),
    );
  }

  #background(tables: ConfigTable[], why: string): void {
    if (this.#closed || tables.length === 0) return;
    this.reload(tables).catch((err: unknown) =>
      this.#onWarning(
        `the team configuration (${tables.join(', ')}) could not be re-read after ${why}; the rows read before stay in use: ${(err as Error).message}`,
      ),
    );
  }

  #reloadOne(table: ConfigTable): Promise<void> {
    let l = this.#loading.get(table);
    if (!l) this.#loading.set(table, (l = { current: null, next: null }));
    const state = l;
    if (state.next) return state.next; // queued and not started yet: it reads after this call
    const start = (): Promise<void> => {
      const p = this.#fetch(table).finally(() => {
        if (state.current === p) state.current = null;
      });
      state.current = p;
      return p;
    };
    if (!state.current) return start();
    state.next = state.current
      .catch(() => undefined)
      .then(() => {
        state.next = null;
        return start();
      });
    return state.next;
  }

  async #fetch(table: ConfigTable): Promise<void> {
    let rows: object[];
    try {
      rows = await selectRows(this.#pool, CONFIG_TABLES[table], '', [], 'ORDER BY 1');
    } catch (err) {
      if ((err as { code?: string }).code === '42P01')
        throw new VminerError(
          'NOT_FOUND',
          `${this.target.display} has no ${table} table: run \`vminer db migrate --database ${this.target.display}\` first`,
          { cause: err },
        );
      throw pgError(err, this.target);
    }
    this.#rows.set(table, rows);
    for (const l of this.#reloaded) l(table);
  }
}
