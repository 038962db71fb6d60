/**
 * "One writer, really": the holder of a data folder is killed with SIGKILL (its lock files are
 * left behind), then two writers try to take the folder at the same instant — 50 times. Real
 * processes, a real folder.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE } from './data-lock.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SCRIPT = path.join(ROOT, 'src/testing/lock-contender.ts');

interface Proc {
  child: ChildProcessWithoutNullStreams;
  lines: AsyncIterator<string>;
}

interface Outcome {
  won: boolean;
  code?: string;
  message?: string;
}

function start(...args: string[]): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: ROOT });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
}

async function next(p: Proc): Promise<string> {
  const r = await p.lines.next();
  if (r.done) throw new Error('the process ended without answering');
  return r.value;
}

const exited = (c: ChildProcessWithoutNullStreams): Promise<unknown> =>
  c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r));

describe('DataLock under a race of real processes', () => {
  it('after kill -9 of the holder, two writers starting at once never both win (50 rounds)', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-lock-race-'));
    const a = start('contend');
    const b = start('contend');
    const winners: number[] = [];
    try {
      expect(await next(a)).toBe('ready');
      expect(await next(b)).toBe('ready');
      for (let round = 0; round < 50; round++) {
        const dir = path.join(base, `r${round}`);
        const holder = start('hold', dir);
        expect(await next(holder)).toBe('held');
        holder.child.kill('SIGKILL');
        await exited(holder.child);
        // The dead holder's file still names it.
        expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);
        const at = Date.now() + 20;
        a.child.stdin.write(`go ${dir} ${at}\n`);
        b.child.stdin.write(`go ${dir} ${at}\n`);
        const outcomes = [JSON.parse(await next(a)) as Outcome, JSON.parse(await next(b)) as Outcome];
        const won = outcomes.filter((o) => o.won).length;
        winners.push(won);
        expect(won, `round ${round}: ${JSON.stringify(outcomes)}`).toBe(1);
        // The loser names the winner, not the dead holder.
        expect(outcomes.find((o) => !o.won)).toMatchObject({
          code: 'LOCKED',
          message: expect.stringMatching(/in use by vminer sync \(pid \d+\)/),
        });
        a.child.stdin.write('release\n');
        b.child.stdin.write('release\n');
        expect([await next(a), await next(b)]).toEqual(['released', 'released']);
      }
    } finally {
      a.child.stdin.end();
      b.child.stdin.end();
      await Promise.all([exited(a.child), exited(b.child)]);
      fs.rmSync(base, { recursive: true, force: true });
    }
    expect(winners).toEqual(Array(50).fill(1));
  }, 300_000);
});
