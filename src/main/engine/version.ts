import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

declare const __VMINER_VERSION__: string | undefined;

/** The nearest package.json above this module that is vMiner's (source runs: tsx, tests). */
function fromPackageJson(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'vminer' && pkg.version) return pkg.version;
    } catch {
      /* no package.json here */
    }
    const up = path.dirname(dir);
    if (up === dir) return '0.0.0-unknown';
    dir = up;
  }
}

/**
 * vMiner's version, as package.json says: the build writes it in (electron-vite `define`), a run
 * from the sources reads package.json.
 */
export const VERSION: string =
  typeof __VMINER_VERSION__ === 'string' ? __VMINER_VERSION__ : fromPackageJson();
