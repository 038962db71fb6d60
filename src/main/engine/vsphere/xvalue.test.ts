import { describe, expect, it } from 'vitest';
import { date, plainUtcDate } from './xvalue.js';

/** What `date` gave before its fast path: the Date's own reading. */
const viaDate = (s: string): string | null => {
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
};

describe('date', () => {
  it('reads the UTC form vCenters send like the Date does, fraction digits truncated to ms', () => {
    const samples = [
      '2024-12-24T00:07:30.085366435Z',
      '2024-12-24T00:07:30.0859Z',
      '2024-12-24T00:07:30.999999999Z',
      '2024-12-24T00:07:30.1Z',
      '2024-12-24T00:07:30.12Z',
      '2024-12-24T00:07:30.123Z',
      '2024-12-24T00:07:30Z',
      '2024-02-29T23:59:59Z',
      '2000-02-29T12:00:00Z',
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
    ];
    for (const s of samples) {
      expect(plainUtcDate(s), s).not.toBeNull();
      expect(date(s), s).toBe(viaDate(s));
    }
  });

  it('leaves what the Date would roll over or read otherwise to the Date', () => {
    const samples = [
      '2023-02-29T00:00:00Z', // not a leap year: March 1st
      '1900-02-29T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-12-24T24:00:00Z', // the next day
      '2024-13-01T00:00:00Z', // no date at all
      '2024-12-24T00:60:00Z',
      '2024-12-24T00:07:30+02:00',
      '2024-12-24T00:07:30.Z',
      '2024-12-24T00:07:30.12aZ',
      '2024-12-24 00:07:30Z',
      '2024-12-24T00:07:30',
      'not a date at all, Z',
    ];
    for (const s of samples) {
      expect(plainUtcDate(s), s).toBeNull();
      expect(date(s), s).toBe(viaDate(s));
    }
  });
});
