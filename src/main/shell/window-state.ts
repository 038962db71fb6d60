import type { KeyValueStore, ShellStoreShape, WindowBounds } from './prefs.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_SIZE = { width: 1280, height: 800 };
const MIN_VISIBLE = 100;

/**
 * The saved bounds if enough of the window would be visible on one of today's displays (a laptop
 * undocked from its second screen must not open vMiner off-screen); otherwise the default size.
 */
export function restoreBounds(
  saved: WindowBounds | null,
  workAreas: readonly Rect[],
): Partial<Rect> & { maximized: boolean } {
  if (!saved || saved.width < 200 || saved.height < 150) return { ...DEFAULT_SIZE, maximized: false };
  const visible = workAreas.some((a) => {
    const w = Math.min(saved.x + saved.width, a.x + a.width) - Math.max(saved.x, a.x);
    const h = Math.min(saved.y + saved.height, a.y + a.height) - Math.max(saved.y, a.y);
    return w >= MIN_VISIBLE && h >= MIN_VISIBLE;
  });
  if (!visible) return { width: saved.width, height: saved.height, maximized: saved.maximized };
  return { x: saved.x, y: saved.y, width: saved.width, height: saved.height, maximized: saved.maximized };
}

export interface TrackedWindow {
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  on(event: 'resize' | 'move' | 'close', listener: () => void): unknown;
}

/** Saves the window's normal bounds (and maximised state) shortly after it moves or resizes, and on close. */
export function trackBounds(
  win: TrackedWindow,
  store: KeyValueStore<ShellStoreShape>,
  schedule: (fn: () => void, ms: number) => { cancel(): void },
): void {
  let pending: { cancel(): void } | undefined;
  const save = (): void => {
    pending = undefined;
    store.set('window', { ...win.getNormalBounds(), maximized: win.isMaximized() });
  };
  const later = (): void => {
    pending?.cancel();
    pending = schedule(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', () => {
    pending?.cancel();
    save();
  });
}

/**
 * What closing the window does: quit, or (close-to-tray) hide and keep syncing; the first time it
 * hides, a notification says so.
 */
export function closeAction(opts: {
  quitting: boolean;
  prefs: { closeToTray: boolean };
  trayAvailable: boolean;
  noticeShown: boolean;
}): 'close' | 'hide' | 'hide-and-tell' {
  if (opts.quitting || !opts.prefs.closeToTray || !opts.trayAvailable) return 'close';
  return opts.noticeShown ? 'hide' : 'hide-and-tell';
}
