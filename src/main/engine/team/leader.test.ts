import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findPostgresBin, startPostgres, type RunningPostgres, pgUrl } from '../../../testing/postgres.js';
import { waitUntil } from '../../../testing/wait.js';
import { LeaderElector, lockKeys, type LeaderEvents, type LeaderOptions } from './leader.js';
import { pgTarget, type PgTarget } from './pg-connection.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const CHILD = path.join(ROOT, 'src/testing/leader-child.ts');
const PW = 'Le@der-Pw-1';
const FAST = { retryMs: 200, renewMs: 200, leaseTimeoutMs: 1_000, takeoverAfterMs: 2_000 };
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

let server: RunningPostgres;
let target: PgTarget;
let url: string;
let admin: pg.Client;
const electors: LeaderElector[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

function elector(instance: string, timing: Partial<LeaderOptions> = FAST) {
  const e = new LeaderElector({ target, instance, ...timing });
  const seen: string[] = [];
  const lost: LeaderEvents['lost'][] = [];
  e.on('elected', (ev) => seen.push(`elected ${ev.term}`));
  e.on('lost', (ev) => {
    seen.push(`lost ${ev.reason}`);
    lost.push(ev);
  });
  electors.push(e);
  return { e, seen, lost };
}

function child(): { proc: ChildProcessWithoutNullStreams; lines: string[]; send(line: string): void } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: { ...process.env, VMINER_TEST_PG_URL: url, PGPASSWORD: PW, LEADER_TIMING: JSON.stringify(FAST) },
  });
  children.push(proc);
  const lines: string[] = [];
  createInterface({ input: proc.stdout }).on('line', (l) => lines.push(l));
  proc.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  return { proc, lines, send: (line) => proc.stdin.write(`${line}\n`) };
}

const leaseRow = async () =>
  (
    await admin.query<{ instance: string; term: string }>(
      'SELECT instance, term FROM team_leader WHERE id = $1',
      ['vminer'],
    )
  ).rows[0];

const lockHolders = async () => {
  const { ns, key } = lockKeys('vminer');
  const r = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND objid = $2::oid AND granted`,
    [ns, key],
  );
  return r.rows.map((x) => x.pid);
};

describe.skipIf(NO_PG !== '')(`leader election on a real PostgreSQL${NO_PG}`, () => {
  beforeAll(async () => {
    server = await startPostgres(PW);
    url = pgUrl(server);
    target = pgTarget(url, { password: PW });
    admin = new pg.Client({ ...target.config, application_name: 'test admin' });
    await admin.connect();
  });

  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await Promise.all(electors.splice(0).map((e) => e.stop()));
  });

  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });

  it('two electors: exactly one leads, the lease names it; stopping it hands over to the other', async () => {
    const a = elector('a');
    const b = elector('b');
    await Promise.all([a.e.start(), b.e.start()]);
    await waitUntil(() => a.e.holds() || b.e.holds(), { what: 'a leader' });
    // Several retry rounds later there is still exactly one.
    await new Promise((r) => setTimeout(r, 1_000));
    expect([a.e.holds(), b.e.holds()].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = a.e.holds() ? [a, b] : [b, a];
    expect(leader.seen).toEqual(['elected 1']);
    expect(follower.seen).toEqual([]);
    expect(await lockHolders()).toHaveLength(1);
    expect(await leaseRow()).toEqual({ instance: leader.e.instance, term: '1' });
    expect(follower.e.status()).toMatchObject({
      role: 'follower',
      lease: { instance: leader.e.instance, term: 1 },
    });

    await leader.e.stop();
    expect(leader.seen).toEqual(['elected 1', 'lost stopped']);
    expect(leader.e.status().role).toBe('stopped');
    await waitUntil(() => follower.e.holds(), { what: 'the follower to take over' });
    expect(follower.seen).toEqual(['elected 2']);
    expect(await leaseRow()).toEqual({ instance: follower.e.instance, term: '2' });
  });

  it('a child process leading is killed with SIGKILL: this process leads within 30 s', async () => {
    const c = child();
    await waitUntil(() => c.lines.includes('elected 1') || c.lines.some((l) => l.startsWith('elected')), {
      timeout: 20_000,
      what: 'the child to lead',
    });
    // Default timings here: the takeover must come from the freed lock, not from a short lease.
    const me = elector('parent', { retryMs: 2_000 });
    await me.e.start();
    expect(me.e.holds()).toBe(false);
    c.proc.kill('SIGKILL');
    await waitUntil(() => me.e.holds(), { timeout: 30_000, what: 'the parent to lead after the SIGKILL' });
    expect((await leaseRow())?.instance).toBe('parent');
    expect(await lockHolders()).toHaveLength(1);
  });

  it("pg_terminate_backend of the leader's lock session: it emits 'lost' at once and stops holding", async () => {
    const a = elector('victim');
    await a.e.start();
    expect(a.e.holds()).toBe(true);
    const [pid] = await lockHolders();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await waitUntil(() => a.lost.length === 1, { what: "'lost'" });
    expect(a.lost[0]).toMatchObject({ instance: 'victim', reason: 'connection' });
    expect(a.e.holds()).toBe(false);
    // Nobody else competes: it reconnects and leads again, with a new term.
    await waitUntil(() => a.e.holds(), { what: 're-election' });
    expect(a.seen.at(-1)).toMatch(/^elected /);
    expect(Number((await leaseRow())?.term)).toBeGreaterThan(Number(a.seen[0]!.split(' ')[1]));
  });

  it('a leader whose event loop stalls fences itself, and a follower ends its session and leads', async () => {
    const c = child();
    await waitUntil(() => c.lines.some((l) => l.startsWith('elected')), {
      timeout: 20_000,
      what: 'the child to lead',
    });
    const me = elector('parent');
    await me.e.start();
    expect(me.e.holds()).toBe(false);
    // The child's lock connection stays up, but it renews nothing for 4 s (> takeoverAfterMs).
    c.send('stall 4000');
    await waitUntil(() => me.e.holds(), {
      timeout: 15_000,
      what: 'the follower to take over from a stalled leader',
    });
    await waitUntil(() => c.lines.includes('holds false'), {
      what: 'the child to report it no longer holds',
    });
    await waitUntil(() => c.lines.some((l) => l.startsWith('lost ')), { what: "the child's 'lost'" });
    expect(c.lines.filter((l) => l.startsWith('lost '))).toHaveLength(1);
    expect(c.lines).not.toContain('holds true');
    expect((await leaseRow())?.instance).toBe('parent');
  });

  it('under repeated kills of the leader session, never two instances hold at once', async () => {
    const all = ['x', 'y', 'z'].map((n) => elector(n));
    await Promise.all(all.map((x) => x.e.start()));
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, all.filter((x) => x.e.holds()).length);
    }, 5);
    try {
      for (let round = 0; round < 8; round++) {
        await waitUntil(() => all.some((x) => x.e.holds()), { what: `a leader in round ${round}` });
        const [pid] = await lockHolders();
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await waitUntil(async () => (await lockHolders())[0] !== pid, { what: 'the lock to move on' });
      }
      await waitUntil(() => all.some((x) => x.e.holds()), { what: 'a final leader' });
    } finally {
      clearInterval(sampler);
    }
    expect(most).toBe(1);
    const elected = all.flatMap((x) =>
      x.seen.filter((l) => l.startsWith('elected')).map((l) => Number(l.split(' ')[1])),
    );
    // Every election has its own term.
    expect(new Set(elected).size).toBe(elected.length);
    // Every election but the current one ended in 'lost' (a kill can also land on a session that
    // has just taken the lock and not yet announced itself: then neither).
    expect(all.reduce((n, x) => n + x.lost.length, 0)).toBe(elected.length - 1);
  });

  it('an operator bumping the term in the lease makes the leader step down (lock-missing)', async () => {
    const a = elector('solo');
    await a.e.start();
    expect(a.e.holds()).toBe(true);
    await admin.query("UPDATE team_leader SET term = term + 1 WHERE id = 'vminer'");
    await waitUntil(() => a.lost.length === 1, { what: "'lost'" });
    expect(a.lost[0]!.reason).toBe('lock-missing');
    await waitUntil(() => a.e.holds(), { what: 're-election' });
  });

  it('rejects timings that would let a follower end a healthy leader', () => {
    expect(() => new LeaderElector({ target, leaseTimeoutMs: 5_000, takeoverAfterMs: 5_000 })).toThrow(
      /leaseTimeoutMs \(5000\) < takeoverAfterMs \(5000\)/,
    );
  });
});

describe.skipIf(NO_PG !== '')(`leader election: two team databases on one server${NO_PG}`, () => {
  beforeAll(async () => {
    server = await startPostgres(PW);
    url = pgUrl(server);
    target = pgTarget(url, { password: PW });
    admin = new pg.Client({ ...target.config, application_name: 'test admin' });
    await admin.connect();
    await admin.query('CREATE DATABASE other');
  });

  afterAll(async () => {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
    await admin?.end();
    await server?.stop();
  });

  it("a follower never ends the other database's leader (advisory locks are per database)", async () => {
    const otherTarget = pgTarget(pgUrl(server, 'other'), { password: PW });
    const leads = new LeaderElector({ target: otherTarget, instance: 'other-leader', ...FAST });
    const follows = new LeaderElector({ target: otherTarget, instance: 'other-follower', ...FAST });
    electors.push(leads, follows);
    await leads.start();
    await waitUntil(() => leads.holds(), { what: 'the leader of the other database' });
    const here = elector('here');
    await here.e.start();
    await waitUntil(() => here.e.holds(), { what: 'the leader of the first database' });
    await follows.start();
    // Past takeoverAfterMs: a follower that took the first database's lock holder for its own
    // stalled leader would have ended that session by now.
    await new Promise((r) => setTimeout(r, FAST.takeoverAfterMs * 2));
    expect(here.seen).toEqual(['elected 1']);
    expect(here.e.holds()).toBe(true);
    expect(leads.holds()).toBe(true);
    expect(follows.holds()).toBe(false);
  });
});
