import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { DataLock, LOCK_FILE, readLock } from './data-lock.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('DataLock', () => {
  it('refuses a second writer and names the holder', () => {
    const dir = tmp();
    const lock = DataLock.acquire(dir, 'vminer serve');
    expect(() => DataLock.acquire(dir, 'vminer sync')).toThrow(/in use by vminer serve \(pid \d+/);
    lock.release();
    const again = DataLock.acquire(dir, 'vminer sync');
    expect(readLock(dir)?.owner).toBe('vminer sync');
    again.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = tmp();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10)']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    fs.writeFileSync(
      path.join(dir, LOCK_FILE),
      JSON.stringify({ pid, host: os.hostname(), owner: 'vminer sync', since: new Date().toISOString() }),
    );
    const lock = DataLock.acquire(dir, 'vminer serve');
    expect(readLock(dir)?.pid).toBe(process.pid);
    lock.release();
  });
});

describe('DataLock beside an older vMiner', () => {
  it('respects a holder file without the OS-lock mark that names a live process (an older vMiner writing)', async () => {
    const dir = tmp();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      fs.writeFileSync(
        path.join(dir, LOCK_FILE),
        JSON.stringify({ pid: child.pid, host: os.hostname(), owner: 'vminer serve', since: 'earlier' }),
      );
      expect(() => DataLock.acquire(dir, 'vminer sync')).toThrow(/in use by vminer serve \(pid \d+/);
      // The OS lock was let go again: once the old vMiner is gone, the folder can be taken.
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      const lock = DataLock.acquire(dir, 'vminer sync');
      expect(readLock(dir)).toMatchObject({ owner: 'vminer sync', osLock: true });
      lock.release();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('never removes the holder file of the next holder', () => {
    const dir = tmp();
    const first = DataLock.acquire(dir, 'first');
    first.release();
    const second = DataLock.acquire(dir, 'second');
    first.release();
    expect(readLock(dir)?.owner).toBe('second');
    second.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });
});
