import { VminerError } from '../../../../shared/errors.js';

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * A time bound as typed on a command line or in a URL, as the ISO time it stands for: relative
 * ("24h", "7d", "90m", "2w": that long before `now`), a day ("2026-11-01": its start, UTC), or
 * an ISO date-time.
 */
export function parseTimeBound(text: string, now: Date, what = 'since'): string {
  const s = text.trim();
  const rel = /^(\d{1,6})\s*(m|min|h|d|w)$/i.exec(s);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!.toLowerCase()]!).toISOString();
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) {
    // A bare date or a time without a zone is UTC, as the history stores its times.
    const withZone = /^\d{4}-\d{2}-\d{2}$/.test(s) || /(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s}Z`;
    const ms = Date.parse(withZone.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  throw new VminerError(
    'INVALID_INPUT',
    `${what} "${text}" is not a time: use a duration back from now (30m, 24h, 7d, 2w), a date (2026-11-01) or an ISO time (2026-11-01T08:00:00Z)`,
  );
}
