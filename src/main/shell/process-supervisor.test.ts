import { describe, expect, it } from 'vitest';
import type { EngineHostState } from '../../shared/ipc.js';
import { defaultBackoff, ProcessSupervisor, type EngineProcess } from './process-supervisor.js';
import type { FromEngine, ToEngine } from '../rpc/protocol.js';

/** A fake utility process: records what the supervisor sends, lets the test answer and crash it. */
class FakeProcess implements EngineProcess {
  sent: ToEngine[] = [];
  killed = false;
  private listener: ((m: FromEngine) => void) | undefined;
  private exitListener: ((code: number) => void) | undefined;
  port = {
    post: (m: ToEngine) => void this.sent.push(m),
    onMessage: (l: (m: FromEngine) => void) => {
      this.listener = l;
      return () => (this.listener = undefined);
    },
  };
  onExit(l: (code: number) => void): void {
    this.exitListener = l;
  }
  kill(): void {
    this.killed = true;
  }
  reply(m: FromEngine): void {
    this.listener?.(m);
  }
  crash(code = 70): void {
    this.exitListener?.(code);
  }
}

function setup() {
  const procs: FakeProcess[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  let now = 0;
  const states: EngineHostState[] = [];
  const sup = new ProcessSupervisor({
    config: { dataDir: '/data', version: '1' },
    spawn: () => {
      const p = new FakeProcess();
      procs.push(p);
      return p;
    },
    now: () => now,
    setTimer: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => {
      const i = timers.indexOf(t as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
    maxAttempts: 3,
    stableAfterMs: 60_000,
  });
  sup.onState((s) => states.push(s));
  const ready = (p: FakeProcess): void =>
    p.reply({ kind: 'ready', dataDir: '/data', logFile: '/data/logs/vminer.log' });
  const fire = (): void => timers.shift()!.fn();
  return { sup, procs, timers, states, ready, fire, advance: (ms: number) => (now += ms) };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ProcessSupervisor', () => {
  it('starts the engine with its config and relays calls once it is ready', async () => {
    const { sup, procs, ready, states } = setup();
    sup.start();
    expect(procs[0]!.sent[0]).toEqual({ kind: 'init', config: { dataDir: '/data', version: '1' } });
    const pending = sup.call('stats.get', {});
    ready(procs[0]!);
    await tick();
    const call = procs[0]!.sent[1] as Extract<ToEngine, { kind: 'call' }>;
    expect(call).toMatchObject({ kind: 'call', name: 'stats.get' });
    procs[0]!.reply({ kind: 'result', id: call.id, outcome: { ok: true, value: 'stats' } });
    expect(await pending).toEqual({ ok: true, value: 'stats' });
    expect(states.map((s) => s.state)).toEqual(['starting', 'ready']);
    expect(sup.started).toEqual({ dataDir: '/data', logFile: '/data/logs/vminer.log' });
  });

  it('restarts a crashed engine with growing back-off, failing calls in flight and meanwhile', async () => {
    const { sup, procs, ready, states, timers, fire } = setup();
    sup.start();
    ready(procs[0]!);
    await tick();
    const inFlight = sup.call('stats.get', {});
    procs[0]!.crash(70);
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(states.at(-1)).toEqual({
      state: 'restarting',
      attempt: 1,
      retryInMs: 1000,
      reason: 'engine process exited with code 70',
    });
    expect(await sup.call('stats.get', {})).toMatchObject({ ok: false, error: { message: /restarting/ } });
    expect(timers.map((t) => t.ms)).toEqual([1000]);
    fire();
    expect(procs).toHaveLength(2);
    procs[1]!.crash(1);
    expect(timers.map((t) => t.ms)).toEqual([2000]);
    fire();
    procs[2]!.crash(1);
    expect(timers.map((t) => t.ms)).toEqual([4000]);
    fire();
    procs[3]!.crash(1);
    // Three restarts allowed: the fourth crash in a row gives up.
    expect(states.at(-1)).toMatchObject({ state: 'failed', reason: /crashed 3 times in a row/ });
    expect(timers).toHaveLength(0);
  });

  it('starts the back-off afresh after a long healthy run', async () => {
    const { sup, procs, ready, states, fire, advance } = setup();
    sup.start();
    procs[0]!.crash();
    fire();
    ready(procs[1]!);
    advance(120_000);
    procs[1]!.crash();
    expect(states.at(-1)).toMatchObject({ state: 'restarting', attempt: 1, retryInMs: 1000 });
  });

  it('does not retry an engine that could not open its data folder', async () => {
    const { sup, procs, states, timers } = setup();
    sup.start();
    procs[0]!.reply({ kind: 'fatal', error: { code: 'LOCKED', message: '/data is in use by vminer sync' } });
    await tick();
    expect(states.at(-1)).toEqual({ state: 'failed', reason: '/data is in use by vminer sync' });
    expect(procs[0]!.killed).toBe(true);
    procs[0]!.crash(1);
    expect(timers).toHaveLength(0);
    expect(await sup.call('stats.get', {})).toMatchObject({ ok: false, error: { message: /in use/ } });
  });

  it('quits by asking the engine to shut down, and kills it when it does not answer', async () => {
    const a = setup();
    a.sup.start();
    a.ready(a.procs[0]!);
    const stopping = a.sup.stop(5000);
    const ctl = a.procs[0]!.sent.at(-1) as Extract<ToEngine, { kind: 'control' }>;
    expect(ctl).toMatchObject({ kind: 'control', op: 'shutdown' });
    a.procs[0]!.reply({ kind: 'result', id: ctl.id, outcome: { ok: true, value: null } });
    await stopping;
    expect(a.procs[0]!.killed).toBe(false);
    a.procs[0]!.crash(0);
    expect(a.states.at(-1)!.state).toBe('ready'); // an exit after quit is not a crash

    const b = setup();
    b.sup.start();
    b.ready(b.procs[0]!);
    const stuck = b.sup.stop(5000);
    await tick();
    expect(b.timers.map((t) => t.ms)).toEqual([5000]);
    b.fire();
    await stuck;
    expect(b.procs[0]!.killed).toBe(true);
  });

  it('forwards events and notices from whichever process is current', async () => {
    const { sup, procs, ready, fire } = setup();
    const seen: string[] = [];
    sup.onEvent((name) => seen.push(name));
    sup.onNotice((level, message) => seen.push(`${level}:${message}`));
    sup.start();
    ready(procs[0]!);
    procs[0]!.reply({ kind: 'event', name: 'inventory:changed', payload: { vcenterIds: [1] } });
    procs[0]!.crash();
    fire();
    procs[1]!.reply({ kind: 'notice', level: 'warning', message: 'REST on 0.0.0.0' });
    expect(seen).toEqual(['inventory:changed', 'warning:REST on 0.0.0.0']);
  });
});

it('backs off 1 s, 2 s, 4 s … up to 30 s', () => {
  expect([1, 2, 3, 4, 5, 6, 10].map(defaultBackoff)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});
