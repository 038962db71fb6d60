/** Error codes a program can branch on; every error also carries a message a person can act on. */
export const ERROR_CODES = [
  'DNS',
  'REFUSED',
  'UNREACHABLE',
  'TIMEOUT',
  'TLS_UNTRUSTED',
  'CERT_CHANGED',
  'LOGIN_FAILED',
  'PERMISSION_DENIED',
  'PROTOCOL',
  /** A vCenter's answer passed a size or nesting bound (engine settings maxAnswerBytes / maxAnswerDepth). */
  'ANSWER_TOO_LARGE',
  /** A source's query failed or returned columns the mapping does not find. */
  'QUERY_FAILED',
  'CANCELLED',
  'NOT_FOUND',
  'INVALID_INPUT',
  'LOCKED',
  /** The cache file is not a sound SQLite database (overwritten, cut short, damaged pages): `vminer db repair`. */
  'DB_DAMAGED',
  /** Too many requests or failed logins: wait, then try again. */
  'RATE_LIMITED',
  /** A body, file or answer larger than the limit that applies to it. */
  'TOO_LARGE',
  'INTERNAL',
  /**
   * Team server: a write only the leader may make came with a fencing term that is no longer the
   * leader's (another instance leads now). Nothing was written; the caller stops leading.
   */
  'NOT_LEADER',
  /**
   * Team server: the request works on a SQLite data folder but not yet on PostgreSQL
   * (`vminer serve --database`); the message names what is missing. Nothing was done.
   */
  'NOT_AVAILABLE',
  // The credential vault (src/main/engine/secrets): the same codes on every transport.
  /** A vault file exists but the key that was found cannot decrypt it (wrong or lost key). */
  'VAULT_KEY_MISMATCH',
  /** The vault file is not a readable vault (truncated, edited, bit rot). It is left as is. */
  'VAULT_CORRUPT',
  /** The key file is readable by group/others. */
  'VAULT_KEY_INSECURE',
  /** The key material (env var, key file, keychain item) is malformed. */
  'VAULT_KEY_INVALID',
  /** backend 'env' was forced but VMINER_SECRET_KEY is not set. */
  'VAULT_KEY_MISSING',
  /** The OS keychain is required but cannot be reached / written. */
  'KEYCHAIN_UNAVAILABLE',
  /** Reading or writing the vault/key file failed (permissions, disk full...). */
  'VAULT_IO',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export class VminerError extends Error {
  override readonly name = 'VminerError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/** What to do about a damaged cache (DB_DAMAGED), wherever it is reported. */
export const REPAIR_HINT =
  'Your vCenters, accounts, sources, users and settings can be recovered: stop vMiner (the desktop app, ' +
  '`vminer serve`) and run `vminer db repair`, which rebuilds the cache and syncs the inventory again.';

/** SQLite's own words for a damaged file (better-sqlite3's SqliteError codes). */
export function isCorruptionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * An error as it crosses a transport: its own code when it has one of ours (VminerError, the
 * vault's errors), else INTERNAL.
 */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof VminerError) return { code: err.code, message: err.message };
  if (isCorruptionError(err))
    return {
      code: 'DB_DAMAGED',
      message: `the cache is damaged (${(err as Error).message}). ${REPAIR_HINT}`,
    };
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { code: isErrorCode(code) ? code : 'INTERNAL', message: err.message };
  }
  return { code: 'INTERNAL', message: String(err) };
}
