// The engine's host: in the desktop app, Electron's utility process (`utilityProcess.fork`: plain
// Node plus `process.parentPort`), where a long sync, a 100k-row export or a big SQLite write runs,
// never in the window's process. Tests run `runEngineHost` on one end of a MessageChannel.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Handlers } from '../shared/contract.js';
import { toErrorInfo, type ErrorInfo } from '../shared/errors.js';
import { createHandlers } from './engine/api.js';
import { Engine } from './engine/engine.js';
import { createLogger } from './engine/log.js';
import { RestControl, type RunningRest } from './engine/rest/rest-control.js';
import { startRest } from './engine/rest/serve.js';
import { findUiRoot } from './engine/rest/ui-route.js';
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
}

export const openDesktopEngine = (
  config: HostConfig,
  onWarning: (message: string) => void,
): Promise<Engine> =>
  Engine.open({
    dataDir: config.dataDir,
    owner: 'the vMiner desktop app',
    onWarning,
    ...(config.nativeBinding ? { nativeBinding: config.nativeBinding } : {}),
  });

const defaultStartRest: NonNullable<HostDeps['startRest']> = async (
  engine,
  handlers,
  host,
  port,
  version,
) => {
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

/** A native module built for another runtime fails with an ABI message nobody can act on: say what to do. */
export function explainOpenError(err: unknown, config: HostConfig): ErrorInfo {
  const info = toErrorInfo(err);
  if (
    /NODE_MODULE_VERSION|was compiled against a different|Could not locate the bindings file/.test(
      info.message,
    )
  ) {
    return {
      code: 'INTERNAL',
      message:
        `the SQLite module does not match this Electron (${info.message.split('\n')[0]}). ` +
        (config.nativeBinding
          ? `Rebuild ${config.nativeBinding} with \`npm run native:electron\`.`
          : 'Build the Electron copy with `npm run native:electron`.'),
    };
  }
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
      port.post({ kind: 'fatal', error: explainOpenError(err, msg.config) });
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
    const handlers = withSettingsHook(createHandlers(engine), applyRest);
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
    applyRest();
    engine.scheduler.resume();
    // SQL sources of the vCenter list refresh on their own intervals, in the desktop app too;
    // vCenters stay live per the update-mode setting.
    engine.sourceRefresher.start();
    engine.live.start();
    port.post({
      kind: 'ready',
      dataDir: engine.dataDir,
      logFile: path.join(engine.dataDir, 'logs', 'vminer.log'),
    });
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
