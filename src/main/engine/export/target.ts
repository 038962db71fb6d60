/**
 * Where an export may not go: into the data folder (the cache, its journal, the credential vault,
 * the lock, the logs, the configuration backups), or onto any file the engine keeps open, however
 * the path names it (a symbolic link, `..`, another spelling of the folder, a hard link).
 */
import fs from 'node:fs';
import path from 'node:path';
import { VminerError } from '../../../shared/errors.js';
import { DB_FILE } from '../db/database.js';
import { KEY_FILE_NAME, VAULT_FILE_NAME } from '../secrets/index.js';
import { LOCK_FILE } from '../data-lock.js';

/** The files of a data folder the engine holds open or must never see replaced. */
export function engineFiles(dataDir: string): string[] {
  return [
    DB_FILE,
    `${DB_FILE}-wal`,
    `${DB_FILE}-shm`,
    VAULT_FILE_NAME,
    KEY_FILE_NAME,
    LOCK_FILE,
    path.join('logs', 'vminer.log'),
  ].map((f) => path.join(dataDir, f));
}

/** The real path of `p`: its deepest existing ancestor resolved (links followed), the rest appended. */
function realPath(p: string): string {
  const abs = path.resolve(p);
  let existing = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = fs.realpathSync.native(existing);
      return path.join(real, ...rest.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return abs;
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

function folded(a: string): string {
  // Windows and macOS folders are case-insensitive by default: compare as the OS would.
  return process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() : a;
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(folded(parent), folded(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Throws INVALID_INPUT when writing `file` could damage the data folder `dataDir`. */
export function checkExportTarget(file: string, dataDir: string): void {
  const target = realPath(file);
  const data = realPath(dataDir);
  if (inside(target, data)) {
    throw new VminerError(
      'INVALID_INPUT',
      `cannot export to ${path.resolve(file)}: it is inside the vMiner data folder ${dataDir}, which holds the cache and the credential vault; choose a file elsewhere`,
    );
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    return; // a new file: nothing of the engine's
  }
  for (const f of engineFiles(dataDir)) {
    try {
      const o = fs.statSync(f);
      if (o.ino === st.ino && o.dev === st.dev)
        throw new VminerError(
          'INVALID_INPUT',
          `cannot export to ${path.resolve(file)}: it is the same file as ${f}, which vMiner keeps open; choose another file`,
        );
    } catch (err) {
      if (err instanceof VminerError) throw err;
    }
  }
}
