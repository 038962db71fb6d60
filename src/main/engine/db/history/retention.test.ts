import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineSettingsSchema } from '../../../../shared/settings.js';
import { openDatabase, type OpenedDatabase } from '../database.js';
import { HistoryRetention, type RetentionSettings } from './retention.js';

let dir: string;
let db: OpenedDatabase;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-retention-'));
  db = openDatabase(dir);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `n` history rows, one per hour going back from NOW (row 0 the newest). */
function fill(n: number): void {
  const ins = db.sqlite.prepare(
    "INSERT INTO changes (at, vcenter_id, vcenter, entity, moid, object_name, kind, field, old_value, new_value, source) VALUES (?, 1, 'vc', 'vms', ?, 'vm', 'changed', 'powerState', 'poweredOn', 'poweredOff', 'sync')",
  );
  db.sqlite.transaction(() => {
    // Oldest first, as they are recorded.
    for (let i = n - 1; i >= 0; i--) ins.run(new Date(NOW - i * 3_600_000).toISOString(), `vm-${i}`);
  })();
}

const ats = (): string[] => db.sqlite.prepare('SELECT at FROM changes ORDER BY id').pluck().all() as string[];

describe('change history retention', () => {
  it('deletes what is older than the retention, in chunks', async () => {
    fill(24 * 10); // ten days, hourly
    let settings: RetentionSettings = { historyRetentionDays: 3, historyMaxRows: 1_000_000 };
    const r = new HistoryRetention(db.sqlite, () => settings, 50);
    expect(r.pruneChunk(NOW)).toBe(50); // one chunk at a time
    const deleted = 50 + (await r.prune(NOW));
    const left = ats();
    expect(deleted + left.length).toBe(240);
    expect(left.every((a) => Date.parse(a) >= NOW - 3 * DAY)).toBe(true);
    expect(left.length).toBe(3 * 24 + 1);
    expect(r.size()).toMatchObject({ rows: left.length, oldestAt: new Date(NOW - 3 * DAY).toISOString() });
    expect(r.size().bytes).toBeGreaterThan(0);
    // Nothing more to do.
    expect(await r.prune(NOW)).toBe(0);
    settings = { historyRetentionDays: 1, historyMaxRows: 1_000_000 };
    await r.prune(NOW);
    expect(ats()).toHaveLength(25);
  });

  it('keeps at most the row cap, the newest', async () => {
    fill(3000);
    const r = new HistoryRetention(
      db.sqlite,
      () => ({ historyRetentionDays: 3650, historyMaxRows: 1000 }),
      400,
    );
    const newest = ats().slice(-1000);
    expect(await r.prune(NOW)).toBe(2000);
    expect(ats()).toEqual(newest);
  });

  it('an empty history has a size of zero rows and no oldest entry', () => {
    const r = new HistoryRetention(db.sqlite, () => ({
      historyRetentionDays: 180,
      historyMaxRows: 2_000_000,
    }));
    expect(r.size()).toMatchObject({ rows: 0, oldestAt: null });
  });

  it('validates the settings with clear messages', () => {
    const d = EngineSettingsSchema.parse({});
    expect([d.historyRetentionDays, d.historyMaxRows]).toEqual([180, 2_000_000]);
    const bad = EngineSettingsSchema.safeParse({ historyRetentionDays: 0, historyMaxRows: 10 });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => i.message);
    expect(messages).toContain('historyRetentionDays must be at least 1 (day)');
    expect(messages).toContain('historyMaxRows must be at least 1,000');
    expect(EngineSettingsSchema.safeParse({ historyRetentionDays: 1.5 }).error!.issues[0]!.message).toBe(
      'historyRetentionDays must be a whole number of days',
    );
  });
});
