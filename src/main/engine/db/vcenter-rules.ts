/**
 * The rules of the vCenter registry and its sync state, shared by both back ends (VcenterRepo on
 * SQLite, PgVcenterRepo on PostgreSQL): what a row looks like to the rest of the engine, how names
 * and addresses are checked, which vCenter may not share a name or an address, and how leftover
 * states settle. Only the persistence differs between the two repos.
 */
import { VminerError, type ErrorCode } from '../../../shared/errors.js';
import type { EntityCounts } from '../../../shared/inventory.js';
import type { SyncStateInfo, VcenterInfo, VcenterStatus, VcenterWithState } from '../../../shared/vcenter.js';
import { checkVcenterName, normalizeVcenterUrl } from '../../../shared/vcenter-input.js';
import type { serviceAccounts, sources, syncState, vcenters } from './schema.js';

export interface NewVcenter {
  name: string;
  url: string;
  /** Its own account's user name; '' when it logs in with a service account. */
  username: string;
  thumbprint: string | null;
  caPem: string | null;
  useServiceAccount?: boolean;
  /** null with `useServiceAccount`: the default service account. */
  serviceAccountId?: number | null;
  sourceId?: number | null;
  retiredAt?: string | null;
  certReviewPending?: boolean;
  site?: string | null;
  tags?: string[];
}

export type VcenterPatch = Partial<Omit<NewVcenter, 'tags'> & { enabled: boolean; tags: string[] }>;

export type VcenterRecord = typeof vcenters.$inferSelect;
export type SyncRecord = typeof syncState.$inferSelect;
/** A change of a vCenter's sync state (its columns but the key). */
export type SyncPatch = Partial<Omit<SyncRecord, 'vcenterId'>>;
export interface About {
  productName: string;
  version: string;
  build: string;
  apiVersion: string;
  instanceUuid: string;
}
export interface BulkResult {
  addedIds: number[];
  updatedIds: number[];
}

/** What `toInfo` needs besides the row: the service accounts and sources, by id. */
export interface Lookups {
  accounts: Map<number, { name: string; username: string; isDefault: boolean }>;
  defaultAccount: { id: number; name: string; username: string } | undefined;
  sources: Map<number, { name: string; trustCaValid: boolean }>;
}

/** The lookups from the service accounts' rows and the sources' id, name and config. */
export function lookupsOf(
  accountRows: Iterable<typeof serviceAccounts.$inferSelect>,
  sourceRows: Iterable<Pick<typeof sources.$inferSelect, 'id' | 'name' | 'config'>>,
): Lookups {
  const accounts = new Map<number, { name: string; username: string; isDefault: boolean }>();
  let defaultAccount: Lookups['defaultAccount'];
  for (const a of accountRows) {
    accounts.set(a.id, a);
    if (a.isDefault) defaultAccount = a;
  }
  const names = new Map<number, { name: string; trustCaValid: boolean }>();
  for (const s of sourceRows) names.set(s.id, { name: s.name, trustCaValid: trustsCaValid(s.config) });
  return { accounts, defaultAccount, sources: names };
}

export function toInfo(r: VcenterRecord, l: Lookups): VcenterInfo {
  let username = r.username;
  let credential: VcenterInfo['credential'] = { kind: 'own' };
  if (r.useServiceAccount) {
    const acc =
      r.serviceAccountId !== null
        ? l.accounts.get(r.serviceAccountId)
        : l.defaultAccount && l.accounts.get(l.defaultAccount.id);
    username = acc?.username ?? '';
    credential = { kind: 'service', accountId: r.serviceAccountId, account: acc?.name ?? null };
  }
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    username,
    thumbprint: r.thumbprint,
    hasCustomCa: r.caPem !== null,
    enabled: r.enabled,
    createdAt: r.createdAt,
    productName: r.productName,
    version: r.version,
    build: r.build,
    instanceUuid: r.instanceUuid,
    credential,
    source: r.sourceId !== null ? { id: r.sourceId, name: l.sources.get(r.sourceId)?.name ?? '' } : null,
    retiredAt: r.retiredAt,
    awaitingCertReview:
      r.certReviewPending && !(r.sourceId !== null && l.sources.get(r.sourceId)?.trustCaValid === true),
    site: r.site,
    tags: parseJson<string[]>(r.tags) ?? [],
  };
}

/** A vCenter with its sync state, as `list()` gives it. */
export function withState(r: VcenterRecord, s: SyncRecord | undefined, l: Lookups): VcenterWithState {
  return { ...toInfo(r, l), sync: toState(s, r.enabled, r.retiredAt !== null) };
}

/** The source's "trust its CA-valid certificates" flag, read from its JSON config. */
function trustsCaValid(config: string): boolean {
  return parseJson<{ trustCaValid?: unknown }>(config)?.trustCaValid === true;
}

/** The columns of a patch (tags as their JSON text, null for none). */
export function toRow<T extends VcenterPatch>(v: T): Omit<T, 'tags'> & { tags?: string | null } {
  const { tags, ...rest } = v;
  return tags === undefined ? rest : { ...rest, tags: tags.length ? JSON.stringify(tags) : null };
}

function parseJson<T>(text: string | null): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export function toState(s: SyncRecord | undefined, enabled: boolean, retired: boolean): SyncStateInfo {
  return {
    status: retired
      ? 'retired'
      : ((s?.status as VcenterStatus | undefined) ?? (enabled ? 'idle' : 'disabled')),
    startedAt: s?.startedAt ?? null,
    finishedAt: s?.finishedAt ?? null,
    durationMs: s?.durationMs ?? null,
    counts: parseJson<EntityCounts>(s?.counts ?? null),
    error: s?.errorCode ? { code: s.errorCode as ErrorCode, message: s.errorMessage ?? '' } : null,
    lastSuccessAt: s?.lastSuccessAt ?? null,
    warnings: parseJson<string[]>(s?.warnings ?? null) ?? [],
    detail: !s?.errorCode && s?.errorMessage ? s.errorMessage : null,
    tags: { asOf: s?.tagsAsOf ?? null, error: s?.tagsError ?? null, stale: !!s?.tagsError },
  };
}

/** A new vCenter with its name and address checked and normalised (shared/vcenter-input.ts). */
export function checkedNew(input: NewVcenter): NewVcenter {
  return { ...input, name: checkVcenterName(input.name), url: normalizeVcenterUrl(input.url) };
}

/** A patch with its name and address, when it changes them, checked and normalised. */
export function checkedPatch(input: VcenterPatch): VcenterPatch {
  const patch = { ...input };
  if (patch.name !== undefined) patch.name = checkVcenterName(patch.name);
  if (patch.url !== undefined) patch.url = normalizeVcenterUrl(patch.url);
  return patch;
}

/**
 * The columns of a vCenter a batch adds (`bulkWrite`, an import), its name and address checked;
 * enabled, its certificate review pending only when the input says so (a source's new vCenter).
 */
export function bulkAddRow(input: NewVcenter, createdAt: string) {
  return {
    name: checkVcenterName(input.name),
    url: normalizeVcenterUrl(input.url),
    username: input.username,
    thumbprint: input.thumbprint,
    caPem: input.caPem,
    enabled: true,
    createdAt,
    useServiceAccount: input.useServiceAccount ?? false,
    serviceAccountId: input.serviceAccountId ?? null,
    sourceId: input.sourceId ?? null,
    retiredAt: input.retiredAt ?? null,
    certReviewPending: input.certReviewPending ?? false,
    site: input.site ?? null,
    tags: input.tags?.length ? JSON.stringify(input.tags) : null,
  } satisfies Partial<VcenterRecord>;
}

/** A vCenter another one's name or address would clash with. */
export interface Holder {
  id: number;
  name: string;
}

/**
 * No second vCenter with the same name (ignoring case) or the same address: `sameName` and
 * `sameUrl` are the vCenters that hold them now (looked up by the caller), `except` the one
 * being changed.
 */
export function checkUnique(
  name: string | undefined,
  sameName: Holder | undefined,
  url: string | undefined,
  sameUrl: Holder | undefined,
  except?: number,
): void {
  if (name !== undefined && sameName && sameName.id !== except)
    throw new VminerError('INVALID_INPUT', `a vCenter named "${sameName.name}" is already registered`);
  if (url !== undefined && sameUrl && sameUrl.id !== except)
    throw new VminerError('INVALID_INPUT', `${url} is already registered as "${sameUrl.name}"`);
}

/**
 * The registry's names and addresses for a batch of adds and updates (`bulkWrite`): each claim is
 * checked against the registry and the batch's earlier claims, then recorded.
 */
export class NameRegistry {
  private readonly byName = new Map<string, Holder>();
  private readonly byUrl = new Map<string, Holder>();

  constructor(rows: Iterable<{ id: number; name: string; url: string }>) {
    for (const r of rows) {
      this.byName.set(r.name.toLowerCase(), r);
      this.byUrl.set(r.url, r);
    }
  }

  claim(
    id: number,
    name: string | undefined,
    url: string | undefined,
    before?: { name: string; url: string },
  ) {
    checkUnique(
      name,
      name !== undefined ? this.byName.get(name.toLowerCase()) : undefined,
      url,
      url !== undefined ? this.byUrl.get(url) : undefined,
      id,
    );
    const entry = { id, name: name ?? before?.name ?? '' };
    if (name !== undefined) {
      if (before) this.byName.delete(before.name.toLowerCase());
      this.byName.set(name.toLowerCase(), entry);
    }
    if (url !== undefined) {
      if (before) this.byUrl.delete(before.url);
      this.byUrl.set(url, entry);
    }
  }

  /** The id a batch's add got once it was inserted. */
  assigned(name: string, id: number): void {
    this.byName.get(name.toLowerCase())!.id = id;
  }
}

/** Why a vCenter is `interrupted` (shown as its status detail). */
export function interruptedDetail(
  status: string,
  startedAt: string | null,
  lastSuccessAt: string | null,
): string {
  const what =
    status === 'queued' ? 'a queued sync' : `the sync started ${startedAt ? `at ${startedAt}` : 'earlier'}`;
  return (
    `${what} never finished: the process running it ended (a crash or a kill), or on a team server its instance stopped leading. ` +
    (lastSuccessAt ? `The data as of ${lastSuccessAt} is kept; ` : 'Nothing was stored; ') +
    'the next sync reads it again.'
  );
}

const LIVE = ['live', 'catching_up', 'reconnecting'];

/**
 * Live statuses describe a running engine: when an engine starts (or a live session ends), a
 * leftover one becomes "ok" (data as of its last success) or "failed" (with its error). null: the
 * state is not a live one (or not among `ids`), nothing to settle.
 */
export function liveSettlement(r: SyncRecord, ids?: number[]): SyncPatch | null {
  if (!LIVE.includes(r.status) || (ids && !ids.includes(r.vcenterId))) return null;
  const failed = r.status === 'reconnecting' || !r.lastSuccessAt;
  return {
    status: failed && r.errorCode ? 'failed' : r.lastSuccessAt ? 'ok' : 'idle',
    ...(failed && r.errorCode ? {} : { errorCode: null, errorMessage: null }),
  };
}

/**
 * A vCenter still marked queued or syncing when no process syncs (the writer that left it so
 * ended mid-sync) becomes `interrupted`, with when that was noticed and when the sync had started;
 * its last good data and "as of" stay as they were. null: nothing to settle.
 */
export function interruptedSettlement(r: SyncRecord, now: Date): SyncPatch | null {
  if (r.status !== 'syncing' && r.status !== 'queued') return null;
  return {
    status: 'interrupted',
    finishedAt: now.toISOString(),
    errorCode: null,
    errorMessage: interruptedDetail(r.status, r.startedAt, r.lastSuccessAt),
  };
}

/**
 * The vCenter registry on either back end. Reads are synchronous on both (PostgreSQL answers them
 * from its in-memory mirror); writes return their result on SQLite and a promise of it on
 * PostgreSQL, so a caller that awaits works with both. `term` is the leader's fencing term for the
 * writes only the leader makes (sync and live state, what a sync learns): PostgreSQL refuses a
 * stale one; SQLite, with one writer per data folder, has no use for it.
 */
export interface VcenterStore {
  list(): VcenterWithState[];
  get(id: number): VcenterInfo | undefined;
  findByName(name: string): VcenterInfo | undefined;
  findByNameInsensitive(name: string): VcenterInfo | undefined;
  resolve(nameOrId: string): VcenterInfo;
  caPem(id: number): string | null;
  add(input: NewVcenter): VcenterInfo | Promise<VcenterInfo>;
  update(id: number, input: VcenterPatch): VcenterInfo | Promise<VcenterInfo>;
  remove(id: number): boolean | Promise<boolean>;
  bulkWrite(
    adds: NewVcenter[],
    updates: { id: number; patch: VcenterPatch }[],
  ): BulkResult | Promise<BulkResult>;
  setAbout(id: number, about: About, term?: number): void | Promise<void>;
  setState(id: number, patch: SyncPatch, term?: number): void | Promise<void>;
  settleLiveStates(ids?: number[], term?: number): void | Promise<void>;
  settleInterrupted(now?: Date, term?: number): string[] | Promise<string[]>;
}

/** A vCenter by name or numeric id, as users type either. */
export function resolveVcenter(
  store: Pick<VcenterStore, 'findByName' | 'get'>,
  nameOrId: string,
): VcenterInfo {
  const v = store.findByName(nameOrId) ?? (/^\d+$/.test(nameOrId) ? store.get(Number(nameOrId)) : undefined);
  if (!v) throw new VminerError('NOT_FOUND', `no vCenter named "${nameOrId}" (see \`vminer vcenter list\`)`);
  return v;
}
