// Sandboxed preload: exposes the contract as `window.vminer` and nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge, versionFromArgv } from './bridge.js';

contextBridge.exposeInMainWorld(
  'vminer',
  createBridge(ipcRenderer, {
    app: versionFromArgv(process.argv),
    electron: process.versions['electron'] ?? 'unknown',
    chrome: process.versions['chrome'] ?? 'unknown',
    node: process.versions.node,
  }),
);
