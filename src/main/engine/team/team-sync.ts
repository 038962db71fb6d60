/**
 * Syncing on the team database (issue 18): several `vminer serve` instances share one PostgreSQL
 * database and exactly one of them — the leader (team/leader.ts) — syncs and keeps live sessions.
 *
 * TeamSync is one instance's part of that. While the instance leads (the elector's `elected`, with
 * its term) it runs a SyncRunner, a LiveManager and a Scheduler whose writes are fenced by that
 * term (pg-sync-backend.ts); on `lost` it cancels the syncs, aborts the live sessions and closes the
 * scheduler, and nothing more is written under the old term (the fence refuses it before COMMIT);
 * elected again later, it starts them again with the new term. A new leader first settles what a
 * dead leader left behind: vCenters still `queued`/`syncing` become `interrupted`, leftover live
 * states are settled (as a restarted desktop engine does).
 *
 * Every instance offers the same three members the desktop engine has (`sync`, `scheduler`,
 * `live`, with SyncRunner's, Scheduler's and LiveManager's signatures):
 * - `sync.sync(ids)` on a follower goes to the leader over the notify bus (`sync:request`); the
 *   leader answers `accepted` at once and the SyncSummary when done (`sync:reply`). No leader, or no
 *   answer within `acceptTimeoutMs`: a NOT_LEADER error (HTTP 503). A leader that stops leading
 *   before it answers: the request fails saying so. `cancel` is forwarded too.
 * - The scheduler's start/stop/configure are settings writes (shared by every instance): the
 *   leader applies them when its settings mirror reloads. `scheduler.state()` on a follower is the
 *   settings plus the leader's last `scheduler:state` (next run, running).
 * - The leader publishes its `sync:progress`, `scheduler:state` and `live:state` events and its
 *   live sessions (`live:sessions`) on the bus; followers emit them on their local event bus (for
 *   their SSE clients) and answer `live.statusInfo()` from the last list. `inventory:changed` is
 *   not relayed here: the store publishes it in each write's transaction (give it the bus), and
 *   the serving engine hands what its bus receives to its clients.
 */
import { randomUUID } from 'node:crypto';
import { VminerError, toErrorInfo } from '../../../shared/errors.js';
import type { SchedulerStateEvent } from '../../../shared/events.js';
import type { SchedulerSettings } from '../../../shared/settings.js';
import type { VcenterInfo } from '../../../shared/vcenter.js';
import type { PgInventoryStore } from '../db/pg/inventory-store-pg.js';
import type { EventBus } from '../events.js';
import { createLogger } from '../log.js';
import type { SettingsStore } from '../settings-repo.js';
import { LiveManager, type LiveSessionInfo } from '../sync/live-manager.js';
import type { LiveOptions } from '../sync/live-session.js';
import { Scheduler, validateCron } from '../sync/scheduler.js';
import { SyncRunner, type SyncDeps, type SyncSummary } from '../sync/sync-runner.js';
import { inBackground, isNotLeader } from '../sync/sync-ports.js';
import type { ConfigTable } from './config/pg-config.js';
import type { PgVcenterRepo } from './config/pg-vcenter-repo.js';
import { DEFAULT_ELECTION, StaleTermError, type Fence } from './fence.js';
import type { LeaderElector } from './leader.js';
import type { NotifyBus } from './notify-bus.js';
import type { TeamEvents, TeamSyncReply } from './notify-payload.js';
import { PgSyncBackend } from './pg-sync-backend.js';

const log = createLogger('team-sync');

/** SyncRunner's public face: the same signatures on the leader and on a follower. */
export type SyncControl = Pick<SyncRunner, 'sync' | 'cancel' | 'isSyncing' | 'settled'>;
/** Scheduler's public face. */
export type SchedulerControl = Pick<
  Scheduler,
  'state' | 'start' | 'stop' | 'configure' | 'resume' | 'wake' | 'close'
>;
/** LiveManager's public face. */
export type LiveControl = Pick<
  LiveManager,
  'running' | 'statusInfo' | 'sessionsInfo' | 'start' | 'reconcile' | 'wake' | 'stop' | 'stopAll' | 'abortAll'
>;

export interface TeamSyncOptions {
  elector: Pick<LeaderElector, 'on' | 'holds' | 'status' | 'instance'>;
  /** The inventory store, made with TeamSync's fence (writes refused unless this instance leads). */
  store: (fence: () => Fence) => PgInventoryStore;
  vcenters: PgVcenterRepo;
  settings: SettingsStore;
  /** Told after each reload of a configuration table (PgConfig.onReload): the leader applies changes. */
  onConfigReload: (listener: (table: ConfigTable) => void) => () => void;
  credentials: (vc: VcenterInfo) => { user: string; password: string };
  /**
   * Re-reads what `credentials` reads from (the team vault) before the leader runs a sync and before
   * it reconciles live sessions after a configuration change, so a password written by another
   * instance a moment ago is found. A failure keeps what was read before.
   */
  refreshCredentials?: () => Promise<void>;
  /** The instance's notify bus (started). */
  bus: Pick<NotifyBus, 'on' | 'publish'>;
  /** The instance's local event bus (its SSE clients). */
  events: EventBus;
  /** The election's name (default 'vminer'): the fence's `team_leader` row. */
  election?: string;
  collect?: SyncDeps['collect'];
  afterSync?: () => void;
  live?: Partial<LiveOptions>;
  /** How long a follower waits for the leader to take a sync request (default 10 s). */
  acceptTimeoutMs?: number;
  /** How long a follower waits for the leader's summary once taken (default 6 h). */
  resultTimeoutMs?: number;
  /** How often the leader publishes its live sessions (default 15 s; also on each live state). */
  liveSessionsEveryMs?: number;
}

/** What this instance runs while it leads. */
interface Leadership {
  term: number;
  revoked: boolean;
  backend: PgSyncBackend;
  runner: SyncRunner;
  live: LiveManager;
  scheduler: Scheduler;
  /** The scheduler settings it runs with (JSON): a reload that differs is applied. */
  applied: string;
  ready: Promise<void>;
  timer: NodeJS.Timeout | undefined;
}

interface PendingRequest {
  resolve: (s: SyncSummary) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
  term: number | undefined;
  done: Promise<unknown>;
}

export class TeamSync {
  readonly store: PgInventoryStore;
  readonly sync: SyncControl;
  readonly scheduler: SchedulerControl;
  readonly live: LiveControl;
  private readonly election: string;
  private lead: Leadership | undefined;
  private ending: Promise<void> = Promise.resolve();
  private started = false;
  private liveWanted = false;
  private schedulerWanted = false;
  private schedulerClosed = false;
  private pendingScheduler: SchedulerSettings | undefined;
  private schedulerWrites: Promise<void> = Promise.resolve();
  private lastScheduler: SchedulerStateEvent | undefined;
  private lastLive: TeamEvents['live:sessions'] = { sessions: [], waiting: [] };
  private readonly requests = new Map<string, PendingRequest>();
  private unsubscribe: (() => void)[] = [];
  private watchdog: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: TeamSyncOptions) {
    this.election = opts.election ?? DEFAULT_ELECTION;
    this.store = opts.store(() => this.fence());
    this.sync = {
      sync: (ids, o = {}) => (this.lead ? this.runOn(this.lead, ids, o) : this.forward(ids, o)),
      cancel: (ids) => {
        if (this.lead) return this.lead.runner.cancel(ids);
        inBackground(this.opts.bus.publish('sync:cancel', { cancels: [ids ?? null] }), 'forwarding a cancel');
      },
      isSyncing: (id) => {
        if (this.lead) return this.lead.runner.isSyncing(id);
        const busy = (s: string): boolean => s === 'queued' || s === 'syncing';
        const list = this.opts.vcenters.list();
        if (id === undefined && this.requests.size > 0) return true;
        return list.some((v) => (id === undefined || v.id === id) && busy(v.sync.status));
      },
      settled: async () => {
        if (this.lead) return this.lead.runner.settled();
        while (this.requests.size > 0)
          await Promise.allSettled([...this.requests.values()].map((r) => r.done));
      },
    };
    this.scheduler = {
      state: () => (this.lead ? this.lead.scheduler.state() : this.followerSchedulerState()),
      start: () => {
        if (this.lead) return this.lead.scheduler.start();
        this.saveScheduler({ ...this.schedulerSettings(), enabled: true });
        return this.followerSchedulerState();
      },
      stop: () => {
        if (this.lead) return this.lead.scheduler.stop();
        this.saveScheduler({ ...this.schedulerSettings(), enabled: false });
        return this.followerSchedulerState();
      },
      configure: (patch) => {
        if (this.lead) return this.lead.scheduler.configure(patch);
        if (patch.cron) validateCron(patch.cron);
        this.saveScheduler({ ...this.schedulerSettings(), ...patch });
        return this.followerSchedulerState();
      },
      resume: () => {
        this.schedulerWanted = true;
        this.lead?.scheduler.resume();
      },
      wake: () => this.lead?.scheduler.wake(),
      close: () => {
        this.schedulerWanted = false;
        this.schedulerClosed = true;
        this.lead?.scheduler.close();
      },
    };
    const liveWanted = (): boolean => this.liveWanted;
    this.live = {
      /** True once live updates were started here (a server), on the leader and the followers alike. */
      get running(): boolean {
        return liveWanted();
      },
      statusInfo: () => (this.lead ? this.lead.live.statusInfo() : this.followerLive(true)),
      sessionsInfo: () => (this.lead ? this.lead.live.sessionsInfo() : this.followerLive(false)),
      start: () => {
        this.liveWanted = true;
        if (this.lead) void this.lead.ready.then(() => this.startLive(this.lead));
      },
      reconcile: () => this.lead?.live.reconcile(),
      wake: () => this.lead?.live.wake(),
      stop: (id) => this.lead?.live.stop(id) ?? Promise.resolve(),
      stopAll: async () => {
        this.liveWanted = false;
        await this.lead?.live.stopAll();
      },
      abortAll: () => {
        this.liveWanted = false;
        this.lead?.live.abortAll();
      },
    };
  }

  /** Whether this instance leads (and syncs) right now. */
  get leading(): boolean {
    return this.lead !== undefined;
  }

  /** The term this instance leads with (undefined: it follows). */
  get term(): number | undefined {
    return this.lead?.term;
  }

  /**
   * The fence of the inventory store's writes: the current leadership, or StaleTermError
   * (NOT_LEADER) when this instance does not lead.
   */
  fence(): Fence {
    const lead = this.lead;
    if (!lead || lead.revoked) throw new StaleTermError(this.election, lead?.term ?? 0, null);
    return { election: this.election, term: lead.term };
  }

  /**
   * Trusting certificates on any instance: the vCenters whose sync stopped at the old certificate go
   * back to idle, a sync-state write and so the leader's. The leader does it now; a follower asks it
   * (`certs:settle`). With no leader the request is lost, and the next sync of those vCenters, which
   * reads them with the new pin, settles them.
   */
  async settleTrusted(pins: TeamEvents['certs:settle']['items']): Promise<void> {
    if (pins.length === 0) return;
    if (this.lead) return this.settleAsLeader(this.lead, pins);
    await this.opts.bus.publish('certs:settle', { items: pins });
  }

  /** The leader's settling (checked under row locks, fenced by its term), told to every instance. */
  private async settleAsLeader(lead: Leadership, pins: TeamEvents['certs:settle']['items']): Promise<void> {
    const ids = await this.opts.vcenters.settleTrusted(pins, lead.term);
    if (ids.length === 0) return;
    this.opts.events.emit('inventory:changed', { vcenterIds: ids });
    await this.opts.bus.publish('certs:settled', { vcenterIds: ids });
  }

  /** Another instance (the leader) settled these: read their states, then tell this instance's clients. */
  private async settledElsewhere(ids: number[]): Promise<void> {
    // The write's config:changed came first, but its reload may not have ended: read them now.
    await this.opts.vcenters.settleState(...ids);
    this.opts.events.emit('inventory:changed', { vcenterIds: ids });
  }

  /** Resolves once the writes of every leadership that ended (syncs, live updates) have stopped. */
  ended(): Promise<void> {
    return this.ending;
  }

  /** Follows the election and the bus; leads at once if the elector already holds the lease. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const { elector, bus, events } = this.opts;
    this.unsubscribe.push(
      elector.on('elected', (e) => this.elected(e.term)),
      elector.on('lost', (e) => void this.lost(e.term, e.reason)),
      bus.on('sync:request', (p) => this.serve(p)),
      bus.on('sync:reply', (p) => this.replied(p.replies)),
      bus.on('sync:cancel', (p) => {
        for (const ids of p.cancels) this.lead?.runner.cancel(ids ?? undefined);
      }),
      bus.on('sync:progress', (p) => {
        if (!this.lead) for (const e of p.events) events.emit('sync:progress', e);
      }),
      bus.on('scheduler:state', (p) => {
        if (this.lead) return;
        this.lastScheduler = p.state;
        events.emit('scheduler:state', this.followerSchedulerState());
      }),
      bus.on('live:state', (p) => {
        if (!this.lead) for (const e of p.events) events.emit('live:state', e);
      }),
      bus.on('live:sessions', (p) => {
        if (!this.lead) this.lastLive = p;
      }),
      bus.on('certs:settle', (p) => {
        if (this.lead) inBackground(this.settleAsLeader(this.lead, p.items), 'settling trusted certificates');
      }),
      bus.on('certs:settled', (p) =>
        inBackground(this.settledElsewhere(p.vcenterIds), 'reading the settled certificates'),
      ),
      // The leader's own events, for the followers' clients.
      events.on('sync:progress', (e) => this.publish('sync:progress', { events: [e] })),
      events.on('scheduler:state', (state) => this.publish('scheduler:state', { state })),
      events.on('live:state', (e) => {
        this.publish('live:state', { events: [e] });
        this.publishLive();
      }),
      this.opts.onConfigReload((table) => this.configReloaded(table)),
    );
    this.watchdog = setInterval(() => this.watchRequests(), 2_000);
    this.watchdog.unref();
    const lease = elector.status().lease;
    if (elector.holds() && lease) this.elected(lease.term);
  }

  /** Stops leading (if it does), forgets pending requests, and stops following. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const u of this.unsubscribe.splice(0)) u();
    clearInterval(this.watchdog);
    clearTimeout(this.reconcileTimer);
    if (this.lead) await this.lost(this.lead.term, 'stopped');
    await this.ending;
    for (const [id, r] of this.requests) {
      this.requests.delete(id);
      clearTimeout(r.timer);
      r.reject(new VminerError('CANCELLED', 'this instance is stopping; the sync request was abandoned'));
    }
  }

  private elected(term: number): void {
    if (!this.started || this.lead?.term === term) return;
    if (this.lead) void this.lost(this.lead.term, 'a new term');
    // A request this instance forwarded to the previous leader will not be answered by it.
    this.failRequests(`this instance leads now (term ${term})`);
    const { opts } = this;
    const lead = { term, revoked: false } as Leadership;
    const fence = (): Fence => {
      if (lead.revoked) throw new StaleTermError(this.election, term, null);
      return { election: this.election, term };
    };
    lead.backend = new PgSyncBackend({ store: this.store, vcenters: opts.vcenters, fence });
    const settings = (): ReturnType<SettingsStore['get']> => opts.settings.get();
    lead.live = new LiveManager({
      repo: lead.backend.repo,
      store: lead.backend.store,
      bus: opts.events,
      settings,
      credentials: opts.credentials,
      options: opts.live,
    });
    lead.runner = new SyncRunner({
      repo: lead.backend.repo,
      store: lead.backend.store,
      bus: opts.events,
      settings,
      credentials: opts.credentials,
      collect: opts.collect,
      afterSync: opts.afterSync,
      resyncLive: (id) => lead.live.resync(id),
    });
    lead.applied = JSON.stringify(this.schedulerSettings());
    lead.scheduler = this.newScheduler(lead);
    this.lead = lead;
    log.info('this instance syncs now (it leads)', { term });
    lead.ready = (async () => {
      await this.ending; // the previous leadership's writes have ended
      try {
        const names = await opts.vcenters.settleInterrupted(new Date(), term);
        if (names.length) log.warn('syncs interrupted by the previous leader', { vcenters: names });
        if (!this.liveWanted) await lead.backend.repo.settleLiveStates();
      } catch (err) {
        if (isNotLeader(err)) return;
        log.warn('settling the previous leader’s states failed', { error: String(err) });
      }
      if (lead.revoked) return;
      this.startLive(lead);
      if (this.schedulerWanted && !this.schedulerClosed) lead.scheduler.resume();
      this.publish('scheduler:state', { state: lead.scheduler.state() });
      this.publishLive();
      lead.timer = setInterval(() => this.publishLive(), opts.liveSessionsEveryMs ?? 15_000);
      lead.timer.unref();
    })();
  }

  private startLive(lead: Leadership | undefined): void {
    if (!lead || lead.revoked || this.lead !== lead || !this.liveWanted || lead.live.running) return;
    lead.live.start();
  }

  /** Ends the leadership of `term`: nothing is written under it any more. */
  private lost(term: number, reason: string): Promise<void> {
    const lead = this.lead;
    if (!lead || lead.term !== term) return this.ending;
    lead.revoked = true;
    this.lead = undefined;
    clearInterval(lead.timer);
    log.info('this instance stops syncing (it no longer leads)', { term, reason });
    lead.scheduler.close();
    lead.runner.cancel();
    lead.live.abortAll();
    const ended = (async () => {
      await lead.ready.catch(() => undefined);
      await lead.runner.settled();
      await lead.backend.idle();
    })();
    this.ending = this.ending.then(() => ended).catch(() => undefined);
    return this.ending;
  }

  private newScheduler(lead: Leadership): Scheduler {
    const { opts } = this;
    return new Scheduler({
      bus: opts.events,
      load: () => this.schedulerSettings(),
      save: (s) => {
        lead.applied = JSON.stringify(s);
        this.saveScheduler(s);
      },
      runSync: () => lead.runner.sync(),
      canRun: () => {
        const s = opts.settings.get();
        if (s.paused) return 'updates are paused';
        if (s.updateMode === 'live') return 'the update mode is "live" (no scheduled full syncs)';
        return true;
      },
    });
  }

  /** The scheduler settings: one being written by this instance, else the mirror's. */
  private schedulerSettings(): SchedulerSettings {
    return this.pendingScheduler ?? this.opts.settings.get().scheduler;
  }

  /** Writes the scheduler settings (in the order they were made); read back from `pendingScheduler` meanwhile. */
  private saveScheduler(s: SchedulerSettings): void {
    this.pendingScheduler = s;
    const done = (): void => {
      if (this.pendingScheduler === s) this.pendingScheduler = undefined;
    };
    this.schedulerWrites = this.schedulerWrites
      .then(() => this.opts.settings.update({ scheduler: s }))
      .then(done, (err: unknown) => {
        done();
        log.warn('saving the scheduler settings failed', { error: String(err) });
      });
  }

  private followerSchedulerState(): SchedulerStateEvent {
    const s = this.schedulerSettings();
    const leader = this.lastScheduler;
    return {
      enabled: s.enabled,
      running: leader?.running ?? false,
      nextRunAt: s.enabled ? (leader?.nextRunAt ?? null) : null,
      intervalMinutes: s.intervalMinutes,
      cron: s.cron,
    };
  }

  private followerLive(withWaiting: boolean): LiveSessionInfo[] {
    const { sessions, waiting } = this.lastLive;
    return withWaiting ? [...sessions, ...waiting].sort((a, b) => a.vcenterId - b.vcenterId) : sessions;
  }

  /** A configuration table reloaded: the leader applies scheduler settings and reconciles live sessions. */
  private configReloaded(table: ConfigTable): void {
    const lead = this.lead;
    if (!lead || lead.revoked) return;
    if (table === 'settings') {
      const now = JSON.stringify(this.schedulerSettings());
      if (now !== lead.applied) {
        // Another instance started, stopped or configured the scheduler: run with its settings.
        lead.applied = now;
        lead.scheduler.close();
        lead.scheduler = this.newScheduler(lead);
        if (this.schedulerWanted && !this.schedulerClosed) lead.scheduler.resume();
        this.publish('scheduler:state', { state: lead.scheduler.state() });
      }
    }
    if (!['settings', 'vcenters', 'service_accounts', 'sources'].includes(table) || !lead.live.running)
      return;
    clearTimeout(this.reconcileTimer);
    this.reconcileTimer = setTimeout(() => {
      // A vCenter added on another instance: its password is in the vault that instance just wrote.
      void this.refreshCredentials().then(() => {
        if (this.lead === lead && lead.live.running) lead.live.reconcile();
      });
    }, 200);
  }

  /** The vault's latest writes, or what was read before when it cannot be re-read now. */
  private async refreshCredentials(): Promise<void> {
    await this.opts.refreshCredentials?.().catch(() => undefined);
  }

  /** Publishes the leader's event for the followers (nothing while following). */
  private publish<K extends 'sync:progress' | 'scheduler:state' | 'live:state' | 'live:sessions'>(
    name: K,
    payload: TeamEvents[K],
  ): void {
    if (!this.lead) return;
    inBackground(this.opts.bus.publish(name, payload), `publishing ${name}`);
  }

  private publishLive(): void {
    const lead = this.lead;
    if (!lead) return;
    const sessions = lead.live.sessionsInfo();
    const live = new Set(sessions.map((s) => s.vcenterId));
    this.publish('live:sessions', {
      sessions,
      waiting: lead.live.statusInfo().filter((s) => !live.has(s.vcenterId)),
    });
  }

  /** A sync on this leader, once it has settled what the previous leader left (`ready`). */
  private async runOn(
    lead: Leadership,
    ids: number[] | undefined,
    o: { workers?: number },
  ): Promise<SyncSummary> {
    await lead.ready;
    await this.refreshCredentials();
    return lead.runner.sync(ids, o);
  }

  // ---- follower: requests to the leader -------------------------------------------------------

  private forward(ids: number[] | undefined, o: { workers?: number }): Promise<SyncSummary> {
    if (ids)
      for (const id of ids)
        if (!this.opts.vcenters.get(id))
          return Promise.reject(new VminerError('NOT_FOUND', `no vCenter with id ${id}`));
    const lease = this.opts.elector.status().lease;
    if (!lease || lease.releasedAt !== null)
      return Promise.reject(
        new VminerError(
          'NOT_LEADER',
          'no instance leads the team database right now (none has taken over yet): the sync cannot run; try again in a few seconds',
        ),
      );
    const id = randomUUID();
    const acceptMs = this.opts.acceptTimeoutMs ?? 10_000;
    let entry!: PendingRequest;
    const done = new Promise<SyncSummary>((resolve, reject) => {
      entry = {
        resolve,
        reject,
        term: undefined,
        done: Promise.resolve(),
        timer: setTimeout(
          () =>
            this.fail(
              id,
              new VminerError(
                'NOT_LEADER',
                `the leader (${lease.instance}) did not take the sync request within ${Math.round(acceptMs / 1000)} s: it may be stopping or unreachable; try again`,
              ),
            ),
          acceptMs,
        ),
      };
    });
    entry.done = done.catch(() => undefined);
    this.requests.set(id, entry);
    this.opts.bus
      .publish('sync:request', { requests: [{ id, ids: ids ?? null, workers: o.workers ?? null }] })
      .catch((err: unknown) => this.fail(id, err));
    return done;
  }

  private fail(id: string, err: unknown): void {
    const r = this.requests.get(id);
    if (!r) return;
    this.requests.delete(id);
    clearTimeout(r.timer);
    r.reject(err);
  }

  private failRequests(why: string): void {
    for (const id of [...this.requests.keys()])
      this.fail(
        id,
        new VminerError(
          'NOT_LEADER',
          `the sync request was not answered: ${why}; its vCenters are settled as interrupted, ask again`,
        ),
      );
  }

  private replied(replies: TeamSyncReply[]): void {
    for (const reply of replies) {
      const r = this.requests.get(reply.id);
      if (!r) continue;
      if (reply.kind === 'accepted') {
        r.term = reply.term;
        clearTimeout(r.timer);
        const resultMs = this.opts.resultTimeoutMs ?? 6 * 3_600_000;
        r.timer = setTimeout(
          () =>
            this.fail(
              reply.id,
              new VminerError(
                'TIMEOUT',
                `the leader did not finish the sync within ${Math.round(resultMs / 1000)} s`,
              ),
            ),
          resultMs,
        );
        continue;
      }
      this.requests.delete(reply.id);
      clearTimeout(r.timer);
      if (reply.kind === 'done') r.resolve(reply.summary);
      else r.reject(new VminerError(reply.error.code, reply.error.message));
    }
  }

  /** A request taken by a leader that no longer leads (a new term began) is not answered: fail it. */
  private watchRequests(): void {
    if (this.requests.size === 0) return;
    const { role, lease } = this.opts.elector.status();
    if (role === 'stopped') return; // what it last read is not news
    for (const [id, r] of this.requests) {
      if (r.term === undefined) continue;
      if (!lease || lease.term !== r.term)
        this.fail(
          id,
          new VminerError(
            'NOT_LEADER',
            `the leader that took the sync request (term ${r.term}) stopped leading before it finished; the new leader settles its vCenters as interrupted: ask again`,
          ),
        );
    }
  }

  // ---- leader: requests from followers --------------------------------------------------------

  private serve(p: TeamEvents['sync:request']): void {
    const lead = this.lead;
    if (!lead) return; // a follower: the leader answers
    const replies: TeamSyncReply[] = p.requests.map((q) => ({ id: q.id, kind: 'accepted', term: lead.term }));
    inBackground(this.opts.bus.publish('sync:reply', { replies }), 'answering sync requests');
    for (const q of p.requests) {
      this.runOn(lead, q.ids ?? undefined, q.workers !== null ? { workers: q.workers } : {})
        .then(
          (summary): TeamSyncReply => ({ id: q.id, kind: 'done', summary }),
          (err: unknown): TeamSyncReply => ({ id: q.id, kind: 'failed', error: toErrorInfo(err) }),
        )
        .then((reply) =>
          inBackground(this.opts.bus.publish('sync:reply', { replies: [reply] }), 'answering a sync request'),
        );
    }
  }
}
