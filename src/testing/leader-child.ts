/**
 * One `vminer serve` stand-in for the leader-election tests (`node --import tsx leader-child.ts`).
 * Environment: VMINER_TEST_PG_URL (postgres://user@host:port/db), PGPASSWORD, LEADER_TIMING (JSON
 * of LeaderOptions timings). Prints one line per event: `elected TERM`, `lost REASON`.
 * Obeys stdin, one command a line: `stall MS` blocks the event loop for MS milliseconds (a leader
 * whose connection stays up but whose process hangs), then prints `holds true|false`.
 */
import { createInterface } from 'node:readline';
import { LeaderElector } from '../main/engine/team/leader.js';
import { pgTarget } from '../main/engine/team/pg-connection.js';

const say = (line: string): boolean => process.stdout.write(`${line}\n`);
const url = process.env.VMINER_TEST_PG_URL;
if (!url) {
  process.stderr.write('leader-child.ts needs VMINER_TEST_PG_URL\n');
  process.exit(64);
}
const timing = JSON.parse(process.env.LEADER_TIMING ?? '{}') as Record<string, number>;
const elector = new LeaderElector({ target: pgTarget(url), instance: `child-${process.pid}`, ...timing });
elector.on('elected', (e) => say(`elected ${e.term}`));
elector.on('lost', (e) => say(`lost ${e.reason}`));
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.split(' ');
  if (cmd === 'stall') {
    const until = Date.now() + Number(arg);
    while (Date.now() < until) {
      /* a hung event loop: no timer, no socket callback runs */
    }
    say(`holds ${elector.holds()}`);
  }
});
void elector.start();
