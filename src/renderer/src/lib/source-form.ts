import { readOnlyQueryProblem } from '../../../shared/read-only-query.js';
import type { RequestArgs } from '../../../shared/contract.js';
import type { SourceInfo, SourceKind, SourceMapping, SourceTestResult } from '../../../shared/sources.js';

/*
 * The SQL source form: its values as the inputs hold them (text), checks with a message per field,
 * and the exact `sources.add` / `sources.update` requests. The limits mirror the zod schemas in
 * shared/sources.ts; the renderer does not bundle zod, so source-form.test.ts runs every request
 * built here through those schemas to keep the two in step.
 */

export const DEFAULT_PORT: Record<SourceKind, number> = { mssql: 1433, postgres: 5432 };
export const KIND_LABEL: Record<SourceKind, string> = { mssql: 'SQL Server', postgres: 'PostgreSQL' };

/** The same text as DEFAULT_SOURCE_QUERY (the engine's default when a request has no query). */
export const DEFAULT_QUERY = 'SELECT name, host, port FROM vcenters WHERE enabled = 1';

/** The engine's default and largest row cap (DEFAULT_SOURCE_ROWS / MAX_SOURCE_ROWS). */
export const DEFAULT_MAX_ROWS = 10_000;
export const MAX_ROWS = 1_000_000;

/** How the database server's certificate is checked. */
export type CertCheck = 'system' | 'ca' | 'thumbprint' | 'none';
export const CERT_CHECK_LABEL: Record<CertCheck, string> = {
  system: 'Against the system’s CAs',
  ca: 'Against a private CA (PEM)',
  thumbprint: 'Pinned by its SHA-256 thumbprint',
  none: 'Not at all (trust server certificate)',
};

export type MappingKey = keyof SourceMapping;

/** The mapping fields in form order; the first two must name a column. */
export const MAPPING_FIELDS: readonly { key: MappingKey; label: string; hint: string }[] = [
  { key: 'name', label: 'Name', hint: 'the vCenter’s name in vMiner' },
  { key: 'host', label: 'Host', hint: 'host name, host:port or https:// URL' },
  { key: 'port', label: 'Port', hint: 'optional; 443 when blank' },
  { key: 'username', label: 'User', hint: 'optional; the vCenter’s own login' },
  { key: 'site', label: 'Site', hint: 'optional' },
  { key: 'tags', label: 'Tags', hint: 'optional; separated by , ; or |' },
  { key: 'enabled', label: 'Enabled', hint: 'optional; false/0/no: not listed' },
];
const REQUIRED_MAPPING: readonly MappingKey[] = ['name', 'host'];

/** The engine's mapping defaults (SourceMappingSchema), as form text: blank is "no column". */
const DEFAULT_MAPPING: Record<MappingKey, string> = {
  name: 'name',
  host: 'host',
  port: 'port',
  username: '',
  site: '',
  tags: '',
  enabled: '',
};

export interface SourceForm {
  name: string;
  kind: SourceKind;
  server: string;
  /** Blank: the kind's default port. */
  port: string;
  database: string;
  /** SQL Server only: a SQL login or a Windows account (NTLM). PostgreSQL always uses 'sql' (a password). */
  auth: 'sql' | 'ntlm';
  user: string;
  /** Write-only: never filled from a saved source. On edit, blank keeps the stored one. */
  password: string;
  encrypt: boolean;
  /** 'none' is SQL Server's `trustServerCertificate`. */
  certCheck: CertCheck;
  /** With certCheck 'ca': the CA certificate, PEM. */
  caPem: string;
  /** With certCheck 'thumbprint': the server certificate's SHA-256 thumbprint. */
  thumbprint: string;
  /** vCenters it lists may log in as soon as a CA vouches for their certificate (no review). */
  trustCaValid: boolean;
  query: string;
  mapping: Record<MappingKey, string>;
  refreshMinutes: string;
  timeoutSeconds: string;
  maxRows: string;
  /** Refreshed on its own interval; off: only "Refresh now". */
  enabled: boolean;
}

export type SourceFormField =
  | Exclude<
      keyof SourceForm,
      'mapping' | 'kind' | 'auth' | 'encrypt' | 'certCheck' | 'trustCaValid' | 'enabled'
    >
  | `mapping.${MappingKey}`;

export type SourceFormErrors = Partial<Record<SourceFormField, string>>;

export function newSourceForm(kind: SourceKind = 'mssql'): SourceForm {
  return {
    name: '',
    kind,
    server: '',
    port: String(DEFAULT_PORT[kind]),
    database: '',
    auth: 'sql',
    user: '',
    password: '',
    encrypt: true,
    certCheck: 'system',
    caPem: '',
    thumbprint: '',
    trustCaValid: false,
    query: DEFAULT_QUERY,
    mapping: { ...DEFAULT_MAPPING },
    refreshMinutes: '60',
    timeoutSeconds: '30',
    maxRows: String(DEFAULT_MAX_ROWS),
    enabled: true,
  };
}

/** A saved source as the form shows it; the password stays blank (it never leaves the vault). */
export function sourceFormOf(s: SourceInfo): SourceForm {
  const c = s.config.connection;
  const mapping = { ...DEFAULT_MAPPING };
  for (const f of MAPPING_FIELDS) mapping[f.key] = s.config.mapping[f.key] ?? '';
  return {
    name: s.name,
    kind: s.kind,
    server: c.server,
    port: String(c.port ?? DEFAULT_PORT[s.kind]),
    database: c.database,
    auth: s.kind === 'postgres' ? 'sql' : c.auth,
    user: c.user,
    password: '',
    encrypt: c.encrypt,
    certCheck: c.thumbprint ? 'thumbprint' : c.caPem ? 'ca' : c.trustServerCertificate ? 'none' : 'system',
    caPem: c.caPem ?? '',
    thumbprint: c.thumbprint ?? '',
    trustCaValid: s.config.trustCaValid,
    query: s.config.query,
    mapping,
    refreshMinutes: String(s.refreshMinutes),
    timeoutSeconds: String(s.config.timeoutSeconds),
    maxRows: String(s.config.maxRows),
    enabled: s.enabled,
  };
}

/** Switches the database kind: the port follows unless it was changed by hand; Windows logins are SQL Server's. */
export function withKind(form: SourceForm, kind: SourceKind): SourceForm {
  const port = form.port.trim();
  const keepPort = port !== '' && port !== String(DEFAULT_PORT[form.kind]);
  return {
    ...form,
    kind,
    port: keepPort ? form.port : String(DEFAULT_PORT[kind]),
    auth: kind === 'postgres' ? 'sql' : form.auth,
  };
}

/** A whole number in [min, max] written as digits only, or null. */
function wholeNumber(text: string, min: number, max: number): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= min && n <= max ? n : null;
}

const NTLM_USER = /^[^\\]+\\.+$/;

/** Checks the form; `mode` 'add' needs a password, 'edit' keeps the stored one when it is blank. */
export function validateSourceForm(form: SourceForm, mode: 'add' | 'edit'): SourceFormErrors {
  const e: SourceFormErrors = {};
  const name = form.name.trim();
  if (!name) e.name = 'Give the source a name.';
  else if (name.length > 100) e.name = 'At most 100 characters.';

  const server = form.server.trim();
  if (!server) e.server = 'The database server’s host name or address.';
  else if (server.length > 255) e.server = 'At most 255 characters.';
  else if (/\s/.test(server)) e.server = 'A host name has no spaces.';
  else if (/^[^:[\]]+:\d+$/.test(server)) e.server = 'Put the port in the Port field.';
  else if (/^[a-z]+:\/\//i.test(server)) e.server = 'A host name, not a URL.';

  if (form.port.trim() && wholeNumber(form.port, 1, 65_535) === null)
    e.port = 'A port from 1 to 65535 (blank: the default).';

  const database = form.database.trim();
  if (!database) e.database = 'The database that holds the vCenter table.';
  else if (database.length > 128) e.database = 'At most 128 characters.';

  const user = form.user.trim();
  if (!user) e.user = 'The database login.';
  else if (user.length > 200) e.user = 'At most 200 characters.';
  else if (form.kind === 'mssql' && form.auth === 'ntlm' && !NTLM_USER.test(user))
    e.user = 'A Windows account is written DOMAIN\\user.';

  if (mode === 'add' && form.password === '') e.password = 'The database password.';
  else if (form.password.length > 1000) e.password = 'At most 1000 characters.';

  const query = form.query.trim();
  if (!query) e.query = 'The SELECT that lists the vCenters.';
  else if (query.length > 20_000) e.query = 'At most 20,000 characters.';
  else {
    const problem = readOnlyQueryProblem(query);
    if (problem) e.query = problem;
  }

  for (const f of MAPPING_FIELDS) {
    const col = form.mapping[f.key].trim();
    if (!col && REQUIRED_MAPPING.includes(f.key)) e[`mapping.${f.key}`] = 'Which column holds it.';
    else if (col.length > 128) e[`mapping.${f.key}`] = 'At most 128 characters.';
  }

  if (wholeNumber(form.refreshMinutes, 1, 10_080) === null)
    e.refreshMinutes = 'Whole minutes from 1 to 10080 (a week).';
  if (wholeNumber(form.timeoutSeconds, 1, 600) === null) e.timeoutSeconds = 'Whole seconds from 1 to 600.';
  if (wholeNumber(form.maxRows, 1, MAX_ROWS) === null)
    e.maxRows = `Whole rows from 1 to ${MAX_ROWS.toLocaleString('en-US')}.`;
  if (form.encrypt && form.certCheck === 'ca') {
    const pem = form.caPem.trim();
    if (!pem.includes('-----BEGIN CERTIFICATE-----'))
      e.caPem = 'Paste the CA certificate (-----BEGIN CERTIFICATE-----) or pick its file.';
    else if (pem.length > 65_536) e.caPem = 'At most 64 KB.';
  }
  if (form.encrypt && form.certCheck === 'thumbprint') {
    const hex = form.thumbprint
      .trim()
      .replace(/^sha-?256\s*fingerprint\s*=\s*/i, '')
      .replace(/[:\s-]/g, '');
    if (!/^[0-9a-f]{64}$/i.test(hex))
      e.thumbprint =
        'A SHA-256 thumbprint: 64 hex digits, e.g. as openssl x509 -fingerprint -sha256 prints it.';
  }
  return e;
}

export const hasErrors = (e: SourceFormErrors): boolean => Object.keys(e).length > 0;

function connectionOf(form: SourceForm): RequestArgs<'sources.add'>['connection'] {
  return {
    server: form.server.trim(),
    // Always explicit: an update merges into the saved connection, where a missing port would keep the old one.
    port: wholeNumber(form.port, 1, 65_535) ?? DEFAULT_PORT[form.kind],
    database: form.database.trim(),
    auth: form.kind === 'mssql' ? form.auth : 'sql',
    user: form.user.trim(),
    encrypt: form.encrypt,
    // Unencrypted, nothing is checked; otherwise exactly one way of checking the certificate.
    trustServerCertificate: form.encrypt && form.certCheck === 'none',
    caPem: form.encrypt && form.certCheck === 'ca' ? form.caPem.trim() : null,
    thumbprint: form.encrypt && form.certCheck === 'thumbprint' ? form.thumbprint.trim() : null,
  };
}

/** Every mapping field, blank ones as null ("no such column"), so an update can clear one. */
function mappingOf(form: SourceForm): Record<MappingKey, string | null> {
  const out = {} as Record<MappingKey, string | null>;
  for (const f of MAPPING_FIELDS) out[f.key] = form.mapping[f.key].trim() || null;
  return out;
}

/** The `sources.add` request of a valid form. */
export function toAddRequest(form: SourceForm): RequestArgs<'sources.add'> {
  const { name, host, ...optional } = mappingOf(form);
  return {
    name: form.name.trim(),
    kind: form.kind,
    connection: connectionOf(form),
    password: form.password,
    query: form.query.trim(),
    mapping: { name: name ?? 'name', host: host ?? 'host', ...optional },
    timeoutSeconds: Number(form.timeoutSeconds.trim()),
    maxRows: Number(form.maxRows.trim()),
    trustCaValid: form.trustCaValid,
    refreshMinutes: Number(form.refreshMinutes.trim()),
    enabled: form.enabled,
  };
}

/**
 * The `sources.update` request of a valid form: everything but the kind (a saved source keeps its
 * kind), and the password only when one was typed.
 */
export function toUpdateRequest(id: number, form: SourceForm): RequestArgs<'sources.update'> {
  const { kind: _kind, password, ...add } = toAddRequest(form);
  return { id, ...add, ...(password ? { password } : {}) };
}

/** Values the engine reads as "not listed" in the enabled column (the same set as engine/sources/candidates.ts). */
const NOT_LISTED = new Set(['0', 'false', 'no', 'n', 'off', 'disabled', 'inactive']);

export interface TestSummary {
  /** Rows the query returned (read: at most the source's cap). */
  rows: number;
  /** More rows than the source's cap: only the cap was read, and a refresh fails. */
  overCap: boolean;
  /** Rows shown (the engine sends the first 10). */
  shown: number;
  /** Shown rows that become vCenters. */
  vcenters: number;
  /** Shown rows the enabled column marks as not listed. */
  notListed: number;
  /** Shown rows that cannot become a vCenter (no host, bad port, …). */
  problems: number;
}

export type TestRowState = 'vcenter' | 'not-listed' | 'problem';

/** What each shown row of a test becomes, honouring the enabled column like a refresh does. */
export function testRowStates(r: SourceTestResult, enabledColumn: string | null): TestRowState[] {
  const col = enabledColumn
    ? (r.columns.find((c) => c.toLowerCase() === enabledColumn.toLowerCase()) ?? null)
    : null;
  return r.mapped.map((m, i) => {
    if (m.problem) return 'problem';
    const flag = col ? r.rows[i]?.[col] : null;
    return flag !== null && flag !== undefined && NOT_LISTED.has(String(flag).trim().toLowerCase())
      ? 'not-listed'
      : 'vcenter';
  });
}

/** Counts of a test: rows returned, and what the shown ones become. */
export function summarizeTest(r: SourceTestResult, enabledColumn: string | null): TestSummary {
  const states = testRowStates(r, enabledColumn);
  const count = (s: TestRowState): number => states.filter((x) => x === s).length;
  return {
    rows: r.totalRows,
    overCap: r.overCap,
    shown: states.length,
    vcenters: count('vcenter'),
    notListed: count('not-listed'),
    problems: count('problem'),
  };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** "The query returned 3 rows: 2 vCenters, 1 not listed." (counts of the shown rows when there are more). */
export function testSummaryText(s: TestSummary): string {
  if (s.rows === 0) return 'The query returned no rows: a refresh would find no vCenters.';
  if (s.overCap)
    return `The query returned more than ${plural(s.rows, 'row')}, the source’s row cap: a refresh would fail and keep the last good list. Narrow the query, or raise the cap if the list is that long.`;
  const parts = [plural(s.vcenters, 'vCenter')];
  if (s.notListed) parts.push(`${s.notListed} not listed (enabled column)`);
  if (s.problems) parts.push(plural(s.problems, 'row with a problem', 'rows with a problem'));
  const scope =
    s.shown < s.rows ? ` (of the first ${s.shown}: ${parts.join(', ')})` : `: ${parts.join(', ')}`;
  return `The query returned ${plural(s.rows, 'row')}${scope}.`;
}
