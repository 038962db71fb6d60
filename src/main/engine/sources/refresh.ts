import { VminerError, toErrorInfo } from '../../../shared/errors.js';
import type {
  SourceInfo,
  SourceMapping,
  SourceRefreshResult,
  SourceTestResult,
} from '../../../shared/sources.js';
import type { NewVcenter, VcenterPatch, VcenterStore } from '../db/vcenter-rules.js';
import { createLogger } from '../log.js';
import { toCandidate, type Candidate } from './candidates.js';
import { loginFor } from './logins.js';
import type { AccountStore } from './account-rules.js';
import type { SourceStore } from './source-rules.js';
import type { readSqlSource, SqlCell, SqlRows } from './sql-read.js';

const log = createLogger('sources');

export interface RefreshDeps {
  /** The vCenter registry on either back end: the refresh's writes are one `bulkWrite`. */
  repo: VcenterStore;
  sources: Pick<SourceStore, 'recordRefresh'>;
  accounts: Pick<AccountStore, 'getDefault' | 'findByNameOrUser'>;
  /** The source's database password from the vault. */
  password: (sourceId: number) => string | undefined;
  /** Reads the source (the real SQL drivers unless a test says otherwise). */
  read?: typeof readSqlSource;
  now?: () => Date;
}

interface MappedRow {
  candidate: Candidate | null;
  name: string;
  problem: string | null;
}

const text = (v: SqlCell | undefined): string => (v === null || v === undefined ? '' : String(v));

/** Applies the column mapping (case-insensitive column names); a mapped column the result lacks is an error. */
export function mapRows(
  source: Pick<SourceInfo, 'name'>,
  data: SqlRows,
  mapping: SourceMapping,
): MappedRow[] {
  const byLower = new Map(data.columns.map((c) => [c.toLowerCase(), c]));
  const col = (field: keyof SourceMapping): string | null => {
    const want = mapping[field];
    if (want === null) return null;
    const found = byLower.get(want.toLowerCase());
    if (!found)
      throw new VminerError(
        'QUERY_FAILED',
        `${source.name}: the query returned no column "${want}" for ${field} (its columns: ${data.columns.join(', ') || 'none'}); change the query or the column mapping`,
      );
    return found;
  };
  const cols = {
    name: col('name'),
    host: col('host'),
    port: col('port'),
    username: col('username'),
    site: col('site'),
    tags: col('tags'),
    enabled: col('enabled'),
  };
  const get = (r: Record<string, SqlCell>, c: string | null): string => (c ? text(r[c]) : '');
  return data.rows.map((r) => {
    const c = toCandidate({
      name: get(r, cols.name),
      host: get(r, cols.host),
      port: get(r, cols.port),
      username: get(r, cols.username),
      site: get(r, cols.site),
      tags: get(r, cols.tags),
      enabled: get(r, cols.enabled),
    });
    const name = get(r, cols.name) || get(r, cols.host);
    return c.ok
      ? { candidate: c.value, name: c.value.name, problem: null }
      : { candidate: null, name, problem: c.problem };
  });
}

/** The real drivers (mssql, pg), loaded when a source is first read: other commands never pay for them. */
const readWithDrivers: typeof readSqlSource = async (...args) =>
  (await import('./sql-read.js')).readSqlSource(...args);

function deps(d: RefreshDeps, source: SourceInfo): { password: string; read: typeof readSqlSource } {
  const password = d.password(source.id);
  if (password === undefined)
    throw new VminerError(
      'LOGIN_FAILED',
      `${source.name}: no database password is stored (\`vminer source set-password ${source.name}\`)`,
    );
  return { password, read: d.read ?? readWithDrivers };
}

/** "Test": runs the query and shows the first rows, raw and through the mapping. Changes nothing. */
export async function testSource(
  d: RefreshDeps,
  source: SourceInfo,
  maxRows = 10,
): Promise<SourceTestResult> {
  const { password, read } = deps(d, source);
  const data = await read(source.kind, source.name, source.config, password);
  const mapped = mapRows(source, data, source.config.mapping);
  return {
    columns: data.columns,
    rows: data.rows.slice(0, maxRows),
    mapped: mapped
      .slice(0, maxRows)
      .map((m) => ({ name: m.name, url: m.candidate?.url ?? null, problem: m.problem })),
    totalRows: data.rows.length,
    overCap: data.truncated,
  };
}

/**
 * Reads a source and brings its vCenters in line in one transaction (one `bulkWrite`, planned from
 * the registry's list and checked again under its lock): new ones added, changed ones
 * updated, those gone from the table retired (cached data kept), returning ones restored. Any
 * error — connection, login, query, columns, an empty answer where vCenters were listed — leaves
 * the last good list untouched and is recorded on the source.
 */
export async function refreshSource(d: RefreshDeps, source: SourceInfo): Promise<SourceRefreshResult> {
  const at = (d.now?.() ?? new Date()).toISOString();
  const result: SourceRefreshResult = {
    sourceId: source.id,
    ok: false,
    error: null,
    rows: 0,
    added: [],
    updated: [],
    retired: [],
    restored: [],
    skipped: [],
    addedIds: [],
  };
  try {
    const { password, read } = deps(d, source);
    const data = await read(source.kind, source.name, source.config, password);
    if (data.truncated)
      throw new VminerError(
        'QUERY_FAILED',
        `${source.name}: the query returned more than ${source.config.maxRows.toLocaleString('en-US')} rows (the source's row cap; vMiner read no further); narrow the query, or raise the cap if the list really is that long — the last good list is kept`,
      );
    const mapped = mapRows(source, data, source.config.mapping);
    result.rows = data.rows.length;
    const mine = d.repo.list().filter((v) => v.source?.id === source.id);
    if (data.rows.length === 0 && mine.some((v) => v.retiredAt === null))
      throw new VminerError(
        'QUERY_FAILED',
        `${source.name}: the query returned no rows; the last good list (${mine.length} vCenters) is kept — an empty table is more often a fault than the truth`,
      );
    await applyRefresh(d, source, mapped, result, at);
    await d.sources.recordRefresh(source.id, { at, ok: true, rows: data.rows.length });
    result.ok = true;
    log.info('source refreshed', {
      source: source.name,
      rows: result.rows,
      added: result.added.length,
      retired: result.retired.length,
    });
  } catch (err) {
    const info = toErrorInfo(err);
    result.error = info;
    await d.sources.recordRefresh(source.id, { at, ok: false, code: info.code, message: info.message });
    log.warn('source refresh failed; last good list kept', { source: source.name, error: info.message });
  }
  return result;
}

async function applyRefresh(
  d: RefreshDeps,
  source: SourceInfo,
  mapped: MappedRow[],
  result: SourceRefreshResult,
  at: string,
): Promise<void> {
  const { repo, accounts } = d;
  const adds: NewVcenter[] = [];
  const updates: { id: number; patch: VcenterPatch }[] = [];
  {
    const all = repo.list();
    const byName = new Map(all.map((v) => [v.name.toLowerCase(), v]));
    const byUrl = new Map(all.map((v) => [v.url, v]));
    const listed = new Set<number>();
    const seen = new Set<string>();
    for (const m of mapped) {
      if (!m.candidate) {
        result.skipped.push({ name: m.name, reason: m.problem ?? 'unusable row' });
        continue;
      }
      const c = m.candidate;
      if (!c.enabled) continue; // not listed: retired below if it was
      const key = c.name.toLowerCase();
      if (seen.has(key)) {
        result.skipped.push({ name: c.name, reason: 'listed twice' });
        continue;
      }
      seen.add(key);
      const current = byName.get(key);
      const owner = byUrl.get(c.url);
      if (current && current.source?.id !== source.id) {
        result.skipped.push({
          name: c.name,
          reason: `already registered ${current.source ? `by the source ${current.source.name}` : 'in the local list'}`,
        });
        continue;
      }
      if (owner && owner.id !== current?.id) {
        result.skipped.push({ name: c.name, reason: `its address belongs to ${owner.name}` });
        continue;
      }
      if (!current) {
        const login = loginFor(c.username, accounts);
        adds.push({
          name: c.name,
          url: c.url,
          username: login.username,
          useServiceAccount: login.useServiceAccount,
          serviceAccountId: login.serviceAccountId,
          thumbprint: null,
          caPem: null,
          // No password goes to it until its certificate is reviewed (or the source vouches for CAs).
          certReviewPending: true,
          sourceId: source.id,
          site: c.site,
          tags: c.tags ?? [],
        });
        result.added.push(c.name);
        continue;
      }
      listed.add(current.id);
      const patch: VcenterPatch = {};
      if (c.url !== current.url) {
        // A new address is a new server: the pin (or review) of the old one says nothing about it.
        patch.url = c.url;
        patch.thumbprint = null;
        patch.certReviewPending = true;
      }
      if (c.site !== current.site) patch.site = c.site;
      if ((c.tags ?? []).join(',') !== current.tags.join(',')) patch.tags = c.tags ?? [];
      if (source.config.mapping.username !== null) {
        const login = loginFor(c.username, accounts);
        const same = login.useServiceAccount
          ? current.credential.kind === 'service' && current.credential.accountId === login.serviceAccountId
          : current.credential.kind === 'own' && current.username === login.username;
        if (!same)
          Object.assign(patch, {
            useServiceAccount: login.useServiceAccount,
            serviceAccountId: login.serviceAccountId,
            username: login.username,
          });
      }
      if (current.retiredAt !== null) {
        patch.retiredAt = null;
        result.restored.push(current.name);
      } else if (Object.keys(patch).length > 0) result.updated.push(current.name);
      if (Object.keys(patch).length > 0) updates.push({ id: current.id, patch });
    }
    for (const v of all) {
      if (v.source?.id === source.id && v.retiredAt === null && !listed.has(v.id)) {
        updates.push({ id: v.id, patch: { retiredAt: at } });
        result.retired.push(v.name);
      }
    }
  }
  if (adds.length === 0 && updates.length === 0) return;
  const written = await repo.bulkWrite(adds, updates);
  result.addedIds.push(...written.addedIds);
}
