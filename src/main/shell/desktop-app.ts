// Electron glue: wires the engine supervisor, relay, window, tray, menu and desktop services.
// Decisions live in the small modules beside this file (each tested in plain Node).
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  shell,
  Tray,
  utilityProcess,
  type MenuItemConstructorOptions,
} from 'electron';
import Store from 'electron-store';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IPC, type DesktopEventName, type DesktopEvents, type NavigationTarget } from '../../shared/ipc.js';
import {
  registerDesktopServices,
  openExternalChecked,
  showInFolderChecked,
  type DesktopServices,
} from './desktop-ipc.js';
import { buildDiagnostics } from './diagnostics.js';
import { doctorSummary, engineDoctor, type DoctorRunner } from './doctor.js';
import { createLogger } from '../engine/log.js';
import { engineHostForkOptions } from '../node-flags.js';
import { ProcessSupervisor, type EngineProcess } from './process-supervisor.js';
import { forwardEngineEvents, registerContractRelay } from './ipc-relay.js';
import { applyLoginItem, HIDDEN_ARG } from './login-item.js';
import { appMenu } from './menu.js';
import { SHELL_DEFAULTS, ShellPrefs, type ShellStoreShape } from './prefs.js';
import { fromNodePort } from '../rpc/port.js';
import { isFromEngine, type FromEngine, type ToEngine } from '../rpc/protocol.js';
import { saveExport } from './save-export.js';
import { isTrustedSender } from './security.js';
import { scheduledFailureText, SyncStatus } from './sync-status.js';
import { TrayController, type MenuItemSpec } from './tray.js';
import { createMainWindow, rendererUrl } from './window.js';
import { closeAction } from './window-state.js';

const log = createLogger('shell');

/** Electron's menu options from the shell's plain menu specs (roles are Electron's own names). */
const toMenu = (spec: MenuItemSpec[]): Menu => Menu.buildFromTemplate(spec as MenuItemConstructorOptions[]);

export interface DesktopAppOptions {
  dataDir: string;
  /** A Help-menu doctor, once `vminer doctor` exists. */
  doctor?: DoctorRunner;
}

export function startDesktopApp(opts: DesktopAppOptions): { showWindow(): void } {
  const version = app.getVersion();
  const store = new Store<ShellStoreShape>({ name: 'shell', defaults: SHELL_DEFAULTS });
  const appRoot = app.getAppPath();
  const resources = app.isPackaged ? process.resourcesPath : path.join(appRoot, 'resources');
  const prefs = new ShellPrefs(store, (openAtLogin) =>
    applyLoginItem(openAtLogin, {
      platform: process.platform,
      setLoginItemSettings: (s) => app.setLoginItemSettings(s),
      command: process.env['APPIMAGE'] ?? process.execPath,
      autostartDir: path.join(
        process.env['XDG_CONFIG_HOME'] ?? path.join(os.homedir(), '.config'),
        'autostart',
      ),
      writeFile: (f, text) => {
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, text);
      },
      removeFile: (f) => fs.rmSync(f, { force: true }),
    }),
  );
  const rendererFile = path.join(__dirname, '../renderer/index.html');
  const devUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
  const origin = { url: rendererUrl({ rendererFile, devUrl }) };
  const isTrusted = (e: Parameters<typeof isTrustedSender>[0]): boolean =>
    isTrustedSender(e, {
      origin,
      windowIds: () => BrowserWindow.getAllWindows().map((w) => w.webContents.id),
    });
  const refused = (what: string): void => log.warn(`refused: ${what}`);

  // --- engine ---------------------------------------------------------------------------------
  const hostPath = path.join(__dirname, 'engine-host.js');
  const supervisor = new ProcessSupervisor({
    config: { dataDir: opts.dataDir, version },
    spawn: (): EngineProcess => {
      const child = utilityProcess.fork(hostPath, [], engineHostForkOptions());
      return {
        port: fromNodePort<FromEngine, ToEngine>(child, isFromEngine),
        onExit: (l) => void child.on('exit', l),
        kill: () => void child.kill(),
      };
    },
  });

  // --- window -----------------------------------------------------------------------------------
  let win: BrowserWindow | undefined;
  let tray: Tray | undefined;
  let quitting = false;
  const sendDesktop = <E extends DesktopEventName>(name: E, payload: DesktopEvents[E]): void => {
    for (const w of BrowserWindow.getAllWindows()) w.webContents.send(IPC.desktopEvent, name, payload);
  };
  const showWindow = (): void => {
    if (!win || win.isDestroyed()) win = openWindow(true);
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };
  const navigate = (to: NavigationTarget): void => {
    showWindow();
    sendDesktop('navigate', { to });
  };
  const notify = (title: string, body: string, onClick?: () => void): void => {
    if (!Notification.isSupported()) return;
    const n = new Notification({ title, body, icon: path.join(resources, 'icon.png') });
    if (onClick) n.on('click', onClick);
    n.show();
  };
  function openWindow(show: boolean): BrowserWindow {
    const w = createMainWindow({
      preload: path.join(__dirname, '../preload/index.cjs'),
      rendererFile,
      devUrl,
      store,
      version,
      icon: path.join(resources, 'icon.png'),
      show,
    });
    w.on('close', (e) => {
      const action = closeAction({
        quitting,
        prefs: prefs.get(),
        trayAvailable: tray !== undefined,
        noticeShown: store.get('trayNoticeShown'),
      });
      if (action === 'close') return;
      e.preventDefault();
      w.hide();
      if (action === 'hide-and-tell') {
        store.set('trayNoticeShown', true);
        notify(
          'vMiner is still running',
          'It keeps syncing in the background. Open it from the tray icon; "Quit vMiner" there stops it. (Settings can change this.)',
          showWindow,
        );
      }
    });
    return w;
  }

  // --- relay and desktop services -------------------------------------------------------------
  registerContractRelay({ ipcMain, isTrusted, engine: supervisor, refused });
  forwardEngineEvents(supervisor, (channel, name, payload) => {
    for (const w of BrowserWindow.getAllWindows()) w.webContents.send(channel, name, payload);
  });
  const written = new Set<string>();
  const logsDir = (): string =>
    path.dirname(supervisor.started?.logFile ?? path.join(opts.dataDir, 'logs', 'x'));
  const services: DesktopServices = {
    saveExport: (spec) =>
      saveExport(spec, {
        dialog: {
          showSaveDialog: (o) =>
            win && !win.isDestroyed()
              ? dialog.showSaveDialog(win, o as Electron.SaveDialogOptions)
              : dialog.showSaveDialog(o as Electron.SaveDialogOptions),
        },
        engine: supervisor,
        progress: (p) => sendDesktop('export:progress', p),
        defaultDir: () => app.getPath('documents'),
        newId: randomUUID,
        written: (f) => written.add(f),
        // 2 (above 1) is Electron's indeterminate bar; -1 removes it.
        busy: (state) => win?.setProgressBar(state === true ? 2 : state === false ? -1 : state),
        done: (r) =>
          notify('Export written', `${path.basename(r.path)}: ${r.rows.toLocaleString()} rows`, () =>
            shell.showItemInFolder(r.path),
          ),
      }),
    showInFolder: (file) => showInFolderChecked(file, written, (f) => shell.showItemInFolder(f)),
    openExternal: (url) => openExternalChecked(url, (u) => shell.openExternal(u)),
    openLogsFolder: async () => {
      const err = await shell.openPath(logsDir());
      if (err) throw new Error(`cannot open ${logsDir()}: ${err}`);
    },
    copyDiagnostics: async () => {
      clipboard.writeText(
        await buildDiagnostics({
          engine: supervisor,
          engineState: () => supervisor.state,
          versions: {
            app: version,
            electron: process.versions.electron ?? 'unknown',
            chrome: process.versions.chrome ?? 'unknown',
            node: process.versions.node,
          },
          platform: { os: process.platform, release: os.release(), arch: process.arch },
          prefs: prefs.get(),
          logFile: supervisor.started?.logFile,
          readLog: (f) => fs.promises.readFile(f, 'utf8'),
          homeDir: os.homedir(),
        }),
      );
      notify(
        'Diagnostics copied',
        'Paste them into your support ticket. Account names and secrets are masked.',
      );
    },
    getPreferences: async () => prefs.get(),
    setPreferences: async (patch) => prefs.set(patch),
  };
  registerDesktopServices({ ipcMain, isTrusted, services, refused });
  const runService = (p: Promise<unknown>, what: string): void =>
    void p.catch((err: unknown) => {
      log.error(`${what} failed`, { error: String(err) });
      dialog.showErrorBox(`vMiner: ${what} failed`, (err as Error).message ?? String(err));
    });

  // --- tray and sync state ----------------------------------------------------------------------
  const syncNow = (): void =>
    void supervisor.call('sync.start', {}).then((o) => {
      if (!o.ok) notify('Sync could not start', o.error.message);
    });
  const schedule = (on: boolean): void =>
    void supervisor.call(on ? 'scheduler.start' : 'scheduler.stop', {}).then((o) => {
      if (!o.ok) notify('Schedule', o.error.message);
    });
  try {
    tray = new Tray(nativeImage.createFromPath(path.join(resources, 'tray', 'idle.png')));
  } catch (err) {
    log.warn('no tray on this desktop', { error: String(err) });
  }
  const trayCtl = tray
    ? new TrayController(
        {
          setImage: (p) => tray?.setImage(nativeImage.createFromPath(p)),
          setToolTip: (t) => tray?.setToolTip(t),
          setContextMenu: (m) => tray?.setContextMenu(toMenu(m)),
          onClick: (l) => void tray?.on('click', l),
        },
        {
          syncNow,
          pauseSchedule: () => schedule(false),
          resumeSchedule: () => schedule(true),
          open: showWindow,
          quit: () => app.quit(),
        },
        (file) => path.join(resources, 'tray', file),
      )
    : undefined;
  const status = new SyncStatus({
    changed: (s) => trayCtl?.update(s),
    scheduledRunFailed: (failures) => {
      const t = scheduledFailureText(failures);
      notify(t.title, t.body, () => navigate('vcenters'));
    },
  });
  let reseedTimer: NodeJS.Timeout | undefined;
  const reseed = (): void => {
    clearTimeout(reseedTimer);
    reseedTimer = setTimeout(() => {
      void Promise.all([supervisor.call('vcenters.list', {}), supervisor.call('settings.get', {})]).then(
        ([list, settings]) => {
          if (list.ok) status.seed(list.value, settings.ok ? settings.value.scheduler : undefined);
        },
      );
    }, 200);
  };
  supervisor.onEvent((name, payload) => {
    status.handle(name, payload);
    if (name === 'inventory:changed') reseed();
  });
  supervisor.onNotice((level, message) => {
    sendDesktop('shell:notice', { level, message });
    if (level !== 'info') notify(level === 'warning' ? 'vMiner: warning' : 'vMiner: error', message);
  });
  supervisor.onState((s) => {
    sendDesktop('engine:state', s);
    if (s.state === 'ready') reseed();
    if (s.state === 'restarting')
      notify('vMiner: the engine stopped', `${s.reason}. Restarting in ${Math.round(s.retryInMs / 1000)} s.`);
    if (s.state === 'failed') {
      log.error('engine failed', { reason: s.reason });
      void dialog
        .showMessageBox({
          type: 'error',
          title: 'vMiner',
          message: 'The vMiner engine could not run',
          detail: s.reason,
          buttons: ['Open logs folder', 'Close'],
        })
        .then((r) => {
          if (r.response === 0) void shell.openPath(logsDir());
        });
    }
  });

  // --- menu -----------------------------------------------------------------------------------
  Menu.setApplicationMenu(
    toMenu(
      appMenu({
        platform: process.platform,
        devTools: !app.isPackaged,
        actions: {
          navigate,
          exportEstate: () => runService(services.saveExport({}), 'Export'),
          exportRvtools: () => runService(services.saveExport({ format: 'rvtools' }), 'Export'),
          syncNow,
          openLogsFolder: () => runService(services.openLogsFolder(undefined), 'Opening the logs folder'),
          copyDiagnostics: () => runService(services.copyDiagnostics(undefined), 'Copying diagnostics'),
          runDoctor: opts.doctor ?? (() => engineDoctor(supervisor)),
          showDoctor: (run) =>
            runService(
              run().then((report) => {
                const s = doctorSummary(report);
                return dialog.showMessageBox({
                  type: s.ok ? 'info' : 'warning',
                  message: s.title,
                  detail: s.detail,
                });
              }),
              'Doctor checks',
            ),
          about: () =>
            void dialog.showMessageBox({
              title: 'About vMiner',
              message: `vMiner ${version}`,
              detail: `Electron ${process.versions.electron}, Chromium ${process.versions.chrome}, Node ${process.versions.node}\nData folder: ${opts.dataDir}`,
            }),
        },
      }),
    ),
  );

  // --- lifecycle --------------------------------------------------------------------------------
  supervisor.start();
  const startHidden = process.argv.includes(HIDDEN_ARG) && prefs.get().closeToTray && tray !== undefined;
  win = openWindow(!startHidden);
  powerMonitor.on('resume', () => {
    log.info('resumed from sleep');
    void supervisor.control('resume');
  });
  let engineStopped = false;
  app.on('before-quit', (e) => {
    quitting = true;
    if (engineStopped) return;
    e.preventDefault();
    void supervisor
      .stop()
      .catch((err: unknown) => log.error('engine shutdown', { error: String(err) }))
      .finally(() => {
        engineStopped = true;
        tray?.destroy();
        app.quit();
      });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', showWindow);
  return { showWindow };
}
