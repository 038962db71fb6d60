import { eq, sql } from 'drizzle-orm';
import { VminerError } from '../../../shared/errors.js';
import {
  SourceConfigSchema,
  type SourceConfig,
  type SourceInfo,
  type SourceKind,
} from '../../../shared/sources.js';
import type { Db } from '../db/database.js';
import { sources, vcenters } from '../db/schema.js';
import { sourceWarnings } from './source-tls.js';

/** Vault item of a source's database password. */
export const sourceVaultId = (sourceId: number): string => `source:${sourceId}`;

type SourceRecord = typeof sources.$inferSelect;

export interface NewSource {
  name: string;
  kind: SourceKind;
  config: SourceConfig;
  refreshMinutes: number;
  enabled: boolean;
}

export class SourceRepo {
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

  /** By name (case-insensitive) or numeric id. */
  resolve(nameOrId: string | number): SourceInfo {
    const r =
      typeof nameOrId === 'number'
        ? this.db.select().from(sources).where(eq(sources.id, nameOrId)).get()
        : (this.db
            .select()
            .from(sources)
            .where(sql`${sources.name} = ${nameOrId} COLLATE NOCASE`)
            .get() ??
          (/^\d+$/.test(nameOrId)
            ? this.db
                .select()
                .from(sources)
                .where(eq(sources.id, Number(nameOrId)))
                .get()
            : undefined));
    if (!r) throw new VminerError('NOT_FOUND', `no source "${nameOrId}" (see \`vminer source list\`)`);
    return this.toInfo(r);
  }

  add(s: NewSource): SourceInfo {
    const same = this.db
      .select()
      .from(sources)
      .where(sql`${sources.name} = ${s.name} COLLATE NOCASE`)
      .get();
    if (same) throw new VminerError('INVALID_INPUT', `a source named "${same.name}" already exists`);
    const row = this.db
      .insert(sources)
      .values({ ...s, config: JSON.stringify(s.config), createdAt: new Date().toISOString() })
      .returning()
      .get();
    return this.toInfo(row);
  }

  update(id: number, patch: Partial<NewSource>): SourceInfo {
    const { config, ...rest } = patch;
    const row = this.db
      .update(sources)
      .set({ ...rest, ...(config ? { config: JSON.stringify(config) } : {}) })
      .where(eq(sources.id, id))
      .returning()
      .get();
    if (!row) throw new VminerError('NOT_FOUND', `no source with id ${id}`);
    return this.toInfo(row);
  }

  recordRefresh(
    id: number,
    outcome:
      { at: string; ok: true; rows: number } | { at: string; ok: false; code: string; message: string },
  ): void {
    this.db
      .update(sources)
      .set(
        outcome.ok
          ? {
              lastRefreshAt: outcome.at,
              lastSuccessAt: outcome.at,
              lastRowCount: outcome.rows,
              lastErrorCode: null,
              lastErrorMessage: null,
            }
          : { lastRefreshAt: outcome.at, lastErrorCode: outcome.code, lastErrorMessage: outcome.message },
      )
      .where(eq(sources.id, id))
      .run();
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
    const config = SourceConfigSchema.parse(JSON.parse(r.config));
    const next =
      r.enabled && r.lastRefreshAt
        ? new Date(Date.parse(r.lastRefreshAt) + r.refreshMinutes * 60_000).toISOString()
        : null;
    return {
      id: r.id,
      name: r.name,
      kind: r.kind as SourceKind,
      config,
      refreshMinutes: r.refreshMinutes,
      enabled: r.enabled,
      createdAt: r.createdAt,
      lastRefreshAt: r.lastRefreshAt,
      lastSuccessAt: r.lastSuccessAt,
      lastError: r.lastErrorCode ? { code: r.lastErrorCode, message: r.lastErrorMessage ?? '' } : null,
      lastRowCount: r.lastRowCount,
      vcenters: counts?.listed ?? 0,
      retired: counts?.retired ?? 0,
      nextRefreshAt: next,
      warnings: sourceWarnings(r.kind as SourceKind, config),
    };
  }
}
