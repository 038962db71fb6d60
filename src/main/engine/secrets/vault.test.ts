import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialVault, VaultError, type OpenVaultOptions, type VaultErrorCode } from './index.js';
import { NASTY_SECRETS, leakForms, makeTempDir } from '../../../testing/secrets.js';

const isPosix = process.platform !== 'win32';

let dir: string;
let cleanup: () => Promise<void>;
let warnings: string[];

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  warnings = [];
});
afterEach(async () => {
  await cleanup();
});

function opts(extra: Partial<OpenVaultOptions> = {}): OpenVaultOptions {
  // env: {} so a VMINER_SECRET_KEY in the developer's shell never leaks into tests.
  return { dataDir: dir, backend: 'file', env: {}, onWarning: (m) => warnings.push(m), ...extra };
}

const vaultPath = (): string => join(dir, 'credentials.vault');
const keyPath = (): string => join(dir, 'vault.key');

async function expectVaultError(p: Promise<unknown>, code: VaultErrorCode): Promise<VaultError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VaultError);
  const ve = err as VaultError;
  expect(ve.code, ve.message).toBe(code);
  return ve;
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

async function fillAndCheck(v: CredentialVault): Promise<void> {
  for (const [i, s] of NASTY_SECRETS.entries()) await v.set(`vcenter:${i}`, s);
  for (const [i, s] of NASTY_SECRETS.entries()) expect(v.get(`vcenter:${i}`)).toBe(s);
}

async function expectRoundTrip(
  extra: Partial<OpenVaultOptions>,
  backend: CredentialVault['backend'],
): Promise<void> {
  const v = await CredentialVault.open(opts(extra));
  expect(v.backend).toBe(backend);
  await fillAndCheck(v);
  await v.set('source:a', 'first');
  await v.set('source:a', 'second');
  expect(await v.delete('vcenter:0')).toBe(true);
  expect(await v.delete('vcenter:0')).toBe(false);
  expect(v.get('vcenter:0')).toBeUndefined();

  const again = await CredentialVault.open(opts(extra));
  expect(again.backend).toBe(backend);
  expect(again.list()).toEqual(
    [...NASTY_SECRETS.keys()]
      .slice(1)
      .map((i) => `vcenter:${i}`)
      .concat('source:a')
      .sort(),
  );
  for (const [i, s] of NASTY_SECRETS.entries()) if (i > 0) expect(again.get(`vcenter:${i}`)).toBe(s);
  expect(again.get('source:a')).toBe('second');
  if (isPosix) expect(await mode(vaultPath())).toBe(0o600);
}

const HEX_KEY = randomBytes(32).toString('hex');
const B64_KEY = randomBytes(32).toString('base64');
const PASSPHRASE = 'correct horse battery staple ✓';

describe('file backend', () => {
  it('round-trips unicode and XML-special secrets and reopens from disk', async () => {
    await expectRoundTrip({}, 'file');
    if (isPosix) expect(await mode(keyPath())).toBe(0o600);
  });

  it('warns that the key sits beside the data and how to avoid it', async () => {
    await CredentialVault.open(opts());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(keyPath());
    expect(warnings[0]).toMatch(/beside the encrypted data/);
    expect(warnings[0]).toMatch(/keychain/i);
    expect(warnings[0]).toContain('VMINER_SECRET_KEY');
  });

  it('auto reuses an existing vault.key when the keychain has no item for the data dir', async () => {
    const v = await CredentialVault.open(opts());
    await v.set('vcenter:x', 'pw');
    // auto: keychain (if any) has no item for this dir and the vault exists -> falls through to vault.key
    const auto = await CredentialVault.open(
      opts({ backend: 'auto', keychainService: `vMiner-test-none-${process.pid}` }),
    );
    expect(auto.backend).toBe('file');
    expect(auto.get('vcenter:x')).toBe('pw');
  });

  it('never writes plaintext secrets or ids to disk', async () => {
    const v = await CredentialVault.open(opts());
    const secrets = [...NASTY_SECRETS.filter((s) => s.length > 0), 'UniqueMarker-Пароль-4711'];
    for (const [i, s] of secrets.entries()) await v.set(`vcenter:host-${i}.example.test`, s);
    const bytes = await readFile(vaultPath());
    for (const s of [...secrets, 'vcenter:host-0.example.test', 'UniqueMarker']) {
      for (const form of leakForms(s))
        expect(bytes.includes(form), `leak of ${JSON.stringify(s).slice(0, 40)}`).toBe(false);
    }
    // sizes are padded: one short secret does not reveal its length exactly
    const header = JSON.parse(bytes.toString('utf8')) as { kdf: unknown; version: number };
    expect(header.version).toBe(1);
    expect(header.kdf).toBeNull();
  });

  it('uses a fresh IV for every write', async () => {
    const v = await CredentialVault.open(opts());
    await v.set('a', 'same');
    const iv1 = (JSON.parse(await readFile(vaultPath(), 'utf8')) as { iv: string }).iv;
    await v.set('b', 'same');
    await v.delete('b');
    const iv2 = (JSON.parse(await readFile(vaultPath(), 'utf8')) as { iv: string }).iv;
    expect(iv2).not.toBe(iv1);
  });

  it('wrong key -> VAULT_KEY_MISMATCH and the vault file is untouched', async () => {
    const v = await CredentialVault.open(opts());
    await v.set('vcenter:1', 'secret');
    const before = await readFile(vaultPath());
    const stBefore = await stat(vaultPath());
    await writeFile(keyPath(), randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    const err = await expectVaultError(CredentialVault.open(opts()), 'VAULT_KEY_MISMATCH');
    expect(err.message).toContain('not modified');
    await expectVaultError(
      CredentialVault.open(opts({ backend: 'env', env: { VMINER_SECRET_KEY: HEX_KEY } })),
      'VAULT_KEY_MISMATCH',
    );
    expect((await readFile(vaultPath())).equals(before)).toBe(true);
    expect((await stat(vaultPath())).mtimeMs).toBe(stBefore.mtimeMs);
  });

  it('lost key file -> VAULT_KEY_MISMATCH, no new key is created, vault untouched', async () => {
    const v = await CredentialVault.open(opts());
    await v.set('vcenter:1', 'secret');
    const before = await readFile(vaultPath());
    await unlink(keyPath());
    await expectVaultError(CredentialVault.open(opts()), 'VAULT_KEY_MISMATCH');
    await expect(stat(keyPath())).rejects.toThrow();
    expect((await readFile(vaultPath())).equals(before)).toBe(true);
  });

  it.each([
    ['garbage', (b: Buffer) => Buffer.concat([Buffer.from('\x00\x01not json'), b.subarray(0, 10)])],
    ['truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    [
      'flipped ciphertext byte',
      (b: Buffer) => {
        const j = JSON.parse(b.toString('utf8')) as { data: string };
        const data = Buffer.from(j.data, 'base64');
        data[5] = (data[5] ?? 0) ^ 0x40;
        return Buffer.from(JSON.stringify({ ...j, data: data.toString('base64') }));
      },
    ],
    [
      'tampered header (cipher)',
      (b: Buffer) => {
        const j = JSON.parse(b.toString('utf8')) as Record<string, unknown>;
        return Buffer.from(JSON.stringify({ ...j, cipher: 'aes-128-gcm' }));
      },
    ],
    ['empty', () => Buffer.alloc(0)],
  ])('corrupt vault (%s) -> VAULT_CORRUPT and the file is left as is', async (_name, damage) => {
    const v = await CredentialVault.open(opts());
    await v.set('vcenter:1', 'secret');
    const damaged = damage(await readFile(vaultPath()));
    await writeFile(vaultPath(), damaged);
    await expectVaultError(CredentialVault.open(opts()), 'VAULT_CORRUPT');
    expect((await readFile(vaultPath())).equals(damaged)).toBe(true);
    // a running instance refuses to write over it too
    await expectVaultError(v.set('vcenter:2', 'x'), 'VAULT_CORRUPT');
    expect((await readFile(vaultPath())).equals(damaged)).toBe(true);
  });

  it.skipIf(!isPosix)('refuses a group/world-readable key file with an actionable error', async () => {
    await CredentialVault.open(opts());
    for (const m of [0o644, 0o640, 0o604, 0o660]) {
      await chmod(keyPath(), m);
      const err = await expectVaultError(CredentialVault.open(opts()), 'VAULT_KEY_INSECURE');
      expect(err.message).toContain(`chmod 600 '${keyPath()}'`);
    }
    await chmod(keyPath(), 0o600);
    await expect(CredentialVault.open(opts())).resolves.toBeInstanceOf(CredentialVault);
  });

  it('rejects a malformed key file', async () => {
    await writeFile(keyPath(), 'short\n', { mode: 0o600 });
    await expectVaultError(CredentialVault.open(opts()), 'VAULT_KEY_INVALID');
    await expect(stat(vaultPath())).rejects.toThrow(); // nothing created
  });

  it('two instances (processes) do not lose each other’s entries', async () => {
    const a = await CredentialVault.open(opts());
    const b = await CredentialVault.open(opts());
    await a.set('vcenter:a', 'A');
    await b.set('vcenter:b', 'B');
    expect(a.get('vcenter:b')).toBe('B'); // get() picks up the other writer
    await a.set('vcenter:c', 'C');
    expect(b.list()).toEqual(['vcenter:a', 'vcenter:b', 'vcenter:c']);
    const c = await CredentialVault.open(opts());
    expect(c.list()).toEqual(['vcenter:a', 'vcenter:b', 'vcenter:c']);
  });

  it('parallel writes in one process are serialised', async () => {
    const v = await CredentialVault.open(opts());
    await Promise.all(Array.from({ length: 20 }, (_, i) => v.set(`id:${i}`, `s${i}`)));
    const again = await CredentialVault.open(opts());
    expect(again.list()).toHaveLength(20);
  });

  it('concurrent first opens of a fresh data dir agree on one key', async () => {
    const vs = await Promise.all([1, 2, 3, 4].map(() => CredentialVault.open(opts())));
    for (const [i, v] of vs.entries()) await v.set(`id:${i}`, `s${i}`);
    const again = await CredentialVault.open(opts());
    expect(again.list()).toEqual(['id:0', 'id:1', 'id:2', 'id:3']);
  });

  it('does not show secrets through util.inspect / JSON', async () => {
    const v = await CredentialVault.open(opts());
    await v.set('vcenter:1', 'InspectMe-Secret');
    const { inspect } = await import('node:util');
    expect(inspect(v, { depth: 10, showHidden: true })).not.toContain('InspectMe-Secret');
    expect(JSON.stringify(v)).not.toContain('InspectMe-Secret');
  });

  it('validates ids and secrets', async () => {
    const v = await CredentialVault.open(opts());
    await expect(v.set('', 'x')).rejects.toThrow(RangeError);
    await expect(v.set('id', 'bad\ud800surrogate')).rejects.toThrow(RangeError);
  });
});

describe('env backend (VMINER_SECRET_KEY)', () => {
  it.each([
    ['hex', HEX_KEY],
    ['base64', B64_KEY],
    ['passphrase', PASSPHRASE],
  ])('%s: round trip, reopen, 0600, no key file', async (_kind, value) => {
    await expectRoundTrip({ backend: 'env', env: { VMINER_SECRET_KEY: value } }, 'env');
    // auto picks env first when the variable is set
    const auto = await CredentialVault.open(opts({ backend: 'auto', env: { VMINER_SECRET_KEY: value } }));
    expect(auto.backend).toBe('env');
    expect(auto.get('source:a')).toBe('second');
    await expect(stat(keyPath())).rejects.toThrow();
    expect(warnings).toEqual([]);
  });

  it('passphrase: scrypt salt and params live in the plaintext header', async () => {
    const v = await CredentialVault.open(opts({ backend: 'env', env: { VMINER_SECRET_KEY: PASSPHRASE } }));
    await v.set('vcenter:1', 'pw');
    const h = JSON.parse(await readFile(vaultPath(), 'utf8')) as {
      kdf: { name: string; salt: string; N: number };
    };
    expect(h.kdf.name).toBe('scrypt');
    expect(Buffer.from(h.kdf.salt, 'base64')).toHaveLength(16);
    expect(h.kdf.N).toBeGreaterThanOrEqual(2 ** 14);
    const bytes = await readFile(vaultPath());
    for (const form of leakForms(PASSPHRASE)) expect(bytes.includes(form)).toBe(false);
  });

  it('wrong hex / wrong passphrase / kind mismatch -> VAULT_KEY_MISMATCH, file untouched', async () => {
    const hexVault = await CredentialVault.open(
      opts({ backend: 'env', env: { VMINER_SECRET_KEY: HEX_KEY } }),
    );
    await hexVault.set('vcenter:1', 'pw');
    const before = await readFile(vaultPath());
    for (const wrong of [randomBytes(32).toString('hex'), B64_KEY, PASSPHRASE]) {
      await expectVaultError(
        CredentialVault.open(opts({ backend: 'env', env: { VMINER_SECRET_KEY: wrong } })),
        'VAULT_KEY_MISMATCH',
      );
    }
    // falling back to a key file must not happen silently either
    await expectVaultError(CredentialVault.open(opts({ backend: 'file' })), 'VAULT_KEY_MISMATCH');
    expect((await readFile(vaultPath())).equals(before)).toBe(true);

    await unlink(vaultPath());
    const ppVault = await CredentialVault.open(
      opts({ backend: 'env', env: { VMINER_SECRET_KEY: PASSPHRASE } }),
    );
    await ppVault.set('vcenter:1', 'pw');
    const before2 = await readFile(vaultPath());
    for (const wrong of [PASSPHRASE + '!', HEX_KEY]) {
      await expectVaultError(
        CredentialVault.open(opts({ backend: 'env', env: { VMINER_SECRET_KEY: wrong } })),
        'VAULT_KEY_MISMATCH',
      );
    }
    expect((await readFile(vaultPath())).equals(before2)).toBe(true);
  });

  it('too-short value -> VAULT_KEY_INVALID; forced env without a value -> VAULT_KEY_MISSING', async () => {
    await expectVaultError(
      CredentialVault.open(opts({ backend: 'env', env: { VMINER_SECRET_KEY: 'short' } })),
      'VAULT_KEY_INVALID',
    );
    await expectVaultError(
      CredentialVault.open(opts({ backend: 'auto', env: { VMINER_SECRET_KEY: 'short' } })),
      'VAULT_KEY_INVALID',
    );
    await expectVaultError(CredentialVault.open(opts({ backend: 'env', env: {} })), 'VAULT_KEY_MISSING');
    await expect(stat(vaultPath())).rejects.toThrow();
  });

  it('accepts base64url and surrounding whitespace for raw keys', async () => {
    const raw = randomBytes(32);
    const v = await CredentialVault.open(
      opts({ backend: 'env', env: { VMINER_SECRET_KEY: raw.toString('hex') } }),
    );
    await v.set('k', 'v');
    const url = raw.toString('base64url');
    const again = await CredentialVault.open(
      opts({ backend: 'env', env: { VMINER_SECRET_KEY: ` ${url}\n` } }),
    );
    expect(again.get('k')).toBe('v');
  });
});
