/**
 * `vminer export`'s progress: one line on stderr, rewritten in place, and only when stderr is a
 * terminal. Piped or redirected, nothing extra is written (scripts parse stdout, and often
 * capture stderr too).
 */
import type { ExportRowsProgress } from '../../shared/contract.js';
import { percentText, rowsProgressText } from '../../shared/export-progress.js';

export interface TerminalLike {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

export interface ExportProgressLine {
  /** Absent when stderr is not a terminal: the export then reports nothing. */
  onProgress?: (p: ExportRowsProgress) => void;
  /** Clears the line, so what follows (the summary, an error) starts on a clean line. */
  end(): void;
}

const CLEAR_LINE = '\r\x1b[K';

export function exportProgressLine(file: string, stream: TerminalLike = process.stderr): ExportProgressLine {
  if (!stream.isTTY) return { end: () => undefined };
  let shown = false;
  return {
    onProgress: (p) => {
      const percent = percentText(p);
      let line = `Exporting to ${file}: ${rowsProgressText(p)}${percent ? ` (${percent})` : ''}`;
      // A line wider than the terminal wraps, and "\r" would then rewrite only its last part.
      const width = (stream.columns ?? 80) - 1;
      if (line.length > width) line = '…' + line.slice(line.length - width + 1);
      stream.write(CLEAR_LINE + line);
      shown = true;
    },
    end: () => {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}
