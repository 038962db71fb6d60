/** Engine settings on the team database: read from the mirror, written under the settings' lock. */
import type { EngineSettings } from '../../../../shared/settings.js';
import { settings } from '../../db/schema.js';
import { mergeSettings, readSettings, SETTINGS_KEY, type SettingsStore } from '../../settings-repo.js';
import type { PgConfig } from './pg-config.js';
import { insertRow } from './pg-rows.js';

export class PgSettingsRepo implements SettingsStore {
  constructor(private readonly config: PgConfig) {}

  get(): EngineSettings {
    return readSettings(this.config.rows('settings').find((r) => r.key === SETTINGS_KEY)?.value);
  }

  /** Merges `patch` into the settings as stored now (not as mirrored): another instance's change stays. */
  async update(patch: Partial<EngineSettings>): Promise<EngineSettings> {
    return this.config.write({ tables: ['settings'], lock: ['settings'] }, async (c, touch) => {
      touch('settings', SETTINGS_KEY);
      const stored = await c.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [
        SETTINGS_KEY,
      ]);
      const next = mergeSettings(readSettings(stored.rows[0]?.value), patch);
      const value = JSON.stringify(next);
      await insertRow(
        c,
        settings,
        { key: SETTINGS_KEY, value },
        'ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
      );
      return next;
    });
  }
}
