import { contextBridge } from 'electron';

// The typed contract API is exposed here once the desktop UI lands; for now only the version.
contextBridge.exposeInMainWorld('vminer', { version: process.versions['electron'] ?? 'unknown' });
