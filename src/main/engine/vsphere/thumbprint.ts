import { VminerError } from '../../../shared/errors.js';

/**
 * Accepts a SHA-256 thumbprint as `openssl x509 -fingerprint -sha256` prints it (colon separated,
 * either case, optionally prefixed with `sha256 Fingerprint=`) or as plain hex, and returns the
 * canonical form Node reports: uppercase, colon separated.
 */
export function normalizeThumbprint(input: string): string {
  const raw = input.trim().replace(/^sha-?256\s*fingerprint\s*=\s*/i, '');
  const hex = raw.replace(/[:\s-]/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    const hint = /^[0-9a-fA-F]{40}$/.test(hex)
      ? ' This looks like a SHA-1 thumbprint; vMiner pins SHA-256 (see `vminer vcenter probe URL`).'
      : ' Expected 64 hex digits, e.g. as printed by `openssl x509 -noout -fingerprint -sha256`.';
    throw new VminerError('INVALID_INPUT', `"${input}" is not a SHA-256 certificate thumbprint.${hint}`);
  }
  return hex.toUpperCase().match(/../g)!.join(':');
}
