import sql from 'mssql';
import pg from 'pg';
import { VminerError } from '../../../shared/errors.js';
import { readOnlyQueryProblem } from '../../../shared/read-only-query.js';
import type { SourceConfig, SourceKind } from '../../../shared/sources.js';

export type SqlCell = string | number | boolean | null;

export interface SqlRows {
  columns: string[];
  rows: Record<string, SqlCell>[];
}

const cellOf = (v: unknown): SqlCell => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return JSON.stringify(v);
};

interface DriverError {
  code?: string;
  number?: number;
  message?: string;
  cause?: unknown;
  originalError?: unknown;
}

const DRIVER_CODES = new Set(['ESOCKET', 'ELOGIN', 'ETIMEOUT', 'EREQUEST', 'EINSTLOOKUP', 'ECONNCLOSED']);

/** Walks an error's causes (and tedious' AggregateError) for a system error code (ECONNREFUSED, …). */
function systemCode(err: unknown, depth = 0): string | undefined {
  const e = err as (DriverError & { errors?: unknown[] }) | undefined;
  if (!e || depth > 6) return undefined;
  if (e.code && /^E[A-Z_]+$/.test(e.code) && !DRIVER_CODES.has(e.code)) return e.code;
  for (const inner of [e.cause, e.originalError, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const found = systemCode(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function connectionError(name: string, where: string, user: string, err: unknown): VminerError {
  const e = err as DriverError;
  const sys = systemCode(err);
  const msg = e.message ?? String(err);
  if (e.code === 'ELOGIN' || e.code === '28P01' || e.code === '28000')
    return new VminerError(
      'LOGIN_FAILED',
      `${name}: ${where} refused the login for ${user} (${msg}); check the user name and password`,
    );
  if (sys === 'ECONNREFUSED')
    return new VminerError(
      'REFUSED',
      `${name}: ${where} refused the connection (is the server running and the port right?)`,
    );
  if (sys === 'ENOTFOUND' || sys === 'EAI_AGAIN')
    return new VminerError('DNS', `${name}: the server name in ${where} does not resolve`);
  if (e.code === 'ETIMEOUT' || sys === 'ETIMEDOUT')
    return new VminerError('TIMEOUT', `${name}: ${where} did not answer in time`);
  if (e.code === 'EENCRYPT')
    return new VminerError(
      'TLS_UNTRUSTED',
      `${name}: ${where}: ${msg} (check encrypt / trust server certificate)`,
    );
  return new VminerError('UNREACHABLE', `${name}: cannot connect to ${where}: ${msg}`);
}

async function readMssql(
  name: string,
  cfg: SourceConfig,
  password: string,
  maxRows: number,
): Promise<SqlRows> {
  const c = cfg.connection;
  const where = `SQL Server ${c.server}:${c.port ?? 1433}/${c.database}`;
  const ntlm = c.auth === 'ntlm' ? /^([^\\]+)\\(.+)$/.exec(c.user) : null;
  if (c.auth === 'ntlm' && !ntlm)
    throw new VminerError('INVALID_INPUT', `${name}: a Windows login is written DOMAIN\\user`);
  const pool = new sql.ConnectionPool({
    server: c.server,
    port: c.port ?? 1433,
    database: c.database,
    ...(ntlm
      ? { authentication: { type: 'ntlm', options: { domain: ntlm[1]!, userName: ntlm[2]!, password } } }
      : { user: c.user, password }),
    options: { encrypt: c.encrypt, trustServerCertificate: c.trustServerCertificate, appName: 'vMiner' },
    connectionTimeout: cfg.timeoutSeconds * 1000,
    requestTimeout: cfg.timeoutSeconds * 1000,
    pool: { min: 0, max: 1 },
  });
  pool.on('error', () => undefined);
  try {
    try {
      await pool.connect();
    } catch (err) {
      throw connectionError(name, where, c.user, err);
    }
    let result: sql.IResult<Record<string, unknown>>;
    // SQL Server has no read-only transaction: the query runs in one that is always rolled back.
    const tx = new sql.Transaction(pool);
    try {
      await tx.begin();
      try {
        result = await new sql.Request(tx).query(cfg.query);
      } finally {
        await tx.rollback().catch(() => undefined);
      }
    } catch (err) {
      const e = err as DriverError;
      if (e.code === 'EREQUEST')
        throw new VminerError(
          'QUERY_FAILED',
          `${name}: the query failed: ${e.message ?? ''}${e.number ? ` (SQL Server error ${e.number})` : ''}`,
        );
      throw connectionError(name, where, c.user, err);
    }
    const set = result.recordset;
    const columns = set ? Object.keys(set.columns) : [];
    const rows = (set ?? []).slice(0, maxRows).map((r) => {
      const out: Record<string, SqlCell> = {};
      for (const k of columns) out[k] = cellOf(r[k]);
      return out;
    });
    return { columns, rows };
  } finally {
    await pool.close().catch(() => undefined);
  }
}

async function readPostgres(
  name: string,
  cfg: SourceConfig,
  password: string,
  maxRows: number,
): Promise<SqlRows> {
  const c = cfg.connection;
  const where = `PostgreSQL ${c.server}:${c.port ?? 5432}/${c.database}`;
  const client = new pg.Client({
    host: c.server,
    port: c.port ?? 5432,
    database: c.database,
    user: c.user,
    password,
    ssl: c.encrypt ? { rejectUnauthorized: !c.trustServerCertificate } : false,
    connectionTimeoutMillis: cfg.timeoutSeconds * 1000,
    query_timeout: cfg.timeoutSeconds * 1000,
    application_name: 'vMiner',
  });
  client.on('error', () => undefined);
  try {
    try {
      await client.connect();
    } catch (err) {
      throw connectionError(name, where, c.user, err);
    }
    let result: pg.QueryResult<Record<string, unknown>>;
    try {
      // A read-only transaction: PostgreSQL itself refuses any write the text check missed.
      await client.query('BEGIN TRANSACTION READ ONLY');
      try {
        result = await client.query(cfg.query);
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    } catch (err) {
      const e = err as DriverError;
      if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code))
        throw new VminerError(
          'QUERY_FAILED',
          `${name}: the query failed: ${e.message ?? ''} (SQLSTATE ${e.code})`,
        );
      throw connectionError(name, where, c.user, err);
    }
    const columns = result.fields.map((f) => f.name);
    const rows = result.rows.slice(0, maxRows).map((r) => {
      const out: Record<string, SqlCell> = {};
      for (const k of columns) out[k] = cellOf(r[k]);
      return out;
    });
    return { columns, rows };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs a source's query and returns its columns and (up to `maxRows`) rows. Errors carry codes. */
export function readSqlSource(
  kind: SourceKind,
  name: string,
  cfg: SourceConfig,
  password: string,
  maxRows = 100_000,
): Promise<SqlRows> {
  // Sources saved before queries were checked are checked here, before anything connects.
  const problem = readOnlyQueryProblem(cfg.query);
  if (problem) return Promise.reject(new VminerError('INVALID_INPUT', `${name}: ${problem}`));
  return kind === 'mssql'
    ? readMssql(name, cfg, password, maxRows)
    : readPostgres(name, cfg, password, maxRows);
}
