import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The Electron binary the `electron` package points at, or why there is none. */
export function electronBinary(): { ok: true; path: string } | { ok: false; reason: string } {
  let file: unknown;
  try {
    // In plain Node the package exports the binary's path; it throws when the download was skipped.
    file = require('electron');
  } catch (err) {
    return { ok: false, reason: `no Electron binary here (${(err as Error).message.split('\n')[0]})` };
  }
  if (typeof file !== 'string' || !fs.existsSync(file))
    return { ok: false, reason: `no Electron binary at ${String(file)}` };
  return { ok: true, path: file };
}
