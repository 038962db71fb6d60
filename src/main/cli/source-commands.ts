import type { Command } from 'commander';
import { CONTRACT } from '../../shared/contract.js';
import { VminerError } from '../../shared/errors.js';
import { SOURCE_KINDS, type SourceKind, type SourceRefreshResult } from '../../shared/sources.js';
import { createHandlers } from '../engine/api.js';
import { openEngine, readPassword, withDataDir, withJson, type CommonOptions } from './common.js';
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
}

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
      (r.added.length ? '\n  review the new certificates: vminer vcenter trust --review' : '') +
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
            },
            password,
            ...(opts.query ? { query: opts.query } : {}),
            mapping: parseMapping(opts.map),
            ...(opts.refreshMinutes ? { refreshMinutes: Number(opts.refreshMinutes) } : {}),
          }),
        );
        if (opts.json) printJson(info);
        else
          process.stdout.write(
            `Added source ${info.name} (${info.kind}, refreshed every ${info.refreshMinutes} min). Try it: vminer source test ${info.name}\n`,
          );
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
              error: s.lastError?.message ?? '',
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
          process.stdout.write(`\n${r.totalRows} rows; as vCenters:\n`);
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
