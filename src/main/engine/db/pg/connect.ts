/**
 * One connection to the team server's PostgreSQL database for the `vminer db` commands, with
 * PostgreSQL's and the network's failures turned into errors a person can act on.
 */
import pg from 'pg';
import { VminerError } from '../../../../shared/errors.js';
import { clientConfig, type PgTarget } from '../../team/pg-connection.js';

/** int8 (bigint) columns as JavaScript numbers, like better-sqlite3 gives them (values stay below 2^53). */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new VminerError('INTERNAL', `the bigint ${text} is beyond 2^53`);
  return n;
}

export const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export async function connectPg(target: PgTarget, role: string): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(target, role, { types: pgTypes }));
  // A dropped connection after connect() fails the running query; this only keeps it from
  // becoming an uncaught 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw pgError(err, target);
  }
  return client;
}

interface PgErrorShape {
  code?: string;
  message?: string;
}

/** PostgreSQL's error (or a socket's) as a VminerError naming the server and what to do. */
export function pgError(err: unknown, target: PgTarget): VminerError {
  if (err instanceof VminerError) return err;
  // drizzle wraps the driver's error ("Failed query: …") with it as the cause.
  let e = (err ?? {}) as PgErrorShape & { cause?: unknown };
  while (!e.code && e.cause && typeof e.cause === 'object') e = e.cause as PgErrorShape & { cause?: unknown };
  const msg = e.message ?? String(err);
  const at = target.display;
  const user = target.config.user ?? '';
  const database = target.config.database ?? '';
  switch (e.code) {
    case 'ECONNREFUSED':
      return new VminerError(
        'REFUSED',
        `nothing answers at ${target.config.host}:${target.config.port} (${at}): is PostgreSQL running there, and does it listen on that address and port?`,
        { cause: err },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new VminerError('DNS', `the host name ${target.config.host} does not resolve (${at})`, {
        cause: err,
      });
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new VminerError(
        'UNREACHABLE',
        `${at} cannot be reached (${msg}): check the host and the network`,
        {
          cause: err,
        },
      );
    case '28P01':
      return new VminerError(
        'LOGIN_FAILED',
        `PostgreSQL refused the password of "${user}" at ${at}: set the right one in PGPASSWORD (or with vminer db password, or in ~/.pgpass)`,
        { cause: err },
      );
    case '28000':
      return new VminerError(
        'LOGIN_FAILED',
        `PostgreSQL refused "${user}" at ${at} (${msg}): check pg_hba.conf allows this user, database and address`,
        { cause: err },
      );
    case '3D000':
      return new VminerError(
        'NOT_FOUND',
        `the database "${database}" does not exist at ${at}: create it first (CREATE DATABASE "${database}" OWNER "${user}" TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C')`,
        { cause: err },
      );
    case '42501':
      return new VminerError(
        'PERMISSION_DENIED',
        /extension/i.test(msg)
          ? `"${user}" may not create the pg_trgm extension in "${database}" (${msg}): have a superuser run CREATE EXTENSION pg_trgm in that database once (or GRANT CREATE ON DATABASE "${database}" TO "${user}"), then run vminer db migrate again`
          : `"${user}" may not create objects in "${database}" (${msg}): vMiner's migrations create the pg_trgm extension, the schema "drizzle" (their record) and the tables. Make "${user}" the database's owner (ALTER DATABASE "${database}" OWNER TO "${user}") or GRANT CREATE ON DATABASE "${database}" TO "${user}", then run vminer db migrate again`,
        { cause: err },
      );
    case '0A000':
    case '58P01':
      if (/extension/i.test(msg))
        return new VminerError(
          'PERMISSION_DENIED',
          `the PostgreSQL server at ${at} has no pg_trgm extension (${msg}): install PostgreSQL's contrib modules on the server (postgresql-contrib), then run vminer db migrate again`,
          { cause: err },
        );
      break;
  }
  if (/client password must be a string|password authentication/i.test(msg))
    return new VminerError(
      'LOGIN_FAILED',
      `PostgreSQL at ${at} asks for the password of "${user}" and none was found: set PGPASSWORD, store it with \`vminer db password --database ${at}\`, or add it to ~/.pgpass`,
      { cause: err },
    );
  if (e.code === 'ECONNRESET' || /Connection terminated|timeout/i.test(msg))
    return new VminerError('UNREACHABLE', `the connection to ${at} failed: ${msg}`, { cause: err });
  if (/self[- ]signed|certificate|SSL/i.test(msg))
    return new VminerError('TLS_UNTRUSTED', `TLS to ${at} failed: ${msg}`, { cause: err });
  return new VminerError('QUERY_FAILED', `${at}: ${msg}`, { cause: err });
}
