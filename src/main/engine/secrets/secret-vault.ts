/**
 * What the engine needs of a credential vault, whichever holds it: the data folder's encrypted file
 * (CredentialVault, the desktop and a single `vminer serve`) or the team database's vault row
 * (PgCredentialVault, several `vminer serve` instances on PostgreSQL). Reads are synchronous from
 * memory; writes are durable when they resolve.
 */
export interface SecretVault {
  /** Where the key came from: 'keychain', 'file' or 'env' (VMINER_SECRET_KEY). */
  readonly backend: 'keychain' | 'file' | 'env';
  /** Where the encrypted secrets live, for messages (a file path, or a database and table). */
  readonly path: string;
  get(id: string): string | undefined;
  /** Stored ids (never secrets), sorted. */
  list(): string[];
  set(id: string, secret: string): Promise<void>;
  /** Resolves true when the id existed. */
  delete(id: string): Promise<boolean>;
}

const MAX_ID_CHARS = 1024;
const MAX_SECRET_CHARS = 64 * 1024;
const LONE_SURROGATE = /\p{Surrogate}/u;

export function checkId(id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_CHARS || LONE_SURROGATE.test(id)) {
    throw new RangeError(`invalid vault id (must be 1..${MAX_ID_CHARS} characters)`);
  }
}

export function checkSecret(secret: string): void {
  if (typeof secret !== 'string') throw new TypeError('secret must be a string');
  if (secret.length > MAX_SECRET_CHARS)
    throw new RangeError(`secret longer than ${MAX_SECRET_CHARS} characters`);
  if (LONE_SURROGATE.test(secret)) throw new RangeError('secret contains an unpaired UTF-16 surrogate');
}

/** A vault's write step: applies `change` to the entries as stored now; false = nothing changed. */
export type VaultMutate = (change: (entries: Map<string, string>) => boolean) => Promise<void>;

/** set() of either vault: checks the id and the secret, and writes only when the secret differs. */
export async function setThrough(mutate: VaultMutate, id: string, secret: string): Promise<void> {
  checkId(id);
  checkSecret(secret);
  await mutate((m) => {
    if (m.get(id) === secret) return false;
    m.set(id, secret);
    return true;
  });
}

/** delete() of either vault: resolves true when the id existed. */
export async function deleteThrough(mutate: VaultMutate, id: string): Promise<boolean> {
  let existed = false;
  await mutate((m) => {
    existed = m.delete(id);
    return existed;
  });
  return existed;
}
