import { describe, expect, it } from 'vitest';
import { percentText, progressFraction, rowsProgressText } from './export-progress.js';

describe('export progress text', () => {
  it('reads "n of total rows" with thousands separators', () => {
    expect(rowsProgressText({ rows: 12_345, total: 100_000 })).toBe('12,345 of 100,000 rows');
    expect(rowsProgressText({ rows: 0, total: 0 })).toBe('0 of 0 rows');
    expect(rowsProgressText({ rows: 1, total: 1 })).toBe('1 of 1 row');
    expect(rowsProgressText({ rows: 0, total: 1_000_000 })).toBe('0 of 1,000,000 rows');
  });

  it('reads "n rows" while the total is unknown', () => {
    expect(rowsProgressText({ rows: 0, total: null })).toBe('0 rows');
    expect(rowsProgressText({ rows: 1, total: null })).toBe('1 row');
    expect(rowsProgressText({ rows: 2_500, total: null })).toBe('2,500 rows');
  });

  it('gives the share written, null without a total, 1 for an empty export', () => {
    expect(progressFraction({ rows: 25, total: 100 })).toBe(0.25);
    expect(progressFraction({ rows: 5, total: null })).toBeNull();
    expect(progressFraction({ rows: 0, total: 0 })).toBe(1);
    // Never past the end, whatever the engine sends.
    expect(progressFraction({ rows: 120, total: 100 })).toBe(1);
  });

  it('floors the percentage so 100 % means done', () => {
    expect(percentText({ rows: 99_999, total: 100_000 })).toBe('99 %');
    expect(percentText({ rows: 100_000, total: 100_000 })).toBe('100 %');
    expect(percentText({ rows: 7, total: null })).toBe('');
  });
});
