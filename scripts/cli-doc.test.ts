import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_DOC, cliDoc } from './cli-doc.js';

describe('docs/cli.md', () => {
  it('is the command line’s own --help (run `npm run docs:cli` if not)', () => {
    expect(fs.readFileSync(CLI_DOC, 'utf8')).toBe(cliDoc());
  });
});
