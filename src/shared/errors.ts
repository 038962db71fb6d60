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
  'INTERNAL',
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

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof VminerError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}
