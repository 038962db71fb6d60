import { eq, sql } from 'drizzle-orm';
import { VminerError, type ErrorCode } from '../../../shared/errors.js';
import type { EntityCounts } from '../../../shared/inventory.js';
import type { SyncStateInfo, VcenterInfo, VcenterStatus, VcenterWithState } from '../../../shared/vcenter.js';
import type { Db } from './database.js';
import { serviceAccounts, sources, syncState, vcenters } from './schema.js';

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

type VcenterPatch = Partial<Omit<NewVcenter, 'tags'> & { enabled: boolean; tags: string[] }>;

/** What `toInfo` needs besides the row: the service accounts and sources, by id. */
interface Lookups {
  accounts: Map<number, { name: string; username: string; isDefault: boolean }>;
  defaultAccount: { id: number; name: string; username: string } | undefined;
  sources: Map<number, { name: string; trustCaValid: boolean }>;
}

type VcenterRecord = typeof vcenters.$inferSelect;
type SyncRecord = typeof syncState.$inferSelect;

function toInfo(r: VcenterRecord, l: Lookups): VcenterInfo {
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

/** The source's "trust its CA-valid certificates" flag, read from its JSON config. */
function trustsCaValid(config: string): boolean {
  return parseJson<{ trustCaValid?: unknown }>(config)?.trustCaValid === true;
}

function toRow<T extends VcenterPatch>(v: T): Omit<T, 'tags'> & { tags?: string | null } {
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

function toState(s: SyncRecord | undefined, enabled: boolean, retired: boolean): SyncStateInfo {
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
  };
}

export class VcenterRepo {
  constructor(private readonly db: Db) {}

  private lookups(): Lookups {
    const accounts = new Map<number, { name: string; username: string; isDefault: boolean }>();
    let defaultAccount: Lookups['defaultAccount'];
    for (const a of this.db.select().from(serviceAccounts).all()) {
      accounts.set(a.id, a);
      if (a.isDefault) defaultAccount = a;
    }
    const names = new Map<number, { name: string; trustCaValid: boolean }>();
    for (const s of this.db
      .select({ id: sources.id, name: sources.name, config: sources.config })
      .from(sources)
      .all())
      names.set(s.id, { name: s.name, trustCaValid: trustsCaValid(s.config) });
    return { accounts, defaultAccount, sources: names };
  }

  add(v: NewVcenter): VcenterInfo {
    const same = this.findByNameInsensitive(v.name);
    if (same) {
      throw new VminerError('INVALID_INPUT', `a vCenter named "${same.name}" is already registered`);
    }
    const row = this.db
      .insert(vcenters)
      .values({ ...toRow(v), createdAt: new Date().toISOString() })
      .returning()
      .get();
    this.db.insert(syncState).values({ vcenterId: row.id, status: 'idle' }).run();
    return toInfo(row, this.lookups());
  }

  update(id: number, patch: VcenterPatch): VcenterInfo {
    const row = this.db.update(vcenters).set(toRow(patch)).where(eq(vcenters.id, id)).returning().get();
    if (!row) throw new VminerError('NOT_FOUND', `no vCenter with id ${id}`);
    return toInfo(row, this.lookups());
  }

  /** Runs `fn` in one SQLite transaction: an import or a source refresh lands whole or not at all. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(() => fn());
  }

  findByNameInsensitive(name: string): VcenterInfo | undefined {
    const r = this.db
      .select()
      .from(vcenters)
      .where(sql`${vcenters.name} = ${name} COLLATE NOCASE`)
      .get();
    return r ? toInfo(r, this.lookups()) : undefined;
  }

  remove(id: number): boolean {
    // The search index is a virtual table: no foreign key cascades into it.
    this.db.run(
      sql`DELETE FROM search_index WHERE rowid BETWEEN ${id * 2 ** 32} AND ${id * 2 ** 32 + 2 ** 32 - 1}`,
    );
    return this.db.delete(vcenters).where(eq(vcenters.id, id)).run().changes > 0;
  }

  findByName(name: string): VcenterInfo | undefined {
    const r = this.db.select().from(vcenters).where(eq(vcenters.name, name)).get();
    return r ? toInfo(r, this.lookups()) : undefined;
  }

  get(id: number): VcenterInfo | undefined {
    const r = this.db.select().from(vcenters).where(eq(vcenters.id, id)).get();
    return r ? toInfo(r, this.lookups()) : undefined;
  }

  /** Accepts a name or a numeric id, as users type either. */
  resolve(nameOrId: string): VcenterInfo {
    const v = this.findByName(nameOrId) ?? (/^\d+$/.test(nameOrId) ? this.get(Number(nameOrId)) : undefined);
    if (!v)
      throw new VminerError('NOT_FOUND', `no vCenter named "${nameOrId}" (see \`vminer vcenter list\`)`);
    return v;
  }

  caPem(id: number): string | null {
    return (
      this.db.select({ caPem: vcenters.caPem }).from(vcenters).where(eq(vcenters.id, id)).get()?.caPem ?? null
    );
  }

  list(): VcenterWithState[] {
    const rows = this.db
      .select()
      .from(vcenters)
      .leftJoin(syncState, eq(syncState.vcenterId, vcenters.id))
      .orderBy(vcenters.name)
      .all();
    const l = this.lookups();
    return rows.map((r) => ({
      ...toInfo(r.vcenters, l),
      sync: toState(r.sync_state ?? undefined, r.vcenters.enabled, r.vcenters.retiredAt !== null),
    }));
  }

  setAbout(
    id: number,
    about: { productName: string; version: string; build: string; apiVersion: string; instanceUuid: string },
  ): void {
    this.db.update(vcenters).set(about).where(eq(vcenters.id, id)).run();
  }

  /**
   * Live statuses describe a running engine: when an engine starts (or a live session ends), a
   * leftover one becomes "ok" (data as of its last success) or "failed" (with its error).
   */
  settleLiveStates(ids?: number[]): void {
    const live = ['live', 'catching_up', 'reconnecting'];
    for (const r of this.db.select().from(syncState).all()) {
      if (!live.includes(r.status) || (ids && !ids.includes(r.vcenterId))) continue;
      const failed = r.status === 'reconnecting' || !r.lastSuccessAt;
      this.setState(r.vcenterId, {
        status: failed && r.errorCode ? 'failed' : r.lastSuccessAt ? 'ok' : 'idle',
        ...(failed && r.errorCode ? {} : { errorCode: null, errorMessage: null }),
      });
    }
  }

  setState(id: number, patch: Partial<Omit<SyncRecord, 'vcenterId'>>): void {
    this.db
      .insert(syncState)
      .values({ vcenterId: id, status: 'idle', ...patch })
      .onConflictDoUpdate({ target: syncState.vcenterId, set: patch })
      .run();
  }
}
