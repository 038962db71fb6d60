// The engine's utility process (Electron `utilityProcess.fork`): plain Node plus `process.parentPort`.
// A long sync, a 100k-row export or a big SQLite write runs here, never in the window's process.
import { createLogger } from './engine/log.js';
import { runEngineHost } from './host/run-host.js';
import { fromParentPort, type ParentPortLike } from './rpc/port.js';
import { isToEngine, type FromEngine, type ToEngine } from './rpc/protocol.js';

const log = createLogger('engine-host');
const parentPort = (process as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;
if (!parentPort) {
  process.stderr.write('engine-host runs inside the vMiner desktop app (Electron utilityProcess)\n');
  process.exit(2);
}

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
