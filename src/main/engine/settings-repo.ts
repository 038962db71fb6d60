import { eq } from 'drizzle-orm';
import { EngineSettingsSchema, type EngineSettings } from '../../shared/settings.js';
import type { Db } from './db/database.js';
import { settings } from './db/schema.js';

/** The settings row's key: the engine's settings are one document. */
export const SETTINGS_KEY = 'engine';

/** The stored document as settings: unknown or broken values fall back to defaults (both back ends). */
export function readSettings(value: string | undefined): EngineSettings {
  let stored: unknown;
  try {
    stored = value !== undefined ? JSON.parse(value) : {};
  } catch {
    stored = {};
  }
  const parsed = EngineSettingsSchema.safeParse(stored);
  return parsed.success ? parsed.data : EngineSettingsSchema.parse({});
}

/** The settings after `patch`, validated (an invalid value throws and nothing is stored). */
export function mergeSettings(current: EngineSettings, patch: Partial<EngineSettings>): EngineSettings {
  return EngineSettingsSchema.parse({ ...current, ...patch });
}

/** Engine settings on either back end: a synchronous read, a write that may return a promise. */
export interface SettingsStore {
  get(): EngineSettings;
  update(patch: Partial<EngineSettings>): EngineSettings | Promise<EngineSettings>;
}

/** Engine settings live in SQLite as one validated document. */
export class SettingsRepo implements SettingsStore {
  constructor(private readonly db: Db) {}

  get(): EngineSettings {
    return readSettings(this.db.select().from(settings).where(eq(settings.key, SETTINGS_KEY)).get()?.value);
  }

  update(patch: Partial<EngineSettings>): EngineSettings {
    const next = mergeSettings(this.get(), patch);
    const value = JSON.stringify(next);
    this.db
      .insert(settings)
      .values({ key: SETTINGS_KEY, value })
      .onConflictDoUpdate({ target: settings.key, set: { value } })
      .run();
    return next;
  }
}
