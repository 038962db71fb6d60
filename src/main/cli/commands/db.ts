import { Option, type Command } from 'commander';
import { examples, lazy, withDataDir, withJson } from '../options.js';

const actions = () => import('../actions/db.js');
const migrateActions = () => import('../actions/db-migrate.js');

const DATABASE_HELP =
  'a PostgreSQL database (team server): postgres://user@host:port/database[?sslmode=require|verify-full] (default: $VMINER_DATABASE_URL); the password from PGPASSWORD, else the vault (vminer db password), else ~/.pgpass; never in the URL';

/** `vminer db check`, `repair`, `migrate` and `copy`. */
export function registerDbCommands(program: Command): void {
  const db = program
    .command('db')
    .description(
      'the cache: check it, rebuild it when damaged (the configuration is kept), upgrade it, copy it to PostgreSQL',
    );
  examples(db, [
    'vminer db check',
    'vminer db repair',
    'vminer db migrate --database postgres://vminer@db.corp:5432/vminer',
    'vminer db copy --from sqlite:~/.config/vMiner --to postgres://vminer@db.corp:5432/vminer',
  ]);

  examples(withJson(withDataDir(db.command('check'))), ['vminer db check', 'vminer db check --full --json'])
    .description(
      "run SQLite's check on the cache (read-only, works beside a running engine) and list the configuration backups; exit 1 when damaged",
    )
    .option('--full', 'the full integrity check (indexes too; about 3x slower than the default quick check)')
    .action(lazy(actions, 'check'));

  examples(withJson(withDataDir(db.command('repair'))), ['vminer db repair', 'vminer db repair --no-sync'])
    .description(
      'rebuild a damaged cache: vCenters, accounts, sources, users and settings are salvaged (from a backup where the file cannot give them), the damaged file is kept aside, then every vCenter is synced again',
    )
    .option('--no-sync', 'do not sync the inventory afterwards')
    .option('--force', 'rebuild even when the cache passes the integrity check')
    .action(lazy(actions, 'repair'));

  examples(withJson(withDataDir(db.command('migrate'))), [
    'vminer db migrate',
    'vminer db migrate --database "postgres://vminer@db.corp:5432/vminer?sslmode=verify-full"',
    'VMINER_DATABASE_URL=postgres://vminer@127.0.0.1/vminer vminer db migrate --json',
  ])
    .description(
      "apply the database upgrades this vMiner brings: to the data folder's SQLite cache, or with --database to a PostgreSQL database (creates the pg_trgm extension, the tables and indexes); prints what it applied, does nothing when up to date",
    )
    .option('--database <url>', DATABASE_HELP)
    .action(lazy(migrateActions, 'migrate'));

  examples(withJson(withDataDir(db.command('copy'))), [
    'vminer db copy --from sqlite:~/.config/vMiner --to postgres://vminer@db.corp:5432/vminer',
    'vminer db copy --from sqlite:/backup/vminer.db --to postgres://vminer@127.0.0.1/vminer --replace',
    'VMINER_SECRET_KEY=$(cat /etc/vminer/secret-key) vminer db copy --from sqlite:~/.config/vMiner --to postgres://vminer@db.corp/vminer --with-passwords',
  ])
    .description(
      'copy a desktop cache (vCenters, accounts and sources without their passwords, inventory, child tables, change history, users, settings, search index) to a migrated PostgreSQL database, in one transaction (all or nothing); prints the rows per table and checks the counts. Passwords stay in the vault unless --with-passwords copies them into the team vault',
    )
    .requiredOption('--from <sqlite:path>', 'the cache: sqlite: and a data folder or its vminer.db file')
    .option('--to <url>', DATABASE_HELP)
    .option('--replace', 'empty the target first when it already holds data (refused otherwise)')
    .option(
      '--with-passwords',
      "also copy the vCenter, service-account and source passwords from the cache's vault into the team vault, encrypted with VMINER_SECRET_KEY (which must be set)",
    )
    .action(lazy(migrateActions, 'copy'));

  examples(withJson(withDataDir(db.command('password'))), [
    'vminer db password --database postgres://vminer@db.corp:5432/vminer',
    'echo "$PW" | vminer db password --database postgres://vminer@db.corp:5432/vminer --password-stdin',
    'vminer db password --database postgres://vminer@db.corp:5432/vminer --remove',
  ])
    .description(
      "keep a PostgreSQL database's password in the data folder's credential vault, for db migrate and db copy when PGPASSWORD is not set",
    )
    .option(
      '--database <url>',
      'the database: postgres://user@host:port/database (default: $VMINER_DATABASE_URL)',
    )
    .addOption(new Option('--password-stdin', 'read the password from standard input').conflicts('remove'))
    .option('--remove', 'remove the stored password')
    .action(lazy(migrateActions, 'password'));
}
