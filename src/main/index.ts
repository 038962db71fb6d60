// Electron composition root: glue only. The engine runs in a utility process (engine-host.ts);
// what the shell decides lives in small, tested modules beside this file.
import { app, session, shell } from 'electron';
import path from 'node:path';
import { defaultDataDir } from './engine/data-dir.js';
import { configureLogging, createLogger } from './engine/log.js';
import { startDesktopApp } from './shell/desktop-app.js';
import { guardSession, guardWebContents, safeExternalUrl } from './shell/security.js';

const log = createLogger('shell');
const refused = (what: string, detail: string): void =>
  log.warn(`refused ${what}`, { detail: detail.slice(0, 500) });

// VMINER_DATA_DIR moves everything, the shell's own store and the single-instance lock included
// (end-to-end tests give each run its own folder).
const dataDir = defaultDataDir();
if (process.env['VMINER_DATA_DIR']) app.setPath('userData', path.join(dataDir, 'shell'));
configureLogging({ file: path.join(dataDir, 'logs', 'shell.log') });

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('web-contents-created', (_e, contents) =>
    guardWebContents(contents, {
      openExternal: async (url) => {
        if (safeExternalUrl(url)) await shell.openExternal(url);
      },
      refused,
    }),
  );
  app
    .whenReady()
    .then(() => {
      guardSession(session.defaultSession, { refused });
      const desktop = startDesktopApp({ dataDir });
      app.on('second-instance', () => desktop.showWindow());
    })
    .catch((err: unknown) => {
      log.error('vMiner failed to start', { error: String(err) });
      console.error('vMiner failed to start', err);
      app.exit(1);
    });
}
