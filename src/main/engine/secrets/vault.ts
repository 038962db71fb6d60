/**
 * CredentialVault: vCenter / source passwords, AES-256-GCM encrypted in
 * `<dataDir>/credentials.vault`, with ONE 32-byte vault key per data dir
 * taken from (in order, backend 'auto'):
 *   1. env VMINER_SECRET_KEY (64 hex / base64 of 32 bytes / passphrase >= 16 chars -> scrypt)  -> 'env'
 *   2. the OS keychain (service "vMiner", account "vault-key:<sha256(realpath(dataDir))[0..16]>") -> 'keychain'
 *   3. `<dataDir>/vault.key` (0600; a warning is emitted)                                       -> 'file'
 * An existing vault is never overwritten or deleted when the key does not fit
 * (VAULT_KEY_MISMATCH) or the file is damaged (VAULT_CORRUPT).
 */
import { createHash } from 'node:crypto';
import { realpath, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VaultError, errorMessage } from './errors.js';
import {
  KEY_FILE_NAME,
  SECRET_KEY_ENV,
  VAULT_FILE_NAME,
  decryptVault,
  derivePassphraseKey,
  encodeVault,
  keyMatches,
  newRandomKey,
  newScryptParams,
  parseEnvKey,
  parseRawKey,
  parseVaultFile,
  type VaultFile,
  type VaultKey,
} from './format.js';
import {
  createFileExclusive,
  readWithStamp,
  readWithStampSync,
  sameStamp,
  statStampSync,
  writeFileAtomic,
  type FileStamp,
} from './fsutil.js';
import { DEFAULT_KEYCHAIN_SERVICE, openKeychainItem, type KeychainItem } from './keychain.js';
import { ensurePrivateDir } from '../private-files.js';
import { deleteThrough, setThrough, type SecretVault } from './secret-vault.js';

export type VaultBackend = 'keychain' | 'file' | 'env';

export interface OpenVaultOptions {
  /** vMiner data directory; created (0700) if missing. */
  dataDir: string;
  /** Force a key backend. Default 'auto' (env > keychain > file). */
  backend?: 'auto' | VaultBackend;
  /** Environment to read VMINER_SECRET_KEY from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Receives human-readable warnings (e.g. "key stored in a file"). Default console.warn. */
  onWarning?: (message: string) => void;
  /** Keychain service name. Default "vMiner"; tests pass a unique one. */
  keychainService?: string;
}

/** Thrown internally when another process is creating the vault at the same moment. */
class RetryOpen extends Error {}

interface Resolved {
  backend: VaultBackend;
  key: VaultKey;
  entries: Map<string, string>;
  stamp: FileStamp | null;
  keychainItem?: KeychainItem;
}

interface Ctx {
  dataDir: string;
  vaultPath: string;
  keyPath: string;
  mode: 'auto' | VaultBackend;
  env: NodeJS.ProcessEnv;
  warn: (message: string) => void;
  service: string;
  attempt: number;
}

interface Existing {
  file: VaultFile;
  stamp: FileStamp;
}

export class CredentialVault implements SecretVault {
  readonly backend: VaultBackend;
  /** Absolute path of the encrypted vault file. */
  readonly path: string;
  // #private: never shown by console.log / util.inspect.
  #key: VaultKey;
  #entries: Map<string, string>;
  #stamp: FileStamp | null;
  #keychainItem: KeychainItem | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(path: string, r: Resolved) {
    this.path = path;
    this.backend = r.backend;
    this.#key = r.key;
    this.#entries = r.entries;
    this.#stamp = r.stamp;
    this.#keychainItem = r.keychainItem;
  }

  static async open(opts: OpenVaultOptions): Promise<CredentialVault> {
    const dataDir = resolve(opts.dataDir);
    try {
      ensurePrivateDir(dataDir);
    } catch (err) {
      throw new VaultError('VAULT_IO', `cannot create data dir ${dataDir}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    const base = {
      dataDir,
      vaultPath: join(dataDir, VAULT_FILE_NAME),
      keyPath: join(dataDir, KEY_FILE_NAME),
      mode: opts.backend ?? 'auto',
      env: opts.env ?? process.env,
      warn: opts.onWarning ?? ((m: string) => console.warn(`vMiner: ${m}`)),
      service: opts.keychainService ?? DEFAULT_KEYCHAIN_SERVICE,
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await resolveKey({ ...base, attempt });
        return new CredentialVault(base.vaultPath, r);
      } catch (err) {
        if (!(err instanceof RetryOpen)) throw err;
        if (attempt >= 10) {
          throw new VaultError('VAULT_IO', `${base.vaultPath} keeps changing while opening it; try again`);
        }
        await new Promise((res) => setTimeout(res, 100 + Math.random() * 200));
      }
    }
  }

  /**
   * The secret stored under `id` (e.g. "vcenter:<id>"), picking up changes made by other processes
   * (cheap stat per call). Throws VaultError (VAULT_CORRUPT / VAULT_KEY_MISMATCH) if another process
   * replaced the file with something this key cannot read.
   */
  get(id: string): string | undefined {
    this.#refreshSync();
    return this.#entries.get(id);
  }

  /** Stored ids (never secrets), sorted. */
  list(): string[] {
    this.#refreshSync();
    return [...this.#entries.keys()].sort();
  }

  /** Stores a secret; re-reads the file first (keeps other processes' entries) and writes it atomically. */
  set(id: string, secret: string): Promise<void> {
    return setThrough((change) => this.#mutate(change), id, secret);
  }

  /** Removes a secret. Resolves true if it existed. */
  delete(id: string): Promise<boolean> {
    return deleteThrough((change) => this.#mutate(change), id);
  }

  /**
   * Deletes the vault key item from the OS keychain (backend 'keychain' only;
   * no-op otherwise). DESTRUCTIVE: the vault becomes unreadable. For tests and
   * "forget everything" flows; delete the vault file as well.
   */
  async destroyKey(): Promise<boolean> {
    if (!this.#keychainItem) return false;
    return this.#keychainItem.delete();
  }

  /** Serialises writes in this process; each write re-reads the file to merge other processes' changes. */
  #mutate(change: (entries: Map<string, string>) => boolean): Promise<void> {
    const run = async (): Promise<void> => {
      const current = await readWithStamp(this.path);
      let entries: Map<string, string>;
      if (current) {
        const file = parseVaultFile(current.bytes, this.path);
        if (!keyMatches(file, this.#key)) throw changedKeyError(this.path);
        entries = decryptVault(file, this.#key, this.path);
      } else {
        entries = new Map(this.#entries); // file removed behind our back: keep what we know
      }
      const changed = change(entries);
      if (!changed && current) {
        this.#entries = entries;
        this.#stamp = current.stamp;
        return;
      }
      this.#stamp = await writeFileAtomic(this.path, encodeVault(this.#key, entries));
      this.#entries = entries;
    };
    const p = this.#queue.then(run, run);
    this.#queue = p.catch(() => undefined);
    return p;
  }

  #refreshSync(): void {
    const now = statStampSync(this.path);
    if (now === null || sameStamp(now, this.#stamp)) return;
    const current = readWithStampSync(this.path);
    if (!current) return;
    const file = parseVaultFile(current.bytes, this.path);
    if (!keyMatches(file, this.#key)) throw changedKeyError(this.path);
    this.#entries = decryptVault(file, this.#key, this.path);
    this.#stamp = current.stamp;
  }
}

function changedKeyError(path: string): VaultError {
  return new VaultError(
    'VAULT_KEY_MISMATCH',
    `The credential vault ${path} was re-created with a different key by another process. ` +
      `Restart vMiner so it picks up the current key. The file was not modified.`,
  );
}

// ---------------------------------------------------------------------------
// Key resolution

export async function keychainAccountFor(dataDir: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(dataDir);
  } catch {
    real = resolve(dataDir);
  }
  return `vault-key:${createHash('sha256').update(real).digest('hex').slice(0, 16)}`;
}

async function readExisting(ctx: Ctx): Promise<Existing | null> {
  const r = await readWithStamp(ctx.vaultPath);
  if (!r) return null;
  return { file: parseVaultFile(r.bytes, ctx.vaultPath), stamp: r.stamp };
}

async function resolveKey(ctx: Ctx): Promise<Resolved> {
  const existing = await readExisting(ctx); // VAULT_CORRUPT surfaces before any key is created
  const envValue = ctx.env[SECRET_KEY_ENV];

  if (ctx.mode === 'env' || (ctx.mode === 'auto' && envValue !== undefined && envValue !== '')) {
    return resolveEnv(ctx, existing, envValue);
  }

  let keychainProblem: string | undefined;
  let keychainMismatch: string | undefined;
  let keychainKeyWrong = false;
  if (ctx.mode === 'keychain' || ctx.mode === 'auto') {
    const account = await keychainAccountFor(ctx.dataDir);
    const where = `OS keychain item (service "${ctx.service}", account "${account}")`;
    let item: KeychainItem | undefined;
    let stored: string | null = null;
    try {
      item = await openKeychainItem(ctx.service, account);
      stored = await item.get();
    } catch (err) {
      if (ctx.mode === 'keychain') throw keychainUnavailable(err, ctx);
      keychainProblem = errorMessage(err);
      item = undefined;
    }
    if (item && stored !== null) {
      const root = parseRawKey(stored);
      if (!root) {
        throw new VaultError(
          'VAULT_KEY_INVALID',
          `The ${where} does not hold a 32-byte vault key. It was not written by vMiner or was edited; ` +
            `restore it, or delete it if ${ctx.vaultPath} does not exist.`,
        );
      }
      const key: VaultKey = { root, kdf: null };
      if (!existing || keyMatches(existing.file, key)) return finish(ctx, 'keychain', key, existing, item);
      if (ctx.mode === 'keychain') throw mismatch(ctx, `the vault key in the ${where}`);
      keychainMismatch = `the ${where} holds a different key`;
      keychainKeyWrong = true;
    } else if (item && !existing) {
      try {
        return await createWithKeychain(ctx, item);
      } catch (err) {
        if (ctx.mode === 'keychain' || !(err instanceof VaultError) || err.code !== 'KEYCHAIN_UNAVAILABLE')
          throw err;
        keychainProblem = errorMessage(err);
      }
    } else if (item && existing) {
      if (ctx.mode === 'keychain') throw lost(ctx, `there is no ${where}`);
      keychainMismatch = `there is no ${where}`;
    }
  }

  // --- key file -----------------------------------------------------------
  const fileKey = await readKeyFile(ctx.keyPath);
  if (fileKey) {
    const key: VaultKey = { root: fileKey, kdf: null };
    if (existing && !keyMatches(existing.file, key)) {
      throw mismatch(
        ctx,
        `the key file ${ctx.keyPath}${keychainMismatch ? ` (and ${keychainMismatch})` : ''}`,
      );
    }
    ctx.warn(fileBackendWarning(ctx, keychainProblem));
    return finish(ctx, 'file', key, existing);
  }
  if (existing) {
    // A vault created a moment ago whose key is not visible yet: maybe another process is creating it right now.
    if (ctx.attempt < 4 && !keychainKeyWrong && existing.stamp.mtimeMs > Date.now() - 3000)
      throw new RetryOpen();
    if (keychainKeyWrong) throw mismatch(ctx, `the vault key in the OS keychain (service "${ctx.service}")`);
    if (keychainProblem !== undefined) {
      throw new VaultError(
        'KEYCHAIN_UNAVAILABLE',
        `The credential vault ${ctx.vaultPath} exists but its key was not found: the OS keychain is not reachable ` +
          `(${keychainProblem}), there is no ${ctx.keyPath} and ${SECRET_KEY_ENV} is not set. ` +
          `If the vault was created with the keychain, run vMiner where that keychain is unlocked and reachable ` +
          `(desktop session / D-Bus Secret Service). The vault was not modified.`,
      );
    }
    throw lost(ctx, keychainMismatch ?? `there is no ${ctx.keyPath}`);
  }
  // New vault with a key file.
  let root = newRandomKey();
  const created = await createFileExclusive(ctx.keyPath, Buffer.from(root.toString('base64') + '\n', 'utf8'));
  if (!created) {
    const other = await readKeyFile(ctx.keyPath); // another process won the race
    if (!other) throw new RetryOpen();
    root = other;
  }
  ctx.warn(fileBackendWarning(ctx, keychainProblem));
  return finish(ctx, 'file', { root, kdf: null }, null);
}

async function resolveEnv(ctx: Ctx, existing: Existing | null, value: string | undefined): Promise<Resolved> {
  if (value === undefined || value === '') {
    throw new VaultError(
      'VAULT_KEY_MISSING',
      `Key backend 'env' was requested but ${SECRET_KEY_ENV} is not set. Set it to 64 hex characters ` +
        `(e.g. \`openssl rand -hex 32\`), base64 of 32 bytes, or a passphrase of at least 16 characters.`,
    );
  }
  const material = parseEnvKey(value);
  if (material.kind === 'raw') {
    const key: VaultKey = { root: material.key, kdf: null };
    if (existing && existing.file.kdf) {
      throw mismatch(ctx, `${SECRET_KEY_ENV} (a raw key, but this vault was created from a passphrase)`);
    }
    return finish(ctx, 'env', key, existing);
  }
  let kdf = newScryptParams();
  if (existing) {
    if (!existing.file.kdf) {
      throw mismatch(
        ctx,
        `${SECRET_KEY_ENV} (a passphrase, but this vault was created with a raw key from the keychain, vault.key or a hex/base64 ${SECRET_KEY_ENV})`,
      );
    }
    kdf = existing.file.kdf;
  }
  const root = await derivePassphraseKey(material.passphrase, kdf);
  return finish(ctx, 'env', { root, kdf }, existing);
}

async function createWithKeychain(ctx: Ctx, item: KeychainItem): Promise<Resolved> {
  const key: VaultKey = { root: newRandomKey(), kdf: null };
  // Vault first (exclusive create): a concurrent opener loses the race before touching the keychain.
  const resolved = await finish(ctx, 'keychain', key, null, item);
  const encoded = key.root.toString('base64');
  try {
    await item.set(encoded);
    const back = await item.get();
    if (back !== encoded) {
      throw new VaultError('KEYCHAIN_UNAVAILABLE', 'OS keychain did not return the key that was just stored');
    }
  } catch (err) {
    // Nothing is encrypted with this key yet: remove the empty vault we just created.
    await unlink(ctx.vaultPath).catch(() => undefined);
    throw err instanceof VaultError ? err : keychainUnavailable(err, ctx);
  }
  return resolved;
}

/** Decrypts the existing vault, or creates an empty one (exclusively). */
async function finish(
  ctx: Ctx,
  backend: VaultBackend,
  key: VaultKey,
  existing: Existing | null,
  keychainItem?: KeychainItem,
): Promise<Resolved> {
  if (existing) {
    if (!keyMatches(existing.file, key)) throw mismatch(ctx, describeBackend(ctx, backend));
    const entries = decryptVault(existing.file, key, ctx.vaultPath);
    return { backend, key, entries, stamp: existing.stamp, keychainItem };
  }
  const entries = new Map<string, string>();
  const stamp = await createFileExclusive(ctx.vaultPath, encodeVault(key, entries));
  if (!stamp) throw new RetryOpen(); // someone else created it meanwhile: resolve again against their file
  return { backend, key, entries, stamp, keychainItem };
}

async function readKeyFile(path: string): Promise<Buffer | null> {
  const r = await readWithStamp(path);
  if (!r) return null;
  if (process.platform !== 'win32' && (r.mode & 0o077) !== 0) {
    throw new VaultError(
      'VAULT_KEY_INSECURE',
      `Refusing to use the vault key file ${path}: it is accessible by other users (mode ${(r.mode & 0o777)
        .toString(8)
        .padStart(4, '0')}). Run \`chmod 600 '${path}'\` (and consider whether the key was exposed), ` +
        `or use the OS keychain / ${SECRET_KEY_ENV} instead.`,
    );
  }
  const root = parseRawKey(r.bytes.toString('utf8'));
  if (!root) {
    throw new VaultError(
      'VAULT_KEY_INVALID',
      `The vault key file ${path} does not contain a 32-byte key (base64 or 64 hex characters). It was not modified.`,
    );
  }
  return root;
}

function describeBackend(ctx: Ctx, backend: VaultBackend): string {
  switch (backend) {
    case 'env':
      return SECRET_KEY_ENV;
    case 'file':
      return `the key file ${ctx.keyPath}`;
    case 'keychain':
      return `the vault key in the OS keychain (service "${ctx.service}")`;
  }
}

function mismatch(ctx: Ctx, what: string): VaultError {
  return new VaultError(
    'VAULT_KEY_MISMATCH',
    `The credential vault ${ctx.vaultPath} cannot be decrypted with ${what}: it was encrypted with another key. ` +
      `The vault was not modified. Provide the original key (e.g. set ${SECRET_KEY_ENV} to the value used when it was ` +
      `created, or restore the keychain item / ${KEY_FILE_NAME}), or, if that key is lost, move ${VAULT_FILE_NAME} ` +
      `aside and re-enter the vCenter/source passwords.`,
  );
}

function lost(ctx: Ctx, why: string): VaultError {
  return new VaultError(
    'VAULT_KEY_MISMATCH',
    `The credential vault ${ctx.vaultPath} exists but its key was not found (${why}; ${SECRET_KEY_ENV} is not set). ` +
      `The vault was not modified. If it was created with ${SECRET_KEY_ENV}, set it again; if the key lived in the ` +
      `OS keychain of another user/machine or in a ${KEY_FILE_NAME} you removed, restore it. Otherwise move ` +
      `${VAULT_FILE_NAME} aside and re-enter the vCenter/source passwords.`,
  );
}

function keychainUnavailable(err: unknown, ctx: Ctx): VaultError {
  return new VaultError(
    'KEYCHAIN_UNAVAILABLE',
    `The OS keychain is required (backend 'keychain') but not usable: ${errorMessage(err)}. On Linux a Secret ` +
      `Service (gnome-keyring, KWallet, KeePassXC) must be running and unlocked on the D-Bus session bus. ` +
      `On headless servers use ${SECRET_KEY_ENV} (backend 'env') or backend 'file' for ${ctx.dataDir}.`,
    { cause: err },
  );
}

function fileBackendWarning(ctx: Ctx, keychainProblem: string | undefined): string {
  const why =
    ctx.mode === 'file'
      ? 'the file backend was selected'
      : keychainProblem !== undefined
        ? `the OS keychain is not reachable (${keychainProblem})`
        : 'this vault was created with a key file';
  return (
    `The key that encrypts the stored vCenter/source passwords is kept in a plain file, ${ctx.keyPath}, ` +
    `right beside the encrypted data in ${ctx.dataDir} (${why}). Anyone who can read that directory or a ` +
    `backup of it can decrypt the passwords. To keep the key off the disk, run vMiner where an OS keychain is ` +
    `available (macOS Keychain, Windows Credential Manager, or gnome-keyring/KWallet on Linux), or set ` +
    `${SECRET_KEY_ENV} (64 hex characters from \`openssl rand -hex 32\`, or a long passphrase) from your secret ` +
    `manager before the vault is created.`
  );
}
