export type VaultErrorCode =
  /** A vault file exists but the key that was found cannot decrypt it (wrong or lost key). */
  | 'VAULT_KEY_MISMATCH'
  /** The vault file is not a readable vault (truncated, edited, bit rot). It is left as is. */
  | 'VAULT_CORRUPT'
  /** The key file is readable by group/others. */
  | 'VAULT_KEY_INSECURE'
  /** The key material (env var, key file, keychain item) is malformed. */
  | 'VAULT_KEY_INVALID'
  /** backend 'env' was forced but VMINER_SECRET_KEY is not set. */
  | 'VAULT_KEY_MISSING'
  /** The OS keychain is required but cannot be reached / written. */
  | 'KEYCHAIN_UNAVAILABLE'
  /** Reading or writing the vault/key file failed (permissions, disk full...). */
  | 'VAULT_IO';

export class VaultError extends Error {
  override readonly name = 'VaultError';
  readonly code: VaultErrorCode;

  constructor(code: VaultErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isVaultError(err: unknown, code?: VaultErrorCode): err is VaultError {
  return err instanceof VaultError && (code === undefined || err.code === code);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
