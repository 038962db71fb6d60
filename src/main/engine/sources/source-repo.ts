import { eq, sql } from 'drizzle-orm';
import type { SourceInfo } from '../../../shared/sources.js';
import type { Db } from '../db/database.js';
import { sources, vcenters } from '../db/schema.js';
import {
  checkSourceName,
  refreshRow,
  resolveSource,
  sourceInfo,
  sourceNotFound,
  sourcePatchRow,
  sourceRow,
  type NewSource,
  type RefreshOutcome,
  type SourceRecord,
  type SourceStore,
} from './source-rules.js';

export type { NewSource } from './source-rules.js';

/** Vault item of a source's database password. */
export const sourceVaultId = (sourceId: number): string => `source:${sourceId}`;

/** Where vCenter lists come from, in the SQLite cache (the rules: source-rules.ts). */
export class SourceRepo implements SourceStore {
  constructor(private readonly db: Db) {}

  list(): SourceInfo[] {
    return this.db
      .select()
      .from(sources)
      .orderBy(sources.name)
      .all()
      .map((r) => this.toInfo(r));
  }

  get(id: number): SourceInfo | undefined {
    const r = this.db.select().from(sources).where(eq(sources.id, id)).get();
    return r ? this.toInfo(r) : undefined;
  }

  private byName(name: string): SourceRecord | undefined {
    return this.db
      .select()
      .from(sources)
      .where(sql`${sources.name} = ${name} COLLATE NOCASE`)
      .get();
  }

  /** By name (case-insensitive) or numeric id. */
  resolve(nameOrId: string | number): SourceInfo {
    return resolveSource(
      (name) => {
        const r = this.byName(name);
        return r ? this.toInfo(r) : undefined;
      },
      (id) => this.get(id),
      nameOrId,
    );
  }

  add(s: NewSource): SourceInfo {
    checkSourceName(this.byName(s.name));
    const row = this.db.insert(sources).values(sourceRow(s, new Date().toISOString())).returning().get();
    return this.toInfo(row);
  }

  update(id: number, patch: Partial<NewSource>): SourceInfo {
    if (patch.name !== undefined) checkSourceName(this.byName(patch.name), id);
    const row = this.db
      .update(sources)
      .set(sourcePatchRow(patch))
      .where(eq(sources.id, id))
      .returning()
      .get();
    if (!row) throw sourceNotFound(id);
    return this.toInfo(row);
  }

  recordRefresh(id: number, outcome: RefreshOutcome): void {
    this.db.update(sources).set(refreshRow(outcome)).where(eq(sources.id, id)).run();
  }

  remove(id: number): boolean {
    return this.db.delete(sources).where(eq(sources.id, id)).run().changes > 0;
  }

  private toInfo(r: SourceRecord): SourceInfo {
    const counts = this.db
      .select({
        listed: sql<number>`sum(${vcenters.retiredAt} IS NULL)`,
        retired: sql<number>`sum(${vcenters.retiredAt} IS NOT NULL)`,
      })
      .from(vcenters)
      .where(eq(vcenters.sourceId, r.id))
      .get();
    return sourceInfo(r, { listed: counts?.listed ?? 0, retired: counts?.retired ?? 0 });
  }
}
