import type pg from 'pg';
import { VminerError } from '../../../shared/errors.js';
import { registerSecret } from '../log.js';

/**
 * Connection settings for the team server's PostgreSQL database, from a URL
 * (`postgres://user@host:port/db?sslmode=require`). The password never rides in the URL (URLs end
 * up on command lines, in shell history and in process listings): it comes from an option (the
 * vault) or PGPASSWORD, and is registered with the log redactor before anything can log it.
 */
export interface PgTarget {
  /** Settings for `new pg.Client(...)`; each connection the team modules open starts from these. */
  config: pg.ClientConfig;
  /** `postgres://user@host:port/db`: safe to log and to show (never holds the password). */
  display: string;
}

export interface PgTargetOptions {
  /** The password (from the vault); PGPASSWORD when absent. */
  password?: string;
  env?: NodeJS.ProcessEnv;
  /** Shown in pg_stat_activity, so an operator can tell the instances' connections apart. */
  applicationName?: string;
  /** How long a connection attempt may take (default 10 s). */
  connectTimeoutMs?: number;
}

const SSL_MODES = ['disable', 'require', 'verify-full'] as const;

export function pgTarget(url: string, opts: PgTargetOptions = {}): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new VminerError(
      'INVALID_INPUT',
      'the database URL is not a URL: write it as postgres://user@host:port/database',
    );
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new VminerError(
      'INVALID_INPUT',
      `the database URL must start with postgres:// (it starts with ${u.protocol}//)`,
    );
  if (u.password)
    throw new VminerError(
      'INVALID_INPUT',
      'the database URL holds a password: remove it from the URL and set PGPASSWORD or store it in the vault',
    );
  const user = decodeURIComponent(u.username);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!user || !host || !database)
    throw new VminerError(
      'INVALID_INPUT',
      'the database URL needs a user, a host and a database: postgres://user@host:port/database',
    );
  const port = u.port ? Number(u.port) : 5432;
  const sslmode = u.searchParams.get('sslmode') ?? 'disable';
  if (!(SSL_MODES as readonly string[]).includes(sslmode))
    throw new VminerError(
      'INVALID_INPUT',
      `sslmode=${sslmode} is not supported: use one of ${SSL_MODES.join(', ')}`,
    );
  for (const key of u.searchParams.keys())
    if (key !== 'sslmode')
      throw new VminerError(
        'INVALID_INPUT',
        `the database URL option "${key}" is not supported (only sslmode)`,
      );
  const password = opts.password ?? (opts.env ?? process.env).PGPASSWORD;
  if (password) registerSecret(password);
  const config: pg.ClientConfig = {
    host,
    port,
    user,
    database,
    ...(password !== undefined ? { password } : {}),
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    application_name: opts.applicationName ?? 'vminer',
    ...(sslmode === 'disable' ? {} : { ssl: { rejectUnauthorized: sslmode === 'verify-full' } }),
  };
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    config,
    display: `postgres://${encodeURIComponent(user)}@${shownHost}:${port}/${encodeURIComponent(database)}`,
  };
}

/** A copy of `target`'s settings for one more connection, named for what it does. */
export function clientConfig(target: PgTarget, role: string, extra: pg.ClientConfig = {}): pg.ClientConfig {
  return {
    ...target.config,
    application_name: `${target.config.application_name ?? 'vminer'} ${role}`,
    ...extra,
  };
}
