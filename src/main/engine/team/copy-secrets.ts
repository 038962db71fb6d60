/**
 * `vminer db copy --with-passwords`: the passwords of the copied vCenters, service accounts and
 * sources, from the desktop's vault into the team vault. `db copy` keeps every row's id, so the
 * vault items (`vcenter:<id>`, `account:<id>`, `source:<id>`) keep pointing at the same rows. Items
 * that belong to one installation stay behind: the desktop's REST signing secret (each server signs
 * its own tokens) and its saved database passwords.
 */
import type { SecretVault } from '../secrets/secret-vault.js';

const COPIED = /^(vcenter|account|source):\d+$/;

export interface CopiedSecrets {
  /** The ids copied (never the secrets), sorted. */
  copied: string[];
  /** Ids left behind because they belong to the desktop installation. */
  skipped: string[];
}

export async function copySecrets(from: SecretVault, to: SecretVault): Promise<CopiedSecrets> {
  const copied: string[] = [];
  const skipped: string[] = [];
  for (const id of from.list()) {
    const secret = from.get(id);
    if (!COPIED.test(id) || secret === undefined) {
      skipped.push(id);
      continue;
    }
    await to.set(id, secret);
    copied.push(id);
  }
  return { copied, skipped };
}
