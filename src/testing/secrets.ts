import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Secrets exercising unicode and XML/URI-special characters. */
export const NASTY_SECRETS = [
  `p<a&s"s'w>0rd]]>`,
  'Grüße-日本語-🔐-Ωmega\u00a0nbsp',
  'x'.repeat(3000) + '-long-tail',
  '  leading and trailing spaces  ',
  '%41+%2B=/?#&amp;',
  '',
] as const;

export async function makeTempDir(
  prefix = 'vminer-vault-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every encoding in which a plaintext could plausibly leak into a file. */
export function leakForms(secret: string): Buffer[] {
  const utf8 = Buffer.from(secret, 'utf8');
  return [
    utf8,
    Buffer.from(secret, 'utf16le'),
    Buffer.from(utf8.toString('base64').replace(/=+$/, ''), 'utf8'),
    Buffer.from(utf8.toString('hex'), 'utf8'),
    Buffer.from(JSON.stringify(secret).slice(1, -1), 'utf8'),
  ];
}
