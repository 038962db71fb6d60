/**
 * Keychain backend against a REAL OS keychain. On Linux CI/containers run via
 *   bash scripts/with-keyring.sh npx vitest run src/main/engine/secrets
 * which starts a throwaway gnome-keyring on a private D-Bus session. Without a
 * reachable keychain these tests are skipped (the reason is printed) and the
 * "unavailable" behaviour is tested instead.
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Entry, findCredentials } from '@napi-rs/keyring';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CredentialVault,
  VaultError,
  keychainAccountFor,
  probeKeychain,
  type OpenVaultOptions,
} from './index.js';
import { NASTY_SECRETS, makeTempDir } from '../../../testing/secrets.js';

const SERVICE = `vMiner-test-${process.pid}-${randomBytes(4).toString('hex')}`;
const probe = await probeKeychain(SERVICE);
const skipReason = probe.ok ? '' : `no usable OS keychain (${probe.reason}); run via scripts/with-keyring.sh`;
if (!probe.ok) console.warn(`[secrets] SKIPPING real-keychain tests: ${skipReason}`);

const entryOptions =
  process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;

let dir: string;
let cleanup: () => Promise<void>;
let warnings: string[];
const opened: CredentialVault[] = [];

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir('vminer-kc-'));
  warnings = [];
});
afterEach(async () => {
  for (const v of opened.splice(0)) await v.destroyKey().catch(() => false);
  await cleanup();
});
afterAll(() => {
  if (!probe.ok) return;
  // Belt and braces: remove anything left under the unique test service.
  for (const c of findCredentials(SERVICE)) new Entry(SERVICE, c.account, entryOptions).deleteCredential();
});

function opts(extra: Partial<OpenVaultOptions> = {}): OpenVaultOptions {
  return {
    dataDir: dir,
    backend: 'auto',
    env: {},
    keychainService: SERVICE,
    onWarning: (m) => warnings.push(m),
    ...extra,
  };
}

async function open(extra: Partial<OpenVaultOptions> = {}): Promise<CredentialVault> {
  const v = await CredentialVault.open(opts(extra));
  opened.push(v);
  return v;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e instanceof VaultError ? e.code : `not a VaultError: ${String(e)}`),
  );
}

describe.skipIf(!probe.ok)(
  `keychain backend (real OS keychain)${skipReason ? ` - SKIPPED: ${skipReason}` : ''}`,
  () => {
    it('auto stores ONE random key item per data dir and round-trips secrets', async () => {
      const v = await open();
      expect(v.backend).toBe('keychain');
      expect(warnings).toEqual([]);
      for (const [i, s] of NASTY_SECRETS.entries()) await v.set(`vcenter:${i}`, s);
      await expect(stat(join(dir, 'vault.key'))).rejects.toThrow(); // no key file on disk

      const account = await keychainAccountFor(dir);
      expect(account).toMatch(/^vault-key:[0-9a-f]{16}$/);
      const stored = new Entry(SERVICE, account, entryOptions).getPassword();
      expect(stored).not.toBeNull();
      expect(Buffer.from(stored ?? '', 'base64')).toHaveLength(32);
      expect(findCredentials(SERVICE).map((c) => c.account)).toEqual([account]);

      const again = await open({ backend: 'keychain' });
      expect(again.backend).toBe('keychain');
      for (const [i, s] of NASTY_SECRETS.entries()) expect(again.get(`vcenter:${i}`)).toBe(s);
      expect(findCredentials(SERVICE)).toHaveLength(1);
    });

    it('two data dirs use two different items', async () => {
      const a = await open();
      await a.set('vcenter:1', 'A');
      const other = await makeTempDir('vminer-kc2-');
      try {
        const b = await CredentialVault.open(opts({ dataDir: other.dir }));
        opened.push(b);
        await b.set('vcenter:1', 'B');
        expect(await keychainAccountFor(other.dir)).not.toBe(await keychainAccountFor(dir));
        expect(findCredentials(SERVICE)).toHaveLength(2);
        expect((await open()).get('vcenter:1')).toBe('A');
        await b.destroyKey();
      } finally {
        await other.cleanup();
      }
    });

    it('key lost from the keychain -> VAULT_KEY_MISMATCH, vault untouched, no new key stored', async () => {
      const v = await open();
      await v.set('vcenter:1', 'secret');
      const before = await readFile(join(dir, 'credentials.vault'));
      expect(await v.destroyKey()).toBe(true);
      expect(await codeOf(CredentialVault.open(opts({ backend: 'keychain' })))).toBe('VAULT_KEY_MISMATCH');
      expect(await codeOf(CredentialVault.open(opts()))).toBe('VAULT_KEY_MISMATCH');
      expect((await readFile(join(dir, 'credentials.vault'))).equals(before)).toBe(true);
      expect(findCredentials(SERVICE)).toHaveLength(0);
      await expect(stat(join(dir, 'vault.key'))).rejects.toThrow();
    });

    it('replaced keychain item -> VAULT_KEY_MISMATCH, vault untouched', async () => {
      const v = await open();
      await v.set('vcenter:1', 'secret');
      const before = await readFile(join(dir, 'credentials.vault'));
      new Entry(SERVICE, await keychainAccountFor(dir), entryOptions).setPassword(
        randomBytes(32).toString('base64'),
      );
      expect(await codeOf(CredentialVault.open(opts({ backend: 'keychain' })))).toBe('VAULT_KEY_MISMATCH');
      expect(await codeOf(CredentialVault.open(opts()))).toBe('VAULT_KEY_MISMATCH');
      expect((await readFile(join(dir, 'credentials.vault'))).equals(before)).toBe(true);
    });

    it('garbage keychain item -> VAULT_KEY_INVALID', async () => {
      new Entry(SERVICE, await keychainAccountFor(dir), entryOptions).setPassword('not a key');
      expect(await codeOf(CredentialVault.open(opts()))).toBe('VAULT_KEY_INVALID');
      new Entry(SERVICE, await keychainAccountFor(dir), entryOptions).deleteCredential();
    });

    it('env wins over the keychain in auto mode and creates no item', async () => {
      const v = await open({ env: { VMINER_SECRET_KEY: randomBytes(32).toString('hex') } });
      expect(v.backend).toBe('env');
      expect(findCredentials(SERVICE)).toHaveLength(0);
    });

    it('forced file backend does not touch the keychain', async () => {
      const v = await open({ backend: 'file' });
      expect(v.backend).toBe('file');
      expect(findCredentials(SERVICE)).toHaveLength(0);
      expect(warnings).toHaveLength(1);
    });
  },
);

describe.runIf(!probe.ok)('keychain not reachable', () => {
  it('forced keychain backend -> KEYCHAIN_UNAVAILABLE with advice', async () => {
    const err = await CredentialVault.open(opts({ backend: 'keychain' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).code).toBe('KEYCHAIN_UNAVAILABLE');
    expect((err as VaultError).message).toContain('VMINER_SECRET_KEY');
    await expect(stat(join(dir, 'credentials.vault'))).rejects.toThrow();
  });

  it('auto falls back to a key file and says why', async () => {
    const v = await open();
    expect(v.backend).toBe('file');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/keychain is not reachable/);
    await v.set('vcenter:1', 'pw');
    expect((await open()).get('vcenter:1')).toBe('pw');
  });
});
