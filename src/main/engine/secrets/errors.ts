import type { ErrorCode } from '../../../shared/errors.js';

/** The vault's own error codes (declared with the others in src/shared/errors.ts). */
export type VaultErrorCode = Extract<
  ErrorCode,
  | 'VAULT_KEY_MISMATCH'
  | 'VAULT_CORRUPT'
  | 'VAULT_KEY_INSECURE'
  | 'VAULT_KEY_INVALID'
  | 'VAULT_KEY_MISSING'
  | 'KEYCHAIN_UNAVAILABLE'
  | 'VAULT_IO'
>;

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
