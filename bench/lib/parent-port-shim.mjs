// Stands in for Electron's `process.parentPort` in a plain Node process, over Node's IPC channel:
// `node --import parent-port-shim.mjs out/main/engine-host.js` runs the built engine host as the
// desktop app's utility process does. Says "shim-ready" once the host listens, then relays.
const listeners = new Set();
process.parentPort = {
  postMessage: (message) => process.send?.(message),
  on(event, listener) {
    if (event !== 'message') return;
    if (listeners.size === 0) process.on('message', deliver);
    listeners.add(listener);
    queueMicrotask(() => process.send?.({ kind: 'shim-ready' }));
  },
  off(event, listener) {
    listeners.delete(listener);
  },
};
function deliver(data) {
  for (const l of [...listeners]) l({ data });
}
