/**
 * A worker thread that builds REST list pages (`ListPages.build`) on its own read-only connection
 * to the cache, so page builds use more than the event loop's one core (see `PagePool`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ListRequest } from '../../../shared/contract.js';
import { VminerError } from '../../../shared/errors.js';
import { openDatabase } from '../db/database.js';
import { ListPages } from '../list-pages.js';
import { QueryService } from '../query/query-service.js';

export interface PageWorkerData {
  dataDir: string;
  nativeBinding?: string;
  /** SQLite's page cache of the worker's connection, in KiB. */
  cacheKib: number;
}

/** A page to build, at the engine's data `version` (a new one drops the worker's cached totals). */
export interface PageJob {
  id: number;
  version: number;
  req: ListRequest;
}

export type PageReply =
  | { id: number; ok: true; body: ArrayBuffer; total: number; nextCursor: string | null }
  | { id: number; ok: false; code: string; message: string };

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('page-worker runs as a worker thread');
  const data = workerData as PageWorkerData;
  const db = openDatabase(data.dataDir, {
    readonly: true,
    ...(data.nativeBinding ? { nativeBinding: data.nativeBinding } : {}),
  });
  db.sqlite.pragma(`cache_size = -${data.cacheKib}`);
  const query = new QueryService({ sqlite: db.sqlite });
  const lists = new ListPages(db.sqlite, query);
  let version = -1;
  port.on('message', (job: PageJob) => {
    let reply: PageReply;
    try {
      if (job.version !== version) {
        query.invalidate();
        version = job.version;
      }
      const page = lists.build(job.req);
      // The page's own bytes, moved to the main thread rather than copied.
      const body = new Uint8Array(page.body.byteLength);
      body.set(page.body);
      reply = { id: job.id, ok: true, body: body.buffer, total: page.total, nextCursor: page.nextCursor };
      port.postMessage(reply, [body.buffer]);
      return;
    } catch (err) {
      reply =
        err instanceof VminerError
          ? { id: job.id, ok: false, code: err.code, message: err.message }
          : { id: job.id, ok: false, code: 'INTERNAL', message: (err as Error).message };
    }
    port.postMessage(reply);
  });
}

main();
