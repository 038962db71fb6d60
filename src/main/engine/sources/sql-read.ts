import type { EventEmitter } from 'node:events';
import type tls from 'node:tls';
import sql from 'mssql';
import pg from 'pg';
import { VminerError } from '../../../shared/errors.js';
import { readOnlyQueryProblem } from '../../../shared/read-only-query.js';
import type { SourceConfig, SourceKind } from '../../../shared/sources.js';

export type SqlCell = string | number | boolean | null;

export interface SqlRows {
  columns: string[];
  rows: Record<string, SqlCell>[];
  /** The query had more than the rows asked for; only those were read. */
  truncated: boolean;
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

/** TLS failures that mean "this certificate is not trusted" (Node's and OpenSSL's codes). */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function tlsCode(err: unknown, depth = 0): string | undefined {
  const e = err as (DriverError & { errors?: unknown[] }) | undefined;
  if (!e || depth > 6) return undefined;
  if (e.code && TLS_CODES.has(e.code)) return e.code;
  for (const inner of [e.cause, e.originalError, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const found = tlsCode(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function untrusted(name: string, where: string, code: string): VminerError {
  return new VminerError(
    'TLS_UNTRUSTED',
    `${name}: ${where} presented a certificate this machine does not trust (${code}); give the source its CA file, or pin the server's thumbprint — the password was not sent`,
  );
}

/** A pinned thumbprint the server's certificate does not match: nothing was sent to it. */
function pinMismatch(name: string, where: string, pinned: string, presented: string | null): VminerError {
  return new VminerError(
    'TLS_UNTRUSTED',
    `${name}: ${where} presented ${presented ? `the certificate ${presented}` : 'no certificate'}, not the pinned ${pinned}; the password was not sent (if the server's certificate was renewed, pin the new thumbprint)`,
  );
}

/** Collects at most `maxRows` + 1 rows: one more than allowed says the answer is too long. */
class RowCollector {
  readonly rows: Record<string, SqlCell>[] = [];
  constructor(
    readonly columns: string[],
    private readonly maxRows: number,
  ) {}

  /** false once the cap is passed: read no further. */
  add(r: Record<string, unknown>): boolean {
    const out: Record<string, SqlCell> = {};
    for (const k of this.columns) out[k] = cellOf(r[k]);
    this.rows.push(out);
    return this.rows.length <= this.maxRows;
  }

  result(): SqlRows {
    const truncated = this.rows.length > this.maxRows;
    return {
      columns: this.columns,
      rows: truncated ? this.rows.slice(0, this.maxRows) : this.rows,
      truncated,
    };
  }
}

/** What tedious exposes at the moment it is about to send LOGIN7 (tedious 19.2, pinned). */
interface TediousLoginStep {
  sendLogin7Packet(): void;
  messageIo?: {
    tlsNegotiationComplete?: boolean;
    securePair?: { cleartext: { getPeerCertificate(): { fingerprint256?: string } } };
  };
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
  // Checked at the last moment before the login (the password) goes out: TLS must be up when
  // encryption is asked for (tedious 19 would otherwise log in in clear to a server that declines
  // it), and a pinned server must present the pinned certificate.
  let refused: VminerError | null = null;
  const declined = (): VminerError =>
    new VminerError(
      'TLS_UNTRUSTED',
      `${name}: ${where} did not agree to encrypt the connection; the password was not sent (turn encryption off only for a test server)`,
    );
  const guardLogin = (conn: TediousLoginStep): void => {
    const send = conn.sendLogin7Packet.bind(conn);
    conn.sendLogin7Packet = () => {
      const io = conn.messageIo;
      if (c.encrypt && !io?.tlsNegotiationComplete) refused = declined();
      else if (c.thumbprint) {
        const presented = io?.securePair?.cleartext.getPeerCertificate().fingerprint256 ?? null;
        if (presented !== c.thumbprint) refused = pinMismatch(name, where, c.thumbprint, presented);
      }
      if (refused) throw refused;
      send();
    };
  };
  const pool = new sql.ConnectionPool({
    server: c.server,
    port: c.port ?? 1433,
    database: c.database,
    ...(ntlm
      ? { authentication: { type: 'ntlm', options: { domain: ntlm[1]!, userName: ntlm[2]!, password } } }
      : { user: c.user, password }),
    options: {
      encrypt: c.encrypt,
      // A pinned certificate is checked by its thumbprint (above), not by a CA.
      trustServerCertificate: c.trustServerCertificate || c.thumbprint !== null,
      ...(c.caPem ? { cryptoCredentialsDetails: { ca: c.caPem } } : {}),
      appName: 'vMiner',
    },
    connectionTimeout: cfg.timeoutSeconds * 1000,
    requestTimeout: cfg.timeoutSeconds * 1000,
    pool: { min: 0, max: 1 },
    beforeConnect: (conn) => guardLogin(conn as unknown as TediousLoginStep),
  });
  pool.on('error', () => undefined);
  try {
    try {
      await pool.connect();
    } catch (err) {
      if (refused) throw refused;
      // tedious 20 refuses such a server itself, before the login too.
      if (c.encrypt && (err as DriverError).code === 'EENCRYPT') throw declined();
      const tls = tlsCode(err);
      if (tls) throw untrusted(name, where, tls);
      throw connectionError(name, where, c.user, err);
    }
    // SQL Server has no read-only transaction: the query runs in one that is always rolled back.
    const tx = new sql.Transaction(pool);
    try {
      await tx.begin();
    } catch (err) {
      throw connectionError(name, where, c.user, err);
    }
    try {
      return await new Promise<SqlRows>((resolve, reject) => {
        const request = new sql.Request(tx);
        request.stream = true;
        let collector: RowCollector | null = null;
        let sets = 0;
        let over = false;
        request.on('recordset', (columns: Record<string, unknown>) => {
          // The first result set is the list; any later ones are ignored.
          if (++sets === 1) collector = new RowCollector(Object.keys(columns), maxRows);
        });
        request.on('row', (r: Record<string, unknown>) => {
          if (sets !== 1 || over || !collector) return;
          if (!collector.add(r)) {
            // One row past the cap: stop the server (ATTENTION) instead of reading the rest.
            over = true;
            request.cancel();
          }
        });
        // A query error is followed by 'done': settle then, so the transaction is idle when it is
        // rolled back (a rollback while the request is in progress is refused, and the pool hangs).
        let failed: VminerError | null = null;
        request.on('error', (err: DriverError) => {
          if (over && err.code === 'ECANCEL') return;
          if (err.code === 'EREQUEST')
            failed ??= new VminerError(
              'QUERY_FAILED',
              `${name}: the query failed: ${err.message ?? ''}${err.number ? ` (SQL Server error ${err.number})` : ''}`,
            );
          else reject(connectionError(name, where, c.user, err));
        });
        request.on('done', () =>
          failed
            ? reject(failed)
            : resolve(collector?.result() ?? { columns: [], rows: [], truncated: false }),
        );
        request.query(cfg.query);
      });
    } finally {
      await tx.rollback().catch(() => undefined);
    }
  } finally {
    await pool.close().catch(() => undefined);
  }
}

/**
 * A query that fetches its rows through a portal, at most `limit` of them: when the server stops at
 * the limit (PortalSuspended), the portal is closed instead of asking for more, so a huge table is
 * never read past the cap.
 */
class CappedQuery extends pg.Query {
  // A callback, not events: with `query_timeout` the client replaces the callback with its own,
  // and an error then never reaches an 'error' listener.
  constructor(text: string, limit: number, done: (err: Error | undefined, result: unknown) => void) {
    const config: pg.QueryConfig & { rows: number } = { text, rows: limit };
    super(config, done);
  }

  private synced = false;

  handlePortalSuspended(connection: { sync(): void }): void {
    this.sync(connection);
  }

  // With a row limit nothing sends Sync ahead: after an error the server would wait for one, and
  // the client for the server.
  handleError(err: Error, connection: { sync(): void }): void {
    this.sync(connection);
    (pg.Query.prototype as unknown as { handleError(e: Error, c: unknown): void }).handleError.call(
      this,
      err,
      connection,
    );
  }

  private sync(connection: { sync(): void }): void {
    if (this.synced) return;
    this.synced = true;
    connection.sync();
  }
}

interface PgConnectionInternals extends EventEmitter {
  stream: tls.TLSSocket;
}

async function readPostgres(
  name: string,
  cfg: SourceConfig,
  password: string,
  maxRows: number,
): Promise<SqlRows> {
  const c = cfg.connection;
  const where = `PostgreSQL ${c.server}:${c.port ?? 5432}/${c.database}`;
  const ssl: pg.ClientConfig['ssl'] = !c.encrypt
    ? false
    : c.thumbprint
      ? // Checked by the thumbprint at the handshake (below), not by a CA.
        { rejectUnauthorized: false }
      : { rejectUnauthorized: !c.trustServerCertificate, ...(c.caPem ? { ca: c.caPem } : {}) };
  const client = new pg.Client({
    host: c.server,
    port: c.port ?? 5432,
    database: c.database,
    user: c.user,
    password,
    ssl,
    connectionTimeoutMillis: cfg.timeoutSeconds * 1000,
    query_timeout: cfg.timeoutSeconds * 1000,
    application_name: 'vMiner',
  });
  client.on('error', () => undefined);
  let refused: VminerError | null = null;
  if (c.encrypt && c.thumbprint) {
    const pin = c.thumbprint;
    // The server asks for the password only after the handshake: a wrong certificate ends the
    // connection at the handshake, before anything but the user and database names was sent.
    const conn = client.connection as unknown as PgConnectionInternals;
    conn.once('sslconnect', () => {
      const stream = conn.stream;
      stream.once('secureConnect', () => {
        const presented = stream.getPeerCertificate().fingerprint256 ?? null;
        if (presented !== pin) {
          refused = pinMismatch(name, where, pin, presented);
          stream.destroy(refused);
        }
      });
    });
  }
  try {
    try {
      await client.connect();
    } catch (err) {
      if (refused) throw refused;
      const tls = tlsCode(err);
      if (tls) throw untrusted(name, where, tls);
      throw connectionError(name, where, c.user, err);
    }
    let result: pg.QueryResult<Record<string, unknown>>;
    try {
      // A read-only transaction: PostgreSQL itself refuses any write the text check missed.
      await client.query('BEGIN TRANSACTION READ ONLY');
      try {
        result = await new Promise<pg.QueryResult<Record<string, unknown>>>((resolve, reject) => {
          client.query(
            new CappedQuery(cfg.query, maxRows + 1, (err, r) =>
              err ? reject(err) : resolve(r as pg.QueryResult<Record<string, unknown>>),
            ),
          );
        });
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
    const rows = new RowCollector(
      (result.fields ?? []).map((f) => f.name),
      maxRows,
    );
    for (const r of result.rows ?? []) if (!rows.add(r)) break;
    return rows.result();
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs a source's query and returns its columns and at most `maxRows` rows (the source's own cap
 * by default), read as they stream in: past the cap the server is stopped, not read to the end,
 * and `truncated` says so. Errors carry codes.
 */
export function readSqlSource(
  kind: SourceKind,
  name: string,
  cfg: SourceConfig,
  password: string,
  maxRows = cfg.maxRows,
): Promise<SqlRows> {
  // Sources saved before queries were checked are checked here, before anything connects.
  const problem = readOnlyQueryProblem(cfg.query);
  if (problem) return Promise.reject(new VminerError('INVALID_INPUT', `${name}: ${problem}`));
  return kind === 'mssql'
    ? readMssql(name, cfg, password, maxRows)
    : readPostgres(name, cfg, password, maxRows);
}
