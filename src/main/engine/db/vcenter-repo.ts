import type Database from 'better-sqlite3';
import { eq, getTableColumns, sql } from 'drizzle-orm';
import { VminerError } from '../../../shared/errors.js';
import type { VcenterInfo, VcenterWithState } from '../../../shared/vcenter.js';
import type { Db } from './database.js';
import { serviceAccounts, sources, syncState, vcenters } from './schema.js';
import {
  bulkAddRow,
  checkedNew,
  checkedPatch,
  checkUnique,
  interruptedSettlement,
  liveSettlement,
  lookupsOf,
  NameRegistry,
  resolveVcenter,
  toInfo,
  toRow,
  withState,
  type About,
  type BulkResult,
  type Lookups,
  type NewVcenter,
  type SyncPatch,
  type VcenterPatch,
  type VcenterStore,
} from './vcenter-rules.js';

export type { NewVcenter, VcenterPatch } from './vcenter-rules.js';
export { interruptedDetail } from './vcenter-rules.js';

/** The vCenter registry and its sync state in the SQLite cache (the rules: vcenter-rules.ts). */
export class VcenterRepo implements VcenterStore {
  constructor(private readonly db: Db) {}

  private lookups(): Lookups {
    return lookupsOf(
      this.db.select().from(serviceAccounts).all(),
      this.db.select({ id: sources.id, name: sources.name, config: sources.config }).from(sources).all(),
    );
  }

  /**
   * Every way a vCenter is added or changed comes through here: the name and address are checked
   * (shared/vcenter-input.ts), and a second vCenter with the same name or address is refused.
   */
  private checkUnique(name: string | undefined, url: string | undefined, except?: number): void {
    checkUnique(
      name,
      name !== undefined ? this.findByNameInsensitive(name) : undefined,
      url,
      url !== undefined
        ? this.db
            .select({ id: vcenters.id, name: vcenters.name })
            .from(vcenters)
            .where(eq(vcenters.url, url))
            .get()
        : undefined,
      except,
    );
  }

  add(input: NewVcenter): VcenterInfo {
    const v = checkedNew(input);
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
    const patch = checkedPatch(input);
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
  bulkWrite(adds: NewVcenter[], updates: { id: number; patch: VcenterPatch }[]): BulkResult {
    const sqlite = this.db.$client;
    return this.transaction(() => {
      const registry = new NameRegistry(
        sqlite.prepare('SELECT id, name, url FROM vcenters').all() as {
          id: number;
          name: string;
          url: string;
        }[],
      );
      const insert = sqlite.prepare(
        `INSERT INTO vcenters (name, url, username, thumbprint, ca_pem, enabled, created_at, use_service_account,
           service_account_id, source_id, retired_at, cert_review_pending, site, tags)
         VALUES (@name, @url, @username, @thumbprint, @caPem, @enabled, @createdAt, @useServiceAccount,
           @serviceAccountId, @sourceId, @retiredAt, @certReviewPending, @site, @tags)`,
      );
      const state = sqlite.prepare("INSERT INTO sync_state (vcenter_id, status) VALUES (?, 'idle')");
      const createdAt = new Date().toISOString();
      const addedIds: number[] = [];
      for (const input of adds) {
        const row = bulkAddRow(input, createdAt);
        registry.claim(-1, row.name, row.url);
        const id = Number(
          insert.run({
            ...row,
            enabled: 1,
            useServiceAccount: row.useServiceAccount ? 1 : 0,
            certReviewPending: row.certReviewPending ? 1 : 0,
          }).lastInsertRowid,
        );
        registry.assigned(row.name, id);
        state.run(id);
        addedIds.push(id);
      }
      const current = sqlite.prepare('SELECT name, url FROM vcenters WHERE id = ?');
      const statements = new Map<string, Database.Statement>();
      const updatedIds: number[] = [];
      for (const { id, patch: input } of updates) {
        const patch = toRow(checkedPatch(input));
        const before = current.get(id) as { name: string; url: string } | undefined;
        if (!before) throw new VminerError('NOT_FOUND', `no vCenter with id ${id}`);
        registry.claim(id, patch.name, patch.url, before);
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
    return resolveVcenter(this, nameOrId);
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
    return rows.map((r) => withState(r.vcenters, r.sync_state ?? undefined, l));
  }

  setAbout(id: number, about: About): void {
    this.db.update(vcenters).set(about).where(eq(vcenters.id, id)).run();
  }

  /** Settles leftover live statuses (vcenter-rules.ts `liveSettlement`). */
  settleLiveStates(ids?: number[]): void {
    for (const r of this.db.select().from(syncState).all()) {
      const patch = liveSettlement(r, ids);
      if (patch) this.setState(r.vcenterId, patch);
    }
  }

  /**
   * Called when a writer opens the data folder. It holds the folder's lock, so no other process
   * is syncing: a vCenter still marked queued or syncing was left so by a process that ended
   * mid-sync (a crash, a kill, a power cut) and becomes `interrupted` (`interruptedSettlement`).
   */
  settleInterrupted(now = new Date()): string[] {
    const names: string[] = [];
    const rows = this.db
      .select({ state: syncState, name: vcenters.name })
      .from(syncState)
      .innerJoin(vcenters, eq(vcenters.id, syncState.vcenterId))
      .all();
    for (const { state: r, name } of rows) {
      const patch = interruptedSettlement(r, now);
      if (!patch) continue;
      names.push(name);
      this.setState(r.vcenterId, patch);
    }
    return names;
  }

  setState(id: number, patch: SyncPatch): void {
    this.db
      .insert(syncState)
      .values({ vcenterId: id, status: 'idle', ...patch })
      .onConflictDoUpdate({ target: syncState.vcenterId, set: patch })
      .run();
  }
}
