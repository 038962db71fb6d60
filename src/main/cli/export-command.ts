import path from 'node:path';
import type { Command } from 'commander';
import { VminerError } from '../../shared/errors.js';
import { QUERY_ENTITIES, type QueryEntity } from '../../shared/fields.js';
import { openDatabase } from '../engine/db/database.js';
import { exportFull, exportRows, type ExportResult } from '../engine/export/exporter.js';
import { exportRvtools } from '../engine/export/rvtools/rvtools-export.js';
import { checkExportTarget } from '../engine/export/target.js';
import { EXPORT_FORMATS, freshnessLine, type ExportFormat } from '../engine/export/table.js';
import { QueryService } from '../engine/query/query-service.js';
import { dataDirOf, withDataDir, withJson, type CommonOptions } from './common.js';
import { exportProgressLine } from './export-progress-line.js';
import { printJson } from './output.js';

interface ExportOptions extends CommonOptions {
  format?: string;
  entity?: string;
  query?: string;
  columns?: string;
  bom?: boolean;
  fieldNames?: boolean;
  out: string;
}

/** `--out -`: the export itself goes to standard output, so the report goes to standard error. */
const STDOUT = '-';

const CLI_FORMATS = [...EXPORT_FORMATS, 'rvtools'] as const;
type CliFormat = ExportFormat | 'rvtools';

function formatOf(opts: ExportOptions): CliFormat {
  const given = opts.format ?? path.extname(opts.out).slice(1).toLowerCase();
  if ((CLI_FORMATS as readonly string[]).includes(given)) return given as CliFormat;
  throw new VminerError(
    'INVALID_INPUT',
    opts.format
      ? `unknown format "${opts.format}": use ${CLI_FORMATS.join(', ')}`
      : opts.out === STDOUT
        ? `give --format (${CLI_FORMATS.join(', ')}) with --out - (standard output)`
        : `give --format (${CLI_FORMATS.join(', ')}): it cannot be told from "${opts.out}"`,
  );
}

function entityOf(name: string): QueryEntity {
  const e = name.toLowerCase();
  if ((QUERY_ENTITIES as string[]).includes(e)) return e as QueryEntity;
  throw new VminerError('INVALID_INPUT', `unknown entity "${name}": use ${QUERY_ENTITIES.join(', ')}`);
}

function report(res: ExportResult, json: boolean | undefined, toStdout: boolean): void {
  if (json) {
    if (toStdout) process.stderr.write(JSON.stringify(res) + '\n');
    else printJson(res);
    return;
  }
  const out = toStdout ? process.stderr : process.stdout;
  const tables = Object.entries(res.tables);
  const detail = tables.length > 1 ? ` (${tables.map(([k, n]) => `${k} ${n}`).join(', ')})` : '';
  out.write(
    `Wrote ${res.rows} row${res.rows === 1 ? '' : 's'}${detail} to ${res.file ?? (toStdout ? 'standard output' : 'the output')}\n`,
  );
  if (res.metaFile) out.write(`As of and vCenter status: ${res.metaFile}\n`);
  out.write(`${freshnessLine(res.meta)}\n`);
}

export function registerExportCommand(program: Command): void {
  withJson(withDataDir(program.command('export')))
    .description(
      'export the cached inventory to a file: a full workbook (one sheet per entity), one entity, or the answer to a question',
    )
    .requiredOption(
      '--out <file>',
      'the file to write (written to a temp file, renamed into place when complete); - writes to standard output',
    )
    .option(
      '--format <format>',
      `${CLI_FORMATS.join(' | ')} (default: from the --out extension); rvtools: the whole estate in RVTools' layout (.xlsx)`,
    )
    .option('--entity <entity>', `export one entity: ${QUERY_ENTITIES.join(', ')}`)
    .option('--query <question>', 'export the answer to a question, e.g. "powered off vms in cluster Prod"')
    .option(
      '--columns <fields>',
      'comma-separated field names (default: all fields, or the columns an answer shows)',
    )
    .option('--bom', 'CSV: start with a UTF-8 byte-order mark (for Excel)')
    .option('--field-names', 'CSV: field names (memoryMb) instead of labels (Memory (MB)) in the header')
    .addHelpText(
      'after',
      '\nWith neither --entity nor --query: the whole inventory, as xlsx (one sheet per entity) or json, or with\n' +
        "--format rvtools as one workbook in RVTools' layout (vInfo, vCPU, vMemory, vDisk, vPartition, vNetwork,\n" +
        'vSnapshot, vTools, vCluster, vHost, vNIC, vSwitch, dvSwitch, dvPort, vDatastore, vMetaData).\n' +
        'Every export records its "as of" time and the failed or stale vCenters: JSON in "meta", XLSX in an\n' +
        '"About" sheet, CSV in <file>.meta.json beside the file.',
    )
    .action(async (opts: ExportOptions) => {
      const format = formatOf(opts);
      const toStdout = opts.out === STDOUT;
      if (toStdout && (format === 'xlsx' || format === 'rvtools') && process.stdout.isTTY)
        throw new VminerError(
          'INVALID_INPUT',
          'an Excel workbook is binary: redirect standard output to a file (> estate.xlsx), or give --out FILE',
        );
      // Never into the data folder: an export must not replace the cache it reads.
      if (!toStdout) checkExportTarget(opts.out, dataDirOf(opts));
      const out = toStdout ? process.stdout : opts.out;
      if (format === 'rvtools' && (opts.entity || opts.query || opts.columns))
        throw new VminerError(
          'INVALID_INPUT',
          'the RVTools layout is the whole estate: give no --entity, --query or --columns',
        );
      if (opts.entity && opts.query) {
        throw new VminerError(
          'INVALID_INPUT',
          'give --entity or --query, not both (a question names its entity)',
        );
      }
      const columns = opts.columns
        ?.split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      if (!opts.entity && !opts.query && (format === 'csv' || columns)) {
        throw new VminerError(
          'INVALID_INPUT',
          format === 'csv'
            ? 'a full export needs --format xlsx or json; for CSV give --entity or --query'
            : '--columns needs --entity or --query',
        );
      }
      const db = openDatabase(dataDirOf(opts), { readonly: true });
      const line = exportProgressLine(toStdout ? 'standard output' : path.resolve(opts.out));
      try {
        const csv = {
          ...(opts.bom ? { bom: true } : {}),
          ...(opts.fieldNames ? { header: 'field' as const } : {}),
        };
        const progress = line.onProgress ? { onProgress: line.onProgress } : {};
        let res: ExportResult;
        if (format === 'rvtools') {
          res = await exportRvtools({ sqlite: db.sqlite, out, ...progress });
        } else if (opts.query) {
          const engine = new QueryService({ sqlite: db.sqlite, pageSize: 1 });
          const answer = engine.ask({ question: opts.query });
          if (
            answer.kind === 'find' ||
            !answer.plan ||
            ['not_understood', 'clarify', 'refused'].includes(answer.kind)
          ) {
            // Like `vminer ask`: the engine's own message and suggestions, exit code 3.
            const lines = [
              answer.kind === 'find'
                ? `"${opts.query}" is a search, not a list to export: ask for the rows, e.g. "vms named web*"`
                : (answer.message ?? `I did not understand "${opts.query}".`),
              ...(answer.suggestions ?? []).map((s) => `  • ${s}`),
            ];
            process.stderr.write(`error: nothing exported. ${lines.join('\n')}\n`);
            process.exitCode = 3;
            return;
          }
          if (answer.correctedQuestion)
            process.stderr.write(`Showing results for: ${answer.correctedQuestion}\n`);
          process.stderr.write(`Understood: ${answer.interpretation}\n`);
          res = await exportRows({
            sqlite: db.sqlite,
            plan: answer.plan,
            columns: columns ?? (answer.kind === 'groups' ? undefined : answer.columns),
            format,
            out,
            freshness: answer.freshness,
            question: opts.query,
            interpretation: answer.interpretation,
            ...csv,
            ...progress,
          });
        } else if (opts.entity) {
          res = await exportRows({
            sqlite: db.sqlite,
            plan: { entity: entityOf(opts.entity) },
            ...(columns ? { columns } : {}),
            format,
            out,
            ...csv,
            ...progress,
          });
        } else {
          res = await exportFull({
            sqlite: db.sqlite,
            db: db.db,
            format: format as 'xlsx' | 'json',
            out,
            ...progress,
          });
        }
        line.end();
        report(res, opts.json, toStdout);
      } finally {
        line.end();
        db.close();
      }
    });
}
