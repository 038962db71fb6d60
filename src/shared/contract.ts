import { z } from 'zod';
import { EXPORT_FORMATS, FILE_FORMATS, type ExportFileFormat } from './export-formats.js';
import { EngineSettingsPatchSchema, type EngineSettings, type UpdateMode } from './settings.js';
import { AskRequestSchema, FilterSchema, type Answer } from './query.js';
import { QUERY_ENTITIES, type QueryEntity } from './fields.js';
import type { SchedulerStateEvent } from './events.js';
import type { ServiceAccountInfo, VcenterStatus, VcenterWithState } from './vcenter.js';
import type { EntityCounts } from './inventory.js';
import type { ErrorInfo } from './errors.js';
import { DoctorRequestSchema, type DoctorReport } from './doctor.js';
import { ChangesRequestSchema, type ChangesPage } from './changes.js';
import {
  ImportContentSchema,
  ImportFileSchema,
  SourceAddSchema,
  SourceUpdateSchema,
  type CertReviewItem,
  type ImportPreview,
  type ImportResult,
  type SourceInfo,
  type SourceRefreshResult,
  type SourceTestResult,
} from './sources.js';

/**
 * The engine's contract: every request once, with its argument schema, its result type and the
 * transports that may carry it. The RPC server, the Electron IPC relay and the REST listener all
 * use this table; nothing is declared twice.
 */
const id = z.number().int().positive();
const SortSchema = z.array(z.object({ field: z.string().max(64), dir: z.enum(['asc', 'desc']) })).max(4);

const UsernameSchema = z.string().min(1).max(64);
const NewPasswordSchema = z.string().min(1).max(1000);

export interface UserInfo {
  username: string;
  role: string;
  createdAt: string;
}

/** How a vCenter logs in: its own account, or a shared service account (`accountId` null: the default one). */
export const CredentialChoiceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('own') }),
  z.object({ kind: z.literal('service'), accountId: id.nullable().default(null) }),
]);

const tagsSchema = z.array(z.string().trim().min(1).max(100)).max(50);

export const VcenterAddSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    url: z.string().trim().min(1).max(500),
    /** Its own account (with `password`); leave both out with `credential: {kind: 'service'}`. */
    username: z.string().min(1).max(200).optional(),
    password: z.string().min(1).max(1000).optional(),
    credential: CredentialChoiceSchema.optional(),
    thumbprint: z.string().max(200).optional(),
    caPem: z.string().max(100_000).optional(),
    /** Pin the certificate the vCenter presents right now (after the user reviewed `vcenters.probe`). */
    trustPresentedCert: z.boolean().optional(),
    site: z.string().trim().max(100).optional(),
    tags: tagsSchema.optional(),
  })
  .superRefine((v, ctx) => {
    const service = v.credential?.kind === 'service';
    if (service && (v.username !== undefined || v.password !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'a vCenter that uses a service account takes no username or password of its own',
      });
    if (!service && (v.username === undefined || v.password === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'give username and password, or credential {kind: "service"} to use a service account',
      });
  });

export const VcenterUpdateSchema = z.object({
  id,
  name: z.string().trim().min(1).max(100).optional(),
  url: z.string().trim().min(1).max(500).optional(),
  username: z.string().min(1).max(200).optional(),
  password: z.string().min(1).max(1000).optional(),
  thumbprint: z.string().max(200).nullable().optional(),
  caPem: z.string().max(100_000).nullable().optional(),
  enabled: z.boolean().optional(),
  /** Switch between its own account and a service account (a per-vCenter override of the default). */
  credential: CredentialChoiceSchema.optional(),
  site: z.string().trim().max(100).nullable().optional(),
  tags: tagsSchema.optional(),
});

export const ServiceAccountAddSchema = z.object({
  name: z.string().trim().min(1).max(100),
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(1000),
  /** The account vCenters use when they name none; the first account is the default anyway. */
  isDefault: z.boolean().default(false),
});

export const ServiceAccountUpdateSchema = z.object({
  id,
  name: z.string().trim().min(1).max(100).optional(),
  username: z.string().min(1).max(200).optional(),
  password: z.string().min(1).max(1000).optional(),
  isDefault: z.literal(true).optional(),
});

export const ListRequestSchema = z.object({
  entity: z.enum(QUERY_ENTITIES as [QueryEntity, ...QueryEntity[]]),
  filter: FilterSchema.optional(),
  sort: SortSchema.optional(),
  limit: z.number().int().min(1).max(5000).default(100),
  /** Keyset cursor from the previous page's `nextCursor` (page 2,000 is as fast as page 1). */
  cursor: z.string().max(4000).optional(),
  /** Plain offset paging, for clients that want it; ignored when a cursor is given. */
  offset: z.number().int().min(0).max(10_000_000).optional(),
});
export type ListRequest = z.infer<typeof ListRequestSchema>;

export interface ListResult {
  items: Record<string, unknown>[];
  total: number;
  nextCursor: string | null;
}

/** The related rows of one VM or host (the row drawer): by vCenter id and managed object id. */
export const DetailsRequestSchema = z.object({
  entity: z.enum(['vms', 'hosts']),
  vcenterId: z.number().int().positive(),
  moid: z.string().min(1).max(200),
});
export type DetailsRequest = z.infer<typeof DetailsRequestSchema>;

/**
 * A VM's disks, NICs, partitions and snapshots (rows in their grids' field form; empty for a
 * host), and the tags and custom attributes of a VM or host.
 */
export interface ObjectDetails {
  disks: Record<string, unknown>[];
  nics: Record<string, unknown>[];
  partitions: Record<string, unknown>[];
  snapshots: Record<string, unknown>[];
  tags: { category: string; name: string; description: string | null }[];
  attributes: { name: string; value: string | null }[];
}

/** What to export: `{entity, filters?}`, `{query}` (a question), or neither for the whole estate. */
export const ExportRequestSchema = z.object({
  entity: z.enum(QUERY_ENTITIES as [QueryEntity, ...QueryEntity[]]).optional(),
  /** A query-plan filter (the same language as lists and questions). */
  filters: FilterSchema.optional(),
  /** Or a question: "powered off vms in cluster Prod". */
  query: z.string().min(1).max(2000).optional(),
  columns: z.array(z.string().max(64)).max(200).optional(),
  sort: SortSchema.optional(),
  /** CSV: start with a UTF-8 byte-order mark so Excel reads UTF-8. */
  bom: z.boolean().optional(),
});
export type ExportRequest = z.infer<typeof ExportRequestSchema>;

export { EXPORT_FORMATS, FILE_FORMATS, type ExportFileFormat };

export interface ProbeInfo {
  url: string;
  certificate: {
    subject: string;
    issuer: string;
    validFrom: string;
    validTo: string;
    thumbprintSha256: string;
    trustedByCa: boolean;
    caError: string | undefined;
  };
  about: {
    fullName: string;
    version: string;
    build: string;
    apiVersion: string;
    instanceUuid: string;
  } | null;
}

export interface StatsResult {
  totals: EntityCounts;
  vcenters: {
    id: number;
    name: string;
    status: string;
    lastSyncAt: string | null;
    lastSuccessAt: string | null;
    error: { code: string; message: string } | null;
    counts: EntityCounts;
  }[];
  powerStates: Record<string, number>;
  capacity: {
    datastoreCapacityBytes: number;
    datastoreFreeBytes: number;
    vmMemoryMb: number;
    vmCpus: number;
  };
  failedVcenters: string[];
  /** The change history: its size and retention. */
  history: {
    rows: number;
    /** Approximate (the pages of the table and its indexes). */
    bytes: number;
    oldestAt: string | null;
    retentionDays: number;
    maxRows: number;
  };
}

export interface LiveStatusResult {
  mode: UpdateMode;
  paused: boolean;
  /** False in a process that does not keep vCenters live (a one-off command). */
  running: boolean;
  /**
   * Each vCenter kept live, and each that should be but cannot log in (no stored password, no
   * default service account): `failed`, with the reason and what to do in `error`.
   */
  sessions: {
    vcenterId: number;
    vcenter: string;
    status: VcenterStatus;
    /** Why it is not live (reconnecting, certificate changed, password rejected or missing); null when live. */
    error: ErrorInfo | null;
    updateSets: number;
    objectUpdates: number;
    rowsWritten: number;
    fullLoads: number;
    reconnects: number;
    lastChangeAt: string | null;
  }[];
}

const empty = z.object({});

/**
 * The running engine: its version, data folder, and where the credential vault's key comes from
 * (`keychain`: the OS keychain; `env`: the VMINER_SECRET_KEY variable; `file`: a key file beside
 * the vault, protected only by file permissions).
 */
export interface EngineInfo {
  version: string;
  dataDir: string;
  vaultKey: 'keychain' | 'env' | 'file';
}

/**
 * Who may make a call over REST (the browser UI and scripts): `viewer` calls read the inventory and
 * its state; `admin` calls change something, make the engine connect somewhere (probes, source
 * tests, certificate reviews), or reveal configuration. Every call needs a logged-in user.
 */
export type CallRole = 'admin' | 'viewer';

declare const RESULT: unique symbol;
/** A request's result type, carried by its contract entry (a type only: nothing at run time). */
export interface Returns<T> {
  readonly [RESULT]?: T;
}
const returns = <T>(): Returns<T> => ({});

interface ContractEntry {
  args: z.ZodType;
  /** May the call travel over HTTP (and so to the renderer)? Local file paths never do. */
  http: boolean;
  /** Changes state: the engine reconfigures itself afterwards (live sessions, schedule). */
  mutates: boolean;
  /** Who may make it over REST (see `CallRole`). */
  role: CallRole;
  result: Returns<unknown>;
  summary: string;
}

export const CONTRACT = {
  'vcenters.list': {
    args: empty,
    http: true,
    mutates: false,
    role: 'viewer',
    result: returns<VcenterWithState[]>(),
    summary: 'List vCenters with their sync state',
  },
  'vcenters.get': {
    args: z.object({ id }),
    http: true,
    mutates: false,
    role: 'viewer',
    result: returns<VcenterWithState>(),
    summary: 'One vCenter with its sync state',
  },
  'vcenters.probe': {
    args: z.object({ url: z.string().min(1).max(500) }),
    http: true,
    mutates: false,
    role: 'admin',
    result: returns<ProbeInfo>(),
    summary: 'What a vCenter presents before it is trusted: product, version, certificate',
  },
  'vcenters.add': {
    args: VcenterAddSchema,
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<VcenterWithState>(),
    summary: 'Register a vCenter',
  },
  'vcenters.update': {
    args: VcenterUpdateSchema,
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<VcenterWithState>(),
    summary: 'Change a vCenter',
  },
  'vcenters.remove': {
    args: z.object({ id }),
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<{ removed: boolean }>(),
    summary: 'Remove a vCenter and its cached data',
  },
  'accounts.list': {
    args: empty,
    http: true,
    mutates: false,
    role: 'viewer',
    result: returns<ServiceAccountInfo[]>(),
    summary: 'Shared service accounts (never their passwords) and how many vCenters use each',
  },
  'accounts.add': {
    args: ServiceAccountAddSchema,
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<ServiceAccountInfo>(),
    summary: 'Add a shared service account; its password goes to the credential vault',
  },
  'accounts.update': {
    args: ServiceAccountUpdateSchema,
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<ServiceAccountInfo>(),
    summary: 'Rename a service account, change its user or password, or make it the default',
  },
  'accounts.remove': {
    args: z.object({ id }),
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<{ removed: true }>(),
    summary: 'Remove a service account no vCenter uses',
  },
  'import.preview': {
    args: ImportContentSchema,
    http: true,
    mutates: false,
    role: 'admin',
    result: returns<ImportPreview>(),
    summary: 'What a CSV/XLSX vCenter list would add, update or skip, and why (writes nothing)',
  },
  'import.apply': {
    args: ImportContentSchema,
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<ImportResult>(),
    summary: 'Import a CSV/XLSX vCenter list: every add and update lands, or none does',
  },
  // Local file paths: never over HTTP (the desktop app and the CLI only).
  'import.previewFile': {
    args: ImportFileSchema,
    http: false,
    mutates: false,
    role: 'admin',
    result: returns<ImportPreview>(),
    summary: 'Preview the import of a local CSV/XLSX file',
  },
  'import.applyFile': {
    args: ImportFileSchema,
    http: false,
    mutates: true,
    role: 'admin',
    result: returns<ImportResult>(),
    summary: 'Import a local CSV/XLSX file',
  },
  'sources.list': {
    args: empty,
    http: true,
    mutates: false,
    role: 'viewer',
    result: returns<SourceInfo[]>(),
    summary: 'SQL sources of the vCenter list (SQL Server, PostgreSQL) with their last refresh',
  },
  'sources.add': {
    args: SourceAddSchema,
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<SourceInfo>(),
    summary: 'Add a SQL source: connection, query, column mapping, refresh interval',
  },
  'sources.update': {
    args: SourceUpdateSchema,
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<SourceInfo>(),
    summary: 'Change a SQL source',
  },
  'sources.remove': {
    args: z.object({ id, removeVcenters: z.boolean().default(false) }),
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<{ removed: true; removedVcenters: string[] }>(),
    summary: 'Remove a SQL source (its vCenters move to the local list unless removed too)',
  },
  'sources.test': {
    args: z.object({ id }),
    http: true,
    mutates: false,
    role: 'admin',
    result: returns<SourceTestResult>(),
    summary: "Run a source's query and show the first rows, raw and mapped (changes nothing)",
  },
  'sources.refresh': {
    args: z.object({ id }),
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<SourceRefreshResult>(),
    summary: 'Refresh a source now: add new vCenters, retire vanished ones; errors keep the last good list',
  },
  'certs.review': {
    args: z.object({ vcenterIds: z.array(id).max(10_000).optional() }),
    http: true,
    mutates: false,
    role: 'admin',
    result: returns<CertReviewItem[]>(),
    summary:
      'Certificates to review: what each new (or given) vCenter presents, and renewed ones shown as "certificate changed"',
  },
  'certs.trust': {
    args: z.object({
      items: z
        .array(z.object({ vcenterId: id, thumbprint: z.string().min(1).max(200) }))
        .min(1)
        .max(10_000),
    }),
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<{ trusted: string[] }>(),
    summary: 'Accept reviewed certificates together: pin each thumbprint as reviewed',
  },
  // Local checks (data folder, keychain, a free port on this machine): the desktop app and the CLI only.
  'doctor.run': {
    args: DoctorRequestSchema,
    http: false,
    mutates: false,
    role: 'admin',
    result: returns<DoctorReport>(),
    summary:
      'First-run check-up: data folder, migrations, keychain, each vCenter (DNS/TCP/TLS/login), SQL sources, REST port',
  },
  'sync.start': {
    args: z.object({ vcenterIds: z.array(id).max(10_000).optional() }),
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<{ started: number[] }>(),
    summary: 'Start a sync of all (or the given) vCenters; progress arrives as events',
  },
  'sync.cancel': {
    args: z.object({ vcenterIds: z.array(id).max(10_000).optional() }),
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<{ cancelled: true }>(),
    summary: 'Cancel running syncs',
  },
  'query.ask': {
    args: AskRequestSchema,
    http: true,
    mutates: false,
    role: 'viewer',
    result: returns<Answer>(),
    summary: 'Ask a question in plain English',
  },
  'inventory.list': {
    args: ListRequestSchema,
    http: true,
    mutates: false,
    role: 'viewer',
    result: returns<ListResult>(),
    summary: 'One page of an entity, filtered and sorted by a query plan',
  },
  'inventory.details': {
    args: DetailsRequestSchema,
    http: true,
    mutates: false,
    role: 'viewer',
    result: returns<ObjectDetails>(),
    summary: "A VM's disks, NICs, partitions and snapshots, and a VM's or host's tags and custom attributes",
  },
  'changes.list': {
    args: ChangesRequestSchema,
    http: true,
    mutates: false,
    role: 'viewer',
    result: returns<ChangesPage>(),
    summary:
      'One page of the change history, newest first: filtered by time, vCenter, entity, field, object (current or past name), kind and source, with counts per kind',
  },
  'stats.get': {
    args: empty,
    http: true,
    mutates: false,
    role: 'viewer',
    result: returns<StatsResult>(),
    summary: 'Counts per entity and vCenter, power states, capacity, last syncs',
  },
  'settings.get': {
    args: empty,
    http: true,
    mutates: false,
    role: 'viewer',
    result: returns<EngineSettings>(),
    summary: 'Engine settings',
  },
  'settings.update': {
    args: EngineSettingsPatchSchema,
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<EngineSettings>(),
    summary: 'Change engine settings',
  },
  'scheduler.state': {
    args: empty,
    http: true,
    mutates: false,
    role: 'viewer',
    result: returns<SchedulerStateEvent>(),
    summary: 'Whether the background sync is on, running, and its next run',
  },
  'live.status': {
    args: empty,
    http: true,
    mutates: false,
    role: 'viewer',
    result: returns<LiveStatusResult>(),
    summary: 'Live updates: the mode, whether paused, and each live vCenter’s state and counters',
  },
  'scheduler.start': {
    args: empty,
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<SchedulerStateEvent>(),
    summary: 'Turn the background sync on',
  },
  'scheduler.stop': {
    args: empty,
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<SchedulerStateEvent>(),
    summary: 'Turn the background sync off',
  },
  'scheduler.configure': {
    args: z.object({
      intervalMinutes: z.number().int().min(1).max(10_080).optional(),
      cron: z.string().max(200).nullable().optional(),
    }),
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<SchedulerStateEvent>(),
    summary: 'Set the sync interval or cron expression',
  },
  'users.list': {
    args: empty,
    http: true,
    mutates: false,
    role: 'admin',
    result: returns<UserInfo[]>(),
    summary: 'Accounts of the REST listener and the browser UI (admins only)',
  },
  'users.add': {
    args: z.object({
      username: UsernameSchema,
      password: NewPasswordSchema,
      role: z.enum(['admin', 'viewer']),
    }),
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<UserInfo[]>(),
    summary: 'Add an account (admin: everything; viewer: read only)',
  },
  'users.setPassword': {
    args: z.object({ username: UsernameSchema, password: NewPasswordSchema }),
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<{ updated: true }>(),
    summary: "Set an account's password (its tokens end)",
  },
  'users.setRole': {
    args: z.object({ username: UsernameSchema, role: z.enum(['admin', 'viewer']) }),
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<UserInfo[]>(),
    summary: "Change an account's role (its tokens end: it logs in again with the new role)",
  },
  'users.remove': {
    args: z.object({ username: UsernameSchema }),
    http: true,
    mutates: true,
    role: 'admin',
    result: returns<UserInfo[]>(),
    summary: 'Remove an account (its tokens stop working; never the last admin)',
  },
  'engine.info': {
    args: empty,
    http: true,
    mutates: false,
    role: 'admin',
    result: returns<EngineInfo>(),
    summary: 'Version, data folder and vault key protection of the running engine',
  },
  'export.toFile': {
    args: ExportRequestSchema.extend({
      /** An absolute local path: written to a temp file and renamed into place when complete. */
      path: z.string().min(1).max(4096),
      format: z.enum(FILE_FORMATS),
    }),
    // Takes a local file path: never over HTTP (downloads use POST /api/export/*).
    http: false,
    mutates: false,
    role: 'viewer',
    result: returns<{ path: string; rows: number; bytes: number | null }>(),
    summary: 'Write an export to a local file (desktop save dialog, CLI)',
  },
} as const satisfies Record<string, ContractEntry>;

export type RequestName = keyof typeof CONTRACT;
export type RequestArgs<K extends RequestName> = z.input<(typeof CONTRACT)[K]['args']>;
export type ParsedArgs<K extends RequestName> = z.output<(typeof CONTRACT)[K]['args']>;

/** Each request's result type, as its contract entry declares it. */
export type ContractResults = {
  [K in RequestName]: (typeof CONTRACT)[K]['result'] extends Returns<infer T> ? T : never;
};

/** How far an export has got: rows written so far, and all rows when counted up front. */
export interface ExportRowsProgress {
  rows: number;
  total: number | null;
}

/**
 * Progress a long call reports while it runs, by request. It goes to that call's caller only (the
 * main process behind the save dialog), never to every window like an engine event.
 */
export interface ContractProgress {
  'export.toFile': ExportRowsProgress;
}
export type ProgressOf<K extends RequestName> = K extends keyof ContractProgress
  ? ContractProgress[K]
  : never;

/** What a transport hands a handler besides its arguments. */
export interface CallContext<K extends RequestName> {
  /** Called at a bounded rate while the call runs (absent when nobody listens, e.g. over HTTP). */
  progress?: (p: ProgressOf<K>) => void;
}

export type Handlers = {
  [K in RequestName]: (args: ParsedArgs<K>, ctx?: CallContext<K>) => Promise<ContractResults[K]>;
};

export function isRequestName(name: string): name is RequestName {
  return Object.prototype.hasOwnProperty.call(CONTRACT, name);
}
