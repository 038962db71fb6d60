/**
 * On-disk format of `<dataDir>/credentials.vault` and key material parsing.
 *
 * The file is one line of JSON:
 *   {"format":"vminer-credential-vault","version":1,"cipher":"aes-256-gcm",
 *    "kdf":null | {"name":"scrypt","salt":b64,"N":..,"r":..,"p":..},
 *    "keyCheck":hex, "iv":b64(12 bytes), "tag":b64(16 bytes), "data":b64(ciphertext)}
 *
 * - The whole entry map is one AES-256-GCM blob (fresh random IV per write);
 *   the plaintext header fields are authenticated as AAD.
 * - `keyCheck` = HMAC-SHA256(rootKey, label) truncated: it lets us tell
 *   "wrong key" (VAULT_KEY_MISMATCH) apart from "damaged file" (VAULT_CORRUPT)
 *   without revealing anything about the key.
 * - The encryption key is HKDF(rootKey) so the root key is never used directly.
 * - The plaintext is padded to a multiple of 256 bytes so the file size does
 *   not reveal the length of individual secrets.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import { z } from 'zod';
import { VaultError } from './errors.js';
import { SECRET_KEY_ENV } from './file-names.js';
export { KEY_FILE_NAME, SECRET_KEY_ENV, VAULT_FILE_NAME } from './file-names.js';

const FORMAT = 'vminer-credential-vault';
const VERSION = 1;
const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PAD_BLOCK = 256;
const MIN_PASSPHRASE_CHARS = 16;

export interface ScryptParams {
  name: 'scrypt';
  /** base64, 16 bytes */
  salt: string;
  N: number;
  r: number;
  p: number;
}

/** A resolved vault key: 32 root bytes, plus the KDF params when it was derived from a passphrase. */
export interface VaultKey {
  root: Buffer;
  kdf: ScryptParams | null;
}

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

const kdfSchema = z.object({
  name: z.literal('scrypt'),
  salt: b64,
  // Bounded so a crafted header cannot make us allocate gigabytes.
  N: z
    .number()
    .int()
    .min(1024)
    .max(2 ** 20)
    .refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
});

const fileSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  cipher: z.literal(CIPHER),
  kdf: kdfSchema.nullable(),
  keyCheck: z.string().regex(/^[0-9a-f]{32}$/),
  iv: b64,
  tag: b64,
  data: b64,
});

export type VaultFile = z.infer<typeof fileSchema>;

const payloadSchema = z.object({
  v: z.literal(1),
  entries: z.array(z.tuple([z.string(), z.string()])),
});

// ---------------------------------------------------------------------------
// Key derivation

export function newScryptParams(): ScryptParams {
  return { name: 'scrypt', salt: randomBytes(16).toString('base64'), N: 2 ** 15, r: 8, p: 1 };
}

export function derivePassphraseKey(passphrase: string, kdf: ScryptParams): Promise<Buffer> {
  const salt = Buffer.from(kdf.salt, 'base64');
  const maxmem = 128 * kdf.N * kdf.r * kdf.p + 32 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase.normalize('NFC'),
      salt,
      KEY_BYTES,
      { N: kdf.N, r: kdf.r, p: kdf.p, maxmem },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

function encKey(root: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'vminer vault aes-256-gcm v1', KEY_BYTES));
}

export function keyCheckOf(root: Buffer): string {
  return createHmac('sha256', root).update('vminer vault key-check v1').digest('hex').slice(0, 32);
}

export function newRandomKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * Parses raw key material: 64 hex chars, or base64/base64url of exactly 32 bytes.
 * Returns null when the text is neither (caller decides whether it is a passphrase).
 */
export function parseRawKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const buf = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (buf.length === KEY_BYTES) return buf;
  }
  return null;
}

export type EnvKeyMaterial = { kind: 'raw'; key: Buffer } | { kind: 'passphrase'; passphrase: string };

/** Interprets the value of VMINER_SECRET_KEY. */
export function parseEnvKey(value: string): EnvKeyMaterial {
  const raw = parseRawKey(value);
  if (raw) return { kind: 'raw', key: raw };
  if ([...value].length >= MIN_PASSPHRASE_CHARS) return { kind: 'passphrase', passphrase: value };
  throw new VaultError(
    'VAULT_KEY_INVALID',
    `${SECRET_KEY_ENV} is too short: use 64 hex characters or base64 of 32 random bytes ` +
      `(e.g. \`openssl rand -hex 32\`), or a passphrase of at least ${MIN_PASSPHRASE_CHARS} characters.`,
  );
}

// ---------------------------------------------------------------------------
// File encode / decode

export function encodeVault(key: VaultKey, entries: ReadonlyMap<string, string>): Buffer {
  const header = {
    format: FORMAT,
    version: VERSION,
    cipher: CIPHER,
    kdf: key.kdf,
    keyCheck: keyCheckOf(key.root),
  } as const;
  const plain = Buffer.from(JSON.stringify({ v: 1, entries: [...entries] }), 'utf8');
  const padded = Buffer.alloc(Math.ceil((plain.length + 1) / PAD_BLOCK) * PAD_BLOCK, 0x20); // JSON allows trailing spaces
  plain.copy(padded);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, encKey(key.root), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadOf(header));
  const data = Buffer.concat([cipher.update(padded), cipher.final()]);
  padded.fill(0);
  plain.fill(0);
  const file: VaultFile = {
    ...header,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
  return Buffer.from(JSON.stringify(file) + '\n', 'utf8');
}

function aadOf(h: Pick<VaultFile, 'format' | 'version' | 'cipher' | 'kdf' | 'keyCheck'>): Buffer {
  return Buffer.from(JSON.stringify([h.format, h.version, h.cipher, h.kdf, h.keyCheck]), 'utf8');
}

/** Parses the plaintext header. Throws VAULT_CORRUPT. */
export function parseVaultFile(bytes: Buffer, path: string): VaultFile {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw corrupt(path, 'it is not valid JSON');
  }
  if (typeof json === 'object' && json !== null && 'format' in json && 'version' in json) {
    const j = json as { format: unknown; version: unknown };
    if (j.format === FORMAT && typeof j.version === 'number' && j.version > VERSION) {
      throw new VaultError(
        'VAULT_CORRUPT',
        `The credential vault ${path} was written by a newer vMiner (format version ${j.version}); upgrade vMiner. The file was not modified.`,
      );
    }
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw corrupt(path, 'its header is not a vMiner vault header');
  const f = parsed.data;
  if (Buffer.from(f.iv, 'base64').length !== IV_BYTES || Buffer.from(f.tag, 'base64').length !== TAG_BYTES) {
    throw corrupt(path, 'its IV or auth tag has the wrong size');
  }
  return f;
}

export function keyMatches(file: VaultFile, key: VaultKey): boolean {
  return timingSafeEqual(Buffer.from(file.keyCheck, 'hex'), Buffer.from(keyCheckOf(key.root), 'hex'));
}

/** Decrypts; the caller must have checked keyMatches() first. Throws VAULT_CORRUPT. */
export function decryptVault(file: VaultFile, key: VaultKey, path: string): Map<string, string> {
  let plain: Buffer;
  try {
    const decipher = createDecipheriv(CIPHER, encKey(key.root), Buffer.from(file.iv, 'base64'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aadOf(file));
    decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(file.data, 'base64')), decipher.final()]);
  } catch {
    throw corrupt(path, 'its authentication tag does not verify (the file was modified or damaged)');
  }
  try {
    const payload = payloadSchema.safeParse(JSON.parse(plain.toString('utf8')));
    if (!payload.success) throw new Error('bad payload');
    return new Map(payload.data.entries);
  } catch {
    throw corrupt(path, 'its decrypted content is not a vault payload');
  } finally {
    plain.fill(0);
  }
}

function corrupt(path: string, why: string): VaultError {
  return new VaultError(
    'VAULT_CORRUPT',
    `The credential vault ${path} is corrupt: ${why}. It was left untouched. ` +
      `Restore it from a backup, or move it aside and re-enter the vCenter/source passwords.`,
  );
}
