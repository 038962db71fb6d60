import { describe, expect, it } from 'vitest';
import { exportNoticeView } from './export-notice.js';

const base = { id: 'e1', path: '/home/ops/vms.xlsx' };

describe('exportNoticeView', () => {
  it('shows an indeterminate bar until the engine has counted the rows', () => {
    expect(exportNoticeView({ ...base, phase: 'writing', format: 'xlsx', rows: 0, total: null })).toEqual({
      level: 'info',
      message: 'Exporting to /home/ops/vms.xlsx…',
      progress: { fraction: null, label: '0 rows' },
    });
  });

  it('shows "n of total rows", the percentage and the share for the bar while writing', () => {
    expect(
      exportNoticeView({ ...base, phase: 'writing', format: 'xlsx', rows: 12_345, total: 100_000 }),
    ).toEqual({
      level: 'info',
      message: 'Exporting to /home/ops/vms.xlsx…',
      progress: { fraction: 0.12345, label: '12,345 of 100,000 rows (12 %)' },
    });
  });

  it('drops the bar when done or failed', () => {
    expect(exportNoticeView({ ...base, phase: 'done', rows: 100_000, bytes: 9_000_000 })).toEqual({
      level: 'info',
      message: 'Exported 100,000 rows to /home/ops/vms.xlsx.',
    });
    expect(
      exportNoticeView({
        ...base,
        phase: 'failed',
        error: { code: 'PERMISSION_DENIED', message: 'no permission to write in /home/ops' },
      }),
    ).toEqual({
      level: 'error',
      message: 'Export to /home/ops/vms.xlsx failed: no permission to write in /home/ops',
    });
  });
});
