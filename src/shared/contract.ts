import { z } from 'zod';
import { EngineSettingsSchema, type EngineSettings, type UpdateMode } from './settings.js';
import { AskRequestSchema, FilterSchema, type Answer } from './query.js';
import { QUERY_ENTITIES, type QueryEntity } from './fields.js';
import type { SchedulerStateEvent } from './events.js';
import type { VcenterStatus, VcenterWithState } from './vcenter.js';
import type { EntityCounts } from './inventory.js';

/**
 * The engine's contract: every request once, with its argument schema, its result type and the
 * transports that may carry it. The RPC server, the Electron IPC relay and the REST listener all
 * use this table; nothing is declared twice.
 */
const id = z.number().int().positive();

export const VcenterAddSchema = z.object({
  name: z.string().trim().min(1).max(100),
  url: z.string().trim().min(1).max(500),
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(1000),
  thumbprint: z.string().max(200).optional(),
  caPem: z.string().max(100_000).optional(),
  /** Pin the certificate the vCenter presents right now (after the user reviewed `vcenters.probe`). */
  trustPresentedCert: z.boolean().optional(),
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
});

export const ListRequestSchema = z.object({
  entity: z.enum(QUERY_ENTITIES as [QueryEntity, ...QueryEntity[]]),
  filter: FilterSchema.optional(),
  sort: z
    .array(z.object({ field: z.string().max(64), dir: z.enum(['asc', 'desc']) }))
    .max(4)
    .optional(),
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
}

export interface LiveStatusResult {
  mode: UpdateMode;
  paused: boolean;
  /** False in a process that does not keep vCenters live (a one-off command). */
  running: boolean;
  sessions: {
    vcenterId: number;
    vcenter: string;
    status: VcenterStatus;
    updateSets: number;
    objectUpdates: number;
    rowsWritten: number;
    fullLoads: number;
    reconnects: number;
    lastChangeAt: string | null;
  }[];
}

const empty = z.object({});

export const CONTRACT = {
  'vcenters.list': { args: empty, http: true, write: false, summary: 'List vCenters with their sync state' },
  'vcenters.get': {
    args: z.object({ id }),
    http: true,
    write: false,
    summary: 'One vCenter with its sync state',
  },
  'vcenters.probe': {
    args: z.object({ url: z.string().min(1).max(500) }),
    http: true,
    write: false,
    summary: 'What a vCenter presents before it is trusted: product, version, certificate',
  },
  'vcenters.add': { args: VcenterAddSchema, http: true, write: true, summary: 'Register a vCenter' },
  'vcenters.update': { args: VcenterUpdateSchema, http: true, write: true, summary: 'Change a vCenter' },
  'vcenters.remove': {
    args: z.object({ id }),
    http: true,
    write: true,
    summary: 'Remove a vCenter and its cached data',
  },
  'sync.start': {
    args: z.object({ vcenterIds: z.array(id).max(10_000).optional() }),
    http: true,
    write: true,
    summary: 'Start a sync of all (or the given) vCenters; progress arrives as events',
  },
  'sync.cancel': {
    args: z.object({ vcenterIds: z.array(id).max(10_000).optional() }),
    http: true,
    write: true,
    summary: 'Cancel running syncs',
  },
  'query.ask': {
    args: AskRequestSchema,
    http: true,
    write: false,
    summary: 'Ask a question in plain English',
  },
  'inventory.list': {
    args: ListRequestSchema,
    http: true,
    write: false,
    summary: 'One page of an entity, filtered and sorted by a query plan',
  },
  'stats.get': {
    args: empty,
    http: true,
    write: false,
    summary: 'Counts per entity and vCenter, power states, capacity, last syncs',
  },
  'settings.get': { args: empty, http: true, write: false, summary: 'Engine settings' },
  'settings.update': {
    args: EngineSettingsSchema.partial(),
    http: true,
    write: true,
    summary: 'Change engine settings',
  },
  'live.status': {
    args: empty,
    http: true,
    write: false,
    summary: 'Live updates: the mode, whether paused, and each live vCenter’s state and counters',
  },
  'scheduler.start': { args: empty, http: true, write: true, summary: 'Turn the background sync on' },
  'scheduler.stop': { args: empty, http: true, write: true, summary: 'Turn the background sync off' },
  'scheduler.configure': {
    args: z.object({
      intervalMinutes: z.number().int().min(1).max(10_080).optional(),
      cron: z.string().max(200).nullable().optional(),
    }),
    http: true,
    write: true,
    summary: 'Set the sync interval or cron expression',
  },
} as const;

export type RequestName = keyof typeof CONTRACT;
export type RequestArgs<K extends RequestName> = z.input<(typeof CONTRACT)[K]['args']>;
export type ParsedArgs<K extends RequestName> = z.output<(typeof CONTRACT)[K]['args']>;

export interface ContractResults {
  'vcenters.list': VcenterWithState[];
  'vcenters.get': VcenterWithState;
  'vcenters.probe': ProbeInfo;
  'vcenters.add': VcenterWithState;
  'vcenters.update': VcenterWithState;
  'vcenters.remove': { removed: boolean };
  'sync.start': { started: number[] };
  'sync.cancel': { cancelled: true };
  'query.ask': Answer;
  'inventory.list': ListResult;
  'stats.get': StatsResult;
  'settings.get': EngineSettings;
  'settings.update': EngineSettings;
  'live.status': LiveStatusResult;
  'scheduler.start': SchedulerStateEvent;
  'scheduler.stop': SchedulerStateEvent;
  'scheduler.configure': SchedulerStateEvent;
}

export type Handlers = { [K in RequestName]: (args: ParsedArgs<K>) => Promise<ContractResults[K]> };

export function isRequestName(name: string): name is RequestName {
  return Object.prototype.hasOwnProperty.call(CONTRACT, name);
}
