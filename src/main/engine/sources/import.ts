import { VminerError } from '../../../shared/errors.js';
import type { ImportItem, ImportPreview, ImportResult } from '../../../shared/sources.js';
import type { VcenterWithState } from '../../../shared/vcenter.js';
import type { NewVcenter, VcenterPatch, VcenterStore } from '../db/vcenter-rules.js';
import { toCandidate, type RawEntry } from './candidates.js';
import { loginFor, type LoginChoice } from './logins.js';
import type { AccountStore } from './account-rules.js';
import type { FileTable } from './table-file.js';

type Field = 'name' | 'host' | 'port' | 'username' | 'site' | 'tags';

/** Header spellings seen in real lists, compared without case, spaces or punctuation. */
const ALIASES: Record<string, Field> = {
  name: 'name',
  vcenter: 'name',
  vcentername: 'name',
  displayname: 'name',
  host: 'host',
  hostname: 'host',
  fqdn: 'host',
  address: 'host',
  server: 'host',
  url: 'host',
  vcenterurl: 'host',
  port: 'port',
  username: 'username',
  user: 'username',
  account: 'username',
  login: 'username',
  site: 'site',
  location: 'site',
  tags: 'tags',
  tag: 'tags',
};

type Op = { kind: 'add'; value: NewVcenter } | { kind: 'update'; id: number; patch: VcenterPatch };

export interface ImportPlan extends ImportPreview {
  ops: Op[];
}

const sameLogin = (v: VcenterWithState, l: LoginChoice): boolean =>
  l.useServiceAccount
    ? v.credential.kind === 'service' && v.credential.accountId === l.serviceAccountId
    : v.credential.kind === 'own' && v.username === l.username;

/** Compares a file with the registry: what would be added, updated or skipped, and why. Writes nothing. */
export function planImport(
  table: FileTable,
  repo: Pick<VcenterStore, 'list'>,
  accounts: Pick<AccountStore, 'getDefault' | 'findByNameOrUser'>,
): ImportPlan {
  const index = new Map<Field, number>();
  const columns = table.header.cells.map((header, i) => {
    const f = ALIASES[header.toLowerCase().replace(/[^a-z0-9]/g, '')] ?? null;
    if (f && !index.has(f)) {
      index.set(f, i);
      return { header, field: f as string };
    }
    return { header, field: null };
  });
  if (!index.has('host')) {
    throw new VminerError(
      'INVALID_INPUT',
      `the file has no host column (its columns: ${table.header.cells.map((c) => `"${c}"`).join(', ') || 'none'}); expected name, host, port and optionally username, site, tags`,
    );
  }
  const existing = repo.list();
  const byName = new Map(existing.map((v) => [v.name.toLowerCase(), v]));
  const byUrl = new Map(existing.map((v) => [v.url, v]));
  const seenNames = new Map<string, number>();
  const seenUrls = new Map<string, { line: number; name: string }>();
  const items: ImportItem[] = [];
  const ops: Op[] = [];
  // The same few user names come back on every line: resolve each once.
  const logins = new Map<string, LoginChoice>();
  const loginOf = (username: string | null): LoginChoice => {
    let l = logins.get(username ?? '');
    if (!l) logins.set(username ?? '', (l = loginFor(username, accounts)));
    return l;
  };
  const cell = (cells: string[], f: Field): string => {
    const i = index.get(f);
    return i === undefined ? '' : (cells[i] ?? '');
  };

  for (const row of table.rows) {
    const raw: RawEntry = {
      name: cell(row.cells, 'name'),
      host: cell(row.cells, 'host'),
      port: cell(row.cells, 'port'),
      username: cell(row.cells, 'username'),
      site: cell(row.cells, 'site'),
      tags: cell(row.cells, 'tags'),
      enabled: '',
    };
    const base = { line: row.line, name: raw.name || raw.host, url: null, login: null, site: null, tags: [] };
    const skip = (reason: string, url: string | null = null): void => {
      items.push({ ...base, url, action: 'skip', reason });
    };
    const c = toCandidate(raw);
    if (!c.ok) {
      skip(c.problem);
      continue;
    }
    const v = c.value;
    const key = v.name.toLowerCase();
    const dupName = seenNames.get(key);
    if (dupName !== undefined) {
      skip(`duplicate of line ${dupName}`, v.url);
      continue;
    }
    const dupUrl = seenUrls.get(v.url);
    if (dupUrl) {
      skip(`same address as line ${dupUrl.line} (${dupUrl.name})`, v.url);
      continue;
    }
    seenNames.set(key, row.line);
    seenUrls.set(v.url, { line: row.line, name: v.name });
    const login = loginOf(v.username);
    const current = byName.get(key);
    const owner = byUrl.get(v.url);
    const item = { ...base, name: v.name, url: v.url, site: v.site, tags: v.tags ?? [] };
    if (!current) {
      if (owner) {
        skip(`already registered as ${owner.name}`, v.url);
        continue;
      }
      items.push({ ...item, action: 'add', reason: null, login: login.label });
      ops.push({
        kind: 'add',
        value: {
          name: v.name,
          url: v.url,
          username: login.username,
          useServiceAccount: login.useServiceAccount,
          serviceAccountId: login.serviceAccountId,
          thumbprint: null,
          caPem: null,
          site: v.site,
          tags: v.tags ?? [],
        },
      });
      continue;
    }
    if (current.source) {
      skip(`listed by the source ${current.source.name}: change it there`, v.url);
      continue;
    }
    if (owner && owner.id !== current.id) {
      skip(`its address belongs to ${owner.name}`, v.url);
      continue;
    }
    // Empty cells leave a field as it is: a partial list never wipes what is known.
    const patch: VcenterPatch = {};
    const changes: string[] = [];
    if (v.url !== current.url) {
      patch.url = v.url;
      changes.push(`address ${current.url} → ${v.url}`);
    }
    if (v.site !== null && v.site !== current.site) {
      patch.site = v.site;
      changes.push(`site ${current.site ?? '(none)'} → ${v.site}`);
    }
    if (v.tags !== null && v.tags.join(',') !== current.tags.join(',')) {
      patch.tags = v.tags;
      changes.push(`tags ${current.tags.join(', ') || '(none)'} → ${v.tags.join(', ')}`);
    }
    if (v.username !== null && !sameLogin(current, login)) {
      Object.assign(patch, {
        useServiceAccount: login.useServiceAccount,
        serviceAccountId: login.serviceAccountId,
        username: login.username || current.username,
      });
      changes.push(`login → ${login.label}`);
    }
    if (changes.length === 0) {
      items.push({ ...item, action: 'skip', reason: 'already registered, nothing changes', login: null });
      continue;
    }
    items.push({ ...item, action: 'update', reason: changes.join('; '), login: login.label });
    ops.push({ kind: 'update', id: current.id, patch });
  }
  const counts = { add: 0, update: 0, skip: 0 };
  for (const i of items) counts[i.action]++;
  return { format: table.format, delimiter: table.delimiter, columns, items, counts, ops };
}

export function previewOf(plan: ImportPlan): ImportPreview {
  const { ops: _ops, ...preview } = plan;
  return preview;
}

/**
 * Applies a plan in one transaction (one `bulkWrite`, its rules checked again under the lock, on
 * either back end): every add and update lands, or none does.
 */
export async function applyImport(
  plan: ImportPlan,
  repo: Pick<VcenterStore, 'bulkWrite'>,
): Promise<ImportResult> {
  const adds: NewVcenter[] = [];
  const updates: { id: number; patch: VcenterPatch }[] = [];
  for (const op of plan.ops) {
    if (op.kind === 'add') adds.push(op.value);
    else updates.push({ id: op.id, patch: op.patch });
  }
  const { addedIds, updatedIds } = await repo.bulkWrite(adds, updates);
  return { ...previewOf(plan), addedIds, updatedIds };
}
