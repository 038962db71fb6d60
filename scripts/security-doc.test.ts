import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SECURITY_DOC, withFreshTable } from './security-doc.js';

describe('docs/security.md', () => {
  it('lists every contract call with its role (run `npm run docs:security` if not)', () => {
    const doc = fs.readFileSync(SECURITY_DOC, 'utf8');
    expect(withFreshTable(doc)).toBe(doc);
  });
});
