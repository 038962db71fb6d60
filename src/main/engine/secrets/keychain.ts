/**
 * Thin wrapper over @napi-rs/keyring (macOS Keychain, Windows Credential
 * Manager, Linux Secret Service).
 *
 * On Linux the entry is pinned to the Secret Service: the library would
 * otherwise silently fall back to the kernel keyutils keyring, which is
 * in-memory only and loses the vault key on reboot (= every stored password
 * becomes unreadable).
 */
import { randomBytes } from 'node:crypto';
import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';
import { VaultError, errorMessage } from './errors.js';

export const DEFAULT_KEYCHAIN_SERVICE = 'vMiner';

export interface KeychainItem {
  readonly service: string;
  readonly account: string;
  get(): Promise<string | null>;
  set(value: string): Promise<void>;
  delete(): Promise<boolean>;
}

const entryOptions: EntryOptions | undefined =
  process.platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined;

type KeyringModule = typeof import('@napi-rs/keyring');
let modulePromise: Promise<KeyringModule> | undefined;

function loadKeyring(): Promise<KeyringModule> {
  modulePromise ??= import('@napi-rs/keyring');
  return modulePromise;
}

/**
 * Creates a handle on one keychain item. Throws KEYCHAIN_UNAVAILABLE when the
 * native module cannot be loaded or the platform store cannot be reached
 * (e.g. Linux without a D-Bus session / Secret Service).
 */
export async function openKeychainItem(service: string, account: string): Promise<KeychainItem> {
  let entry: AsyncEntry;
  try {
    const { AsyncEntry: Ctor } = await loadKeyring();
    entry = new Ctor(service, account, entryOptions);
  } catch (err) {
    throw unavailable(err);
  }
  const wrap = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      throw unavailable(err);
    }
  };
  return {
    service,
    account,
    get: () => wrap(() => entry.getPassword()),
    set: (value) => wrap(() => entry.setPassword(value)),
    delete: () => wrap(() => entry.deleteCredential()),
  };
}

function unavailable(err: unknown): VaultError {
  return new VaultError('KEYCHAIN_UNAVAILABLE', `OS keychain not reachable: ${errorMessage(err)}`, {
    cause: err,
  });
}

export type KeychainProbe = { ok: true } | { ok: false; reason: string };

/**
 * Checks that the keychain really works by writing, reading back and deleting
 * a throwaway item under `service`. Used by tests (skip detection) and
 * diagnostics. Never touches the real vault key item.
 */
export async function probeKeychain(service: string = DEFAULT_KEYCHAIN_SERVICE): Promise<KeychainProbe> {
  const account = `probe:${randomBytes(6).toString('hex')}`;
  const value = randomBytes(16).toString('base64');
  try {
    const item = await openKeychainItem(service, account);
    try {
      await item.set(value);
      const back = await item.get();
      if (back !== value) return { ok: false, reason: 'keychain item read back differently than written' };
    } finally {
      await item.delete().catch(() => false);
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: errorMessage(err) };
  }
}
