import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import pg from 'pg';
import { VminerError } from '../../../shared/errors.js';
import { createLogger } from '../log.js';
import {
  DEFAULT_MAX_PAYLOAD_BYTES,
  encodeEvent,
  MERGE,
  Reassembler,
  type TeamEventName,
  type TeamEvents,
} from './notify-payload.js';
import { clientConfig, type PgTarget } from './pg-connection.js';

const log = createLogger('team-notify');

/**
 * Engine events between the `vminer serve` instances of one database, over PostgreSQL
 * LISTEN/NOTIFY: the leader publishes `inventory:changed` after a sync or a live update has been
 * stored, every instance hands what it receives to its own SSE clients.
 *
 * - One dedicated connection LISTENs. When it drops (server restart, pg_terminate_backend, network)
 *   the bus reconnects with exponential back-off and LISTENs again. Notifications sent while it was
 *   away are lost (PostgreSQL does not queue them for a session that is gone), so after every
 *   reconnect the bus reports 'listening' again through `onState`: treat that as "anything may have
 *   changed" and tell the clients to refetch.
 * - `publish` coalesces: events of one name published within `coalesceMs` go out as one (for
 *   inventory:changed, the union of the vCenter ids). An event larger than the payload limit is split
 *   into parts sent in one statement and reassembled by the receivers.
 * - `publishIn(client, …)` sends on the caller's connection. Inside the caller's transaction
 *   (BEGIN … COMMIT) PostgreSQL delivers the notification only when that transaction commits, and
 *   never if it rolls back: publish the change in the transaction that stores it, and no instance
 *   hears of data it cannot yet read.
 * - A bus does not deliver its own messages to itself (the publishing instance has already emitted
 *   the event on its local engine bus).
 */
export interface NotifyBusOptions {
  target: PgTarget;
  /** This instance's name on the wire (default host/pid/random). */
  instance?: string;
  /** The NOTIFY channel (default 'vminer_events'); a plain lower-case identifier. */
  channel?: string;
  maxPayloadBytes?: number;
  /** Publishes of one event name within this window go out as one (default 100 ms; 0: none). */
  coalesceMs?: number;
  /** Reconnect back-off: the first wait, doubled up to the cap (defaults 250 ms, 10 s). */
  reconnect?: { initialMs?: number; maxMs?: number };
}

export type BusState = 'listening' | 'reconnecting' | 'stopped';

/** What `publishIn` needs of a connection: pg.Client, pg.PoolClient or pg.Pool. */
export interface Queryable {
  query(text: string, values: unknown[]): Promise<unknown>;
}

const CHANNEL_RE = /^[a-z_][a-z0-9_]{0,62}$/;

interface Pending<K extends TeamEventName> {
  payload: TeamEvents[K];
  done: Promise<void>;
}

export class NotifyBus {
  readonly instance: string;
  readonly channel: string;
  private readonly maxBytes: number;
  private readonly coalesceMs: number;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly events = new EventEmitter();
  private readonly reassembler = new Reassembler();
  private readonly pending = new Map<TeamEventName, Pending<TeamEventName>>();
  private publisher: pg.Pool | null = null;
  private listener: pg.Client | null = null;
  private state: BusState = 'stopped';
  private attempt = 0;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: NotifyBusOptions) {
    this.instance = opts.instance ?? `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
    this.channel = opts.channel ?? 'vminer_events';
    if (!CHANNEL_RE.test(this.channel))
      throw new VminerError(
        'INVALID_INPUT',
        `the notification channel "${this.channel}" must be a lower-case identifier (letters, digits, _)`,
      );
    this.maxBytes = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    if (this.maxBytes >= 8000)
      throw new VminerError('INVALID_INPUT', 'PostgreSQL notifications must stay under 8000 bytes');
    this.coalesceMs = opts.coalesceMs ?? 100;
    this.initialMs = opts.reconnect?.initialMs ?? 250;
    this.maxMs = opts.reconnect?.maxMs ?? 10_000;
    this.events.setMaxListeners(0);
  }

  /** Events from the other instances; returns the unsubscribe function. */
  on<K extends TeamEventName>(name: K, listener: (payload: TeamEvents[K], from: string) => void): () => void {
    this.events.on(name, listener);
    return () => this.events.off(name, listener);
  }

  /** 'listening' after the first LISTEN and after every reconnect; 'reconnecting' when the connection drops. */
  onState(listener: (state: BusState) => void): () => void {
    this.events.on('state', listener);
    return () => this.events.off('state', listener);
  }

  get currentState(): BusState {
    return this.state;
  }

  /** Reconnect attempts that failed since the bus started (for health pages and tests). */
  get failedReconnects(): number {
    return this.failures;
  }

  /** Connects and LISTENs; throws (a clear error, no password) when the first connection fails. */
  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'reconnecting';
    this.publisher = new pg.Pool({ ...clientConfig(this.opts.target, 'notify'), max: 1 });
    // An idle pooled connection that dies is dropped by the pool; the next publish opens another.
    this.publisher.on('error', (err) => log.warn('the notification publisher connection failed', { err }));
    try {
      await this.listen();
    } catch (err) {
      await this.stop();
      throw new VminerError(
        'UNREACHABLE',
        `cannot listen for notifications on ${this.opts.target.display}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped' && !this.publisher) return;
    this.setState('stopped');
    clearTimeout(this.retryTimer);
    await Promise.all([...this.pending.values()].map((p) => p.done.catch(() => undefined)));
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    const publisher = this.publisher;
    this.publisher = null;
    await publisher?.end().catch(() => undefined);
  }

  /** Sends `name` to the other instances, folded with other publishes of it within `coalesceMs`. */
  publish<K extends TeamEventName>(name: K, payload: TeamEvents[K]): Promise<void> {
    if (this.state === 'stopped')
      return Promise.reject(new VminerError('INVALID_INPUT', 'the bus is stopped'));
    const queued = this.pending.get(name) as Pending<K> | undefined;
    if (queued) {
      queued.payload = MERGE[name](queued.payload, payload);
      return queued.done;
    }
    const entry = { payload } as Pending<K>;
    entry.done = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        this.pending.delete(name);
        const pool = this.publisher;
        if (!pool) return reject(new VminerError('INVALID_INPUT', 'the bus is stopped'));
        this.publishIn(pool, name, entry.payload).then(resolve, reject);
      }, this.coalesceMs);
    });
    this.pending.set(name, entry as unknown as Pending<TeamEventName>);
    return entry.done;
  }

  /**
   * Sends `name` now on `db`. In an open transaction on `db` the other instances receive it when
   * that transaction commits (not at all on rollback).
   */
  async publishIn<K extends TeamEventName>(db: Queryable, name: K, payload: TeamEvents[K]): Promise<void> {
    const parts = encodeEvent(this.instance, randomUUID(), name, payload, this.maxBytes);
    // One statement: the parts travel in one transaction, so they arrive together and in order.
    await db.query(
      'SELECT pg_notify($1, part) FROM unnest($2::text[]) WITH ORDINALITY AS t(part, n) ORDER BY n',
      [this.channel, parts],
    );
  }

  private async listen(): Promise<void> {
    const client = new pg.Client(clientConfig(this.opts.target, 'listen'));
    client.on('notification', (msg) => {
      if (msg.channel === this.channel && msg.payload !== undefined) this.receive(msg.payload);
    });
    const gone = (err?: Error) => this.listenerGone(client, err);
    client.on('error', gone);
    client.on('end', () => gone());
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      client.end().catch(() => undefined);
      throw err;
    }
    if (this.state === 'stopped') {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.attempt = 0;
    this.setState('listening');
  }

  private listenerGone(client: pg.Client, err?: Error): void {
    if (client !== this.listener || this.state === 'stopped') return;
    this.listener = null;
    log.warn('the notification listener lost its connection; reconnecting', { err: err ?? null });
    this.setState('reconnecting');
    this.retry();
  }

  private retry(): void {
    if (this.state === 'stopped') return;
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt++;
    this.retryTimer = setTimeout(() => {
      this.listen().catch((err: unknown) => {
        this.failures++;
        log.warn('reconnecting the notification listener failed; trying again', {
          err,
          attempt: this.attempt,
        });
        this.retry();
      });
    }, delay);
  }

  private receive(raw: string): void {
    const got = this.reassembler.accept(raw);
    if (got.kind === 'invalid') log.warn('ignored a malformed notification', { reason: got.reason });
    if (got.kind !== 'event' || got.event.sender === this.instance) return;
    this.events.emit(got.event.name, got.event.payload, got.event.sender);
  }

  private setState(state: BusState): void {
    if (this.state === state) return;
    this.state = state;
    this.events.emit('state', state);
  }
}
