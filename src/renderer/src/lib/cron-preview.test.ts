import { describe, expect, it } from 'vitest';
import { cronPreview } from './cron-preview.js';

describe('cron expressions, checked at the field', () => {
  const from = new Date('2026-03-01T10:15:00');
  it('previews the next three runs', () => {
    const p = cronPreview('0 */2 * * *', 3, from);
    expect('runs' in p && p.runs.map((d) => d.getHours())).toEqual([12, 14, 16]);
  });

  it('says what is wrong in words, not the library’s message', () => {
    const bad = (e: string): string => {
      const p = cronPreview(e, 3, from);
      return 'error' in p ? p.error : '';
    };
    expect(bad('61 * * * *')).toMatch(/minute field .* 0–59/);
    expect(bad('0 25 * * *')).toMatch(/hour field/);
    expect(bad('* * *')).toMatch(/five fields .* this one has 3/);
    expect(bad('0 0 31 2 *')).toMatch(/never runs/);
    expect(bad('61 * * * *')).not.toMatch(/CronPattern/);
  });
});
