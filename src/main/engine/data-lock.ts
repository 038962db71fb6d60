import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VminerError } from '../../shared/errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  owner: string;
  since: string;
}

export const LOCK_FILE = 'engine.lock';

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

/**
 * One writer per data folder. The lock file names its holder so a refused second writer can say
 * who holds it; a lock left by a dead process on this host is taken over.
 */
export class DataLock {
  private constructor(
    private readonly file: string,
    readonly holder: LockHolder,
  ) {}

  static acquire(dataDir: string, owner: string): DataLock {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, LOCK_FILE);
    const holder: LockHolder = {
      pid: process.pid,
      host: os.hostname(),
      owner,
      since: new Date().toISOString(),
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(holder), { flag: 'wx', mode: 0o600 });
        return new DataLock(file, holder);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const current = readLock(dataDir);
      if (current && current.host === holder.host && !alive(current.pid)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (!current) {
        // Being written right now, or garbage: give it a moment, then treat as stale.
        if (attempt === 1) fs.rmSync(file, { force: true });
        continue;
      }
      throw new VminerError(
        'LOCKED',
        `${dataDir} is in use by ${current.owner} (pid ${current.pid} on ${current.host}, since ${current.since}). ` +
          'Stop it, or let it do the work (e.g. its sync), or use another --data-dir.',
      );
    }
    throw new VminerError('LOCKED', `could not lock ${dataDir}; remove ${file} if no vMiner is running`);
  }

  release(): void {
    try {
      const current = JSON.parse(fs.readFileSync(this.file, 'utf8')) as LockHolder;
      if (current.pid === this.holder.pid) fs.rmSync(this.file, { force: true });
    } catch {
      /* already gone */
    }
  }
}
