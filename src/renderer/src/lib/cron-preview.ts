import { Cron } from 'croner';

const FIELD_WORDS: Record<string, string> = {
  second: 'the seconds field takes 0–59',
  minute: 'the minute field (1st) takes 0–59',
  hour: 'the hour field (2nd) takes 0–23',
  day: 'the day-of-month field (3rd) takes 1–31',
  month: 'the month field (4th) takes 1–12 or JAN–DEC',
  dayOfWeek: 'the weekday field (5th) takes 0–7 (Sunday is 0 or 7) or SUN–SAT',
};

export type CronPreview = { runs: Date[] } | { error: string };

/**
 * A cron expression checked the way the engine's scheduler reads it (croner), said in words, with
 * the next runs as a preview.
 */
export function cronPreview(expr: string, count = 3, from = new Date()): CronPreview {
  const e = expr.trim();
  const parts = e.split(/\s+/).length;
  if (!e.startsWith('@') && (parts < 5 || parts > 6))
    return {
      error: `A cron expression has five fields — minute hour day-of-month month weekday — like “0 */2 * * *” (every two hours); this one has ${parts}.`,
    };
  let cron: Cron;
  try {
    cron = new Cron(e, { paused: true });
  } catch (err) {
    const field = /Invalid value for (\w+)/i.exec((err as Error).message)?.[1];
    const words = field ? FIELD_WORDS[field] : undefined;
    return {
      error: words
        ? `Not a valid schedule: ${words}.`
        : 'Not a valid cron expression: use five fields — minute hour day-of-month month weekday — like “0 */2 * * *”.',
    };
  }
  const runs = cron.nextRuns(count, from);
  cron.stop();
  if (runs.length === 0) return { error: 'This schedule never runs (no such date, e.g. 31 February).' };
  return { runs };
}
