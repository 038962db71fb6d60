import type Database from 'better-sqlite3';
import { eq, getTableColumns, sql } from 'drizzle-orm';
import { VminerError, type ErrorCode } from '../../../shared/errors.js';
import type { EntityCounts } from '../../../shared/inventory.js';
import type { SyncStateInfo, VcenterInfo, VcenterStatus, VcenterWithState } from '../../../shared/vcenter.js';
import { checkVcenterName, normalizeVcenterUrl } from '../../../shared/vcenter-input.js';
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
    tags: { asOf: s?.tagsAsOf ?? null, error: s?.tagsError ?? null, stale: !!s?.tagsError },
  };
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
    `${what} never finished: the process running it ended (a crash or a kill). ` +
    (lastSuccessAt ? `The data as of ${lastSuccessAt} is kept; ` : 'Nothing was stored; ') +
    'the next sync reads it again.'
  );
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

  /**
   * Every way a vCenter is added or changed comes through here: the name and address are checked
   * (shared/vcenter-input.ts), and a second vCenter with the same name or address is refused.
   */
  private checkUnique(name: string | undefined, url: string | undefined, except?: number): void {
    if (name !== undefined) {
      const same = this.findByNameInsensitive(name);
      if (same && same.id !== except)
        throw new VminerError('INVALID_INPUT', `a vCenter named "${same.name}" is already registered`);
    }
    if (url !== undefined) {
      const owner = this.db
        .select({ id: vcenters.id, name: vcenters.name })
        .from(vcenters)
        .where(eq(vcenters.url, url))
        .get();
      if (owner && owner.id !== except)
        throw new VminerError('INVALID_INPUT', `${url} is already registered as "${owner.name}"`);
    }
  }

  add(input: NewVcenter): VcenterInfo {
    const v = { ...input, name: checkVcenterName(input.name), url: normalizeVcenterUrl(input.url) };
    this.checkUnique(v.name, v.url);
    const row = this.db
      .insert(vcenters)
      .values({ ...toRow(v), createdAt: new Date().toISOString() })
      .returning()
      .get();
    this.db.insert(syncState).values({ vcenterId: row.id, status: 'idle' }).run();
    return toInfo(row, this.lookups());
  }

  update(id: number, input: VcenterPatch): VcenterInfo {
    const patch = { ...input };
    if (patch.name !== undefined) patch.name = checkVcenterName(patch.name);
    if (patch.url !== undefined) patch.url = normalizeVcenterUrl(patch.url);
    this.checkUnique(patch.name, patch.url, id);
    const row = this.db.update(vcenters).set(toRow(patch)).where(eq(vcenters.id, id)).returning().get();
    if (!row) throw new VminerError('NOT_FOUND', `no vCenter with id ${id}`);
    return toInfo(row, this.lookups());
  }

  /**
   * Adds and updates many vCenters in one transaction with prepared statements (an import of
   * 100,000 rows): the same checks as `add` and `update` — name, address, no second vCenter with
   * the same name or address — against the registry read once. All land, or none.
   */
  bulkWrite(
    adds: NewVcenter[],
    updates: { id: number; patch: VcenterPatch }[],
  ): { addedIds: number[]; updatedIds: number[] } {
    const sqlite = this.db.$client;
    return this.transaction(() => {
      const byName = new Map<string, { id: number; name: string }>();
      const byUrl = new Map<string, { id: number; name: string }>();
      for (const r of sqlite.prepare('SELECT id, name, url FROM vcenters').all() as {
        id: number;
        name: string;
        url: string;
      }[]) {
        byName.set(r.name.toLowerCase(), r);
        byUrl.set(r.url, r);
      }
      const claim = (
        id: number,
        name: string | undefined,
        url: string | undefined,
        before?: { name: string; url: string },
      ): void => {
        if (name !== undefined) {
          const same = byName.get(name.toLowerCase());
          if (same && same.id !== id)
            throw new VminerError('INVALID_INPUT', `a vCenter named "${same.name}" is already registered`);
        }
        if (url !== undefined) {
          const owner = byUrl.get(url);
          if (owner && owner.id !== id)
            throw new VminerError('INVALID_INPUT', `${url} is already registered as "${owner.name}"`);
        }
        const entry = { id, name: name ?? before?.name ?? '' };
        if (name !== undefined) {
          if (before) byName.delete(before.name.toLowerCase());
          byName.set(name.toLowerCase(), entry);
        }
        if (url !== undefined) {
          if (before) byUrl.delete(before.url);
          byUrl.set(url, entry);
        }
      };
      const insert = sqlite.prepare(
        `INSERT INTO vcenters (name, url, username, thumbprint, ca_pem, enabled, created_at, use_service_account,
           service_account_id, source_id, retired_at, site, tags)
         VALUES (@name, @url, @username, @thumbprint, @caPem, 1, @createdAt, @useServiceAccount,
           @serviceAccountId, @sourceId, @retiredAt, @site, @tags)`,
      );
      const state = sqlite.prepare("INSERT INTO sync_state (vcenter_id, status) VALUES (?, 'idle')");
      const createdAt = new Date().toISOString();
      const addedIds: number[] = [];
      for (const input of adds) {
        const name = checkVcenterName(input.name);
        const url = normalizeVcenterUrl(input.url);
        claim(-1, name, url);
        const id = Number(
          insert.run({
            name,
            url,
            username: input.username,
            thumbprint: input.thumbprint,
            caPem: input.caPem,
            createdAt,
            useServiceAccount: input.useServiceAccount ? 1 : 0,
            serviceAccountId: input.serviceAccountId ?? null,
            sourceId: input.sourceId ?? null,
            retiredAt: input.retiredAt ?? null,
            site: input.site ?? null,
            tags: input.tags?.length ? JSON.stringify(input.tags) : null,
          }).lastInsertRowid,
        );
        byName.get(name.toLowerCase())!.id = id;
        state.run(id);
        addedIds.push(id);
      }
      const current = sqlite.prepare('SELECT name, url FROM vcenters WHERE id = ?');
      const statements = new Map<string, Database.Statement>();
      const updatedIds: number[] = [];
      for (const { id, patch: input } of updates) {
        const patch = toRow({
          ...input,
          ...(input.name !== undefined ? { name: checkVcenterName(input.name) } : {}),
          ...(input.url !== undefined ? { url: normalizeVcenterUrl(input.url) } : {}),
        });
        const before = current.get(id) as { name: string; url: string } | undefined;
        if (!before) throw new VminerError('NOT_FOUND', `no vCenter with id ${id}`);
        claim(id, patch.name, patch.url, before);
        const columns = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
        if (columns.length === 0) {
          updatedIds.push(id);
          continue;
        }
        const key = columns.join(',');
        let stmt = statements.get(key);
        if (!stmt) {
          const names = columns.map(
            (c) => `"${getTableColumns(vcenters)[c as keyof typeof vcenters.$inferSelect].name}" = @${c}`,
          );
          stmt = sqlite.prepare(`UPDATE vcenters SET ${names.join(', ')} WHERE id = @id`);
          statements.set(key, stmt);
        }
        const values: Record<string, unknown> = { id };
        for (const c of columns) {
          const v = (patch as Record<string, unknown>)[c];
          values[c] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
        }
        stmt.run(values);
        updatedIds.push(id);
      }
      return { addedIds, updatedIds };
    });
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

  /**
   * Called when a writer opens the data folder. It holds the folder's lock, so no other process
   * is syncing: a vCenter still marked queued or syncing was left so by a process that ended
   * mid-sync (a crash, a kill, a power cut). It becomes `interrupted`, with when that was noticed
   * and when the sync had started; its last good data and "as of" stay as they were.
   */
  settleInterrupted(now = new Date()): string[] {
    const names: string[] = [];
    const rows = this.db
      .select({ state: syncState, name: vcenters.name })
      .from(syncState)
      .innerJoin(vcenters, eq(vcenters.id, syncState.vcenterId))
      .all();
    for (const { state: r, name } of rows) {
      if (r.status !== 'syncing' && r.status !== 'queued') continue;
      names.push(name);
      this.setState(r.vcenterId, {
        status: 'interrupted',
        finishedAt: now.toISOString(),
        errorCode: null,
        errorMessage: interruptedDetail(r.status, r.startedAt, r.lastSuccessAt),
      });
    }
    return names;
  }

  setState(id: number, patch: Partial<Omit<SyncRecord, 'vcenterId'>>): void {
    this.db
      .insert(syncState)
      .values({ vcenterId: id, status: 'idle', ...patch })
      .onConflictDoUpdate({ target: syncState.vcenterId, set: patch })
      .run();
  }
}
