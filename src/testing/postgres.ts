/**
 * A throwaway PostgreSQL server for tests, from Debian's `postgresql` package
 * (/usr/lib/postgresql/<version>/bin). It listens on 127.0.0.1 only, on a free port, with its data
 * and socket in a fresh temp folder that is removed on stop.
 *
 * PostgreSQL refuses to run as root. Under root (CI containers) the server runs as the `postgres`
 * system user the Debian package creates, through `runuser -u postgres --`; the temp folder is
 * handed to that user first. As any other user it runs as that user directly. Passwords go through
 * a 0600 file (`initdb --pwfile`), never a command line.
 */
import { freePort } from './net.js';
import { execFile } from 'node:child_process';
import pg from 'pg';
import { copyToPostgres } from '../main/engine/db/pg/copy.js';
import { migratePostgres } from '../main/engine/db/pg/migrate.js';
import { pgTarget, type PgTarget } from '../main/engine/team/pg-connection.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RunningPostgres {
  host: string;
  port: number;
  /** The superuser created by initdb, with `password`. */
  user: string;
  password: string;
  stop(): Promise<void>;
}

export function findPostgresBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return null;
  const versions = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : null;
}

async function systemUser(name: string): Promise<{ uid: number; gid: number } | null> {
  try {
    const uid = Number((await run('id', ['-u', name])).stdout.trim());
    const gid = Number((await run('id', ['-g', name])).stdout.trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

export interface PostgresOptions {
  /** Serve TLS with this key and certificate (PEM); plain connections stay allowed too. */
  tls?: { key: string; cert: string };
}

export async function startPostgres(password: string, opts: PostgresOptions = {}): Promise<RunningPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql; see scripts/setup.sh)');
  const asRoot = process.getuid?.() === 0;
  let owner: { uid: number; gid: number } | null = null;
  if (asRoot) {
    owner = await systemUser('postgres');
    if (!owner)
      throw new Error('running as root needs the "postgres" system user (created by the postgresql package)');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    fs.chownSync(dir, owner.uid, owner.gid);
    fs.chownSync(pwfile, owner.uid, owner.gid);
  }
  const as = (cmd: string, args: string[]) =>
    owner ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args);
  const user = 'vminer_admin';
  await as(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    user,
    `--pwfile=${pwfile}`,
    '--auth-host=scram-sha-256',
    '--auth-local=peer',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  fs.rmSync(pwfile);
  const serverArgs = [`-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off'];
  if (opts.tls) {
    // The server reads its key only when it is private and its own.
    const key = path.join(data, 'server.key');
    const crt = path.join(data, 'server.crt');
    fs.writeFileSync(key, opts.tls.key, { mode: 0o600 });
    fs.writeFileSync(crt, opts.tls.cert, { mode: 0o644 });
    if (owner) for (const f of [key, crt]) fs.chownSync(f, owner.uid, owner.gid);
    serverArgs.push('-c ssl=on', `-c ssl_cert_file=${crt}`, `-c ssl_key_file=${key}`);
  }
  let port: number;
  // Another process may take the free port between the probe and the start: try a few.
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await as(path.join(bin, 'pg_ctl'), [
        '-D',
        data,
        '-l',
        path.join(dir, 'server.log'),
        '-w',
        '-t',
        '60',
        '-o',
        [`-p ${port}`, ...serverArgs].join(' '),
        'start',
      ]);
      break;
    } catch (err) {
      if (attempt >= 3) {
        const log = fs.existsSync(path.join(dir, 'server.log'))
          ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8')
          : '';
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${log}`, { cause: err });
      }
    }
  }
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    stop: async () => {
      try {
        await as(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Connection settings of the server's superuser on `database` (for a pg.Client or pg.Pool). */
export function superuserConfig(
  server: RunningPostgres,
  database = 'postgres',
): { host: string; port: number; user: string; password: string; database: string } {
  return { host: server.host, port: server.port, user: server.user, password: server.password, database };
}

/** A client of `server` as its superuser, connected to `database` (`extra` adds pg settings). */
export async function connectAdmin(
  server: RunningPostgres,
  database = 'postgres',
  extra: pg.ClientConfig = {},
): Promise<pg.Client> {
  const client = new pg.Client({ ...superuserConfig(server, database), ...extra });
  await client.connect();
  return client;
}

/** The URL of `database` on `server` (no password: it never rides in a URL). */
export const pgUrl = (server: RunningPostgres, database = 'postgres', user = server.user): string =>
  `postgres://${user}@${server.host}:${server.port}/${database}`;

/** What the engine's PostgreSQL modules take to reach `database` on `server` as its superuser. */
export const serverTarget = (server: RunningPostgres, database = 'postgres'): PgTarget =>
  pgTarget(pgUrl(server, database), { password: server.password });

/** Creates `name` as docs/team-server.md tells operators to: from template0, with the C collation. */
export async function createTeamDatabase(
  admin: { query(sql: string): Promise<unknown> },
  name: string,
): Promise<void> {
  await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'`);
}

/**
 * A new database `name` as vMiner wants it, created through `admin` (a superuser connection) and
 * migrated with drizzle-pg/; its target for vMiner's connections.
 */
export async function migratedDatabase(
  server: RunningPostgres,
  admin: { query(sql: string): Promise<unknown> },
  name: string,
): Promise<PgTarget> {
  await createTeamDatabase(admin, name);
  const target = serverTarget(server, name);
  await migratePostgres(target);
  return target;
}

/**
 * A team database `name` on `server` holding a copy of a SQLite cache (`from`: a data folder or
 * its vminer.db): created as operators do, migrated, copied. For tests that compare both back ends.
 */
export async function teamCopyOf(server: RunningPostgres, name: string, from: string): Promise<PgTarget> {
  const admin = await connectAdmin(server);
  let target: PgTarget;
  try {
    target = await migratedDatabase(server, admin, name);
  } finally {
    await admin.end();
  }
  await copyToPostgres({ from: `sqlite:${from}`, target });
  return target;
}
