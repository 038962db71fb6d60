/**
 * The rules of vCenter sources, shared by both back ends (SourceRepo on SQLite, PgSourceRepo on
 * PostgreSQL): names unique regardless of case, how a row reads (its config validated, its next
 * refresh, its warnings). Only the persistence differs.
 */
import { VminerError } from '../../../shared/errors.js';
import {
  SourceConfigSchema,
  type SourceConfig,
  type SourceInfo,
  type SourceKind,
} from '../../../shared/sources.js';
import type { sources } from '../db/schema.js';
import { sourceWarnings } from './source-tls.js';

export type SourceRecord = typeof sources.$inferSelect;

export interface NewSource {
  name: string;
  kind: SourceKind;
  config: SourceConfig;
  refreshMinutes: number;
  enabled: boolean;
}

export type RefreshOutcome =
  { at: string; ok: true; rows: number } | { at: string; ok: false; code: string; message: string };

/** `counts`: the vCenters the source lists now and those it retired. */
export function sourceInfo(r: SourceRecord, counts: { listed: number; retired: number }): SourceInfo {
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
    vcenters: counts.listed,
    retired: counts.retired,
    nextRefreshAt: next,
    warnings: sourceWarnings(r.kind as SourceKind, config),
  };
}

/** Refuses a second source whose name differs only in case (`same`: the one holding it now). */
export function checkSourceName(same: { id: number; name: string } | undefined, except?: number): void {
  if (same && same.id !== except)
    throw new VminerError('INVALID_INPUT', `a source named "${same.name}" already exists`);
}

export function sourceNotFound(id: number): VminerError {
  return new VminerError('NOT_FOUND', `no source with id ${id}`);
}

/** A new source's columns. */
export function sourceRow(
  s: NewSource,
  createdAt: string,
): Omit<
  SourceRecord,
  'id' | 'lastRefreshAt' | 'lastSuccessAt' | 'lastErrorCode' | 'lastErrorMessage' | 'lastRowCount'
> {
  return { ...s, config: JSON.stringify(s.config), createdAt };
}

/** A patch's columns (the config as its JSON text). */
export function sourcePatchRow(patch: Partial<NewSource>): Partial<SourceRecord> {
  const { config, ...rest } = patch;
  return { ...rest, ...(config ? { config: JSON.stringify(config) } : {}) };
}

/** The columns a refresh's outcome sets. */
export function refreshRow(outcome: RefreshOutcome): Partial<SourceRecord> {
  return outcome.ok
    ? {
        lastRefreshAt: outcome.at,
        lastSuccessAt: outcome.at,
        lastRowCount: outcome.rows,
        lastErrorCode: null,
        lastErrorMessage: null,
      }
    : { lastRefreshAt: outcome.at, lastErrorCode: outcome.code, lastErrorMessage: outcome.message };
}

/** By name (case-insensitive) or numeric id. */
export function resolveSource(
  byName: (name: string) => SourceInfo | undefined,
  byId: (id: number) => SourceInfo | undefined,
  nameOrId: string | number,
): SourceInfo {
  const s =
    typeof nameOrId === 'number'
      ? byId(nameOrId)
      : (byName(nameOrId) ?? (/^\d+$/.test(nameOrId) ? byId(Number(nameOrId)) : undefined));
  if (!s) throw new VminerError('NOT_FOUND', `no source "${nameOrId}" (see \`vminer source list\`)`);
  return s;
}

/** Sources on either back end: synchronous reads, writes that may return a promise (PostgreSQL). */
export interface SourceStore {
  list(): SourceInfo[];
  get(id: number): SourceInfo | undefined;
  resolve(nameOrId: string | number): SourceInfo;
  add(s: NewSource): SourceInfo | Promise<SourceInfo>;
  update(id: number, patch: Partial<NewSource>): SourceInfo | Promise<SourceInfo>;
  recordRefresh(id: number, outcome: RefreshOutcome): void | Promise<void>;
  remove(id: number): boolean | Promise<boolean>;
}
