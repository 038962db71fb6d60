/**
 * The team database's password in the credential vault (`vminer db password`), for when PGPASSWORD
 * is not set: item `database:<URL as shown>`, in the data folder's vault. The vault is opened only
 * when it exists, so looking a password up never creates a vault or a key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CredentialVault } from '../../secrets/index.js';
import { VAULT_FILE_NAME } from '../../secrets/file-names.js';

/** The vault item of a database, by its display URL (`postgres://user@host:port/db`, no password). */
export function databaseSecretId(display: string): string {
  return `database:${display}`;
}

export async function vaultPassword(
  dataDir: string,
  display: string,
  onWarning: (message: string) => void,
): Promise<string | undefined> {
  if (!fs.existsSync(path.join(dataDir, VAULT_FILE_NAME))) return undefined;
  const vault = await CredentialVault.open({ dataDir, onWarning });
  return vault.get(databaseSecretId(display));
}

export async function storeVaultPassword(
  dataDir: string,
  display: string,
  password: string | null,
  onWarning: (message: string) => void,
): Promise<boolean> {
  const vault = await CredentialVault.open({ dataDir, onWarning });
  if (password === null) return vault.delete(databaseSecretId(display));
  await vault.set(databaseSecretId(display), password);
  return true;
}
