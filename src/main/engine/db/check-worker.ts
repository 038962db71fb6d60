/**
 * A worker thread that runs SQLite's quick_check on its own read-only connection to the cache, so
 * a long-running engine can check the whole file at start without holding up its event loop (see
 * `checkInBackground`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../../../shared/errors.js';
import { openDatabase } from './database.js';
import { checkDatabase } from './health.js';

export interface CheckWorkerData {
  dataDir: string;
}

/** What the check found: SQLite's problems (none: sound), or why it could not run. */
export type CheckReply = { ok: true; problems: string[] } | { ok: false; code: string; message: string };

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('check-worker runs as a worker thread');
  let reply: CheckReply;
  try {
    const db = openDatabase((workerData as CheckWorkerData).dataDir, { readonly: true });
    try {
      reply = { ok: true, problems: checkDatabase(db.sqlite, 'quick') };
    } finally {
      db.close();
    }
  } catch (err) {
    reply = { ok: false, ...toErrorInfo(err) };
  }
  port.postMessage(reply);
}

main();
