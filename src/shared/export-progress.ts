/**
 * How export progress reads, the same in the window and on the command line:
 * "12,345 of 100,000 rows", or "12,345 rows" before the total is known.
 */
import type { ExportRowsProgress } from './contract.js';

// Fixed grouping (not the machine's locale): the CLI's line and the window read the same.
const COUNT = new Intl.NumberFormat('en-US');

export function rowsProgressText({ rows, total }: ExportRowsProgress): string {
  const unit = (total ?? rows) === 1 ? 'row' : 'rows';
  return total === null
    ? `${COUNT.format(rows)} ${unit}`
    : `${COUNT.format(rows)} of ${COUNT.format(total)} ${unit}`;
}

/** The share written, 0–1, or null while the total is unknown (an indeterminate bar). */
export function progressFraction({ rows, total }: ExportRowsProgress): number | null {
  if (total === null) return null;
  if (total <= 0) return 1;
  return Math.min(1, Math.max(0, rows / total));
}

/** "42 %", or "" while the total is unknown. Floors, so 100 % means every row is written. */
export function percentText(p: ExportRowsProgress): string {
  const f = progressFraction(p);
  return f === null ? '' : `${Math.floor(f * 100)} %`;
}
