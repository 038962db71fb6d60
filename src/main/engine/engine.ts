import path from 'node:path';
import { DataLock } from './data-lock.js';
import { ConfigBackupKeeper } from './db/config-backup.js';
import { openDatabase, type OpenedDatabase } from './db/database.js';
import { InventoryStore } from './db/inventory-store.js';
import { refreshPlannerStats } from './db/planner-stats.js';
import { VcenterRepo } from './db/vcenter-repo.js';
import { EventBus } from './events.js';
import { HistoryRetention } from './db/history/retention.js';
import { configureLogging, createLogger, registerSecret } from './log.js';
import { checkDataFolderModes, describeFinding, type ModeFinding } from './private-files.js';
import { CredentialVault, type VaultBackend } from './secrets/index.js';
import { SettingsRepo } from './settings-repo.js';
import {
  ServiceAccountRepo,
  accountVaultId,
  resolveCredentials,
  type CredentialTarget,
} from './sources/service-accounts.js';
import { SourceRepo, sourceVaultId } from './sources/source-repo.js';
import { SourceRefresher } from './sources/refresher.js';
import type { DoctorDeps } from './doctor.js';
import type { SourceInfo, SourceRefreshResult } from '../../shared/sources.js';
import { refreshSource, type RefreshDeps } from './sources/refresh.js';
import { QueryService } from './query/query-service.js';
import { LiveManager, type LiveManagerDeps } from './sync/live-manager.js';
import { Scheduler } from './sync/scheduler.js';
import { SyncRunner, type SyncDeps } from './sync/sync-runner.js';
import { ListPages } from './list-pages.js';
import { sqliteReads } from './sqlite-reads.js';
import type { AuthService } from './auth/auth-service.js';
import type { EngineHealth, InventoryReads, LocalParts, SqliteServing } from './serving-engine.js';

export interface EngineOptions {
  dataDir: string;
  /** Who holds the data folder, shown to a refused second writer ("vminer sync", "vminer serve", …). */
  owner: string;
  vaultBackend?: 'auto' | VaultBackend;
  onWarning?: (message: string) => void;
  collect?: SyncDeps['collect'];
  /** Live-session tuning (tests use short waits and back-offs). */
  live?: LiveManagerDeps['options'];
  /** `quick`: check the whole cache file at open (long-running engines: serve, the desktop app). */
  check?: 'quick';
}

const log = createLogger('engine');

export const vaultId = (vcenterId: number): string => `vcenter:${vcenterId}`;

/** The engine: owns the data folder (lock), the cache, the vault, sync and the scheduler. */
export class Engine implements SqliteServing {
  readonly backend = 'sqlite' as const;
  readonly bus = new EventBus();
  readonly vcenters: VcenterRepo;
  readonly settings: SettingsRepo;
  readonly accounts: ServiceAccountRepo;
  readonly sources: SourceRepo;
  readonly sourceRefresher: SourceRefresher;
  readonly store: InventoryStore;
  readonly sync: SyncRunner;
  readonly scheduler: Scheduler;
  readonly live: LiveManager;
  readonly query: QueryService;
  readonly lists: ListPages;
  readonly reads: InventoryReads;
  /** better-sqlite3's compiled module, when not its default build (for other connections). */
  private readonly backups: ConfigBackupKeeper;
  /** The change history's age and row cap (settings), kept by pruning in the background. */
  readonly retention: HistoryRetention;
  private readonly retentionTimer: NodeJS.Timeout;

  private constructor(
    readonly dataDir: string,
    readonly database: OpenedDatabase,
    readonly vault: CredentialVault,
    private readonly lock: DataLock,
    opts: EngineOptions,
    /** What opening the data folder found too open, and tightened (for the doctor). */
    private readonly tightened: ModeFinding[] = [],
  ) {
    this.backups = new ConfigBackupKeeper(database.sqlite, dataDir, (err) =>
      log.warn('configuration backup failed', { error: String(err) }),
    );
    this.vcenters = new VcenterRepo(database.db);
    this.settings = new SettingsRepo(database.db);
    this.accounts = new ServiceAccountRepo(database.db);
    this.sources = new SourceRepo(database.db);
    this.sourceRefresher = new SourceRefresher({
      list: () => this.sources.list(),
      refresh: (s) => this.refreshSource(s),
    });
    this.store = new InventoryStore(database.sqlite);
    this.retention = new HistoryRetention(database.sqlite, () => this.settings.get());
    // Live updates add history without a sync run: prune hourly too.
    this.retentionTimer = setInterval(() => void this.retention.schedule(), 3_600_000);
    this.retentionTimer.unref();
    this.sync = new SyncRunner({
      repo: this.vcenters,
      store: this.store,
      bus: this.bus,
      settings: () => this.settings.get(),
      credentials: (vc) => this.credentialsFor(vc),
      collect: opts.collect,
      afterSync: () => {
        refreshPlannerStats(database.sqlite);
        // Outside the sync's transactions, in chunks: never blocks a sync or a question.
        void this.retention.schedule();
      },
      // A live vCenter's full sync is a re-read through its stream, never a competing read.
      resyncLive: (id) => this.live.resync(id),
    });
    this.live = new LiveManager({
      repo: this.vcenters,
      store: this.store,
      bus: this.bus,
      settings: () => this.settings.get(),
      credentials: (vc) => this.credentialsFor(vc),
      options: opts.live,
    });
    this.scheduler = new Scheduler({
      bus: this.bus,
      load: () => this.settings.get().scheduler,
      save: (scheduler) => this.settings.update({ scheduler }),
      runSync: () => this.sync.sync(),
      // Scheduled full syncs run in the "scheduled" and "both" modes, and never while paused.
      canRun: () => {
        const s = this.settings.get();
        if (s.paused) return 'updates are paused';
        if (s.updateMode === 'live') return 'the update mode is "live" (no scheduled full syncs)';
        return true;
      },
    });
    const interrupted = this.vcenters.settleInterrupted();
    if (interrupted.length) log.warn('syncs interrupted by an earlier process', { vcenters: interrupted });
    this.query = new QueryService({ sqlite: database.sqlite });
    this.lists = new ListPages(database.sqlite, this.query);
    this.reads = sqliteReads(database, this.query, this.lists);
    this.bus.on('inventory:changed', () => this.query.invalidate());
    for (const id of this.vault.list()) {
      const secret = this.vault.get(id);
      if (secret) registerSecret(secret);
    }
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    const dataDir = path.resolve(opts.dataDir);
    const lock = DataLock.acquire(dataDir, opts.owner);
    try {
      configureLogging({ file: path.join(dataDir, 'logs', 'vminer.log') });
      const database = openDatabase(dataDir, opts.check ? { check: opts.check } : {});
      try {
        const vault = await CredentialVault.open({
          dataDir,
          backend: opts.vaultBackend ?? 'auto',
          onWarning: opts.onWarning,
        });
        // Everything is open (the -wal and -shm files exist now): take from a folder or file made
        // elsewhere what other users should not have.
        const tightened = checkDataFolderModes(dataDir, { fix: true });
        for (const f of tightened) {
          log.warn('data folder permissions', { detail: describeFinding(f) });
          opts.onWarning?.(describeFinding(f));
        }
        return new Engine(dataDir, database, vault, lock, opts, tightened);
      } catch (err) {
        database.close();
        throw err;
      }
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** The REST/UI accounts of this cache (one service per database, shared with the handlers). */
  async authService(): Promise<AuthService> {
    const { AuthService } = await import('./auth/auth-service.js');
    return AuthService.create(this.database.db, this.vault);
  }

  health(): EngineHealth {
    return { backend: 'sqlite' };
  }

  local(): LocalParts {
    return this;
  }

  async setPassword(vcenterId: number, password: string): Promise<void> {
    registerSecret(password);
    await this.vault.set(vaultId(vcenterId), password);
  }

  /**
   * The vCenters a sync of "all" covers: enabled ones, not those a source retired. The handlers, the
   * CLI and the scheduler's runner all take this one list.
   */
  syncableIds(): number[] {
    return this.vcenters
      .list()
      .filter((v) => v.enabled && v.retiredAt === null)
      .map((v) => v.id);
  }

  /** The login `vc` uses: its own account, the service account it names, or the default one. */
  credentialsFor(vc: CredentialTarget): {
    user: string;
    password: string;
  } {
    return resolveCredentials(vc, this.accounts, (id) => this.vault.get(id));
  }

  /** What a source refresh or test needs; `read` defaults to the real SQL drivers. */
  refreshDeps(): RefreshDeps {
    return {
      repo: this.vcenters,
      sources: this.sources,
      accounts: this.accounts,
      password: (id) => this.vault.get(sourceVaultId(id)),
    };
  }

  /** Refreshes one SQL source and tells listeners (SSE, the desktop UI) how it went. */
  async refreshSource(source: SourceInfo): Promise<SourceRefreshResult> {
    const result = await refreshSource(this.refreshDeps(), source);
    // A scheduled refresh adds and retires vCenters too: live sessions follow (a retired one stops).
    this.reconfigured();
    this.bus.emit('sources:refreshed', result);
    return result;
  }

  /** The doctor's view of this engine (it holds the data folder). */
  doctorDeps(): DoctorDeps {
    return {
      dataDir: this.dataDir,
      sqlite: this.database.sqlite,
      databaseError: null,
      repo: this.vcenters,
      accounts: this.accounts,
      sources: this.sources,
      vault: this.vault,
      vaultError: null,
      lockNote: null,
      modes: [...this.tightened, ...checkDataFolderModes(this.dataDir, { fix: true })],
    };
  }

  async setSourcePassword(sourceId: number, password: string): Promise<void> {
    registerSecret(password);
    await this.vault.set(sourceVaultId(sourceId), password);
  }

  async removeSource(sourceId: number, opts: { removeVcenters: boolean }): Promise<string[]> {
    const listed = this.vcenters.list().filter((v) => v.source?.id === sourceId);
    const removed: string[] = [];
    if (opts.removeVcenters) {
      for (const v of listed) if (await this.removeVcenter(v.id)) removed.push(v.name);
    }
    // Without removeVcenters its vCenters stay, in the local list (ON DELETE SET NULL).
    this.sources.remove(sourceId);
    await this.vault.delete(sourceVaultId(sourceId));
    return removed;
  }

  async setAccountPassword(accountId: number, password: string): Promise<void> {
    registerSecret(password);
    await this.vault.set(accountVaultId(accountId), password);
  }

  async removeAccount(accountId: number): Promise<void> {
    this.accounts.remove(accountId);
    await this.vault.delete(accountVaultId(accountId));
  }

  /** Applies changed settings or vCenter details to the running parts (live sessions). */
  reconfigured(): void {
    this.live.reconcile();
  }

  async removeVcenter(vcenterId: number): Promise<boolean> {
    this.sync.cancel([vcenterId]);
    await this.live.stop(vcenterId);
    this.store.forget(vcenterId);
    const removed = this.vcenters.remove(vcenterId);
    await this.vault.delete(vaultId(vcenterId));
    if (removed) this.bus.emit('inventory:changed', { vcenterIds: [vcenterId] });
    return removed;
  }

  /**
   * Cancels syncs and stops live sessions, and resolves once all of them logged out of their
   * vCenters (each bounded), before `close()`; a server and the desktop app call this on quit.
   */
  async shutdown(): Promise<void> {
    clearInterval(this.retentionTimer);
    this.scheduler.close();
    this.sync.cancel();
    await Promise.all([this.sync.settled(), this.live.stopAll()]);
  }

  close(): void {
    clearInterval(this.retentionTimer);
    this.scheduler.close();
    this.sourceRefresher.stop();
    this.sync.cancel();
    this.live.abortAll();
    this.backups.close();
    try {
      this.database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      /* best effort */
    }
    this.database.close();
    this.lock.release();
  }
}
