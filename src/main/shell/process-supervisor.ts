import type { ContractResults, RequestName } from '../../shared/contract.js';
import type { ErrorInfo } from '../../shared/errors.js';
import type { CallOutcome, EngineHostState } from '../../shared/ipc.js';
import { RpcClient, type CallOptions, type EventListener, type NoticeListener } from '../rpc/rpc-client.js';
import type { RpcPort } from '../rpc/port.js';
import type { ControlOp, FromEngine, HostConfig, ToEngine } from '../rpc/protocol.js';

/** One started engine process, as the supervisor needs it (Electron's UtilityProcess behind an adapter). */
export interface EngineProcess {
  port: RpcPort<FromEngine, ToEngine>;
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

export interface SupervisorDeps {
  spawn(): EngineProcess;
  config: HostConfig;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Delay before restart attempt n (1-based). Default 1 s, 2 s, 4 s … capped at 30 s. */
  backoffMs?: (attempt: number) => number;
  /** Crashes in a row before the supervisor gives up. */
  maxAttempts?: number;
  /** A process that ran this long before dying starts the back-off afresh. */
  stableAfterMs?: number;
}

export const defaultBackoff = (attempt: number): number => Math.min(30_000, 1000 * 2 ** (attempt - 1));

/** The main process's engine calls, whatever process currently answers them. */
export interface EngineCaller {
  call<K extends RequestName>(
    name: K,
    args: unknown,
    opts?: CallOptions<K>,
  ): Promise<CallOutcome<ContractResults[K]>>;
}

/**
 * Starts the engine's utility process, restarts it with back-off when it dies, and gives the rest
 * of the main process one stable object to call and listen to across restarts.
 */
export class ProcessSupervisor implements EngineCaller {
  private current: { proc: EngineProcess; client: RpcClient; startedAt: number } | undefined;
  private status: EngineHostState = { state: 'starting' };
  private attempts = 0;
  private timer: unknown;
  private stopping = false;
  private readonly eventListeners = new Set<EventListener>();
  private readonly noticeListeners = new Set<NoticeListener>();
  private readonly stateListeners = new Set<(s: EngineHostState) => void>();
  private info: { dataDir: string; logFile: string } | undefined;

  constructor(private readonly deps: SupervisorDeps) {}

  get state(): EngineHostState {
    return this.status;
  }

  /** The data folder and log file the engine reported when it started. */
  get started(): { dataDir: string; logFile: string } | undefined {
    return this.info;
  }

  start(): void {
    this.stopping = false;
    this.launch();
  }

  async call<K extends RequestName>(
    name: K,
    args: unknown,
    opts?: CallOptions<K>,
  ): Promise<CallOutcome<ContractResults[K]>> {
    const c = this.current;
    if (!c) return { ok: false, error: this.unavailable() };
    const started = await c.client.whenStarted();
    if (!started.ok) return { ok: false, error: started.error };
    return c.client.call(name, args, opts);
  }

  control(op: ControlOp): Promise<CallOutcome<unknown>> {
    if (!this.current) return Promise.resolve({ ok: false, error: this.unavailable() });
    return this.current.client.control(op);
  }

  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onNotice(listener: NoticeListener): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  onState(listener: (s: EngineHostState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * Quit: the engine cancels its work, closes the database (checkpoint) and exits. A process that
   * does not answer within `timeoutMs` is killed.
   */
  async stop(timeoutMs = 15_000): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) (this.deps.clearTimer ?? clearTimeout)(this.timer as NodeJS.Timeout);
    const c = this.current;
    if (!c) return;
    let timeout: unknown;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timeout = (this.deps.setTimer ?? setTimeout)(() => resolve('timeout'), timeoutMs);
    });
    const done = await Promise.race([c.client.control('shutdown'), timedOut]);
    (this.deps.clearTimer ?? clearTimeout)(timeout as NodeJS.Timeout);
    if (done === 'timeout' || !done.ok) c.proc.kill();
    this.current = undefined;
    c.client.close({ code: 'CANCELLED', message: 'vMiner is quitting' });
  }

  private unavailable(): ErrorInfo {
    const s = this.status;
    if (s.state === 'restarting')
      return {
        code: 'INTERNAL',
        message: `the engine stopped (${s.reason}) and is restarting; try again in a moment`,
      };
    if (s.state === 'failed') return { code: 'INTERNAL', message: `the engine is not running: ${s.reason}` };
    return { code: 'INTERNAL', message: 'the engine is not running' };
  }

  private setState(s: EngineHostState): void {
    this.status = s;
    for (const l of this.stateListeners) l(s);
  }

  private launch(): void {
    this.timer = undefined;
    this.setState({ state: 'starting' });
    const proc = this.deps.spawn();
    const client = new RpcClient(proc.port, this.deps.config);
    const run = { proc, client, startedAt: (this.deps.now ?? Date.now)() };
    this.current = run;
    client.onEvent((name, payload) => {
      for (const l of this.eventListeners) l(name, payload);
    });
    client.onNotice((level, message) => {
      for (const l of this.noticeListeners) l(level, message);
    });
    proc.onExit((code) => this.exited(run, code));
    void client.whenStarted().then((r) => {
      if (this.current !== run) return;
      if (r.ok) {
        this.info = { dataDir: r.dataDir, logFile: r.logFile };
        this.setState({ state: 'ready' });
      } else {
        // Opening failed (locked folder, broken database, wrong native build): retrying will not help.
        this.giveUp(r.error.message);
        proc.kill();
      }
    });
  }

  private giveUp(reason: string): void {
    this.current = undefined;
    this.setState({ state: 'failed', reason });
  }

  private exited(run: NonNullable<typeof this.current>, code: number): void {
    const reason = `engine process exited with code ${code}`;
    run.client.close({ code: 'INTERNAL', message: `the engine stopped unexpectedly (${reason})` });
    if (this.current !== run || this.stopping) return;
    this.current = undefined;
    const ranMs = (this.deps.now ?? Date.now)() - run.startedAt;
    if (ranMs >= (this.deps.stableAfterMs ?? 60_000)) this.attempts = 0;
    this.attempts += 1;
    if (this.attempts > (this.deps.maxAttempts ?? 5)) {
      this.giveUp(`${reason}; it crashed ${this.attempts - 1} times in a row`);
      return;
    }
    const retryInMs = (this.deps.backoffMs ?? defaultBackoff)(this.attempts);
    this.setState({ state: 'restarting', attempt: this.attempts, retryInMs, reason });
    this.timer = (this.deps.setTimer ?? setTimeout)(() => {
      if (!this.stopping) this.launch();
    }, retryInMs);
  }
}
