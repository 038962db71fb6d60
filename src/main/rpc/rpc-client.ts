import type { ContractResults, ProgressOf, RequestName } from '../../shared/contract.js';
import type { ErrorInfo } from '../../shared/errors.js';
import type { EngineEvents } from '../../shared/events.js';
import type { CallOutcome, EventName } from '../../shared/ipc.js';
import type { ControlOp, FromEngine, HostConfig, NoticeLevel, ToEngine } from './protocol.js';
import type { RpcPort } from './port.js';

export type EventListener = <E extends EventName>(name: E, payload: EngineEvents[E]) => void;
export type NoticeListener = (level: NoticeLevel, message: string) => void;

/** Per-call options: `onProgress` hears the call's progress reports (see `ContractProgress`). */
export interface CallOptions<K extends RequestName> {
  onProgress?: (p: ProgressOf<K>) => void;
}

export type StartResult = { ok: true; dataDir: string; logFile: string } | { ok: false; error: ErrorInfo };

/**
 * The main-process end of the engine RPC: numbered calls answered by `result` messages, events
 * and notices fanned out to listeners. Knows nothing about Electron.
 */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, (o: CallOutcome<unknown>) => void>();
  private readonly progressListeners = new Map<number, (p: unknown) => void>();
  private readonly eventListeners = new Set<EventListener>();
  private readonly noticeListeners = new Set<NoticeListener>();
  private readonly started: Promise<StartResult>;
  private readonly settleStart: (r: StartResult) => void;
  private closed: ErrorInfo | undefined;
  private readonly off: () => void;

  constructor(
    private readonly port: RpcPort<FromEngine, ToEngine>,
    config: HostConfig,
  ) {
    let settle!: (r: StartResult) => void;
    this.started = new Promise((resolve) => (settle = resolve));
    this.off = port.onMessage((msg) => {
      switch (msg.kind) {
        case 'ready':
          settle({ ok: true, dataDir: msg.dataDir, logFile: msg.logFile });
          break;
        case 'fatal':
          settle({ ok: false, error: msg.error });
          break;
        case 'result': {
          const done = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          this.progressListeners.delete(msg.id);
          done?.(msg.outcome);
          break;
        }
        case 'progress':
          this.progressListeners.get(msg.id)?.(msg.payload);
          break;
        case 'event':
          for (const l of this.eventListeners) l(msg.name, msg.payload as EngineEvents[typeof msg.name]);
          break;
        case 'notice':
          for (const l of this.noticeListeners) l(msg.level, msg.message);
          break;
      }
    });
    this.settleStart = settle;
    port.post({ kind: 'init', config });
  }

  /** Resolves once the engine has opened its data folder (or failed to). */
  whenStarted(): Promise<StartResult> {
    return this.started;
  }

  call<K extends RequestName>(
    name: K,
    args: unknown,
    opts: CallOptions<K> = {},
  ): Promise<CallOutcome<ContractResults[K]>> {
    const onProgress = opts.onProgress as ((p: unknown) => void) | undefined;
    return this.send(
      { kind: 'call', name, args, ...(onProgress ? { progress: true } : {}) },
      onProgress,
    ) as Promise<CallOutcome<ContractResults[K]>>;
  }

  control(op: ControlOp): Promise<CallOutcome<unknown>> {
    return this.send({ kind: 'control', op });
  }

  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onNotice(listener: NoticeListener): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /** The process is gone: every waiting call fails with `error`, later calls too. */
  close(error: ErrorInfo): void {
    if (this.closed) return;
    this.closed = error;
    this.off();
    this.settleStart({ ok: false, error });
    for (const done of this.pending.values()) done({ ok: false, error });
    this.pending.clear();
    this.progressListeners.clear();
  }

  private send(
    msg:
      { kind: 'call'; name: string; args: unknown; progress?: boolean } | { kind: 'control'; op: ControlOp },
    onProgress?: (p: unknown) => void,
  ): Promise<CallOutcome<unknown>> {
    if (this.closed) return Promise.resolve({ ok: false, error: this.closed });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      if (onProgress) this.progressListeners.set(id, onProgress);
      try {
        this.port.post({ ...msg, id });
      } catch (err) {
        this.pending.delete(id);
        this.progressListeners.delete(id);
        resolve({
          ok: false,
          error: { code: 'INTERNAL', message: `the engine is not reachable: ${String(err)}` },
        });
      }
    });
  }
}
