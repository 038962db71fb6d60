import { ZodError } from 'zod';
import { toErrorInfo, VminerError, type ErrorCode } from '../../../shared/errors.js';

const STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  LOGIN_FAILED: 401,
  PERMISSION_DENIED: 403,
  LOCKED: 409,
  DB_DAMAGED: 503,
  RATE_LIMITED: 429,
  TOO_LARGE: 413,
  CANCELLED: 409,
  DNS: 502,
  REFUSED: 502,
  UNREACHABLE: 502,
  TIMEOUT: 504,
  TLS_UNTRUSTED: 502,
  CERT_CHANGED: 502,
  PROTOCOL: 502,
  ANSWER_TOO_LARGE: 502,
  QUERY_FAILED: 502,
  INTERNAL: 500,
  NOT_LEADER: 503,
  NOT_AVAILABLE: 503,
  VAULT_KEY_MISMATCH: 500,
  VAULT_CORRUPT: 500,
  VAULT_KEY_INSECURE: 500,
  VAULT_KEY_INVALID: 500,
  VAULT_KEY_MISSING: 500,
  KEYCHAIN_UNAVAILABLE: 500,
  VAULT_IO: 500,
};

const upstream = new WeakSet<object>();

/**
 * Marks a request handler's error. A handler that fails to log in was refused by a server further
 * on (a source's database, a vCenter), not the caller: it answers 502 with the same LOGIN_FAILED
 * code, so a client does not take it for its own token failing (the browser UI would log out).
 */
export function fromHandler(err: unknown): unknown {
  if (err instanceof VminerError && err.code === 'LOGIN_FAILED') upstream.add(err);
  return err;
}

export interface HttpError {
  status: number;
  body: { error: { code: string; message: string } };
}

/**
 * Errors as JSON a client can branch on; never a stack trace. `bodyLimit` is the limit of the
 * route that answered, named when a body was too large.
 */
export function toHttpError(err: unknown, ctx: { bodyLimit?: number } = {}): HttpError {
  if (err instanceof ZodError) {
    const message = err.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
      .join('; ');
    return { status: 400, body: { error: { code: 'INVALID_INPUT', message } } };
  }
  if (err instanceof VminerError)
    return {
      status: upstream.has(err) ? 502 : STATUS[err.code],
      body: { error: { code: err.code, message: err.message } },
    };
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && ctx.bodyLimit !== undefined) {
    const message = `the request body is larger than the ${formatLimit(ctx.bodyLimit)} this route accepts`;
    return { status: 413, body: { error: { code: 'TOO_LARGE', message } } };
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = e.statusCode === 413 ? 'TOO_LARGE' : e.statusCode === 429 ? 'RATE_LIMITED' : 'INVALID_INPUT';
    return { status: e.statusCode, body: { error: { code, message: e.message ?? 'bad request' } } };
  }
  // Our own codes on other errors (the vault's, a damaged cache's): the same code as over IPC.
  const info = toErrorInfo(err);
  if (info.code !== 'INTERNAL') return { status: STATUS[info.code], body: { error: info } };
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'internal error (see the vMiner log)' } },
  };
}

function formatLimit(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}
