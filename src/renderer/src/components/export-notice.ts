import type { ExportProgress } from '../../../shared/ipc.js';
import { percentText, progressFraction, rowsProgressText } from '../../../shared/export-progress.js';

/** How one export started from the save dialog shows in the notices corner. */
export interface ExportNoticeView {
  level: 'info' | 'error';
  message: string;
  /** While writing: the bar (fraction null = indeterminate, before the engine has counted) and its label. */
  progress?: { fraction: number | null; label: string };
}

export function exportNoticeView(p: ExportProgress): ExportNoticeView {
  switch (p.phase) {
    case 'writing': {
      const percent = percentText(p);
      return {
        level: 'info',
        message: `Exporting to ${p.path}…`,
        progress: {
          fraction: progressFraction(p),
          label: percent ? `${rowsProgressText(p)} (${percent})` : rowsProgressText(p),
        },
      };
    }
    case 'done':
      return {
        level: 'info',
        message: `Exported ${rowsProgressText({ rows: p.rows, total: null })} to ${p.path}.`,
      };
    case 'failed':
      return { level: 'error', message: `Export to ${p.path} failed: ${p.error.message}` };
  }
}
