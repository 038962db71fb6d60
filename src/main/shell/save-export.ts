import path from 'node:path';
import { z } from 'zod';
import { ExportRequestSchema, type ExportFileFormat } from '../../shared/contract.js';
import { VminerError } from '../../shared/errors.js';
import type { ExportProgress, ExportSpec, SaveExportResult } from '../../shared/ipc.js';
import type { EngineCaller } from './process-supervisor.js';

export const ExportSpecSchema = ExportRequestSchema.pick({
  entity: true,
  filters: true,
  query: true,
  columns: true,
  sort: true,
}).extend({ suggestedName: z.string().max(255).optional() });

export interface FileFilter {
  name: string;
  extensions: string[];
}

const FILTERS: Record<ExportFileFormat, FileFilter> = {
  xlsx: { name: 'Excel workbook (.xlsx)', extensions: ['xlsx'] },
  csv: { name: 'CSV, UTF-8 (.csv)', extensions: ['csv'] },
  json: { name: 'JSON (.json)', extensions: ['json'] },
};

/** The whole estate (no entity, no question) is several tables: a CSV file cannot hold it. */
export function formatsFor(spec: ExportSpec): ExportFileFormat[] {
  return spec.entity || spec.query ? ['xlsx', 'csv', 'json'] : ['xlsx', 'json'];
}

/** The format is the chosen file's type; a name without a known extension gets the first offered one. */
export function formatFromPath(
  file: string,
  offered: readonly ExportFileFormat[],
): { path: string; format: ExportFileFormat } {
  const ext = path.extname(file).slice(1).toLowerCase();
  const known = offered.find((f) => f === ext);
  if (known) return { path: file, format: known };
  const fallback = offered[0] ?? 'xlsx';
  return { path: `${file}.${fallback}`, format: fallback };
}

/** A file name without folders or characters the file systems we ship to refuse. */
export function defaultFileName(spec: ExportSpec, now: Date): string {
  const stem = spec.suggestedName
    ? path.basename(spec.suggestedName.replace(/\\/g, '/'))
    : `vminer-${spec.entity ?? (spec.query ? 'answer' : 'estate')}-${now.toISOString().slice(0, 10)}`;
  // Characters Windows refuses in file names, control characters included.
  const clean =
    Array.from(stem, (c) => (c.charCodeAt(0) < 32 || '<>:"/\\|?*'.includes(c) ? '_' : c))
      .join('')
      .replace(/^\.+/, '')
      .slice(0, 200) || 'vminer-export';
  const offered = formatsFor(spec);
  return formatFromPath(clean, offered).path;
}

export interface SaveDialogLike {
  showSaveDialog(opts: {
    title: string;
    defaultPath: string;
    filters: FileFilter[];
    properties?: string[];
  }): Promise<{ canceled: boolean; filePath?: string | undefined }>;
}

export interface SaveExportDeps {
  dialog: SaveDialogLike;
  engine: EngineCaller;
  progress: (p: ExportProgress) => void;
  defaultDir: () => string;
  now?: () => Date;
  newId: () => string;
  /** Files the shell wrote: "Show in folder" is offered for these only. */
  written: (file: string) => void;
  /**
   * Taskbar/dock progress: `true` while writing with no total yet (indeterminate), then the
   * fraction written (0–1), `false` when done.
   */
  busy?: (state: boolean | number) => void;
  done?: (r: SaveExportResult) => void;
}

/**
 * The desktop export: native save dialog (format from the chosen file type), then the engine
 * writes the file (to a temp file, renamed into place). `null` when the user cancels.
 */
export async function saveExport(rawSpec: unknown, deps: SaveExportDeps): Promise<SaveExportResult | null> {
  const parsed = ExportSpecSchema.safeParse(rawSpec ?? {});
  if (!parsed.success)
    throw new VminerError('INVALID_INPUT', `export: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const spec = parsed.data;
  const offered = formatsFor(spec);
  const answer = await deps.dialog.showSaveDialog({
    title: 'Export',
    defaultPath: path.join(deps.defaultDir(), defaultFileName(spec, deps.now?.() ?? new Date())),
    filters: offered.map((f) => FILTERS[f]),
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  });
  if (answer.canceled || !answer.filePath) return null;
  const { path: file, format } = formatFromPath(answer.filePath, offered);
  const id = deps.newId();
  const { suggestedName: _name, ...request } = spec;
  const writing = (rows: number, total: number | null): void =>
    deps.progress({ id, phase: 'writing', path: file, format, rows, total });
  writing(0, null);
  deps.busy?.(true);
  try {
    const outcome = await deps.engine.call(
      'export.toFile',
      { ...request, path: file, format, bom: format === 'csv' },
      {
        // The engine reports at a bounded rate (a few times a second at most).
        onProgress: ({ rows, total }) => {
          writing(rows, total);
          if (total) deps.busy?.(Math.min(1, rows / total));
        },
      },
    );
    if (!outcome.ok) {
      deps.progress({ id, phase: 'failed', path: file, error: outcome.error });
      throw new VminerError(outcome.error.code, outcome.error.message);
    }
    const result: SaveExportResult = {
      path: outcome.value.path,
      rows: outcome.value.rows,
      bytes: outcome.value.bytes,
    };
    deps.written(result.path);
    deps.progress({ id, phase: 'done', ...result });
    deps.done?.(result);
    return result;
  } finally {
    deps.busy?.(false);
  }
}
