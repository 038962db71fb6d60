import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { link, open, unlink, rename, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VaultError, errnoCode, errorMessage } from './errors.js';

/** Identity of one version of a file: changes whenever it is replaced or rewritten. */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

export function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  return a !== null && b !== null && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

function stampOf(st: { ino: number; size: number; mtimeMs: number }): FileStamp {
  return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

export interface ReadResult {
  bytes: Buffer;
  stamp: FileStamp;
  mode: number;
}

/** Reads a file and its stamp from the same open fd. Returns null if it does not exist. */
export async function readWithStamp(path: string): Promise<ReadResult | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw ioError(`cannot open ${path}`, err);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new VaultError('VAULT_IO', `${path} is not a regular file`);
    const bytes = await fh.readFile();
    return { bytes, stamp: stampOf(st), mode: st.mode };
  } catch (err) {
    if (err instanceof VaultError) throw err;
    throw ioError(`cannot read ${path}`, err);
  } finally {
    await fh.close();
  }
}

export function readWithStampSync(path: string): ReadResult | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw ioError(`cannot open ${path}`, err);
  }
  try {
    const st = fstatSync(fd);
    return { bytes: readFileSync(fd), stamp: stampOf(st), mode: st.mode };
  } catch (err) {
    throw ioError(`cannot read ${path}`, err);
  } finally {
    closeSync(fd);
  }
}

export function statStampSync(path: string): FileStamp | null {
  try {
    return stampOf(statSync(path));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw ioError(`cannot stat ${path}`, err);
  }
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes a 0600 temp file next to `path`, fsynced. Returns its path and stamp. */
async function writeTemp(path: string, bytes: Buffer): Promise<{ tmp: string; stamp: FileStamp }> {
  const tmp = tempPathFor(path);
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'wx', 0o600);
  } catch (err) {
    throw ioError(`cannot create ${tmp}`, err);
  }
  let ok = false;
  try {
    if (process.platform !== 'win32') await fh.chmod(0o600); // umask can only remove bits, but be explicit
    await fh.writeFile(bytes);
    await fh.sync();
    const stamp = stampOf(await fh.stat());
    ok = true;
    return { tmp, stamp };
  } catch (err) {
    throw ioError(`cannot write ${tmp}`, err);
  } finally {
    await fh.close().catch(() => undefined);
    if (!ok) await unlink(tmp).catch(() => undefined);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // best effort (some filesystems refuse fsync on directories)
  }
}

/** Atomically replaces `path` (temp file in the same dir + fsync + rename). */
export async function writeFileAtomic(path: string, bytes: Buffer): Promise<FileStamp> {
  const { tmp, stamp } = await writeTemp(path, bytes);
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw ioError(`cannot replace ${path}`, err);
  }
  await fsyncDir(dirname(path));
  return stamp;
}

/**
 * Atomically creates `path` only if it does not exist yet (temp + fsync + link).
 * Returns the stamp, or null if the file already existed (nothing written).
 */
export async function createFileExclusive(path: string, bytes: Buffer): Promise<FileStamp | null> {
  const { tmp, stamp } = await writeTemp(path, bytes);
  try {
    await link(tmp, path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST') return null;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
      // No hard links on this filesystem: exclusive create + write (not atomic, still never overwrites).
      return createExclusiveNoLink(path, bytes);
    }
    throw ioError(`cannot create ${path}`, err);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await fsyncDir(dirname(path));
  return stamp;
}

async function createExclusiveNoLink(path: string, bytes: Buffer): Promise<FileStamp | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'wx', 0o600);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return null;
    throw ioError(`cannot create ${path}`, err);
  }
  try {
    await fh.writeFile(bytes);
    await fh.sync();
    return stampOf(await fh.stat());
  } finally {
    await fh.close();
  }
}

export function ioError(what: string, err: unknown): VaultError {
  return new VaultError('VAULT_IO', `${what}: ${errorMessage(err)}`, { cause: err });
}
