import type { Command } from 'commander';
import { SOURCE_KINDS } from '../../../shared/source-kinds.js';
import { examples, lazy, withDataDir, withJson, withTable } from '../options.js';

const actions = () => import('../actions/source.js');

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

/** `vminer source …`: SQL tables (SQL Server, PostgreSQL) that list the vCenters. */
export function registerSourceCommands(program: Command): void {
  const src = program
    .command('source')
    .description(
      'SQL tables that list your vCenters (SQL Server CMDB, PostgreSQL); refreshed on their own interval',
    );
  examples(src, ['vminer source list', 'vminer source test cmdb', 'vminer source refresh cmdb']);

  examples(withJson(withDataDir(src.command('add <name>'))), [
    'echo "$DBPW" | vminer source add cmdb --kind mssql --server sql01.corp --database CMDB --user vminer_ro \\\n' +
      '      --query "SELECT name, fqdn, site FROM dbo.vcenters WHERE enabled = 1" --map host=fqdn --map site=site \\\n' +
      '      --ca-file corp-ca.pem --password-stdin',
    'echo "$DBPW" | vminer source add inv --kind postgres --server pg01.corp --database inventory --user ro --password-stdin',
  ])
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
    .action(lazy(actions, 'add'));

  examples(withJson(withDataDir(src.command('edit <name>'))), [
    'vminer source edit cmdb --thumbprint "$(cat sql01.sha256)"',
    'vminer source edit cmdb --max-rows 50000 --refresh-minutes 15',
  ])
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
    .action(lazy(actions, 'edit'));

  examples(withTable(withDataDir(src.command('list'))), ['vminer source list', 'vminer source list --json'])
    .description('list SQL sources with their last refresh')
    .action(lazy(actions, 'list'));

  examples(withJson(withDataDir(src.command('test <name>'))), ['vminer source test cmdb'])
    .description("run the source's query and show the first rows, as read and as vCenters (changes nothing)")
    .action(lazy(actions, 'test'));

  examples(withJson(withDataDir(src.command('refresh <name>'))), [
    'vminer source refresh cmdb',
    'vminer source refresh cmdb --json || echo "refresh failed; the last good list is kept"',
  ])
    .description('refresh now: add new vCenters, retire vanished ones (exit 2 when it failed)')
    .action(lazy(actions, 'refresh'));

  examples(withDataDir(src.command('set-password <name>')), [
    'echo "$DBPW" | vminer source set-password cmdb --password-stdin',
  ])
    .description("replace a source's database password")
    .option('--password-stdin', 'read the password from standard input')
    .action(lazy(actions, 'setPassword'));

  examples(withDataDir(src.command('remove <name>')), [
    'vminer source remove cmdb',
    'vminer source remove cmdb --remove-vcenters',
  ])
    .description('remove a source; its vCenters move to the local list unless --remove-vcenters')
    .option('--remove-vcenters', 'also remove the vCenters it listed, with their cached data')
    .action(lazy(actions, 'remove'));
}
