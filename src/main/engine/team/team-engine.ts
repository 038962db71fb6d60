/**
 * The engine of `vminer serve --database postgres://…`: the same surface as the desktop's Engine
 * (serving-engine.ts) over the team database's parts — the configuration mirror and its repos
 * (config/), the team vault, the query engine, list pages, details, stats, change history and
 * exports on PostgreSQL, the notify bus and the leader election. Several instances share one
 * database; each answers the REST API and the UI, and streams to its SSE clients what any instance
 * did: `inventory:changed` from the store's writes (in their transactions) and the engine events of
 * the others (sync progress, the schedule, live sessions, sources), relayed on the bus.
 *
 * Syncing, the schedule and live sessions run on the leader only (TeamSync, team-sync.ts): a
 * follower forwards a sync request to the leader, and hears its progress, schedule and live state
 * on the bus like its own.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { VminerError } from '../../../shared/errors.js';
import type { ListRequest } from '../../../shared/contract.js';
import type { DoctorReport, DoctorRequest } from '../../../shared/doctor.js';
import type { SourceInfo, SourceRefreshResult } from '../../../shared/sources.js';
import { AuthService, JWT_SECRET_ID } from '../auth/auth-service.js';
import { connectPg, pgTypes } from '../db/pg/connect.js';
import { PgInventoryStore } from '../db/pg/inventory-store-pg.js';
import { requireMigrated } from '../db/pg/migrate.js';
import { EventBus } from '../events.js';
import type { JsonPage } from '../list-pages.js';
import { PgListPages } from '../list-pages-pg.js';
import { createLogger, registerSecret } from '../log.js';
import { PgQueryBackend } from '../query/pg-backend.js';
import { QueryService } from '../query/query-service.js';
import type {
  EngineHealth,
  InventoryReads,
  LiveControls,
  LocalParts,
  PgServing,
  SchedulerControls,
  SyncControls,
} from '../serving-engine.js';
import { accountVaultId, resolveCredentials, type CredentialTarget } from '../sources/service-accounts.js';
import type { TrustedPin } from '../sources/cert-review.js';
import { refreshSource } from '../sources/refresh.js';
import { SourceRefresher } from '../sources/refresher.js';
import { sourceVaultId } from '../sources/source-repo.js';
import { PgServiceAccountRepo } from './config/pg-account-repo.js';
import { PgConfig } from './config/pg-config.js';
import { PgSettingsRepo } from './config/pg-settings-repo.js';
import { PgSourceRepo } from './config/pg-source-repo.js';
import { PgUserStore } from './config/pg-user-store.js';
import { PgVcenterRepo } from './config/pg-vcenter-repo.js';
import { LeaderElector, type LeaderOptions } from './leader.js';
import { NotifyBus } from './notify-bus.js';
import { clientConfig, type PgTarget } from './pg-connection.js';
import { PgCredentialVault } from './pg-vault.js';
import { pgReads } from './pg-reads.js';
import { runTeamDoctor } from './team-doctor.js';
import { TeamSync, type TeamSyncOptions } from './team-sync.js';

const log = createLogger('team-engine');

const vaultId = (vcenterId: number): string => `vcenter:${vcenterId}`;

export interface TeamEngineOptions {
  target: PgTarget;
  /** The folder of this instance's logs (nothing else is kept on the instance). */
  logDir: string;
  /** This instance's name on the bus and in the lease (default host/pid/random). */
  instance?: string;
  /** Where VMINER_SECRET_KEY is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Election timing (tests shorten it). */
  leader?: Pick<LeaderOptions, 'retryMs' | 'renewMs' | 'leaseTimeoutMs' | 'takeoverAfterMs' | 'name'>;
  /** How often the vault looks for another instance's writes (ms; default 5000). */
  vaultRefreshMs?: number;
  onWarning?: (message: string) => void;
  /** Sync tuning (tests): how a vCenter is read, live-session timing, request timeouts. */
  sync?: Pick<TeamSyncOptions, 'collect' | 'live' | 'acceptTimeoutMs' | 'liveSessionsEveryMs'>;
}

/** The parts an open team engine is made of (TeamSync takes what it needs from here). */
export interface TeamParts {
  target: PgTarget;
  notify: NotifyBus;
  elector: LeaderElector;
  config: PgConfig;
  vault: PgCredentialVault;
  users: PgUserStore;
  backend: PgQueryBackend;
  /** The inventory store's connections (TeamSync's writes on the leader). */
  storePool: pg.Pool;
}

export class TeamEngine implements PgServing {
  readonly backend = 'postgres' as const;
  readonly bus = new EventBus();
  readonly dataDir: string;
  readonly vcenters: PgVcenterRepo;
  readonly accounts: PgServiceAccountRepo;
  readonly sources: PgSourceRepo;
  readonly settings: PgSettingsRepo;
  readonly vault: PgCredentialVault;
  readonly query: QueryService;
  readonly lists: PgListPages;
  readonly reads: InventoryReads;
  readonly sync: SyncControls;
  readonly scheduler: SchedulerControls;
  readonly live: LiveControls;
  readonly teamSync: TeamSync;
  /** SQL sources refresh on their schedule on the leader only (a follower's list is empty). */
  readonly sourceRefresher: SourceRefresher;
  readonly #parts: TeamParts;
  readonly #opts: Pick<TeamEngineOptions, 'env' | 'leader'>;
  readonly #offs: (() => void)[] = [];
  #closed = false;

  private constructor(
    parts: TeamParts,
    logDir: string,
    sync: TeamEngineOptions['sync'],
    opts: Pick<TeamEngineOptions, 'env' | 'leader'>,
  ) {
    this.#parts = parts;
    this.#opts = opts;
    this.dataDir = logDir;
    this.vault = parts.vault;
    this.vcenters = new PgVcenterRepo(parts.config);
    this.accounts = new PgServiceAccountRepo(parts.config);
    this.sources = new PgSourceRepo(parts.config);
    this.settings = new PgSettingsRepo(parts.config);
    this.query = new QueryService({ postgres: parts.backend });
    this.lists = new PgListPages(parts.backend, this.query, () => parts.notify.currentState === 'listening');
    this.reads = pgReads({
      backend: parts.backend,
      query: this.query,
      lists: this.lists,
      vcenters: this.vcenters,
      settings: this.settings,
    });
    this.teamSync = new TeamSync({
      elector: parts.elector,
      store: (fence) => new PgInventoryStore(parts.storePool, { fence, bus: parts.notify }),
      vcenters: this.vcenters,
      settings: this.settings,
      onConfigReload: (listener) => parts.config.onReload(listener),
      credentials: (vc) => this.credentialsFor(vc),
      refreshCredentials: () => parts.vault.refresh(),
      bus: parts.notify,
      events: this.bus,
      ...sync,
    });
    this.sourceRefresher = new SourceRefresher({
      list: () => (this.teamSync.term !== undefined ? this.sources.list() : []),
      refresh: (s) => this.refreshSource(s),
    });
    this.sync = this.teamSync.sync;
    this.scheduler = this.teamSync.scheduler;
    this.live = this.teamSync.live;
    this.bus.on('inventory:changed', () => {
      this.query.invalidate();
      this.lists.changed();
    });
    // Every list row carries its vCenter's name: a rename (on any instance) changes the lists too.
    this.#offs.push(
      parts.config.onReload((table) => {
        if (table !== 'vcenters') return;
        this.query.invalidate();
        this.lists.changed();
      }),
    );
    this.#follow();
    for (const id of this.vault.list()) {
      const secret = this.vault.get(id);
      if (secret) registerSecret(secret);
    }
  }

  /**
   * Opens the team engine on a migrated database: refuses one that is not (with the `vminer db
   * migrate` to run) and a missing VMINER_SECRET_KEY, before anything else starts.
   */
  static async open(opts: TeamEngineOptions): Promise<TeamEngine> {
    const { target } = opts;
    const client = await connectPg(target, 'serve');
    try {
      await requireMigrated(client, target);
    } finally {
      await client.end().catch(() => undefined);
    }
    const undo: (() => Promise<void>)[] = [];
    try {
      const vault = await PgCredentialVault.open({
        target,
        ...(opts.env ? { env: opts.env } : {}),
        ...(opts.vaultRefreshMs !== undefined ? { refreshMs: opts.vaultRefreshMs } : {}),
        ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
      });
      undo.push(() => vault.close());
      await ensureSigningKey(target, vault);
      const notify = new NotifyBus({ target, ...(opts.instance ? { instance: opts.instance } : {}) });
      await notify.start();
      undo.push(() => notify.stop());
      const config = await PgConfig.open({
        target,
        bus: notify,
        ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
      });
      undo.push(() => config.close());
      const users = await PgUserStore.open(config);
      const backend = PgQueryBackend.connect(target);
      undo.push(() => backend.close());
      const storePool = new pg.Pool({ ...clientConfig(target, 'store', { types: pgTypes }), max: 4 });
      storePool.on('error', () => undefined); // an idle connection dropped: the next write opens another
      undo.push(() => storePool.end());
      const elector = new LeaderElector({ target, instance: notify.instance, ...opts.leader });
      undo.push(() => elector.stop());
      const engine = new TeamEngine(
        { target, notify, elector, config, vault, users, backend, storePool },
        opts.logDir,
        opts.sync,
        { ...(opts.env ? { env: opts.env } : {}), ...(opts.leader ? { leader: opts.leader } : {}) },
      );
      // TeamSync follows the election before it starts: it leads from the first `elected`.
      engine.teamSync.start();
      undo.push(() => engine.teamSync.stop());
      await elector.start();
      return engine;
    } catch (err) {
      for (const u of undo.reverse()) await u().catch(() => undefined);
      throw err;
    }
  }

  /** The pieces this engine runs on (for TeamSync and tests). */
  get parts(): TeamParts {
    return this.#parts;
  }

  /** Every instance hears the store's inventory changes, whichever instance wrote them. */
  #follow(): void {
    const { notify } = this.#parts;
    this.#offs.push(
      notify.on('inventory:changed', (e) => this.bus.emit('inventory:changed', e)),
      // Notifications sent while the listener was away are lost: tell the clients to refetch.
      notify.onState((state) => {
        if (state === 'listening' && !this.#closed)
          this.bus.emit('inventory:changed', { vcenterIds: this.vcenters.list().map((v) => v.id) });
      }),
    );
  }

  listJson(req: ListRequest): Promise<JsonPage> {
    return this.lists.json(req);
  }

  authService(): Promise<AuthService> {
    return AuthService.forStore(this.#parts.users, this.vault);
  }

  health(): EngineHealth {
    const s = this.#parts.elector.status();
    const lease = s.lease;
    return {
      backend: 'postgres',
      database: this.#parts.target.display,
      instance: s.instance,
      role: s.role,
      lease: lease
        ? {
            instance: lease.instance,
            since: lease.acquiredAt,
            renewed: lease.renewedAt,
            released: lease.releasedAt,
          }
        : null,
      term: lease?.term ?? null,
      notifications: this.#parts.notify.currentState,
    };
  }

  /** The team doctor with this instance's vault and configuration (team-doctor.ts). */
  doctor(req: DoctorRequest): Promise<DoctorReport> {
    return runTeamDoctor(
      {
        target: this.#parts.target,
        logDir: this.dataDir,
        ...(this.#opts.env ? { env: this.#opts.env } : {}),
        ...(this.#opts.leader?.name ? { electionName: this.#opts.leader.name } : {}),
        engine: {
          vault: this.vault,
          registry: { vcenters: this.vcenters, accounts: this.accounts, sources: this.sources },
          instance: this.#parts.elector.instance,
        },
      },
      req,
    );
  }

  local(feature: string): LocalParts {
    throw new VminerError(
      'NOT_AVAILABLE',
      `${feature} is not available yet on PostgreSQL (vminer serve --database): use a desktop data folder and \`vminer db copy\``,
    );
  }

  syncableIds(): number[] {
    return this.vcenters
      .list()
      .filter((v) => v.enabled && v.retiredAt === null)
      .map((v) => v.id);
  }

  /** The login `vc` uses: its own account, the service account it names, or the default one. */
  credentialsFor(vc: CredentialTarget): { user: string; password: string } {
    return resolveCredentials(vc, this.accounts, (id) => this.vault.get(id));
  }

  async setPassword(vcenterId: number, password: string): Promise<void> {
    registerSecret(password);
    await this.vault.set(vaultId(vcenterId), password);
  }

  async setAccountPassword(accountId: number, password: string): Promise<void> {
    registerSecret(password);
    await this.vault.set(accountVaultId(accountId), password);
  }

  async setSourcePassword(sourceId: number, password: string): Promise<void> {
    registerSecret(password);
    await this.vault.set(sourceVaultId(sourceId), password);
  }

  async removeVcenter(vcenterId: number): Promise<boolean> {
    this.sync.cancel([vcenterId]);
    await this.live.stop(vcenterId);
    // Its inventory goes with the row (ON DELETE CASCADE), in the same statement.
    const removed = await this.vcenters.remove(vcenterId);
    await this.vault.delete(vaultId(vcenterId));
    if (removed) {
      this.bus.emit('inventory:changed', { vcenterIds: [vcenterId] });
      await this.#parts.notify.publish('inventory:changed', { vcenterIds: [vcenterId] });
    }
    return removed;
  }

  async removeAccount(accountId: number): Promise<void> {
    await this.accounts.remove(accountId);
    await this.vault.delete(accountVaultId(accountId));
  }

  async removeSource(sourceId: number, opts: { removeVcenters: boolean }): Promise<string[]> {
    const listed = this.vcenters.list().filter((v) => v.source?.id === sourceId);
    const removed: string[] = [];
    if (opts.removeVcenters) {
      for (const v of listed) if (await this.removeVcenter(v.id)) removed.push(v.name);
    }
    await this.sources.remove(sourceId);
    await this.vault.delete(sourceVaultId(sourceId));
    return removed;
  }

  /** Refreshes one SQL source (its writes: one bulkWrite) and tells listeners how it went. */
  async refreshSource(source: SourceInfo): Promise<SourceRefreshResult> {
    const result = await refreshSource(
      {
        repo: this.vcenters,
        sources: this.sources,
        accounts: this.accounts,
        password: (id) => this.vault.get(sourceVaultId(id)),
      },
      source,
    );
    this.reconfigured();
    this.bus.emit('sources:refreshed', result);
    return result;
  }

  /**
   * The sync state is the leader's to write: on the leader the trusted vCenters go back to idle
   * now (fenced by its term); a follower asks the leader over the bus (`certs:settle`), which
   * settles them at once and tells every instance (`certs:settled`). See TeamSync.settleTrusted.
   */
  settleTrusted(pins: TrustedPin[]): Promise<void> {
    return this.teamSync.settleTrusted(pins);
  }

  reconfigured(): void {
    this.live.reconcile();
  }

  async shutdown(): Promise<void> {
    this.scheduler.close();
    this.sync.cancel();
    await Promise.all([this.sync.settled(), this.live.stopAll()]);
  }

  /** Steps down (a follower leads within its retry interval), then closes every connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.sourceRefresher.stop();
    this.live.abortAll();
    for (const off of this.#offs.splice(0)) off();
    const { elector, config, notify, vault, backend, storePool } = this.#parts;
    // Syncs and live sessions end (their writes stop) before the lease is given up.
    await this.teamSync.stop().catch((err: unknown) => log.warn('stopping sync failed', { err }));
    await elector.stop().catch((err: unknown) => log.warn('leaving the election failed', { err }));
    await config.close().catch(() => undefined);
    await notify.stop().catch(() => undefined);
    await vault.close().catch(() => undefined);
    await backend.close().catch(() => undefined);
    await storePool.end().catch(() => undefined);
  }
}

/** The advisory lock under which the first instance makes the REST signing key ("vmsk"). */
const SIGNING_KEY_LOCK = [0x766d736b, 1] as const;

/**
 * The REST tokens' signing key, made once for all instances: two instances starting at once on a
 * new database would each make one (the vault keeps the last write) and refuse each other's tokens.
 */
async function ensureSigningKey(target: PgTarget, vault: PgCredentialVault): Promise<void> {
  if (vault.get(JWT_SECRET_ID)) return;
  const client = await connectPg(target, 'serve');
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [...SIGNING_KEY_LOCK]);
    await vault.refresh();
    if (!vault.get(JWT_SECRET_ID)) await vault.set(JWT_SECRET_ID, randomBytes(32).toString('base64'));
  } finally {
    // Ending the session frees the lock.
    await client.end().catch(() => undefined);
  }
}
