// The engine's host: in the desktop app, Electron's utility process (`utilityProcess.fork`: plain
// Node plus `process.parentPort`), where a long sync, a 100k-row export or a big SQLite write runs,
// never in the window's process. Tests run `runEngineHost` on one end of a MessageChannel.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTRACT, type Handlers, type RequestName } from '../shared/contract.js';
import { toErrorInfo, VminerError, type ErrorInfo } from '../shared/errors.js';
import { createHandlers } from './engine/api.js';
import { checkInBackground } from './engine/db/background-check.js';
import { Engine } from './engine/engine.js';
import { createLogger } from './engine/log.js';
import { RestControl, type RunningRest } from './engine/rest/rest-control.js';
import { fromParentPort, type ParentPortLike, type RpcPort } from './rpc/port.js';
import { isToEngine, type FromEngine, type HostConfig, type ToEngine } from './rpc/protocol.js';
import { serveContract } from './rpc/rpc-server.js';

const log = createLogger('engine-host');

export interface HostDeps {
  openEngine?: (config: HostConfig, onWarning: (message: string) => void) => Promise<Engine>;
  startRest?: (
    engine: Engine,
    handlers: Handlers,
    host: string,
    port: number,
    version: string,
  ) => Promise<RunningRest>;
  /** Ends the host process once shutdown has answered (a no-op in tests). */
  exit: (code: number) => void;
  /** How long quitting waits for cancelled syncs to log out and settle. */
  shutdownGraceMs?: number;
  /** The start-up check of the whole cache (default: SQLite's quick_check in a worker thread). */
  checkCache?: (engine: Engine) => Promise<ErrorInfo | null>;
}

/**
 * Opens the data folder. The header and schema are checked here; the whole file (SQLite's
 * quick_check, about 0.6 s for a 150 MB cache) is checked beside the start, see `gatedByCheck`.
 */
export const openDesktopEngine = (
  config: HostConfig,
  onWarning: (message: string) => void,
): Promise<Engine> =>
  Engine.open({
    dataDir: config.dataDir,
    owner: 'the vMiner desktop app',
    onWarning,
  });

const defaultCheck = (engine: Engine): Promise<ErrorInfo | null> =>
  checkInBackground(engine.dataDir, engine.database.file);

/**
 * The window reads at once; nothing writes to a cache not yet known sound. Calls that change
 * something wait for the start-up check, and once the check found damage every call answers
 * DB_DAMAGED with the way out (as an engine that refused to start did, 0.6 s sooner).
 */
export function gatedByCheck(handlers: Handlers, checked: Promise<ErrorInfo | null>): Handlers {
  let damage: ErrorInfo | null | undefined;
  void checked.then((d) => (damage = d));
  const gated: Partial<Record<RequestName, (a: unknown, ctx?: unknown) => Promise<unknown>>> = {};
  for (const [name, fn] of Object.entries(handlers) as [
    RequestName,
    (a: unknown, ctx?: unknown) => Promise<unknown>,
  ][]) {
    gated[name] = async (a, ctx) => {
      const found = damage === undefined && CONTRACT[name].mutates ? await checked : damage;
      if (found) throw new VminerError(found.code, found.message);
      return fn(a, ctx);
    };
  }
  return gated as Handlers;
}

const defaultStartRest: NonNullable<HostDeps['startRest']> = async (
  engine,
  handlers,
  host,
  port,
  version,
) => {
  // Loaded when the listener is turned on (off by default): fastify and swagger cost the start nothing.
  const [{ startRest }, { findUiRoot }] = await Promise.all([
    import('./engine/rest/serve.js'),
    import('./engine/rest/ui-route.js'),
  ]);
  // The same UI the window shows is served to browsers too (the desktop build ships out/renderer).
  const rest = await startRest(engine, { host, port, version, handlers, uiRoot: findUiRoot() });
  return {
    url: rest.url,
    close: () => rest.app.close(),
    ...(rest.auth.hasUsers()
      ? {}
      : {
          warning:
            'The REST listener has no accounts yet, so nobody can log in: add one with `vminer user add NAME --role admin`.',
        }),
  };
};

/**
 * A native module that cannot load says so in words nobody can act on. better-sqlite3 is an N-API
 * module with prebuilt binaries for the usual platforms, the same file for Node and Electron.
 */
export function explainOpenError(err: unknown): ErrorInfo {
  const info = toErrorInfo(err);
  if (/NODE_MODULE_VERSION|was compiled against a different|prebuilds|\.node\b/.test(info.message))
    return {
      code: 'INTERNAL',
      message: `the SQLite module could not be loaded (${info.message.split('\n')[0]}): reinstall vMiner; this platform may have no prebuilt better-sqlite3`,
    };
  return info;
}

/** Settings changes from any transport (IPC or the REST listener itself) re-apply the REST listener. */
export function withSettingsHook(handlers: Handlers, onChange: () => void): Handlers {
  return {
    ...handlers,
    'settings.update': async (patch) => {
      const result = await handlers['settings.update'](patch);
      // After the answer: a REST request that turns the listener off must still get its reply.
      setImmediate(onChange);
      return result;
    },
  };
}

/**
 * The engine side of the desktop app, run inside Electron's utility process (see engine-host.ts)
 * or, in tests, on one end of a worker_threads MessageChannel.
 */
export function runEngineHost(port: RpcPort<ToEngine, FromEngine>, deps: HostDeps): void {
  const notice = (level: 'info' | 'warning' | 'error', message: string): void => {
    log[level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'info'](message);
    port.post({ kind: 'notice', level, message });
  };
  const offInit = port.onMessage((msg) => {
    if (msg.kind !== 'init') return;
    offInit();
    start(msg.config).catch((err: unknown) => {
      port.post({ kind: 'fatal', error: explainOpenError(err) });
    });
  });

  async function start(config: HostConfig): Promise<void> {
    const engine = await (deps.openEngine ?? openDesktopEngine)(config, (m) => notice('warning', m));
    const rest = new RestControl({
      start: (host, p) => (deps.startRest ?? defaultStartRest)(engine, handlers, host, p, config.version),
      notice,
    });
    const applyRest = (): void => {
      rest
        .apply(engine.settings.get().rest)
        .catch((err: unknown) => log.error('REST listener', { error: String(err) }));
    };
    const checked = (deps.checkCache ?? defaultCheck)(engine);
    const handlers = gatedByCheck(withSettingsHook(createHandlers(engine), applyRest), checked);
    let closing = false;
    serveContract(port, {
      handlers,
      bus: engine.bus,
      control: async (op) => {
        if (op === 'resume') {
          // Timers may not have run during sleep: a missed scheduled run starts now.
          engine.scheduler.wake();
          engine.live.wake();
          applyRest();
          log.info('resumed after sleep');
          return;
        }
        if (closing) return;
        closing = true;
        await shutdown(engine, rest, deps.shutdownGraceMs ?? 10_000);
        setImmediate(() => deps.exit(0));
      },
    });
    // Ready for reads now; what writes (syncs, live updates, source refreshes, the REST listener)
    // starts once the check has found the cache sound.
    port.post({
      kind: 'ready',
      dataDir: engine.dataDir,
      logFile: path.join(engine.dataDir, 'logs', 'vminer.log'),
    });
    const damage = await checked;
    if (closing) return;
    if (damage) {
      notice('error', damage.message);
      return;
    }
    applyRest();
    engine.scheduler.resume();
    // SQL sources of the vCenter list refresh on their own intervals, in the desktop app too;
    // vCenters stay live per the update-mode setting.
    engine.sourceRefresher.start();
    engine.live.start();
  }
}

/** Quit: stop listening, cancel syncs (each logs out of its vCenter), then checkpoint and close the database. */
async function shutdown(engine: Engine, rest: RestControl, graceMs: number): Promise<void> {
  await rest.stop();
  // Cancels syncs and logs every live session out of its vCenter (bounded by the call timeouts).
  await Promise.race([engine.shutdown(), new Promise((r) => setTimeout(r, graceMs))]);
  const deadline = Date.now() + graceMs;
  while (engine.sync.isSyncing() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  if (engine.sync.isSyncing()) log.warn('quitting with a sync still settling');
  engine.close();
  log.info('engine closed');
}

const parentPort = (process as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;
if (parentPort) {
  process.on('uncaughtException', (err) => {
    log.error('engine crashed', { error: err.stack ?? String(err) });
    // The main process sees the exit and restarts the engine with back-off.
    process.exit(70);
  });
  process.on('unhandledRejection', (reason) => {
    log.error('unhandled rejection in the engine', { error: String(reason) });
  });
  runEngineHost(fromParentPort<ToEngine, FromEngine>(parentPort, isToEngine), {
    exit: (code) => process.exit(code),
  });
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stderr.write('engine-host runs inside the vMiner desktop app (Electron utilityProcess)\n');
  process.exit(2);
}
