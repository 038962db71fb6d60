import { z } from 'zod';
import { readOnlyQueryProblem } from './read-only-query.js';
import { SOURCE_KINDS, type SourceKind } from './source-kinds.js';

/** Import a vCenter list from a file's content (over HTTP) or a local path (CLI, desktop only). */
export const ImportContentSchema = z.object({
  /** File content: text for CSV, base64 for XLSX (or any file with `encoding: 'base64'`). */
  content: z.string().max(20_000_000),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
  /** Guessed from the content (an XLSX file is a ZIP) when left out. */
  format: z.enum(['csv', 'xlsx']).optional(),
});
export type ImportContent = z.infer<typeof ImportContentSchema>;

export const ImportFileSchema = z.object({ path: z.string().min(1).max(4096) });

export type ImportAction = 'add' | 'update' | 'skip';

export interface ImportItem {
  /** Line (CSV) or row (XLSX) number in the file, the header being 1. */
  line: number;
  name: string;
  url: string | null;
  action: ImportAction;
  /** Why a row is skipped ("duplicate of line 3", "bad host name …"), or what an update changes. */
  reason: string | null;
  /** How the vCenter will log in: "default service account", "service account lab", "own account bob (set its password)". */
  login: string | null;
  site: string | null;
  tags: string[];
}

export interface ImportPreview {
  format: 'csv' | 'xlsx';
  /** The CSV delimiter found (`,`, `;` or tab). */
  delimiter: string | null;
  /** The file's columns as read, and which vMiner field each one feeds. */
  columns: { header: string; field: string | null }[];
  items: ImportItem[];
  counts: Record<ImportAction, number>;
}

export interface ImportResult extends ImportPreview {
  /** ids of the vCenters added, for the certificate review that follows. */
  addedIds: number[];
  updatedIds: number[];
}

/** Column mapping of a SQL source: which result column feeds which field. */
export const SourceMappingSchema = z.object({
  name: z.string().min(1).max(128).default('name'),
  /** A host name, host:port or an https:// URL. */
  host: z.string().min(1).max(128).default('host'),
  port: z.string().min(1).max(128).nullable().default('port'),
  username: z.string().min(1).max(128).nullable().default(null),
  site: z.string().min(1).max(128).nullable().default(null),
  tags: z.string().min(1).max(128).nullable().default(null),
  /** Rows whose value is false/0/no are treated as not listed. */
  enabled: z.string().min(1).max(128).nullable().default(null),
});
export type SourceMapping = z.infer<typeof SourceMappingSchema>;

export { SOURCE_KINDS, type SourceKind };

const connectionFields = {
  server: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65_535),
  database: z.string().min(1).max(128),
  /** SQL Server: 'sql' (SQL login) or 'ntlm' (Windows account, `domain\\user`); PostgreSQL: password. */
  auth: z.enum(['sql', 'ntlm']),
  user: z.string().min(1).max(200),
  /** Encrypt the connection (TLS). Keep it on for real servers. */
  encrypt: z.boolean(),
  /** Accept the server's certificate without checking it (SQL Server `trustServerCertificate`). */
  trustServerCertificate: z.boolean(),
  /** A private CA (PEM) the server's certificate must chain to: a company CA, not a public one. */
  caPem: z.string().trim().min(1).max(65_536).nullable(),
  /** Or the SHA-256 thumbprint of the server's own (e.g. self-signed) certificate, pinned. */
  thumbprint: z.string().trim().min(1).max(200).nullable(),
};

export const SourceConnectionSchema = z.object({
  ...connectionFields,
  port: connectionFields.port.optional(),
  auth: connectionFields.auth.default('sql'),
  encrypt: connectionFields.encrypt.default(true),
  trustServerCertificate: connectionFields.trustServerCertificate.default(false),
  caPem: connectionFields.caPem.default(null),
  thumbprint: connectionFields.thumbprint.default(null),
});
/** An update's connection: only what it names changes (no defaults filled in). */
export const SourceConnectionPatchSchema = z.object(connectionFields).partial();
export type SourceConnection = z.infer<typeof SourceConnectionSchema>;

export const DEFAULT_SOURCE_QUERY = 'SELECT name, host, port FROM vcenters WHERE enabled = 1';
export const DEFAULT_SOURCE_ROWS = 10_000;
export const MAX_SOURCE_ROWS = 1_000_000;

export const SourceConfigSchema = z.object({
  connection: SourceConnectionSchema,
  query: z.string().trim().min(1).max(20_000).default(DEFAULT_SOURCE_QUERY),
  mapping: SourceMappingSchema.default(SourceMappingSchema.parse({})),
  /** Seconds before a connection or query gives up. */
  timeoutSeconds: z.number().int().min(1).max(600).default(30),
  /** The most rows read (streamed: no more are fetched); a longer answer fails the refresh. */
  maxRows: z.number().int().min(1).max(MAX_SOURCE_ROWS).default(DEFAULT_SOURCE_ROWS),
  /**
   * vCenters this source lists may log in as soon as a CA vouches for their certificate. Off (the
   * default): a vCenter it adds, or moves to a new address, gets no password until its
   * certificate is pinned or reviewed — the CMDB does not decide where passwords go.
   */
  trustCaValid: z.boolean().default(false),
});
export type SourceConfig = z.infer<typeof SourceConfigSchema>;

export interface SourceInfo {
  id: number;
  name: string;
  kind: SourceKind;
  config: SourceConfig;
  refreshMinutes: number;
  enabled: boolean;
  createdAt: string;
  lastRefreshAt: string | null;
  lastSuccessAt: string | null;
  lastError: { code: string; message: string } | null;
  lastRowCount: number | null;
  /** vCenters it lists now (retired ones not counted). */
  vcenters: number;
  retired: number;
  nextRefreshAt: string | null;
  /** What is weak about its settings (an unencrypted connection, an unchecked certificate). */
  warnings: string[];
}

export interface SourceTestResult {
  columns: string[];
  /** The first rows as the server sent them. */
  rows: Record<string, string | number | boolean | null>[];
  /** The same rows through the mapping, with each row's problem. */
  mapped: { name: string; url: string | null; problem: string | null }[];
  totalRows: number;
  /** The query returned more than the source's `maxRows`: only that many were read, and a refresh fails. */
  overCap: boolean;
}

export interface SourceRefreshResult {
  sourceId: number;
  ok: boolean;
  error: { code: string; message: string } | null;
  rows: number;
  added: string[];
  updated: string[];
  retired: string[];
  restored: string[];
  skipped: { name: string; reason: string }[];
  /** New vCenters whose certificate awaits review (`certs.review`). */
  addedIds: number[];
}

export type CertReviewState = 'new' | 'changed' | 'trusted' | 'unreachable';

export interface CertReviewItem {
  vcenterId: number;
  name: string;
  url: string;
  state: CertReviewState;
  /** What the vCenter presents now. */
  thumbprint: string | null;
  /** The thumbprint pinned so far (for "certificate changed"). */
  pinned: string | null;
  subject: string | null;
  issuer: string | null;
  validTo: string | null;
  trustedByCa: boolean;
  error: string | null;
}

/** A source query as a request gives it: one read-only SELECT, or refused with the reason. */
const ReadOnlyQuerySchema = z
  .string()
  .trim()
  .min(1)
  .max(20_000)
  .superRefine((q, ctx) => {
    const problem = readOnlyQueryProblem(q);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const SourceAddSchema = z.object({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(SOURCE_KINDS),
  connection: SourceConnectionSchema,
  /** The database password; kept in the credential vault only. */
  password: z.string().min(1).max(1000),
  query: ReadOnlyQuerySchema.optional(),
  mapping: SourceMappingSchema.partial().optional(),
  timeoutSeconds: z.number().int().min(1).max(600).optional(),
  maxRows: z.number().int().min(1).max(MAX_SOURCE_ROWS).optional(),
  trustCaValid: z.boolean().optional(),
  /** The source's own refresh interval, independent of the vCenter sync schedule. */
  refreshMinutes: z.number().int().min(1).max(10_080).default(60),
  enabled: z.boolean().default(true),
});

export const SourceUpdateSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().trim().min(1).max(100).optional(),
  connection: SourceConnectionPatchSchema.optional(),
  password: z.string().min(1).max(1000).optional(),
  query: ReadOnlyQuerySchema.optional(),
  mapping: SourceMappingSchema.partial().optional(),
  timeoutSeconds: z.number().int().min(1).max(600).optional(),
  maxRows: z.number().int().min(1).max(MAX_SOURCE_ROWS).optional(),
  trustCaValid: z.boolean().optional(),
  refreshMinutes: z.number().int().min(1).max(10_080).optional(),
  enabled: z.boolean().optional(),
});
