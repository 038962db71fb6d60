import { z } from 'zod';
import type { ShellPreferences } from '../../shared/ipc.js';

export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
  maximized: boolean;
}

/** Everything the shell keeps in electron-store (engine settings live in SQLite). */
export interface ShellStoreShape {
  prefs: ShellPreferences;
  window: WindowBounds | null;
  /** The "vMiner keeps running in the tray" notification is shown once. */
  trayNoticeShown: boolean;
}

export const SHELL_DEFAULTS: ShellStoreShape = {
  prefs: { closeToTray: true, startAtLogin: false },
  window: null,
  trayNoticeShown: false,
};

export const PreferencesPatchSchema = z
  .object({ closeToTray: z.boolean().optional(), startAtLogin: z.boolean().optional() })
  .strict();

/** electron-store's surface, as the shell uses it (an in-memory map in tests). */
export interface KeyValueStore<T> {
  get<K extends keyof T>(key: K): T[K];
  set<K extends keyof T>(key: K, value: T[K]): void;
}

export function memoryStore<T extends object>(initial: T): KeyValueStore<T> {
  const data = structuredClone(initial);
  return {
    get: (key) => structuredClone(data[key]),
    set: (key, value) => {
      data[key] = structuredClone(value);
    },
  };
}

/** Shell preferences; "start at login" is applied to the OS (`app.setLoginItemSettings`) when it changes. */
export class ShellPrefs {
  constructor(
    private readonly store: KeyValueStore<ShellStoreShape>,
    private readonly applyLoginItem: (openAtLogin: boolean) => void,
  ) {}

  get(): ShellPreferences {
    return { ...SHELL_DEFAULTS.prefs, ...this.store.get('prefs') };
  }

  set(patch: unknown): ShellPreferences {
    const p = PreferencesPatchSchema.parse(patch);
    const before = this.get();
    const next: ShellPreferences = { ...before };
    if (p.closeToTray !== undefined) next.closeToTray = p.closeToTray;
    if (p.startAtLogin !== undefined) next.startAtLogin = p.startAtLogin;
    this.store.set('prefs', next);
    if (next.startAtLogin !== before.startAtLogin) this.applyLoginItem(next.startAtLogin);
    return next;
  }
}
