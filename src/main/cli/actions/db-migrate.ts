/**
 * `vminer db migrate` and `vminer db copy`. PostgreSQL's driver and the PostgreSQL schema load only
 * when a command reaches PostgreSQL: `db migrate` on the data folder stays on SQLite.
 */
import { VminerError } from '../../../shared/errors.js';
import { DataLock } from '../../engine/data-lock.js';
import { migrateCache } from '../../engine/db/migrate-cache.js';
import type { CommonOptions } from '../options.js';
import { printJson, printTable } from '../output.js';
import { dataDirOf, readPassword, warn } from '../session.js';
import type { SecretVault } from '../../engine/secrets/secret-vault.js';
import type { PgCredentialVault } from '../../engine/team/pg-vault.js';

export function databaseUrl(given: string | undefined, option: string): string | undefined {
  if (given !== undefined && given.trim() === '')
    throw new VminerError('INVALID_INPUT', `${option} is empty: give postgres://user@host:port/database`);
  // An empty VMINER_DATABASE_URL counts as unset.
  return given ?? (process.env['VMINER_DATABASE_URL'] || undefined);
}

/** The database's settings; the password from PGPASSWORD, else from the data folder's vault. */
export async function target(url: string, role: string, opts: CommonOptions) {
  const { pgTarget } = await import('../../engine/team/pg-connection.js');
  const { display } = pgTarget(url, { env: {} });
  let password: string | undefined;
  if (!process.env['PGPASSWORD']) {
    const { vaultPassword } = await import('../../engine/db/pg/password.js');
    password = await vaultPassword(dataDirOf(opts), display, warn);
  }
  return pgTarget(url, { applicationName: `vminer ${role}`, ...(password ? { password } : {}) });
}

/** `vminer db password [--database URL] [--password-stdin | --remove]`: the password in the vault. */
export async function password(
  opts: CommonOptions & { database?: string; passwordStdin?: boolean; remove?: boolean },
): Promise<void> {
  const url = databaseUrl(opts.database, '--database');
  if (!url)
    throw new VminerError(
      'INVALID_INPUT',
      'say which database: --database postgres://user@host:port/database (or set VMINER_DATABASE_URL)',
    );
  const { pgTarget } = await import('../../engine/team/pg-connection.js');
  const { display } = pgTarget(url, { env: {} });
  const dataDir = dataDirOf(opts);
  const secret = opts.remove ? null : await readPassword(opts, `Password for ${display}:`);
  const { storeVaultPassword } = await import('../../engine/db/pg/password.js');
  const lock = DataLock.acquire(dataDir, 'vminer db password');
  let changed: boolean;
  try {
    changed = await storeVaultPassword(dataDir, display, secret, warn);
  } finally {
    lock.release();
  }
  if (opts.json)
    return printJson({ database: display, stored: secret !== null, removed: secret === null && changed });
  process.stdout.write(
    secret === null
      ? changed
        ? `Removed the password of ${display} from the vault.\n`
        : `The vault held no password for ${display}.\n`
      : `Stored the password of ${display} in the vault (used when PGPASSWORD is not set).\n`,
  );
}

/** `vminer db migrate [--database URL]`. */
export async function migrate(opts: CommonOptions & { database?: string }): Promise<void> {
  const url = databaseUrl(opts.database, '--database');
  const out = process.stdout;
  if (!url) {
    const r = migrateCache(dataDirOf(opts));
    if (opts.json) return printJson({ database: r.file, applied: r.applied, total: r.total, warnings: [] });
    if (r.created) out.write(`Created the cache ${r.file}.\n`);
    out.write(
      r.applied.length
        ? `Applied ${r.applied.length} migration(s) to ${r.file}:\n${r.applied.map((t) => `  ${t}`).join('\n')}\n`
        : `${r.file} is up to date (${r.total} migrations applied before); nothing to do.\n`,
    );
    return;
  }
  const { migratePostgres } = await import('../../engine/db/pg/migrate.js');
  const r = await migratePostgres(await target(url, 'migrate', opts));
  if (opts.json) return printJson(r);
  out.write(
    r.applied.length
      ? `Applied ${r.applied.length} migration(s) to ${r.database}:\n${r.applied.map((t) => `  ${t}`).join('\n')}\n`
      : `${r.database} is up to date (${r.total} migrations applied before); nothing to do.\n`,
  );
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
}

/** The desktop vault beside a copied cache, when there is one (opened before anything is copied). */
async function sourceVault(cacheFile: string): Promise<{ dataDir: string; vault: SecretVault | null }> {
  const path = await import('node:path');
  const fs = await import('node:fs');
  const { CredentialVault, VAULT_FILE_NAME } = await import('../../engine/secrets/index.js');
  const dataDir = path.dirname(cacheFile);
  if (!fs.existsSync(path.join(dataDir, VAULT_FILE_NAME))) return { dataDir, vault: null };
  try {
    return { dataDir, vault: await CredentialVault.open({ dataDir, onWarning: warn }) };
  } catch (err) {
    // VMINER_SECRET_KEY is set for the team vault; the desktop's own key is in its keychain or key file.
    const { isVaultError, SECRET_KEY_ENV } = await import('../../engine/secrets/index.js');
    if (!isVaultError(err, 'VAULT_KEY_MISMATCH') || !process.env[SECRET_KEY_ENV]) throw err;
    const env = { ...process.env, [SECRET_KEY_ENV]: undefined };
    return { dataDir, vault: await CredentialVault.open({ dataDir, env, onWarning: warn }) };
  }
}

/** `vminer db copy --from sqlite:PATH --to URL [--replace] [--with-passwords]`. */
export async function copy(opts: {
  from: string;
  to?: string;
  replace?: boolean;
  withPasswords?: boolean;
  json?: boolean;
}): Promise<void> {
  const url = databaseUrl(opts.to, '--to');
  if (!url)
    throw new VminerError(
      'INVALID_INPUT',
      'say where to copy to: --to postgres://user@host:port/database (or set VMINER_DATABASE_URL)',
    );
  const { copyToPostgres, sqliteSource } = await import('../../engine/db/pg/copy.js');
  const pgTargetOf = await target(url, 'copy', opts);
  // Both vaults are opened first: a missing key or a locked keychain stops the copy before it starts.
  let vaults: { from: { dataDir: string; vault: SecretVault | null }; to: PgCredentialVault } | null = null;
  if (opts.withPasswords) {
    const from = await sourceVault(sqliteSource(opts.from));
    const { PgCredentialVault } = await import('../../engine/team/pg-vault.js');
    vaults = { from, to: await PgCredentialVault.open({ target: pgTargetOf, refreshMs: 0 }) };
  }
  const progress = opts.json ? undefined : process.stderr.isTTY ? process.stderr : undefined;
  let r: Awaited<ReturnType<typeof copyToPostgres>>;
  let passwords: { copied: string[]; skipped: string[] } | null = null;
  try {
    r = await copyToPostgres({
      from: opts.from,
      target: pgTargetOf,
      replace: opts.replace === true,
      onTable: (table, rows) => progress?.write(`  ${table}: ${rows}\n`),
    });
    if (vaults?.from.vault) {
      const { copySecrets } = await import('../../engine/team/copy-secrets.js');
      passwords = await copySecrets(vaults.from.vault, vaults.to);
    }
  } finally {
    await vaults?.to.close();
  }
  const secrets = !vaults
    ? "Passwords (vCenters, service accounts, sources) are not in the cache and were not copied: they stay in this machine's vault; add --with-passwords to copy them into the team vault (needs VMINER_SECRET_KEY), or enter them again for the team server."
    : passwords
      ? `Copied ${passwords.copied.length} password(s) (vCenters, service accounts, sources) into the team vault, encrypted with VMINER_SECRET_KEY${passwords.skipped.length ? `; left behind ${passwords.skipped.length} item(s) that belong to this installation (its REST signing secret, saved database passwords)` : ''}.`
      : `There is no credential vault in ${vaults.from.dataDir}: no passwords to copy.`;
  if (opts.json)
    return printJson({
      ...r,
      total: r.tables.reduce((n, t) => n + t.rows, 0),
      secretsCopied: passwords !== null && passwords.copied.length > 0,
      passwords: passwords?.copied.length ?? 0,
      note: secrets,
    });
  const out = process.stdout;
  out.write(`Copied ${r.from} to ${r.to}${r.replaced ? ' (its previous data replaced)' : ''}:\n`);
  printTable(r.tables, ['table', 'rows']);
  out.write(
    `${r.tables.reduce((n, t) => n + t.rows, 0)} rows in ${r.tables.length} tables; every count matches the cache.\n${secrets}\n`,
  );
}
