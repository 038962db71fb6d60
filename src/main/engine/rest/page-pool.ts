import { Worker } from 'node:worker_threads';
import type { ListRequest } from '../../../shared/contract.js';
import { VminerError, type ErrorCode } from '../../../shared/errors.js';
import { createLogger } from '../log.js';
import type { JsonPage, PageMemory } from '../list-pages.js';
import { workerScript, type WorkerScript } from '../worker-script.js';
import type { PageJob, PageReply, PageWorkerData } from './page-worker.js';

const log = createLogger('rest');

export type { WorkerScript };

/** Where the page worker's script is: the built entry beside this module, or the sources through tsx. */
export function pageWorkerScript(): WorkerScript | undefined {
  return workerScript(import.meta.url, './page-worker.ts', 'page-worker');
}

interface Pending {
  req: ListRequest;
  resolve: (p: JsonPage) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** It has answered at least once (so it can start here). */
  answered: boolean;
}

export interface PagePoolOptions extends PageWorkerData {
  workers: number;
  /** The engine's pages remembered by data version (`ListPages.memory`). */
  memory: PageMemory;
  script?: WorkerScript;
  /**
   * Builds a page in this thread: used for good once a worker cannot even start (a platform
   * without worker threads for native modules, a missing script).
   */
  fallback: (req: ListRequest) => Promise<JsonPage>;
}

/**
 * REST list pages built by worker threads, each with its own read-only connection, so that clients
 * paging different lists use every core, not just the event loop's. Pages many clients ask for are
 * built once (the engine's `PageMemory`, and one build for requests that arrive together).
 * A worker that dies is replaced; its requests fail with INTERNAL.
 */
export class PagePool {
  private readonly slots: (Slot | undefined)[];
  private readonly inflight = new Map<string, Promise<JsonPage>>();
  private nextId = 1;
  private closed = false;
  /** No worker can start here: pages are built by `fallback`. */
  private broken = false;
  /** Pages built by workers (for tests and diagnostics). */
  built = 0;

  private constructor(
    private readonly opts: PagePoolOptions,
    private readonly script: WorkerScript,
  ) {
    this.slots = Array.from({ length: opts.workers }, () => undefined);
    // Started now, so the first clients do not wait for a worker to load its modules.
    for (let i = 0; i < this.slots.length; i++) this.slots[i] = this.spawn(i);
  }

  /** A pool, or `undefined` when there is no worker script (the caller builds pages itself). */
  static create(opts: PagePoolOptions): PagePool | undefined {
    const script = opts.script ?? pageWorkerScript();
    if (!script || opts.workers < 1) return undefined;
    return new PagePool(opts, script);
  }

  async json(req: ListRequest): Promise<JsonPage> {
    if (this.broken) return this.opts.fallback(req);
    const key = JSON.stringify(req);
    const hit = this.opts.memory.get(key);
    if (hit !== undefined) return hit;
    const version = this.opts.memory.current();
    const flightKey = `${version}\u0000${key}`;
    const flying = this.inflight.get(flightKey);
    if (flying) return flying;
    const build = this.dispatch(req, version).then((page) => {
      this.opts.memory.set(key, page, version);
      return page;
    });
    this.inflight.set(flightKey, build);
    try {
      return await build;
    } finally {
      this.inflight.delete(flightKey);
    }
  }

  /** The worker threads running now (diagnostics and tests). */
  threads(): Worker[] {
    return this.slots.flatMap((s) => (s ? [s.worker] : []));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s?.worker.terminate()));
  }

  private dispatch(req: ListRequest, version: number): Promise<JsonPage> {
    if (this.closed) return Promise.reject(new VminerError('INTERNAL', 'the REST listener is closing'));
    // The worker with the fewest pages to build.
    let best = 0;
    for (let i = 1; i < this.slots.length; i++)
      if ((this.slots[i]?.pending.size ?? 0) < (this.slots[best]?.pending.size ?? 0)) best = i;
    const slot = (this.slots[best] ??= this.spawn(best));
    const id = this.nextId++;
    return new Promise<JsonPage>((resolve, reject) => {
      slot.pending.set(id, { req, resolve, reject });
      const job: PageJob = { id, version, req };
      slot.worker.postMessage(job);
    });
  }

  private spawn(index: number): Slot {
    const data: PageWorkerData = {
      dataDir: this.opts.dataDir,
      cacheKib: this.opts.cacheKib,
    };
    const worker = new Worker(this.script.file, { workerData: data, eval: this.script.eval });
    const slot: Slot = { worker, pending: new Map(), answered: false };
    worker.unref();
    worker.on('message', (reply: PageReply) => {
      slot.answered = true;
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if (reply.ok) {
        this.built++;
        p.resolve({ body: Buffer.from(reply.body), total: reply.total, nextCursor: reply.nextCursor });
      } else p.reject(new VminerError(reply.code as ErrorCode, reply.message));
    });
    const fail = (why: string): void => {
      if (this.slots[index] === slot) this.slots[index] = undefined;
      for (const p of slot.pending.values()) {
        // A worker that never started: this thread builds its pages, now and from now on.
        if (this.broken) this.opts.fallback(p.req).then(p.resolve, p.reject);
        else p.reject(new VminerError('INTERNAL', why));
      }
      slot.pending.clear();
    };
    worker.on('error', (err) => {
      if (!slot.answered) {
        this.broken = true;
        log.warn(`page workers cannot start here (${err.message}); list pages are built in the event loop`);
      } else log.error(`a page worker failed: ${err.message}`);
      fail(`the page could not be built (${err.message}); try again`);
    });
    worker.on('exit', (code) => {
      if (!this.closed) fail(`a page worker stopped (exit ${code}); try again`);
    });
    return slot;
  }
}
