// The desktop engine host checks the whole cache beside its start (issue 15: "ready" in < 0.5 s on
// a 100k-VM cache, where the check alone takes 0.6 s): reads answer at once, writes wait for the
// check, and a damaged cache answers every call with DB_DAMAGED and the way out. A real engine on a
// real SQLite file, the host on one end of a MessageChannel as in the desktop app's utility process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../shared/errors.js';
import type { CallOutcome } from '../shared/ipc.js';
import { DB_FILE, openDatabase } from './engine/db/database.js';
import { Engine } from './engine/engine.js';
import { runEngineHost } from './engine-host.js';
import { fromNodePort } from './rpc/port.js';
import { isToEngine, type FromEngine, type ToEngine } from './rpc/protocol.js';
import { populateCache } from '../testing/generate-inventory.js';
import { waitUntil } from '../testing/wait.js';

let work: string;
let pristine: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-host-'));
  pristine = path.join(work, 'pristine');
  const db = openDatabase(pristine);
  populateCache(db, { vcenters: 3, vmsTotal: 3000, hostsTotal: 30, datastoresTotal: 10, seed: 9 });
  db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface Host {
  messages: FromEngine[];
  call(name: string, args?: unknown): Promise<CallOutcome<unknown>>;
  shutdown(): Promise<void>;
}

let open: Host | undefined;
afterEach(async () => {
  await open?.shutdown();
  open = undefined;
});

/** Starts a host on a copy of the pristine cache, `damage` done to the file first. */
function startHost(
  name: string,
  opts: { damage?: (file: string) => void; checkCache?: () => Promise<ErrorInfo | null> } = {},
): Host {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(pristine, DB_FILE), path.join(dir, DB_FILE));
  opts.damage?.(path.join(dir, DB_FILE));
  const { port1, port2 } = new MessageChannel();
  let exited = false;
  runEngineHost(fromNodePort<ToEngine, FromEngine>(port1, isToEngine), {
    openEngine: (cfg, onWarning) =>
      Engine.open({ dataDir: cfg.dataDir, owner: 'host test', vaultBackend: 'file', onWarning }),
    exit: () => {
      exited = true;
    },
    shutdownGraceMs: 2000,
    ...(opts.checkCache ? { checkCache: opts.checkCache } : {}),
  });
  const messages: FromEngine[] = [];
  const main = port2 as MessagePort;
  main.on('message', (m: FromEngine) => messages.push(m));
  main.postMessage({ kind: 'init', config: { dataDir: dir, version: 'test' } } satisfies ToEngine);
  let id = 0;
  const host: Host = {
    messages,
    async call(callName, args = {}) {
      const n = ++id;
      main.postMessage({ kind: 'call', id: n, name: callName, args } satisfies ToEngine);
      let out: CallOutcome<unknown> | undefined;
      await waitUntil(
        () => {
          const r = messages.find((m) => m.kind === 'result' && m.id === n);
          if (r && r.kind === 'result') out = r.outcome;
          return out !== undefined;
        },
        { timeout: 20_000, what: `the answer to ${callName}` },
      );
      return out!;
    },
    async shutdown() {
      main.postMessage({ kind: 'control', id: 9999, op: 'shutdown' } satisfies ToEngine);
      await waitUntil(() => exited, { timeout: 20_000, what: 'the host to exit' });
      main.close();
    },
  };
  return host;
}

/** 64 KB of garbage in the middle of the file (inventory pages): only SQLite's check finds it. */
function garbleMiddle(file: string): void {
  const offset = Math.floor(fs.statSync(file).size / 2 / 4096) * 4096;
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(65_536, 0x5a), 0, 65_536, offset);
  fs.closeSync(fd);
}

describe('the engine host start-up check', { timeout: 60_000 }, () => {
  it('is ready before the check ends: reads answer meanwhile, a write waits for the check, then runs', async () => {
    let pass!: () => void;
    const check = new Promise<ErrorInfo | null>((resolve) => (pass = () => resolve(null)));
    open = startHost('sound', { checkCache: () => check });
    await waitUntil(() => open!.messages.some((m) => m.kind === 'ready'), { timeout: 20_000, what: 'ready' });
    expect(await open.call('stats.get')).toMatchObject({ ok: true });
    let written = false;
    const write = open.call('settings.update', { syncWorkers: 7 }).then((o) => {
      written = true;
      return o;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(written).toBe(false);
    pass();
    expect(await write).toMatchObject({ ok: true, value: { syncWorkers: 7 } });
    expect((await open.call('live.status')) as CallOutcome<{ running: boolean }>).toMatchObject({
      ok: true,
      value: { running: true },
    });
  });

  it('a damaged cache: ready for a moment, then every call answers DB_DAMAGED with the way out, and nothing writes', async () => {
    open = startHost('damaged', { damage: garbleMiddle });
    await waitUntil(() => open!.messages.some((m) => m.kind === 'notice' && m.level === 'error'), {
      timeout: 30_000,
      what: 'the check to report the damage',
    });
    expect(open.messages.find((m) => m.kind === 'fatal')).toBeUndefined();
    expect(open.messages.findIndex((m) => m.kind === 'ready')).toBeGreaterThanOrEqual(0);
    const notice = open.messages.find((m) => m.kind === 'notice' && m.level === 'error');
    expect(notice).toMatchObject({
      message: expect.stringMatching(/is damaged: SQLite's check found .*vminer db repair/),
    });
    for (const [name, args] of [
      ['vcenters.list', {}],
      ['settings.update', { paused: true }],
      ['sync.start', {}],
    ] as const) {
      expect(await open.call(name, args), name).toMatchObject({
        ok: false,
        error: { code: 'DB_DAMAGED', message: expect.stringMatching(/vminer db repair/) },
      });
    }
  });
});
