/**
 * What the contract handlers, the REST listener, its export routes and `vminer serve` use of an
 * engine, on either back end: the desktop's `Engine` on a SQLite data folder (engine.ts) or the team
 * engine on PostgreSQL (team/team-engine.ts). Configuration reads are synchronous on both (the team
 * engine answers them from its mirror); writes and inventory reads are awaited.
 *
 * Type-only: nothing here loads either back end's modules.
 */
import type { ChangesPage, ChangesRequest } from '../../shared/changes.js';
import type {
  DetailsRequest,
  ExportRequest,
  ListRequest,
  ListResult,
  ObjectDetails,
  StatsResult,
} from '../../shared/contract.js';
import type { Answer, AskRequest, Freshness } from '../../shared/query.js';
import type { SourceInfo, SourceRefreshResult } from '../../shared/sources.js';
import type { AuthService } from './auth/auth-service.js';
import type { OpenedDatabase } from './db/database.js';
import type { VcenterRepo } from './db/vcenter-repo.js';
import type { VcenterStore } from './db/vcenter-rules.js';
import type { DoctorReport, DoctorRequest } from '../../shared/doctor.js';
import type { DoctorDeps } from './doctor.js';
import type { EventBus } from './events.js';
import type { ExportSource } from './export/snapshot.js';
import type { ResolvedExport } from './export/request.js';
import type { JsonPage, ListPages } from './list-pages.js';
import type { QueryService } from './query/query-service.js';
import type { SettingsStore } from './settings-repo.js';
import type { VaultBackend } from './secrets/index.js';
import type { AccountStore } from './sources/account-rules.js';
import type { TrustedPin } from './sources/cert-review.js';
import type { RefreshDeps } from './sources/refresh.js';
import type { ServiceAccountRepo } from './sources/service-accounts.js';
import type { SourceRepo } from './sources/source-repo.js';
import type { SourceStore } from './sources/source-rules.js';
import type { LiveManager } from './sync/live-manager.js';
import type { Scheduler } from './sync/scheduler.js';
import type { SyncRunner } from './sync/sync-runner.js';

/** Sync controls: today's SyncRunner, or the team's (runs on the leader, forwarded from followers). */
export type SyncControls = Pick<SyncRunner, 'sync' | 'cancel' | 'isSyncing' | 'settled'>;
/** The full-sync schedule: today's Scheduler, or the team's. */
export type SchedulerControls = Pick<
  Scheduler,
  'state' | 'start' | 'stop' | 'configure' | 'resume' | 'wake' | 'close'
>;
/** Live sessions: today's LiveManager, or the team's. */
export type LiveControls = Pick<
  LiveManager,
  'running' | 'statusInfo' | 'sessionsInfo' | 'start' | 'reconcile' | 'wake' | 'stop' | 'stopAll' | 'abortAll'
>;

/** Reading the inventory: answers, list pages, details, stats, history, exports. */
export interface InventoryReads {
  ask(req: AskRequest): Promise<Answer>;
  list(req: ListRequest): Promise<ListResult>;
  details(req: DetailsRequest): Promise<ObjectDetails>;
  stats(): Promise<StatsResult>;
  changes(req: ChangesRequest): Promise<ChangesPage>;
  freshness(plan: Parameters<QueryService['freshness']>[0]): Promise<Freshness>;
  /** An export request as a checked plan (a question parsed on current names). */
  resolveExport(req: ExportRequest): Promise<ResolvedExport>;
  /** Where the export writers read. */
  exportSource(): ExportSource;
}

/** Who this instance is on its database (`/api/health`, the serve log). */
export type EngineHealth =
  | { backend: 'sqlite' }
  | {
      backend: 'postgres';
      database: string;
      instance: string;
      role: 'leader' | 'follower' | 'stopped';
      /** The current lease as this instance last saw it (null before any instance led). */
      lease: { instance: string; since: string; renewed: string; released: string | null } | null;
      term: number | null;
      /** The change listener: 'listening', or 'reconnecting' while its connection is away. */
      notifications: string;
    };

/** The SQLite repos of what runs on a data folder only (imports, SQL sources' reads, certificate review, doctor). */
export interface LocalParts {
  vcenters: VcenterRepo;
  accounts: ServiceAccountRepo;
  sources: SourceRepo;
  refreshDeps(): RefreshDeps;
  doctorDeps(): DoctorDeps;
}

interface ServingBase {
  readonly bus: EventBus;
  /** The data folder (SQLite), or the folder of an instance's logs (PostgreSQL). */
  readonly dataDir: string;
  readonly vcenters: VcenterStore;
  readonly accounts: AccountStore;
  readonly sources: SourceStore;
  readonly settings: SettingsStore;
  readonly vault: { readonly backend: VaultBackend; get(id: string): string | undefined };
  readonly query: QueryService;
  readonly sync: SyncControls;
  readonly scheduler: SchedulerControls;
  readonly live: LiveControls;
  readonly sourceRefresher: { start(): void; stop(): void };
  readonly reads: InventoryReads;
  /** The accounts of the REST listener and the UI (one service per database). */
  authService(): Promise<AuthService>;
  health(): EngineHealth;
  /**
   * The parts only a SQLite data folder has yet; on PostgreSQL this refuses with NOT_AVAILABLE
   * (`feature` says what was asked for).
   */
  local(feature: string): LocalParts;
  syncableIds(): number[];
  setPassword(vcenterId: number, password: string): Promise<void>;
  setAccountPassword(accountId: number, password: string): Promise<void>;
  setSourcePassword(sourceId: number, password: string): Promise<void>;
  removeVcenter(vcenterId: number): Promise<boolean>;
  removeAccount(accountId: number): Promise<void>;
  removeSource(sourceId: number, opts: { removeVcenters: boolean }): Promise<string[]>;
  refreshSource(source: SourceInfo): Promise<SourceRefreshResult>;
  reconfigured(): void;
  /** Cancels syncs and stops live sessions (each logged out), before `close()`. */
  shutdown(): Promise<void>;
}

/** The desktop's engine on a data folder. */
export interface SqliteServing extends ServingBase {
  readonly backend: 'sqlite';
  readonly database: OpenedDatabase;
  /** The list pages the REST listener and the handlers share (one page memory). */
  readonly lists: ListPages;
}

/** The team engine on PostgreSQL. */
export interface PgServing extends ServingBase {
  readonly backend: 'postgres';
  /** A list page as JSON text. */
  listJson(req: ListRequest): Promise<JsonPage>;
  /** The team doctor: the database, the lease, the team vault, then the vCenters and sources. */
  doctor(req: DoctorRequest): Promise<DoctorReport>;
  /**
   * Settles the sync state of vCenters whose certificate was just trusted: the leader's write, done
   * here on the leader, asked of the leader over the bus on a follower.
   */
  settleTrusted(pins: TrustedPin[]): Promise<void>;
}

export type ServingEngine = SqliteServing | PgServing;
