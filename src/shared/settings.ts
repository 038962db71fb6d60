import { z } from 'zod';

export const SchedulerSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  intervalMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  /** A cron expression takes precedence over the interval when set. */
  cron: z.string().min(1).nullable().default(null),
});

/** The desktop app's optional REST listener (`vminer serve` always listens, on its own flags). */
export const RestSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  /** Loopback unless the user chooses otherwise; any other address is a risk the UI names. */
  host: z.string().min(1).max(255).default('127.0.0.1'),
  port: z.number().int().min(1).max(65_535).default(8000),
});

export const EngineSettingsSchema = z.object({
  syncWorkers: z.number().int().min(1).max(64).default(10),
  connectTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
  callTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(180_000),
  /** Overall deadline for one vCenter's sync: a hung vCenter costs one worker at most this long. */
  vcenterDeadlineMs: z
    .number()
    .int()
    .min(5_000)
    .max(6 * 3_600_000)
    .default(900_000),
  /** Objects per RetrievePropertiesEx page. */
  pageSize: z.number().int().min(100).max(10_000).default(1000),
  /**
   * The largest answer one vCenter call may send (one page of `pageSize` objects); a larger one
   * fails that vCenter's sync with ANSWER_TOO_LARGE instead of filling the engine's memory. The
   * simulator sends about 5.7 MB per 1,000 VMs; 128 MB leaves a wide margin for richer VMs and
   * for servers that ignore the page size.
   */
  maxAnswerBytes: z
    .number()
    .int()
    .min(1024 * 1024)
    .max(1024 * 1024 * 1024)
    .default(128 * 1024 * 1024),
  /** The deepest element nesting accepted in an answer (vim25 answers nest about 12 levels). */
  maxAnswerDepth: z.number().int().min(32).max(1000).default(256),
  scheduler: SchedulerSettingsSchema.default({ enabled: false, intervalMinutes: 60, cron: null }),
  rest: RestSettingsSchema.default({ enabled: false, host: '127.0.0.1', port: 8000 }),
  /**
   * How the cache is kept fresh while the engine runs: `live` streams changes (WaitForUpdatesEx)
   * after one full load; `scheduled` runs only the scheduler's full syncs; `both` streams and
   * also runs the scheduler's full syncs (e.g. nightly) as a safety net.
   */
  updateMode: z.enum(['live', 'scheduled', 'both']).default('live'),
  /** Pauses live updates and scheduled syncs alike (manual syncs still run). */
  paused: z.boolean().default(false),
  /** The change history keeps entries this many days (older ones are pruned in the background). */
  historyRetentionDays: z
    .number({ message: 'historyRetentionDays must be a number of days' })
    .int('historyRetentionDays must be a whole number of days')
    .min(1, 'historyRetentionDays must be at least 1 (day)')
    .max(3650, 'historyRetentionDays must be at most 3650 (10 years)')
    .default(180),
  /** …and at most this many entries (the oldest go first). */
  historyMaxRows: z
    .number({ message: 'historyMaxRows must be a number of entries' })
    .int('historyMaxRows must be a whole number')
    .min(1000, 'historyMaxRows must be at least 1,000')
    .max(100_000_000, 'historyMaxRows must be at most 100,000,000')
    .default(2_000_000),
});

export const UPDATE_MODES = ['live', 'scheduled', 'both'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];

export type EngineSettings = z.infer<typeof EngineSettingsSchema>;
export type RestSettings = z.infer<typeof RestSettingsSchema>;
export type SchedulerSettings = z.infer<typeof SchedulerSettingsSchema>;

/** A change of settings: only the fields it names, nested ones too. */
export type EngineSettingsPatch = Partial<Omit<EngineSettings, 'scheduler' | 'rest'>> & {
  scheduler?: Partial<SchedulerSettings>;
  rest?: Partial<RestSettings>;
};

/** Each field optional and without its default: a patch must never fill in what it does not name. */
function withoutDefaults(shape: Record<string, z.ZodType>): Record<string, z.ZodType> {
  return Object.fromEntries(
    Object.entries(shape).map(([k, s]) => [
      k,
      z.optional(s instanceof z.ZodDefault ? (s.unwrap() as z.ZodType) : s),
    ]),
  );
}

/**
 * `settings.update`'s argument. Not `EngineSettingsSchema.partial()`: zod fills the defaults of the
 * fields a patch leaves out, so `{"paused": true}` used to put every other setting back to its
 * default (the update mode to "live", the REST listener off, the schedule to hourly).
 */
export const EngineSettingsPatchSchema = z.object({
  ...withoutDefaults(EngineSettingsSchema.shape),
  scheduler: z.object(withoutDefaults(SchedulerSettingsSchema.shape)).optional(),
  rest: z.object(withoutDefaults(RestSettingsSchema.shape)).optional(),
}) as unknown as z.ZodType<EngineSettingsPatch, EngineSettingsPatch>;
