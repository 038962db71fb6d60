import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { VminerError } from '../../shared/errors.js';
import { LOCK_FILE, OS_LOCK_FILE } from './data-files.js';
import { ensurePrivateDir, ensurePrivateFile } from './private-files.js';

export interface LockHolder {
  pid: number;
  host: string;
  owner: string;
  since: string;
  /** Set by vMiners that hold the OS lock; an older vMiner's lock file lacks it. */
  osLock?: true;
  /** Tells this holder's file from a later one written by the same process. */
  token?: string;
}

export { LOCK_FILE, OS_LOCK_FILE };

/*
 * The lock itself (OS_LOCK_FILE) is an empty SQLite file on which the holder keeps an exclusive
 * transaction open. SQLite takes an OS advisory lock (fcntl on POSIX, LockFileEx on Windows),
 * which the OS drops when the process dies, however it dies: a kill -9 leaves no lock to take
 * over, and two processes can never both get it. The file is never deleted (a waiter could
 * otherwise lock a file nobody else sees), and never opened with plain `fs`: closing any
 * descriptor of it would drop a POSIX lock.
 */

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(dataDir: string): LockHolder | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The holder a refused writer names: the winner may still be writing its file, so wait a moment for it. */
function currentHolder(dataDir: string): LockHolder | undefined {
  let holder = readLock(dataDir);
  for (let i = 0; i < 10 && (!holder || !holder.osLock || !alive(holder.pid)); i++) {
    sleepSync(25);
    holder = readLock(dataDir);
  }
  return holder;
}

function lockedError(dataDir: string, holder: LockHolder | undefined): VminerError {
  const who = holder
    ? `${holder.owner} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`
    : 'another vMiner process';
  return new VminerError(
    'LOCKED',
    `${dataDir} is in use by ${who}. Stop it, or let it do the work (e.g. its sync), or use another --data-dir.`,
  );
}

/** Writes the holder file whole or not at all (temp file, then rename over the old one). */
function writeHolder(file: string, holder: LockHolder): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(holder), { flag: 'wx', mode: 0o600 });
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * One writer per data folder. The OS lock decides who writes; the holder file says who that is so
 * a refused second writer can name it.
 */
export class DataLock {
  private released = false;

  private constructor(
    private readonly file: string,
    private readonly os: Database.Database,
    readonly holder: LockHolder,
  ) {}

  static acquire(dataDir: string, owner: string): DataLock {
    ensurePrivateDir(dataDir);
    const osFile = path.join(dataDir, OS_LOCK_FILE);
    let db: Database.Database;
    try {
      ensurePrivateFile(osFile);
      db = new Database(osFile, {
        // Two writers starting together each take SQLite's shared lock on the way to the exclusive
        // one; without a short wait both would back off and neither would win.
        timeout: 250,
      });
    } catch (err) {
      throw new VminerError('INTERNAL', `cannot open the lock ${osFile}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    try {
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
        throw lockedError(dataDir, currentHolder(dataDir));
      throw new VminerError('INTERNAL', `cannot lock ${osFile}: ${(err as Error).message}`, { cause: err });
    }
    const file = path.join(dataDir, LOCK_FILE);
    const holder: LockHolder = {
      pid: process.pid,
      host: os.hostname(),
      owner,
      since: new Date().toISOString(),
      osLock: true,
      token: randomBytes(8).toString('hex'),
    };
    try {
      // A holder file without the OS-lock mark naming a live process here: an older vMiner, which
      // knows only the holder file, is writing this folder.
      const old = readLock(dataDir);
      if (old && !old.osLock && old.host === holder.host && old.pid !== process.pid && alive(old.pid))
        throw lockedError(dataDir, old);
      writeHolder(file, holder);
    } catch (err) {
      db.close();
      throw err;
    }
    return new DataLock(file, db, holder);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    // The holder file first: once the OS lock is free, the next holder's file must not be touched.
    if (readLock(path.dirname(this.file))?.token === this.holder.token) fs.rmSync(this.file, { force: true });
    if (this.os.open) this.os.close();
  }
}
