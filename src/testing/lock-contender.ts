/**
 * One process in the data-lock race test (`node --import tsx lock-contender.ts MODE [DIR]`).
 * `hold DIR`: takes the lock on DIR, prints "held", then waits to be killed.
 * `contend`: prints "ready", then obeys stdin, one command a line:
 *   `go DIR EPOCH_MS` spins until that moment (so two contenders start within microseconds of each
 *   other), tries the lock on DIR and prints the outcome as JSON; a winner keeps the lock.
 *   `release` lets go of a lock it holds and prints "released".
 */
import { createInterface } from 'node:readline';
import { DataLock } from '../main/engine/data-lock.js';
import { VminerError } from '../shared/errors.js';

const [mode, holdDir] = process.argv.slice(2);
const say = (line: string): boolean => process.stdout.write(`${line}\n`);

if (mode === 'hold' && holdDir) {
  DataLock.acquire(holdDir, 'vminer sync (holder)');
  say('held');
  setInterval(() => undefined, 60_000);
} else if (mode === 'contend') {
  let lock: DataLock | undefined;
  createInterface({ input: process.stdin })
    .on('line', (line) => {
      const [cmd, dir, at] = line.split(' ');
      if (cmd === 'release') {
        lock?.release();
        lock = undefined;
        say('released');
        return;
      }
      while (Date.now() < Number(at)) {
        /* spin: both contenders leave this loop in the same millisecond */
      }
      try {
        lock = DataLock.acquire(dir!, `vminer sync (pid ${process.pid})`);
        say(JSON.stringify({ won: true }));
      } catch (err) {
        const code = err instanceof VminerError ? err.code : 'THROWN';
        say(JSON.stringify({ won: false, code, message: (err as Error).message }));
      }
    })
    .on('close', () => {
      lock?.release();
      process.exit(0);
    });
  say('ready');
} else {
  process.stderr.write('usage: lock-contender.ts hold DIR | contend\n');
  process.exit(64);
}
