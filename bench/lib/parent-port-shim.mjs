// Stands in for Electron's `process.parentPort` in a plain Node process, over Node's IPC channel:
// `node --import parent-port-shim.mjs out/main/engine-host.js` runs the built engine host as the
// desktop app's utility process does. Says "shim-ready" once the host listens, then relays.
import process from 'node:process';
import { setImmediate } from 'node:timers';
const listeners = new Set();
process.parentPort = {
  postMessage: (message) => process.send?.(message),
  on(event, listener) {
    if (event !== 'message') return;
    if (listeners.size === 0) process.on('message', deliver);
    listeners.add(listener);
    setImmediate(() => process.send?.({ kind: 'shim-ready' }));
  },
  off(event, listener) {
    listeners.delete(listener);
  },
};
function deliver(data) {
  for (const l of [...listeners]) l({ data });
}
