import { describe, expect, it } from 'vitest';
import { ago, formatCell, toTsv } from './format.js';

describe('cells as people read them', () => {
  it('shows units, yes/no, lists and blanks', () => {
    expect(formatCell('vms', 'memoryMb', 16_384)).toBe('16.0 GB');
    expect(formatCell('vms', 'memoryMb', 512)).toBe('0.5 GB');
    expect(formatCell('datastores', 'capacityBytes', 2 * 1024 ** 4)).toBe('2,048 GB');
    expect(formatCell('datastores', 'freeBytes', 0)).toBe('0 GB');
    expect(formatCell('snapshots', 'ageDays', 45)).toBe('45 d');
    expect(formatCell('datastores', 'freePercent', 12.345)).toBe('12.3%');
    expect(formatCell('vms', 'template', false)).toBe('no');
    expect(formatCell('vms', 'datastores', ['ds1', 'ds2'])).toBe('ds1, ds2');
    expect(formatCell('vms', 'ipAddress', null)).toBe('');
  });

  it('copies rows as tab-separated text with a header, tabs and newlines flattened', () => {
    const tsv = toTsv('vms', ['name', 'numCpu'], [{ name: 'web\t01\n', numCpu: 4 }]);
    expect(tsv).toBe('Name\tvCPUs\nweb 01 \t4');
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(ago(null, now)).toBe('never');
    expect(ago('2026-01-01T11:58:00Z', now)).toBe('2 min ago');
    expect(ago('2025-12-30T12:00:00Z', now)).toBe('2 d ago');
  });
});
