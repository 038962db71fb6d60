import { describe, expect, it } from 'vitest';
import { memoryStore, SHELL_DEFAULTS, ShellPrefs } from './prefs.js';
import { closeAction, DEFAULT_SIZE, restoreBounds, trackBounds, type Rect } from './window-state.js';
import { applyLoginItem, AUTOSTART_FILE } from './login-item.js';

const screen: Rect[] = [{ x: 0, y: 0, width: 1920, height: 1040 }];

describe('window bounds', () => {
  it('restores saved bounds that are on a display today', () => {
    expect(restoreBounds({ x: 100, y: 50, width: 1400, height: 900, maximized: true }, screen)).toEqual({
      x: 100,
      y: 50,
      width: 1400,
      height: 900,
      maximized: true,
    });
  });

  it('keeps the size but lets the OS place a window whose display is gone', () => {
    expect(restoreBounds({ x: 2500, y: 100, width: 1000, height: 700, maximized: false }, screen)).toEqual({
      width: 1000,
      height: 700,
      maximized: false,
    });
  });

  it('falls back to the default size when nothing (sensible) was saved', () => {
    expect(restoreBounds(null, screen)).toEqual({ ...DEFAULT_SIZE, maximized: false });
    expect(restoreBounds({ x: 0, y: 0, width: 10, height: 10, maximized: false }, screen)).toEqual({
      ...DEFAULT_SIZE,
      maximized: false,
    });
  });

  it('saves after moves settle and on close', () => {
    const store = memoryStore(SHELL_DEFAULTS);
    const listeners = new Map<string, () => void>();
    const scheduled: (() => void)[] = [];
    let bounds = { x: 1, y: 2, width: 900, height: 600 };
    trackBounds(
      {
        getNormalBounds: () => bounds,
        isMaximized: () => false,
        on: (e, l) => listeners.set(e, l),
      },
      store,
      (fn) => {
        scheduled.push(fn);
        return { cancel: () => scheduled.splice(scheduled.indexOf(fn), 1) };
      },
    );
    listeners.get('move')!();
    listeners.get('resize')!();
    expect(scheduled).toHaveLength(1);
    scheduled[0]!();
    expect(store.get('window')).toEqual({ x: 1, y: 2, width: 900, height: 600, maximized: false });
    bounds = { x: 5, y: 5, width: 1000, height: 700 };
    listeners.get('close')!();
    expect(store.get('window')).toMatchObject({ x: 5, width: 1000 });
  });
});

describe('close to tray', () => {
  const base = { quitting: false, prefs: { closeToTray: true }, trayAvailable: true, noticeShown: false };
  it('hides the first time with a notice, then silently', () => {
    expect(closeAction(base)).toBe('hide-and-tell');
    expect(closeAction({ ...base, noticeShown: true })).toBe('hide');
  });
  it('closes when quitting, when the preference is off, or without a tray', () => {
    expect(closeAction({ ...base, quitting: true })).toBe('close');
    expect(closeAction({ ...base, prefs: { closeToTray: false } })).toBe('close');
    expect(closeAction({ ...base, trayAvailable: false })).toBe('close');
  });
});

describe('preferences and start at login', () => {
  it('validates patches and applies "start at login" only when it changes', () => {
    const applied: boolean[] = [];
    const prefs = new ShellPrefs(memoryStore(SHELL_DEFAULTS), (on) => applied.push(on));
    expect(prefs.get()).toEqual({ closeToTray: true, startAtLogin: false });
    expect(prefs.set({ startAtLogin: true })).toEqual({ closeToTray: true, startAtLogin: true });
    prefs.set({ closeToTray: false });
    expect(applied).toEqual([true]);
    expect(() => prefs.set({ startAtLogin: 'yes' })).toThrow();
    expect(() => prefs.set({ dataDir: '/tmp' })).toThrow();
  });

  it('uses login items on Windows/macOS and an XDG autostart entry on Linux', () => {
    const calls: unknown[] = [];
    const files = new Map<string, string>();
    const deps = (platform: NodeJS.Platform) => ({
      platform,
      setLoginItemSettings: (s: unknown) => calls.push(s),
      command: '/opt/vMiner/v Miner',
      autostartDir: '/home/u/.config/autostart',
      writeFile: (f: string, t: string) => void files.set(f, t),
      removeFile: (f: string) => void files.delete(f),
    });
    applyLoginItem(true, deps('win32'));
    expect(calls).toEqual([{ openAtLogin: true, args: ['--hidden'] }]);
    applyLoginItem(true, deps('linux'));
    const file = `/home/u/.config/autostart/${AUTOSTART_FILE}`;
    expect(files.get(file)).toContain('Exec="/opt/vMiner/v Miner" --hidden');
    applyLoginItem(false, deps('linux'));
    expect(files.has(file)).toBe(false);
  });
});
