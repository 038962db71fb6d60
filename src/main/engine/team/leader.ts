import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { VminerError } from '../../../shared/errors.js';
import { createLogger } from '../log.js';
import { clientConfig, type PgTarget } from './pg-connection.js';
import { ensureLeaderTable } from './leader-table.js';

const log = createLogger('team-leader');

/**
 * Leader election among the `vminer serve` instances that share one PostgreSQL database: exactly
 * one of them syncs and keeps live sessions.
 *
 * The LOCK is authoritative: a session-level advisory lock (`pg_try_advisory_lock`) held on a
 * connection of its own. PostgreSQL frees it the moment that session ends, so when the leader's
 * process dies (SIGKILL, crash, host gone and its TCP connection reset) a follower, retrying every
 * `retryMs`, takes over within a few seconds.
 *
 * The LEASE row (table team_leader) is informative: who leads, since when, last renewal. The leader
 * renews it every `renewMs`; the renewal also checks that this very session still holds the lock.
 * Two guards keep a stalled leader from writing beside a new one (split brain):
 * - the leader fences itself: `holds()` turns false once its last successful renewal was sent more
 *   than `leaseTimeoutMs` ago (event loop stalled, renewals timing out), and the next tick steps
 *   down ('lost', then the lock connection is closed);
 * - a follower that finds the lock held by a session whose lease has not been renewed for
 *   `takeoverAfterMs` (> leaseTimeoutMs) ends that session with `pg_terminate_backend`, which frees
 *   the lock; the stalled leader, when it wakes, finds its connection gone and steps down.
 * A leader whose lock connection fails steps down at once: 'lost' is emitted synchronously from the
 * connection's error/end event, before the database can hand the lock to anyone else.
 * Callers check `holds()` before each write they make as the leader.
 */
export interface LeaderOptions {
  target: PgTarget;
  /** The election's name: instances with the same name compete (default 'vminer'). */
  name?: string;
  /** This instance's name in the lease row and logs (default host/pid/random). */
  instance?: string;
  /** How often a follower tries to take the lock (default 2 s). */
  retryMs?: number;
  /** How often the leader renews its lease (default 2 s). */
  renewMs?: number;
  /** The leader fences itself when it could not renew for this long (default 10 s). */
  leaseTimeoutMs?: number;
  /** A follower ends the lock holder's session when its lease is this stale (default 20 s). */
  takeoverAfterMs?: number;
}

export type LostReason = 'connection' | 'stalled' | 'lock-missing' | 'stopped';

export interface LeaderEvents {
  elected: { instance: string; term: number };
  lost: { instance: string; term: number; reason: LostReason; detail: string };
}

/** The lease row as last read (by a follower) or written (by the leader). */
export interface LeaseInfo {
  instance: string;
  host: string;
  pid: number;
  term: number;
  acquiredAt: string;
  renewedAt: string;
  /** Set when the leader stepped down cleanly (stop); null while it leads or after a crash. */
  releasedAt: string | null;
}

export interface LeaderStatus {
  role: 'stopped' | 'follower' | 'leader';
  instance: string;
  /** Whoever leads, as far as this instance knows. */
  lease: LeaseInfo | null;
  /** The last connection or query failure (the password is never part of it). */
  lastError: string | null;
}

/** The advisory lock's two int4 keys: a fixed namespace ("vmnr") and a hash of the name. */
export function lockKeys(name: string): { ns: number; key: number } {
  const digest = createHash('sha256').update(`vminer-leader:${name}`).digest();
  return { ns: 0x766d6e72, key: digest.readUInt32BE(0) & 0x7fffffff };
}

interface LeaseRow {
  instance: string;
  host: string;
  pid: number;
  backend_pid: number;
  term: string;
  acquired_at: Date;
  renewed_at: Date;
  released_at: Date | null;
}

const leaseOf = (r: LeaseRow): LeaseInfo => ({
  instance: r.instance,
  host: r.host,
  pid: r.pid,
  term: Number(r.term),
  acquiredAt: r.acquired_at.toISOString(),
  renewedAt: r.renewed_at.toISOString(),
  releasedAt: r.released_at ? r.released_at.toISOString() : null,
});

export class LeaderElector {
  readonly instance: string;
  private readonly name: string;
  private readonly keys: { ns: number; key: number };
  private readonly retryMs: number;
  private readonly renewMs: number;
  private readonly leaseTimeoutMs: number;
  private readonly takeoverAfterMs: number;
  private readonly emitter = new EventEmitter();
  private running = false;
  private client: pg.Client | null = null;
  private role: 'follower' | 'leader' = 'follower';
  private term = 0;
  /** performance.now() when the last successful renewal (or the election) was sent. */
  private renewedAt = 0;
  private lease: LeaseInfo | null = null;
  private lastError: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  /** A lock holder a follower has seen without a fresh lease, and since when. */
  private silent: { pid: number; since: number } | null = null;

  constructor(private readonly opts: LeaderOptions) {
    this.name = opts.name ?? 'vminer';
    this.instance = opts.instance ?? `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
    this.keys = lockKeys(this.name);
    this.retryMs = opts.retryMs ?? 2_000;
    this.renewMs = opts.renewMs ?? 2_000;
    this.leaseTimeoutMs = opts.leaseTimeoutMs ?? 10_000;
    this.takeoverAfterMs = opts.takeoverAfterMs ?? 20_000;
    if (!(this.renewMs < this.leaseTimeoutMs && this.leaseTimeoutMs < this.takeoverAfterMs))
      throw new VminerError(
        'INVALID_INPUT',
        `leader timing must satisfy renewMs (${this.renewMs}) < leaseTimeoutMs (${this.leaseTimeoutMs}) < takeoverAfterMs (${this.takeoverAfterMs})`,
      );
  }

  on<K extends keyof LeaderEvents>(name: K, listener: (e: LeaderEvents[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  /** Starts competing; resolves after the first attempt (connection failures are retried, not thrown). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.schedule(0);
  }

  /** True while this instance leads and its lease is not overdue: check before each leader-only write. */
  holds(): boolean {
    return this.running && this.role === 'leader' && performance.now() - this.renewedAt < this.leaseTimeoutMs;
  }

  status(): LeaderStatus {
    return {
      role: this.running ? this.role : 'stopped',
      instance: this.instance,
      lease: this.lease,
      lastError: this.lastError,
    };
  }

  /** Steps down if leading ('lost' with reason 'stopped'), releases the lock and the lease, disconnects. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking;
    this.stepDown('stopped', 'the instance is stopping', false);
    const client = this.client;
    this.client = null;
    if (!client) return;
    try {
      // The row stays (its term keeps growing across leaders); released_at says nobody holds it now.
      await client.query(
        'UPDATE team_leader SET released_at = now() WHERE id = $1 AND backend_pid = pg_backend_pid()',
        [this.name],
      );
      await client.query('SELECT pg_advisory_unlock_all()');
    } catch (err) {
      log.warn('could not release the leadership cleanly (it ends with the connection)', { err });
    }
    await client.end().catch((err: unknown) => log.debug('closing the lock connection failed', { err }));
  }

  private schedule(delayMs: number): Promise<void> {
    clearTimeout(this.timer);
    if (!this.running) return Promise.resolve();
    if (delayMs === 0) {
      this.ticking = this.ticking.then(() => this.tick());
      return this.ticking;
    }
    this.timer = setTimeout(() => {
      this.ticking = this.ticking.then(() => this.tick());
    }, delayMs);
    return Promise.resolve();
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    try {
      if (this.role === 'leader') {
        if (performance.now() - this.renewedAt >= this.leaseTimeoutMs)
          this.stepDown(
            'stalled',
            `the lease was not renewed for ${Math.round(performance.now() - this.renewedAt)} ms (limit ${this.leaseTimeoutMs} ms)`,
          );
        else await this.renew();
      } else {
        this.client ??= await this.connect();
        await this.tryAcquire(this.client);
      }
      this.lastError = null;
    } catch (err) {
      this.lastError = (err as Error).message;
      log.warn('leader election step failed; retrying', { instance: this.instance, err });
      if (this.role === 'leader') this.stepDown('connection', (err as Error).message);
      else this.dropClient();
    }
    void this.schedule(this.role === 'leader' ? this.renewMs : this.retryMs);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client(
      clientConfig(this.opts.target, 'leader', {
        // A renewal slower than the lease is a failed renewal.
        query_timeout: this.leaseTimeoutMs,
      }),
    );
    const gone = (err?: Error) => this.connectionGone(client, err);
    client.on('error', gone);
    client.on('end', () => gone());
    try {
      await client.connect();
      // The server ends the session of a vanished leader host (no FIN, no RST: a partition, a power
      // cut) after leaseTimeoutMs + ~8 s of silence instead of the OS default of hours. The leader
      // fenced itself at leaseTimeoutMs after its last renewal, before the lock can be freed.
      const idle = Math.ceil(this.leaseTimeoutMs / 1000) + 2;
      await client.query(
        `SET tcp_keepalives_idle = ${idle}; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3`,
      );
      await ensureLeaderTable(client, this.keys.ns);
      return client;
    } catch (err) {
      client.end().catch(() => undefined);
      throw err;
    }
  }

  private connectionGone(client: pg.Client, err?: Error): void {
    if (client !== this.client) return;
    this.client = null;
    const detail = err ? err.message : 'the lock connection closed';
    this.lastError = detail;
    if (this.role === 'leader') this.stepDown('connection', detail, false);
  }

  private async tryAcquire(client: pg.Client): Promise<void> {
    const { ns, key } = this.keys;
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [ns, key]);
    if (!got.rows[0]?.ok) return this.watchHolder(client);
    const sent = performance.now();
    const row = await client.query<LeaseRow>(
      `INSERT INTO team_leader (id, instance, host, pid, backend_pid, term, acquired_at, renewed_at)
       VALUES ($1, $2, $3, $4, pg_backend_pid(), 1, now(), now())
       ON CONFLICT (id) DO UPDATE SET instance = EXCLUDED.instance, host = EXCLUDED.host, pid = EXCLUDED.pid,
         backend_pid = EXCLUDED.backend_pid, term = team_leader.term + 1,
         acquired_at = EXCLUDED.acquired_at, renewed_at = EXCLUDED.renewed_at, released_at = NULL
       RETURNING *`,
      [this.name, this.instance, os.hostname(), process.pid],
    );
    const lease = leaseOf(row.rows[0]!);
    this.role = 'leader';
    this.term = lease.term;
    this.renewedAt = sent;
    this.lease = lease;
    this.silent = null;
    log.info('this instance now leads', { instance: this.instance, term: this.term });
    this.emitter.emit('elected', { instance: this.instance, term: this.term });
  }

  /** A follower's look at the lock holder: ends its session if its lease went stale. */
  private async watchHolder(client: pg.Client): Promise<void> {
    const { ns, key } = this.keys;
    const r = await client.query<{ holder: number | null; stale: boolean | null } & Partial<LeaseRow>>(
      `SELECT h.pid AS holder, t.*, (t.renewed_at < now() - $4 * interval '1 millisecond') AS stale
       FROM (SELECT 1) one
       LEFT JOIN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid
                  AND objid = $2::oid AND objsubid = 2 AND granted
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) h ON true
       LEFT JOIN team_leader t ON t.id = $3`,
      [ns, key, this.name, this.takeoverAfterMs],
    );
    const row = r.rows[0];
    this.lease = row?.instance ? leaseOf(row as LeaseRow) : null;
    const holder = row?.holder ?? null;
    if (holder === null) {
      this.silent = null;
      return;
    }
    const leaseIsHolders = row?.backend_pid === holder;
    if (leaseIsHolders && !row?.stale) {
      this.silent = null;
      return;
    }
    const now = performance.now();
    // A lease this stale: the holder has fenced itself long ago. No lease of its own yet: give a new
    // leader the same grace before deciding it hangs between taking the lock and writing its row.
    if (!leaseIsHolders && (this.silent?.pid !== holder || now - this.silent.since < this.takeoverAfterMs)) {
      if (this.silent?.pid !== holder) this.silent = { pid: holder, since: now };
      return;
    }
    log.warn('the leader stopped renewing its lease; ending its lock session so another instance can lead', {
      instance: this.instance,
      leader: this.lease?.instance ?? null,
      backendPid: holder,
    });
    this.silent = null;
    await client.query('SELECT pg_terminate_backend($1)', [holder]);
  }

  private async renew(): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('the lock connection is gone');
    const { ns, key } = this.keys;
    const sent = performance.now();
    const r = await client.query<LeaseRow>(
      `UPDATE team_leader SET renewed_at = now()
       WHERE id = $1 AND backend_pid = pg_backend_pid() AND term = $2
         AND EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $3::oid AND objid = $4::oid
                     AND objsubid = 2 AND granted AND pid = pg_backend_pid())
       RETURNING *`,
      [this.name, this.term, ns, key],
    );
    if (client !== this.client || this.role !== 'leader') return;
    if (!r.rows[0])
      return this.stepDown('lock-missing', 'this session no longer holds the lock or the lease');
    this.renewedAt = sent;
    this.lease = leaseOf(r.rows[0]);
  }

  /** Emits 'lost' first (the caller stops leader work), then lets go of the lock connection. */
  private stepDown(reason: LostReason, detail: string, dropConnection = true): void {
    if (this.role !== 'leader') return;
    this.role = 'follower';
    log.warn('this instance no longer leads', { instance: this.instance, term: this.term, reason, detail });
    this.emitter.emit('lost', { instance: this.instance, term: this.term, reason, detail });
    if (dropConnection) this.dropClient();
  }

  private dropClient(): void {
    const client = this.client;
    this.client = null;
    client?.end().catch((err: unknown) => log.debug('closing the lock connection failed', { err }));
  }
}
