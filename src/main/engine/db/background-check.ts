/**
 * SQLite's quick_check of the whole cache in a worker thread (about 0.6 s for a 150 MB cache): the
 * desktop engine answers reads at once and lets writes through only once the file is known sound
 * (see engine-host.ts). Resolves with the error to report, or null for a sound cache.
 */
import { Worker } from 'node:worker_threads';
import { toErrorInfo, type ErrorCode, type ErrorInfo } from '../../../shared/errors.js';
import { workerScript } from '../worker-script.js';
import type { CheckReply, CheckWorkerData } from './check-worker.js';
import { openDatabase } from './database.js';
import { checkDatabase, damagedError, summarizeProblems } from './health.js';

export function checkInBackground(dataDir: string, file: string): Promise<ErrorInfo | null> {
  const found = (problems: string[]): ErrorInfo | null =>
    problems.length
      ? toErrorInfo(damagedError(file, `SQLite's check found ${summarizeProblems(problems)}`))
      : null;
  const script = workerScript(import.meta.url, './check-worker.ts', 'check-worker');
  if (!script) return Promise.resolve().then(() => found(checkHere(dataDir)));
  return new Promise((resolve) => {
    const data: CheckWorkerData = { dataDir };
    const worker = new Worker(script.file, { workerData: data, eval: script.eval });
    let answered = false;
    worker.once('message', (reply: CheckReply) => {
      answered = true;
      resolve(reply.ok ? found(reply.problems) : { code: reply.code as ErrorCode, message: reply.message });
      void worker.terminate();
    });
    // No worker threads here: check on this thread instead (it waits, but it checks).
    worker.once('error', () => {
      if (!answered) resolve(found(checkHere(dataDir)));
    });
    worker.once('exit', () => {
      if (!answered) resolve(found(checkHere(dataDir)));
      answered = true;
    });
  });
}

function checkHere(dataDir: string): string[] {
  const db = openDatabase(dataDir, { readonly: true });
  try {
    return checkDatabase(db.sqlite, 'quick');
  } finally {
    db.close();
  }
}
