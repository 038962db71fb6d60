import { toErrorInfo, type ErrorInfo } from '../../../shared/errors.js';
import type { EngineSettings } from '../../../shared/settings.js';
import type { VcenterStatus, VcenterWithState } from '../../../shared/vcenter.js';
import type { EventBus } from '../events.js';
import { createLogger } from '../log.js';
import { DEFAULT_LIVE_OPTIONS, LiveSession, type LiveOptions, type LiveStats } from './live-session.js';
import type { VcenterSyncResult } from './sync-runner.js';
import { inBackground, isNotLeader, type SyncRepo, type SyncStore } from './sync-ports.js';

const log = createLogger('live');

export interface LiveManagerDeps {
  repo: SyncRepo;
  store: SyncStore;
  bus: EventBus;
  settings: () => EngineSettings;
  /**
   * The login a vCenter uses (own or service account); throws (LOGIN_FAILED, saying what to set)
   * when no password is stored for it.
   */
  credentials: (vc: VcenterWithState) => { user: string; password: string };
  options?: Partial<LiveOptions>;
  /** How long `inventory:changed` events are held to batch changes of many vCenters into one. */
  batchMs?: number;
}

export interface LiveSessionInfo extends LiveStats {
  vcenterId: number;
  vcenter: string;
  status: VcenterStatus;
  /** Why it is not live: reconnecting, a changed certificate, a rejected or missing password. */
  error: ErrorInfo | null;
}

const NO_STATS: LiveStats = {
  updateSets: 0,
  objectUpdates: 0,
  rowsWritten: 0,
  fullLoads: 0,
  reconnects: 0,
  lastChangeAt: null,
};

/**
 * Keeps every enabled vCenter live while the engine runs (`vminer serve`, the desktop app),
 * according to the update mode and the pause switch. Sessions are plain async loops on the
 * event loop — no thread per vCenter — each with one keep-alive connection.
 */
export class LiveManager {
  private readonly sessions = new Map<number, { session: LiveSession; key: string }>();
  /**
   * vCenters that should be live but have no login to be live with (no stored password, no
   * default service account): no session, a `failed` status and the reason instead.
   */
  private readonly noLogin = new Map<number, { vcenter: string; error: ErrorInfo }>();
  private readonly stopping = new Set<Promise<void>>();
  private started = false;
  private changed = new Set<number>();
  private changeTimer: NodeJS.Timeout | undefined;
  private readonly options: LiveOptions;

  constructor(private readonly deps: LiveManagerDeps) {
    this.options = { ...DEFAULT_LIVE_OPTIONS, ...deps.options };
  }

  /** True in an engine that keeps vCenters live (started by a server or the desktop app). */
  get running(): boolean {
    return this.started;
  }

  /** Whether the settings ask for live updates right now. */
  wanted(): boolean {
    const s = this.deps.settings();
    return this.started && !s.paused && s.updateMode !== 'scheduled';
  }

  /** Starts keeping vCenters live (a server or desktop engine; never a one-off command). */
  start(): void {
    this.started = true;
    const settled = this.deps.repo.settleLiveStates();
    // On PostgreSQL the sessions start once the leftover states are settled (else a settlement
    // could land after a new session's first status).
    if (settled instanceof Promise) {
      const ready = settled
        .catch((err: unknown) => {
          if (!isNotLeader(err)) log.warn('settling leftover live states failed', { error: String(err) });
        })
        .then(() => {
          if (this.starting === ready) this.starting = undefined;
          if (this.started) this.reconcile();
        });
      this.starting = ready;
      return;
    }
    this.reconcile();
  }

  /** Set while start() waits for the leftover live states to be settled (PostgreSQL). */
  private starting: Promise<void> | undefined;

  /**
   * Brings the sessions in line with the settings and the vCenter list: starts missing ones,
   * stops those of removed or disabled vCenters, restarts those whose address, account, password
   * or trust changed. Call after any such change.
   */
  reconcile(): void {
    if (this.starting) return; // start() reconciles once the leftover states are settled
    const want = new Map<number, { vc: VcenterWithState; user: string; password: string; key: string }>();
    const noLogin = new Map<number, { vcenter: string; error: ErrorInfo }>();
    if (this.wanted()) {
      for (const vc of this.deps.repo.list()) {
        // Retired vCenters (gone from their SQL source) are not watched any more.
        if (!vc.enabled || vc.retiredAt) continue;
        let login: { user: string; password: string };
        try {
          login = this.deps.credentials(vc);
        } catch (err) {
          const error = toErrorInfo(err);
          noLogin.set(vc.id, {
            vcenter: vc.name,
            error: { code: error.code, message: `${error.message}; no live updates until then` },
          });
          continue;
        }
        const caPem = this.deps.repo.caPem(vc.id);
        const key = JSON.stringify([vc.url, login.user, vc.thumbprint, caPem, login.password, vc.name]);
        want.set(vc.id, { vc, user: login.user, password: login.password, key });
      }
    }
    for (const [id, s] of this.sessions) {
      const w = want.get(id);
      if (!w || w.key !== s.key) this.stopSession(id);
    }
    this.noteNoLogin(noLogin, new Set(want.keys()));
    const settings = this.deps.settings();
    for (const [id, w] of want) {
      if (this.sessions.has(id)) continue;
      const session = new LiveSession(
        { vc: w.vc, user: w.user, password: w.password, caPem: this.deps.repo.caPem(id) },
        {
          repo: this.deps.repo,
          store: this.deps.store,
          onChanged: (vcId) => this.noteChanged(vcId),
          onStatus: (vcId, status, error, detail) => this.publish(vcId, w.vc.name, status, error, detail),
        },
        {
          ...this.options,
          connectTimeoutMs: this.deps.options?.connectTimeoutMs ?? settings.connectTimeoutMs,
          callTimeoutMs: this.deps.options?.callTimeoutMs ?? settings.callTimeoutMs,
          maxAnswerBytes: settings.maxAnswerBytes,
          maxAnswerDepth: settings.maxAnswerDepth,
        },
      );
      this.sessions.set(id, { session, key: w.key });
      session.start();
    }
  }

  isLive(vcenterId: number): boolean {
    return this.sessions.has(vcenterId);
  }

  /**
   * A full re-read of a live vCenter through its stream (the sync engine delegates "sync now"
   * and scheduled syncs of live vCenters here, so a full read never races the stream).
   */
  resync(vcenterId: number): Promise<VcenterSyncResult> | undefined {
    return this.sessions.get(vcenterId)?.session.resync('a full sync was requested');
  }

  /** The running sessions. */
  sessionsInfo(): LiveSessionInfo[] {
    return [...this.sessions.values()].map(({ session }) => ({
      vcenterId: session.vcenterId,
      vcenter: session.target.vc.name,
      status: session.status,
      error: session.error,
      ...session.stats,
    }));
  }

  /**
   * Every vCenter kept live or meant to be (`live.status`, GET /api/live): the running sessions
   * and, as `failed` with the reason, those that have no login to be live with.
   */
  statusInfo(): LiveSessionInfo[] {
    const waiting = [...this.noLogin].map(([vcenterId, { vcenter, error }]) => ({
      vcenterId,
      vcenter,
      status: 'failed' as const,
      error,
      ...NO_STATS,
    }));
    return [...this.sessionsInfo(), ...waiting].sort((a, b) => a.vcenterId - b.vcenterId);
  }

  /** Stops one vCenter's session (removed, disabled); resolves after it logged out. */
  stop(vcenterId: number): Promise<void> {
    return this.stopSession(vcenterId);
  }

  /** Stops every session and logs out (bounded); the engine can close afterwards. */
  async stopAll(): Promise<void> {
    this.started = false;
    this.noLogin.clear();
    for (const id of [...this.sessions.keys()]) this.stopSession(id);
    await Promise.all([...this.stopping]);
    this.flushChanged();
  }

  /**
   * After the machine slept: connections and long polls are likely dead, so every session starts
   * again at once (its vCenter session is probably still valid) instead of waiting for a timeout.
   */
  wake(): void {
    if (!this.started) return;
    for (const { session } of this.sessions.values()) session.abort();
    this.sessions.clear();
    this.reconcile();
  }

  /** Synchronous last resort (process exit): aborts every session without logging out. */
  abortAll(): void {
    this.started = false;
    this.noLogin.clear();
    for (const { session } of this.sessions.values()) session.abort();
    this.sessions.clear();
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changeTimer = undefined;
  }

  private stopSession(id: number): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return Promise.resolve();
    this.sessions.delete(id);
    const p = s.session
      .stop()
      .then(async () => {
        // Leave a status that is true without a running session ("ok as of", or the last error).
        if (this.deps.repo.get(id)) await this.deps.repo.settleLiveStates([id]);
        const state = this.deps.repo.list().find((v) => v.id === id)?.sync;
        this.publish(id, s.session.target.vc.name, state?.status ?? 'idle', state?.error ?? null, null);
      })
      .catch((err: unknown) =>
        log.warn('stopping a live session failed', { vcenterId: id, error: String(err) }),
      )
      .finally(() => this.stopping.delete(p));
    this.stopping.add(p);
    return p;
  }

  /**
   * Records the vCenters that have no login to be live with. A new one (or a new reason) gets the
   * `failed` status with the reason — on the vCenter too, so the vCenters page and
   * `vminer vcenter list` say it — and one `live:state` event; an unchanged one nothing more.
   * One whose reason went away without a session to take over (live updates turned off or
   * paused) is "ok as of its last success" again, unless a sync has written a newer state since.
   */
  private noteNoLogin(now: Map<number, { vcenter: string; error: ErrorInfo }>, starting: Set<number>): void {
    const gone = [...this.noLogin].filter(([id]) => !now.has(id));
    const states = gone.length > 0 ? new Map(this.deps.repo.list().map((v) => [v.id, v.sync])) : undefined;
    for (const [id, was] of gone) {
      this.noLogin.delete(id);
      const state = states?.get(id);
      if (starting.has(id) || state?.status !== 'failed' || state.error?.message !== was.error.message)
        continue;
      const status = state.lastSuccessAt ? 'ok' : 'idle';
      inBackground(
        this.deps.repo.setState(id, { status, errorCode: null, errorMessage: null }),
        'a live state',
      );
      this.publish(id, was.vcenter, status, null, null);
    }
    for (const [id, entry] of now) {
      if (this.noLogin.get(id)?.error.message === entry.error.message) continue;
      this.noLogin.set(id, entry);
      inBackground(
        this.deps.repo.setState(id, {
          status: 'failed',
          errorCode: entry.error.code,
          errorMessage: entry.error.message,
        }),
        'a live state',
      );
      log.warn('no live session: no login stored', { vcenter: entry.vcenter, error: entry.error.message });
      this.publish(id, entry.vcenter, 'failed', entry.error, null);
    }
  }

  private publish(
    vcenterId: number,
    vcenter: string,
    status: VcenterStatus,
    error: ErrorInfo | null,
    detail: string | null,
  ): void {
    this.deps.bus.emit('live:state', { vcenterId, vcenter, status, error, detail });
  }

  /** Batches `inventory:changed`: one event for the changes of many vCenters within `batchMs`. */
  private noteChanged(vcenterId: number): void {
    this.changed.add(vcenterId);
    this.changeTimer ??= setTimeout(() => this.flushChanged(), this.deps.batchMs ?? 200);
  }

  private flushChanged(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changeTimer = undefined;
    if (this.changed.size === 0) return;
    const vcenterIds = [...this.changed];
    this.changed = new Set();
    this.deps.bus.emit('inventory:changed', { vcenterIds });
  }
}
