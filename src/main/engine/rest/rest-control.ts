import type { RestSettings } from '../../../shared/settings.js';
import { isLoopback } from './loopback.js';
import type { NoticeLevel } from '../../../shared/ipc.js';

export interface RunningRest {
  url: string;
  close(): Promise<void>;
  /** Said once the listener is up, e.g. that no account can log in yet. */
  warning?: string;
}

export interface RestControlDeps {
  start(host: string, port: number): Promise<RunningRest>;
  notice(level: NoticeLevel, message: string): void;
}

const sameListener = (a: RestSettings, b: RestSettings): boolean => a.host === b.host && a.port === b.port;

export function nonLoopbackWarning(host: string, port: number): string {
  return (
    `The REST listener is bound to ${host}:${port}, not to this computer only: anyone who can reach that ` +
    'address can try to log in and, with an account, read the whole inventory. Prefer 127.0.0.1 ' +
    '(behind a TLS reverse proxy if others need it).'
  );
}

/**
 * Starts, stops and moves the desktop app's REST listener to match `settings.rest`. Changes are
 * applied one at a time, in order, so a quick on/off/on never leaves two listeners.
 */
export class RestControl {
  private running: { settings: RestSettings; rest: RunningRest } | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RestControlDeps) {}

  get url(): string | null {
    return this.running?.rest.url ?? null;
  }

  apply(settings: RestSettings): Promise<void> {
    this.queue = this.queue.then(() => this.reconcile(settings));
    return this.queue;
  }

  stop(): Promise<void> {
    return this.apply({ enabled: false, host: '127.0.0.1', port: 0 });
  }

  private async reconcile(want: RestSettings): Promise<void> {
    const have = this.running;
    if (have && want.enabled && sameListener(have.settings, want)) return;
    if (have) {
      this.running = undefined;
      try {
        await have.rest.close();
        this.deps.notice('info', `REST listener on ${have.rest.url} stopped`);
      } catch (err) {
        this.deps.notice('warning', `stopping the REST listener failed: ${(err as Error).message}`);
      }
    }
    if (!want.enabled) return;
    try {
      const rest = await this.deps.start(want.host, want.port);
      this.running = { settings: { ...want }, rest };
      this.deps.notice(
        'info',
        `REST listener on ${rest.url} (API at ${rest.url}/api, docs at ${rest.url}/docs)`,
      );
      if (!isLoopback(want.host)) this.deps.notice('warning', nonLoopbackWarning(want.host, want.port));
      if (rest.warning) this.deps.notice('warning', rest.warning);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'EADDRINUSE'
          ? `port ${want.port} is already in use (choose another port in Settings)`
          : code === 'EADDRNOTAVAIL'
            ? `${want.host} is not an address of this computer`
            : (err as Error).message;
      this.deps.notice('error', `The REST listener could not start on ${want.host}:${want.port}: ${why}`);
    }
  }
}
