import path from 'node:path';
import { z } from 'zod';
import { ExportRequestSchema, FILE_FORMATS, type ExportFileFormat } from '../../shared/contract.js';
import { VminerError } from '../../shared/errors.js';
import type { ExportProgress, ExportSpec, SaveExportResult } from '../../shared/ipc.js';
import type { EngineCaller } from './process-supervisor.js';

export const ExportSpecSchema = ExportRequestSchema.pick({
  entity: true,
  filters: true,
  query: true,
  columns: true,
  sort: true,
}).extend({
  suggestedName: z.string().max(255).optional(),
  format: z.enum(FILE_FORMATS).optional(),
});

export interface FileFilter {
  name: string;
  extensions: string[];
}

const FILTERS: Record<ExportFileFormat, FileFilter> = {
  xlsx: { name: 'Excel workbook (.xlsx)', extensions: ['xlsx'] },
  csv: { name: 'CSV, UTF-8 (.csv)', extensions: ['csv'] },
  json: { name: 'JSON (.json)', extensions: ['json'] },
  rvtools: { name: 'RVTools layout workbook (.xlsx)', extensions: ['xlsx'] },
};

/** The file extension of a format (the RVTools layout is an .xlsx workbook). */
const extensionOf = (f: ExportFileFormat): string => (f === 'rvtools' ? 'xlsx' : f);

/**
 * The whole estate (no entity, no question) is several tables: a CSV file cannot hold it. The
 * RVTools layout has a menu item of its own ("Export in RVTools layout…"): the dialog cannot say
 * which of two .xlsx file types was chosen, so it is offered alone.
 */
export function formatsFor(spec: ExportSpec): ExportFileFormat[] {
  if (spec.entity || spec.query) return ['xlsx', 'csv', 'json'];
  return spec.format === 'rvtools' ? ['rvtools'] : ['xlsx', 'json'];
}

/**
 * The format of the file the user confirmed, and that exact path: a name with a known extension
 * says the format; any other name gets the format of the dialog's filter. The path is never
 * changed — an extension added after the dialog's overwrite confirmation could replace a file
 * nobody was asked about.
 */
export function formatFromPath(
  file: string,
  offered: readonly ExportFileFormat[],
  filter: ExportFileFormat,
): { path: string; format: ExportFileFormat } {
  const ext = path.extname(file).slice(1).toLowerCase();
  // An .xlsx name under the RVTools filter is the RVTools layout (both are workbooks).
  if (ext === 'xlsx' && filter === 'rvtools') return { path: file, format: 'rvtools' };
  const named = FILE_FORMATS.find((f) => f === ext);
  if (named && !offered.includes(named))
    throw new VminerError(
      'INVALID_INPUT',
      `${path.basename(file)}: this export cannot be written as ${named.toUpperCase()} (${filter === 'rvtools' ? 'the RVTools layout is a workbook' : 'it holds several tables'}); choose ${[...new Set(offered.map((f) => `.${extensionOf(f)}`))].join(' or ')}`,
    );
  return { path: file, format: named ?? filter };
}

/** A file name without folders or characters the file systems we ship to refuse. */
export function defaultFileName(spec: ExportSpec, now: Date, format: ExportFileFormat): string {
  const stem = spec.suggestedName
    ? path.basename(spec.suggestedName.replace(/\\/g, '/'))
    : `vminer-${spec.entity ?? (spec.query ? 'answer' : format === 'rvtools' ? 'rvtools' : 'estate')}-${now.toISOString().slice(0, 10)}`;
  // Characters Windows refuses in file names, control characters included.
  const clean =
    Array.from(stem, (c) => (c.charCodeAt(0) < 32 || '<>:"/\\|?*'.includes(c) ? '_' : c))
      .join('')
      .replace(/^\.+/, '')
      .slice(0, 200) || 'vminer-export';
  // The dialog's filter decides the extension of the name it offers.
  const known = FILE_FORMATS.map(extensionOf).find((f) => f === path.extname(clean).slice(1).toLowerCase());
  const base = known ? clean.slice(0, -(known.length + 1)) : clean;
  return `${base || 'vminer-export'}.${extensionOf(format)}`;
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
  if (spec.format && !offered.includes(spec.format))
    throw new VminerError(
      'INVALID_INPUT',
      spec.format === 'rvtools'
        ? 'the RVTools layout is the whole estate: export it from "Export in RVTools layout…", not from a list'
        : `the whole estate is several tables: export it as ${offered.map((f) => f.toUpperCase()).join(' or ')}`,
    );
  // A format chosen beforehand (the Export CSV / Excel / JSON buttons) is the dialog's one filter.
  const filter = spec.format ?? offered[0] ?? 'xlsx';
  const answer = await deps.dialog.showSaveDialog({
    title: 'Export',
    defaultPath: path.join(deps.defaultDir(), defaultFileName(spec, deps.now?.() ?? new Date(), filter)),
    filters: (spec.format ? [spec.format] : offered).map((f) => FILTERS[f]),
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  });
  if (answer.canceled || !answer.filePath) return null;
  const { path: file, format } = formatFromPath(answer.filePath, offered, filter);
  const id = deps.newId();
  const { suggestedName: _name, format: _format, ...request } = spec;
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
