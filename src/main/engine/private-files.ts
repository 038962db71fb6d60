import fs from 'node:fs';
import path from 'node:path';
import { KEY_FILE_NAME, VAULT_FILE_NAME } from './secrets/file-names.js';

/**
 * The data folder holds the inventory of every vCenter, the logs and the credential vault: only
 * the user running vMiner may read it. Folders are 0700, files 0600. On Windows, POSIX modes mean
 * nothing (the folder sits in the user's profile, which Windows keeps private): nothing is done.
 */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

const posix = (platform: NodeJS.Platform = process.platform): boolean => platform !== 'win32';

/** Creates `dir` (and missing parents) 0700. An existing folder is left as it is (see `tightenDataFolder`). */
export function ensurePrivateDir(dir: string): void {
  const first = fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (first === undefined || !posix()) return;
  // The umask can only take bits away, but be exact: chmod every folder this call created.
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    fs.chmodSync(d, DIR_MODE);
    if (d === path.resolve(first) || path.dirname(d) === d) break;
  }
}

/** Creates an empty `file` 0600 if it does not exist yet (so a library that creates it later cannot pick the mode). */
export function ensurePrivateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', FILE_MODE));
    if (posix()) fs.chmodSync(file, FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

export interface ModeFinding {
  path: string;
  kind: 'folder' | 'file';
  /** The mode found, e.g. 0o755. */
  was: number;
  /** The mode set, or null when it was left alone (another user owns it, or the chmod failed). */
  now: number | null;
  /** Why it was left alone. */
  reason: string | null;
}

/** The data folder and vMiner's own files in it, as far as they exist. */
function privateEntries(dataDir: string): { path: string; kind: 'folder' | 'file' }[] {
  const files = [
    'vminer.db',
    'vminer.db-wal',
    'vminer.db-shm',
    VAULT_FILE_NAME,
    KEY_FILE_NAME,
    'engine.lock',
    'engine.lock.sqlite',
  ].map((f) => ({ path: path.join(dataDir, f), kind: 'file' as const }));
  const logs = path.join(dataDir, 'logs');
  let logFiles: string[] = [];
  try {
    logFiles = fs.readdirSync(logs).filter((f) => f.endsWith('.log'));
  } catch {
    /* no logs yet */
  }
  return [
    { path: dataDir, kind: 'folder' },
    ...files,
    { path: logs, kind: 'folder' },
    ...logFiles.map((f) => ({ path: path.join(logs, f), kind: 'file' as const })),
  ];
}

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/**
 * Finds the entries other users can read or write, and (with `fix`) tightens those this user
 * owns. Returns what was found: an empty list means the folder is private.
 */
export function checkDataFolderModes(
  dataDir: string,
  opts: { fix: boolean; platform?: NodeJS.Platform; uid?: number } = { fix: false },
): ModeFinding[] {
  if (!posix(opts.platform)) return [];
  const uid = opts.uid ?? process.getuid?.() ?? -1;
  const out: ModeFinding[] = [];
  for (const e of privateEntries(dataDir)) {
    let st: fs.Stats;
    try {
      st = fs.statSync(e.path);
    } catch {
      continue;
    }
    const want = e.kind === 'folder' ? DIR_MODE : FILE_MODE;
    if ((st.mode & 0o077) === 0) continue;
    const finding: ModeFinding = {
      path: e.path,
      kind: e.kind,
      was: st.mode & 0o777,
      now: null,
      reason: null,
    };
    if (!opts.fix) finding.reason = 'not changed by a read-only check';
    else if (st.uid !== uid) finding.reason = `owned by uid ${st.uid}, not by this user (uid ${uid})`;
    else {
      try {
        // Only take bits away: an owner without write access keeps it that way.
        const mode = st.mode & want;
        fs.chmodSync(e.path, mode);
        finding.now = mode;
      } catch (err) {
        finding.reason = (err as Error).message;
      }
    }
    out.push(finding);
  }
  return out;
}

/** One line per finding, for the doctor and the engine's start-up warning. */
export function describeFinding(f: ModeFinding): string {
  const who = f.kind === 'folder' ? 'other users could list or enter it' : 'other users could read it';
  if (f.now !== null) return `${f.path} was ${octal(f.was)} (${who}); tightened to ${octal(f.now)}`;
  const fix = `chmod ${f.kind === 'folder' ? '700' : '600'} '${f.path}'`;
  return `${f.path} is ${octal(f.was)} (${who}); ${f.reason ?? 'left as it is'} — run \`${fix}\` as its owner`;
}
