import { describe, expect, it } from 'vitest';
import { normalizeThumbprint } from './thumbprint.js';

const CANON =
  '4B:DA:5C:18:D1:B6:72:2E:95:12:C2:2A:29:31:57:3F:9F:EA:40:A7:15:46:B1:1D:7C:F2:D2:24:44:35:F1:A3';

describe('normalizeThumbprint', () => {
  it('accepts the openssl form in either case, with or without its prefix, and plain hex', () => {
    expect(normalizeThumbprint(CANON)).toBe(CANON);
    expect(normalizeThumbprint(CANON.toLowerCase())).toBe(CANON);
    expect(normalizeThumbprint(`sha256 Fingerprint=${CANON}`)).toBe(CANON);
    expect(normalizeThumbprint(CANON.replace(/:/g, ''))).toBe(CANON);
    expect(normalizeThumbprint(`  ${CANON.replace(/:/g, '').toLowerCase()}\n`)).toBe(CANON);
  });

  it('refuses SHA-1 thumbprints with a hint, and garbage', () => {
    expect(() => normalizeThumbprint('AB:'.repeat(19) + 'AB')).toThrow(/SHA-1/);
    expect(() => normalizeThumbprint('not-a-thumbprint')).toThrow(/64 hex digits/);
    expect(() => normalizeThumbprint(CANON.slice(0, -3))).toThrow(/not a SHA-256/);
  });
});
