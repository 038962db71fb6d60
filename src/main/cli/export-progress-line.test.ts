import { describe, expect, it } from 'vitest';
import { exportProgressLine, type TerminalLike } from './export-progress-line.js';

function terminal(isTTY: boolean, columns = 80): TerminalLike & { out: string[] } {
  const out: string[] = [];
  return { isTTY, columns, out, write: (s: string) => out.push(s) };
}

describe('exportProgressLine', () => {
  it('writes nothing at all when stderr is not a terminal', () => {
    const t = terminal(false);
    const line = exportProgressLine('/tmp/vms.xlsx', t);
    expect(line.onProgress).toBeUndefined();
    line.end();
    expect(t.out).toEqual([]);
  });

  it('rewrites one line in place and clears it at the end', () => {
    const t = terminal(true);
    const line = exportProgressLine('/tmp/vms.xlsx', t);
    line.onProgress?.({ rows: 0, total: null });
    line.onProgress?.({ rows: 12_345, total: 100_000 });
    line.end();
    expect(t.out).toEqual([
      '\r\x1b[KExporting to /tmp/vms.xlsx: 0 rows',
      '\r\x1b[KExporting to /tmp/vms.xlsx: 12,345 of 100,000 rows (12 %)',
      '\r\x1b[K',
    ]);
    expect(t.out.join('')).not.toContain('\n');
  });

  it('keeps the line narrower than the terminal (a wrapped line cannot be rewritten)', () => {
    const t = terminal(true, 40);
    const line = exportProgressLine(`/very/long/folder/${'x'.repeat(60)}.xlsx`, t);
    line.onProgress?.({ rows: 5, total: 10 });
    const shown = t.out[0]!.replace('\r\x1b[K', '');
    expect(shown.length).toBe(39);
    expect(shown.endsWith('5 of 10 rows (50 %)')).toBe(true);
  });

  it('clears nothing when nothing was shown', () => {
    const t = terminal(true);
    exportProgressLine('/tmp/x.csv', t).end();
    expect(t.out).toEqual([]);
  });
});
