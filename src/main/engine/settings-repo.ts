import { eq } from 'drizzle-orm';
import { EngineSettingsSchema, type EngineSettings } from '../../shared/settings.js';
import type { Db } from './db/database.js';
import { settings } from './db/schema.js';

const KEY = 'engine';

/** Engine settings live in SQLite as one validated document; unknown or broken values fall back to defaults. */
export class SettingsRepo {
  constructor(private readonly db: Db) {}

  get(): EngineSettings {
    const row = this.db.select().from(settings).where(eq(settings.key, KEY)).get();
    let stored: unknown;
    try {
      stored = row ? JSON.parse(row.value) : {};
    } catch {
      stored = {};
    }
    const parsed = EngineSettingsSchema.safeParse(stored);
    return parsed.success ? parsed.data : EngineSettingsSchema.parse({});
  }

  update(patch: Partial<EngineSettings>): EngineSettings {
    const next = EngineSettingsSchema.parse({ ...this.get(), ...patch });
    const value = JSON.stringify(next);
    this.db
      .insert(settings)
      .values({ key: KEY, value })
      .onConflictDoUpdate({ target: settings.key, set: { value } })
      .run();
    return next;
  }
}
