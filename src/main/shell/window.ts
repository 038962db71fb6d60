// Electron glue: the main window.
import { BrowserWindow, screen } from 'electron';
import { pathToFileURL } from 'node:url';
import type { KeyValueStore, ShellStoreShape } from './prefs.js';
import { SECURE_WEB_PREFERENCES } from './security.js';
import { restoreBounds, trackBounds } from './window-state.js';

export interface WindowOptions {
  preload: string;
  rendererFile: string;
  /** electron-vite's dev server (`ELECTRON_RENDERER_URL`), development only. */
  devUrl: string | undefined;
  store: KeyValueStore<ShellStoreShape>;
  version: string;
  icon: string;
  show: boolean;
}

/** The URL the window loads: what IPC sender checks and navigation guards compare with. */
export function rendererUrl(opts: Pick<WindowOptions, 'rendererFile' | 'devUrl'>): string {
  return opts.devUrl ?? pathToFileURL(opts.rendererFile).href;
}

export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const bounds = restoreBounds(
    opts.store.get('window'),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(bounds.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    width: bounds.width ?? 1280,
    height: bounds.height ?? 800,
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'vMiner',
    icon: opts.icon,
    webPreferences: {
      ...SECURE_WEB_PREFERENCES,
      preload: opts.preload,
      additionalArguments: [`--vminer-version=${opts.version}`],
    },
  });
  if (bounds.maximized) win.maximize();
  trackBounds(win, opts.store, (fn, ms) => {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  });
  if (opts.show) win.once('ready-to-show', () => win.show());
  const loaded = opts.devUrl ? win.loadURL(opts.devUrl) : win.loadFile(opts.rendererFile);
  loaded.catch((err: unknown) => console.error('vMiner: the window failed to load', err));
  return win;
}
