import type { ContractResults, RequestArgs, RequestName } from '../../../shared/contract.js';
import type { EngineEvents } from '../../../shared/events.js';
import { ApiError, type EventName, type VminerApi } from '../../../shared/ipc.js';
import { SseParser } from './sse.js';

type Listener = (payload: never) => void;

interface ErrorBody {
  error?: { code?: string; message?: string };
}

/** Reads a failed response's `{error: {code, message}}` into an ApiError. */
export async function responseError(res: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // not JSON: keep the status text
  }
  const code =
    res.status === 401 ? 'UNAUTHORIZED' : ((body.error?.code as ApiError['code'] | undefined) ?? 'HTTP');
  return new ApiError(code, body.error?.message ?? `${res.status} ${res.statusText}`);
}

export interface LoginResult {
  token: string;
  expiresAt: number;
}

export async function login(base: string, username: string, password: string): Promise<LoginResult> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) {
    const e = await responseError(res);
    if (res.status === 401) throw new ApiError('LOGIN_FAILED', 'Wrong user name or password.');
    if (res.status === 429) throw new ApiError('HTTP', 'Too many attempts: wait a minute and try again.');
    throw e;
  }
  const j = (await res.json()) as { access_token: string; expires_in: number };
  return { token: j.access_token, expiresAt: Date.now() + j.expires_in * 1000 };
}

/**
 * The UI's API over HTTP: contract calls through `POST /api/rpc/{request}`, events from one
 * `GET /api/events` stream read with `fetch` (the token travels in a header, never in a URL),
 * reconnected with back-off while anyone listens.
 */
export class HttpApi implements VminerApi {
  private readonly listeners = new Map<EventName, Set<Listener>>();
  private stream: AbortController | null = null;
  private retry = 0;

  constructor(
    private readonly base: string,
    private readonly token: () => string | null,
    private readonly onUnauthorized: () => void,
  ) {}

  private headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = {};
    const t = this.token();
    if (t) h['authorization'] = `Bearer ${t}`;
    if (json) h['content-type'] = 'application/json';
    return h;
  }

  async call<K extends RequestName>(name: K, args: RequestArgs<K>): Promise<ContractResults[K]> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/rpc/${name}`, {
        method: 'POST',
        headers: this.headers(true),
        body: JSON.stringify(args ?? {}),
      });
    } catch {
      throw new ApiError(
        'UNREACHABLE',
        'The vMiner server does not answer. Is `vminer serve` still running?',
      );
    }
    if (!res.ok) {
      const e = await responseError(res);
      if (res.status === 401) this.onUnauthorized();
      throw e;
    }
    return ((await res.json()) as { result: ContractResults[K] }).result;
  }

  /** A download of `POST /api/export/{csv|json|excel|rvtools}`: the blob and the server's file name. */
  async download(
    route: 'csv' | 'json' | 'excel' | 'rvtools',
    body: unknown,
  ): Promise<{ blob: Blob; fileName: string }> {
    const res = await fetch(`${this.base}/api/export/${route}`, {
      method: 'POST',
      headers: this.headers(true),
      body: JSON.stringify(body),
    });
    if (!res.ok) {
      if (res.status === 401) this.onUnauthorized();
      throw await responseError(res);
    }
    const cd = res.headers.get('content-disposition') ?? '';
    const fileName =
      /filename="([^"]+)"/.exec(cd)?.[1] ?? `vminer-export.${route === 'excel' ? 'xlsx' : route}`;
    return { blob: await res.blob(), fileName };
  }

  on<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    if (!this.stream) this.connect();
    return () => {
      set.delete(listener as Listener);
      if ([...this.listeners.values()].every((s) => s.size === 0)) this.close();
    };
  }

  close(): void {
    this.stream?.abort();
    this.stream = null;
  }

  private connect(): void {
    const ctrl = new AbortController();
    this.stream = ctrl;
    void this.read(ctrl).finally(() => {
      if (this.stream !== ctrl || ctrl.signal.aborted) return;
      // The server went away or restarted: try again, slower each time (max 30 s).
      const delay = Math.min(30_000, 1000 * 2 ** this.retry++);
      this.stream = null;
      setTimeout(() => {
        if (!this.stream && [...this.listeners.values()].some((s) => s.size > 0)) this.connect();
      }, delay);
    });
  }

  private async read(ctrl: AbortController): Promise<void> {
    try {
      const res = await fetch(`${this.base}/api/events`, {
        headers: this.headers(false),
        signal: ctrl.signal,
      });
      if (res.status === 401) {
        this.onUnauthorized();
        ctrl.abort();
        return;
      }
      if (!res.ok || !res.body) return;
      this.retry = 0;
      const parser = new SseParser();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        for (const m of parser.push(value)) this.dispatch(m.event as EventName, m.data);
      }
    } catch {
      // aborted or dropped: `connect` decides whether to retry
    }
  }

  private dispatch(event: EventName, data: string): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    for (const l of set) (l as (p: unknown) => void)(payload);
  }
}
