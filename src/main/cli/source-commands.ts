import type { Command } from 'commander';
import { CONTRACT } from '../../shared/contract.js';
import { VminerError } from '../../shared/errors.js';
import {
  SOURCE_KINDS,
  type SourceInfo,
  type SourceKind,
  type SourceRefreshResult,
} from '../../shared/sources.js';
import { createHandlers } from '../engine/api.js';
import { openEngine, readCaFile, readPassword, withDataDir, withJson, type CommonOptions } from './common.js';
import { printJson, printTable } from './output.js';

interface SourceOptions extends CommonOptions {
  kind: string;
  server: string;
  port?: string;
  database: string;
  user: string;
  auth?: string;
  noEncrypt?: boolean;
  encrypt?: boolean;
  trustServerCertificate?: boolean;
  query?: string;
  map?: string[];
  refreshMinutes?: string;
  passwordStdin?: boolean;
  caFile?: string;
  thumbprint?: string;
  maxRows?: string;
  trustCaValid?: boolean;
}

interface EditOptions extends Omit<SourceOptions, 'kind' | 'server' | 'database' | 'user'> {
  server?: string;
  database?: string;
  user?: string;
  systemCas?: boolean;
  enable?: boolean;
}

/** Warnings about a source's settings, on stderr (where the CLI says what deserves a second look). */
function warnAbout(info: SourceInfo): void {
  for (const w of info.warnings) process.stderr.write(`warning: ${info.name}: ${w}\n`);
}

const TLS_HELP = {
  caFile:
    "check the database server's certificate against this private CA (PEM) instead of trusting it unchecked",
  thumbprint: "pin the database server's certificate by its SHA-256 thumbprint (a self-signed one)",
  maxRows:
    'read at most this many rows (default 10000); a longer answer fails the refresh and keeps the last good list',
  trustCaValid:
    'let the vCenters it lists log in as soon as a CA vouches for their certificate (default: no password until each certificate is reviewed with `vminer vcenter trust`)',
};

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** `--map host=fqdn --map site=location` → a partial column mapping. */
function parseMapping(pairs: string[] | undefined): Record<string, string | null> {
  const fields = ['name', 'host', 'port', 'username', 'site', 'tags', 'enabled'];
  const out: Record<string, string | null> = {};
  for (const p of pairs ?? []) {
    const m = /^([a-z]+)=(.*)$/.exec(p);
    if (!m || !fields.includes(m[1]!))
      throw new VminerError(
        'INVALID_INPUT',
        `--map ${p}: write FIELD=COLUMN, FIELD one of ${fields.join(', ')}`,
      );
    out[m[1]!] = m[2] ? m[2] : null;
  }
  return out;
}

function printRefresh(name: string, r: SourceRefreshResult): void {
  if (!r.ok) {
    process.stdout.write(`${name}: refresh failed, the last good list is kept — ${r.error?.message ?? ''}\n`);
    return;
  }
  const list = (label: string, xs: string[]): string => (xs.length ? `\n  ${label}: ${xs.join(', ')}` : '');
  process.stdout.write(
    `${name}: ${r.rows} rows; ${r.added.length} added, ${r.updated.length} updated, ${r.retired.length} retired, ${r.restored.length} restored, ${r.skipped.length} skipped` +
      list('added', r.added) +
      list('retired', r.retired) +
      list('restored', r.restored) +
      list(
        'skipped',
        r.skipped.map((s) => `${s.name} (${s.reason})`),
      ) +
      (r.added.length
        ? '\n  the new vCenters get no password until their certificates are reviewed: vminer vcenter trust'
        : '') +
      '\n',
  );
}

/** `vminer source …`: SQL tables (SQL Server, PostgreSQL) that list the vCenters. */
export function registerSourceCommands(program: Command): void {
  const src = program
    .command('source')
    .description(
      'SQL tables that list your vCenters (SQL Server CMDB, PostgreSQL); refreshed on their own interval',
    );

  withJson(withDataDir(src.command('add <name>')))
    .description('add a SQL source; the database password goes to the credential vault')
    .requiredOption('--kind <kind>', `database kind: ${SOURCE_KINDS.join(' or ')}`)
    .requiredOption('--server <host>', 'database server')
    .option('--port <port>', 'port (SQL Server 1433, PostgreSQL 5432)')
    .requiredOption('--database <db>', 'database name')
    .requiredOption('--user <user>', 'database login (DOMAIN\\user with --auth ntlm)')
    .option('--auth <auth>', 'sql (default) or ntlm (SQL Server Windows login)')
    .option('--no-encrypt', 'do not encrypt the connection (test servers only)')
    .option('--trust-server-certificate', "accept the database server's certificate unchecked")
    .option('--ca-file <pem>', TLS_HELP.caFile)
    .option('--thumbprint <sha256>', TLS_HELP.thumbprint)
    .option('--max-rows <n>', TLS_HELP.maxRows)
    .option('--trust-ca-valid', TLS_HELP.trustCaValid)
    .option(
      '--query <sql>',
      'the SELECT to run (default: SELECT name, host, port FROM vcenters WHERE enabled = 1)',
    )
    .option(
      '--map <field=column>',
      'column mapping, repeatable: name, host, port, username, site, tags, enabled',
      collect,
    )
    .option('--refresh-minutes <n>', 'refresh interval of this source (default 60)')
    .option('--password-stdin', 'read the database password from standard input')
    .action(async (name: string, opts: SourceOptions) => {
      if (!SOURCE_KINDS.includes(opts.kind as SourceKind))
        throw new VminerError('INVALID_INPUT', `--kind must be ${SOURCE_KINDS.join(' or ')}`);
      const password = await readPassword(opts, `Password for ${opts.user} on ${opts.server}:`);
      const engine = await openEngine(opts, 'vminer source add');
      try {
        const h = createHandlers(engine);
        const info = await h['sources.add'](
          // Parsed by the contract's schema, exactly as over IPC or REST.
          CONTRACT['sources.add'].args.parse({
            name,
            kind: opts.kind,
            connection: {
              server: opts.server,
              ...(opts.port ? { port: Number(opts.port) } : {}),
              database: opts.database,
              user: opts.user,
              auth: opts.auth ?? 'sql',
              encrypt: opts.encrypt !== false,
              trustServerCertificate: opts.trustServerCertificate ?? false,
              caPem: opts.caFile ? readCaFile(opts.caFile) : null,
              thumbprint: opts.thumbprint ?? null,
            },
            password,
            ...(opts.query ? { query: opts.query } : {}),
            mapping: parseMapping(opts.map),
            ...(opts.refreshMinutes ? { refreshMinutes: Number(opts.refreshMinutes) } : {}),
            ...(opts.maxRows ? { maxRows: Number(opts.maxRows) } : {}),
            ...(opts.trustCaValid ? { trustCaValid: true } : {}),
          }),
        );
        warnAbout(info);
        if (opts.json) printJson(info);
        else
          process.stdout.write(
            `Added source ${info.name} (${info.kind}, refreshed every ${info.refreshMinutes} min). Try it: vminer source test ${info.name}\n`,
          );
      } finally {
        engine.close();
      }
    });

  withJson(withDataDir(src.command('edit <name>')))
    .description(
      "change a source's connection, certificate checks, query, cap or schedule (what is not given stays)",
    )
    .option('--server <host>', 'database server')
    .option('--port <port>', 'port')
    .option('--database <db>', 'database name')
    .option('--user <user>', 'database login (the password: vminer source set-password)')
    .option('--encrypt', 'encrypt the connection')
    .option('--no-encrypt', 'do not encrypt the connection (test servers only)')
    .option('--trust-server-certificate', "accept the database server's certificate unchecked")
    .option('--no-trust-server-certificate', "check the database server's certificate")
    .option('--ca-file <pem>', TLS_HELP.caFile)
    .option('--thumbprint <sha256>', TLS_HELP.thumbprint)
    .option('--system-cas', 'check the server against the system CAs again (drops a CA file or thumbprint)')
    .option('--max-rows <n>', TLS_HELP.maxRows)
    .option('--trust-ca-valid', TLS_HELP.trustCaValid)
    .option('--no-trust-ca-valid', 'no password for a new or moved vCenter until its certificate is reviewed')
    .option('--query <sql>', 'the SELECT to run')
    .option('--map <field=column>', 'column mapping, repeatable', collect)
    .option('--refresh-minutes <n>', 'refresh interval of this source')
    .option('--enable', 'refresh on its own schedule')
    .option('--no-enable', 'refresh only when asked (vminer source refresh)')
    .action(async (name: string, opts: EditOptions) => {
      const engine = await openEngine(opts, 'vminer source edit');
      try {
        const s = engine.sources.resolve(name);
        const connection: Record<string, unknown> = {};
        if (opts.server !== undefined) connection['server'] = opts.server;
        if (opts.port !== undefined) connection['port'] = Number(opts.port);
        if (opts.database !== undefined) connection['database'] = opts.database;
        if (opts.user !== undefined) connection['user'] = opts.user;
        if (opts.encrypt !== undefined) connection['encrypt'] = opts.encrypt;
        if (opts.trustServerCertificate !== undefined)
          connection['trustServerCertificate'] = opts.trustServerCertificate;
        if ([opts.caFile, opts.thumbprint, opts.systemCas].filter(Boolean).length > 1)
          throw new VminerError('INVALID_INPUT', 'choose one of --ca-file, --thumbprint and --system-cas');
        if (opts.caFile) Object.assign(connection, { caPem: readCaFile(opts.caFile), thumbprint: null });
        if (opts.thumbprint) Object.assign(connection, { thumbprint: opts.thumbprint, caPem: null });
        if (opts.systemCas) Object.assign(connection, { caPem: null, thumbprint: null });
        const mapping = opts.map ? parseMapping(opts.map) : undefined;
        const info = await createHandlers(engine)['sources.update'](
          CONTRACT['sources.update'].args.parse({
            id: s.id,
            ...(Object.keys(connection).length ? { connection } : {}),
            ...(opts.query ? { query: opts.query } : {}),
            ...(mapping ? { mapping } : {}),
            ...(opts.refreshMinutes ? { refreshMinutes: Number(opts.refreshMinutes) } : {}),
            ...(opts.maxRows ? { maxRows: Number(opts.maxRows) } : {}),
            ...(opts.trustCaValid !== undefined ? { trustCaValid: opts.trustCaValid } : {}),
            ...(opts.enable !== undefined ? { enabled: opts.enable } : {}),
          }),
        );
        warnAbout(info);
        if (opts.json) printJson(info);
        else process.stdout.write(`Updated source ${info.name}.\n`);
      } finally {
        engine.close();
      }
    });

  withJson(withDataDir(src.command('list')))
    .description('list SQL sources with their last refresh')
    .action(async (opts: CommonOptions) => {
      const engine = await openEngine(opts, 'vminer source list');
      try {
        const list = engine.sources.list();
        if (opts.json) printJson(list);
        else
          printTable(
            list.map((s) => ({
              ...s,
              server: `${s.config.connection.server}/${s.config.connection.database}`,
              every: `${s.refreshMinutes} min`,
              last: s.lastSuccessAt ?? 'never',
              error: [s.lastError?.message, ...s.warnings.map((w) => `warning: ${w}`)]
                .filter(Boolean)
                .join('; '),
            })),
            ['id', 'name', 'kind', 'server', 'vcenters', 'retired', 'every', 'last', 'error'],
          );
      } finally {
        engine.close();
      }
    });

  withJson(withDataDir(src.command('test <name>')))
    .description("run the source's query and show the first rows, as read and as vCenters (changes nothing)")
    .action(async (name: string, opts: CommonOptions) => {
      const engine = await openEngine(opts, 'vminer source test');
      try {
        const r = await createHandlers(engine)['sources.test']({ id: engine.sources.resolve(name).id });
        if (opts.json) printJson(r);
        else {
          printTable(r.rows, r.columns);
          process.stdout.write(
            r.overCap
              ? `\nMore than ${r.totalRows} rows (the source's cap, --max-rows): a refresh would fail. The first ones as vCenters:\n`
              : `\n${r.totalRows} rows; as vCenters:\n`,
          );
          printTable(
            r.mapped.map((m) => ({ ...m })),
            ['name', 'url', 'problem'],
          );
        }
      } finally {
        engine.close();
      }
    });

  withJson(withDataDir(src.command('refresh <name>')))
    .description('refresh now: add new vCenters, retire vanished ones (exit 2 when it failed)')
    .action(async (name: string, opts: CommonOptions) => {
      const engine = await openEngine(opts, 'vminer source refresh');
      try {
        const s = engine.sources.resolve(name);
        const r = await createHandlers(engine)['sources.refresh']({ id: s.id });
        if (opts.json) printJson(r);
        else printRefresh(s.name, r);
        if (!r.ok) process.exitCode = 2;
      } finally {
        engine.close();
      }
    });

  withDataDir(src.command('set-password <name>'))
    .description("replace a source's database password")
    .option('--password-stdin', 'read the password from standard input')
    .action(async (name: string, opts: CommonOptions & { passwordStdin?: boolean }) => {
      const engine = await openEngine(opts, 'vminer source set-password');
      try {
        const s = engine.sources.resolve(name);
        await engine.setSourcePassword(
          s.id,
          await readPassword(opts, `Password for ${s.config.connection.user}:`),
        );
        process.stdout.write(`Password for ${s.name} updated.\n`);
      } finally {
        engine.close();
      }
    });

  withDataDir(src.command('remove <name>'))
    .description('remove a source; its vCenters move to the local list unless --remove-vcenters')
    .option('--remove-vcenters', 'also remove the vCenters it listed, with their cached data')
    .action(async (name: string, opts: CommonOptions & { removeVcenters?: boolean }) => {
      const engine = await openEngine(opts, 'vminer source remove');
      try {
        const s = engine.sources.resolve(name);
        const r = await createHandlers(engine)['sources.remove']({
          id: s.id,
          removeVcenters: opts.removeVcenters ?? false,
        });
        process.stdout.write(
          `Removed ${s.name}${r.removedVcenters.length ? ` and ${r.removedVcenters.length} vCenters` : ''}.\n`,
        );
      } finally {
        engine.close();
      }
    });
}
