import path from 'node:path';
import { VminerError } from '../../../shared/errors.js';
import { FILE_FORMATS, type ExportFileFormat } from '../../../shared/export-formats.js';
import { QUERY_ENTITIES, type QueryEntity } from '../../../shared/fields.js';
import type { Filter, QueryPlan } from '../../../shared/query.js';
import { exportFull, exportRows, type ExportResult } from '../../engine/export/exporter.js';
import { exportRvtools } from '../../engine/export/rvtools/rvtools-export.js';
import { checkExportTarget } from '../../engine/export/target.js';
import { freshnessLine } from '../../engine/export/table.js';
import { QueryService } from '../../engine/query/query-service.js';
import { allOf, parseSort, whereFilter } from '../../engine/rest/list-params.js';
import { EXIT } from '../exit-codes.js';
import { exportProgressLine } from '../export-progress-line.js';
import type { CommonOptions } from '../options.js';
import { printJson } from '../output.js';
import { VcenterRepo } from '../../engine/db/vcenter-repo.js';
import { dataDirOf, withDatabase } from '../session.js';
import { fieldList, limitOf } from './inventory.js';

interface ExportOptions extends CommonOptions {
  format?: string;
  entity?: string;
  query?: string;
  where?: string[];
  sort?: string;
  columns?: string;
  limit?: string;
  bom?: boolean;
  fieldNames?: boolean;
  out: string;
}

/** `--out -`: the export itself goes to standard output, so the report goes to standard error. */
const STDOUT = '-';

function formatOf(opts: ExportOptions): ExportFileFormat {
  const given = opts.format ?? path.extname(opts.out).slice(1).toLowerCase();
  if ((FILE_FORMATS as readonly string[]).includes(given)) return given as ExportFileFormat;
  throw new VminerError(
    'INVALID_INPUT',
    opts.format
      ? `unknown format "${opts.format}": use ${FILE_FORMATS.join(', ')}`
      : opts.out === STDOUT
        ? `give --format (${FILE_FORMATS.join(', ')}) with --out - (standard output)`
        : `give --format (${FILE_FORMATS.join(', ')}): it cannot be told from "${opts.out}"`,
  );
}

function entityOf(name: string): QueryEntity {
  const e = name.toLowerCase();
  if ((QUERY_ENTITIES as string[]).includes(e)) return e as QueryEntity;
  throw new VminerError('INVALID_INPUT', `unknown entity "${name}": use ${QUERY_ENTITIES.join(', ')}`);
}

/** The plan with the command line's `--where`, `--sort` and `--limit` applied. */
function narrowed(plan: QueryPlan, opts: ExportOptions): QueryPlan {
  const filters: Filter[] = (opts.where ?? []).map((w) => whereFilter(plan.entity, w));
  const out: QueryPlan = { ...plan };
  const filter = allOf(plan.filter ? [plan.filter, ...filters] : filters);
  if (filter) out.filter = filter;
  if (opts.sort) {
    if (plan.groupBy)
      throw new VminerError(
        'INVALID_INPUT',
        'a breakdown ("… by cluster") is not sorted by fields: drop --sort',
      );
    out.sort = parseSort(plan.entity, opts.sort);
  }
  const limit = limitOf(opts.limit);
  if (limit !== undefined) out.limit = plan.limit !== undefined ? Math.min(plan.limit, limit) : limit;
  return out;
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

export async function exportInventory(opts: ExportOptions): Promise<void> {
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
  if (
    format === 'rvtools' &&
    (opts.entity || opts.query || opts.columns || opts.where || opts.sort || opts.limit)
  )
    throw new VminerError(
      'INVALID_INPUT',
      'the RVTools layout is the whole estate: give no --entity, --query, --columns, --where, --sort or --limit',
    );
  if (opts.entity && opts.query) {
    throw new VminerError(
      'INVALID_INPUT',
      'give --entity or --query, not both (a question names its entity)',
    );
  }
  const columns = fieldList(opts.columns);
  if (!opts.entity && !opts.query && (format === 'csv' || columns || opts.where || opts.sort || opts.limit)) {
    throw new VminerError(
      'INVALID_INPUT',
      format === 'csv'
        ? 'a full export needs --format xlsx or json; for CSV give --entity or --query'
        : '--columns, --where, --sort and --limit need --entity or --query',
    );
  }
  await withDatabase(opts, async (db) => {
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
          const message = `nothing exported. ${lines.join('\n')}`;
          if (opts.json)
            process.stdout.write(JSON.stringify({ error: { code: 'INVALID_INPUT', message } }) + '\n');
          else process.stderr.write(`error: ${message}\n`);
          process.exitCode = EXIT.notAnswered;
          return;
        }
        if (answer.correctedQuestion)
          process.stderr.write(`Showing results for: ${answer.correctedQuestion}\n`);
        process.stderr.write(`Understood: ${answer.interpretation}\n`);
        res = await exportRows({
          sqlite: db.sqlite,
          plan: narrowed(answer.plan, opts),
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
          plan: narrowed({ entity: entityOf(opts.entity) }, opts),
          ...(columns ? { columns } : {}),
          format,
          out,
          ...csv,
          ...progress,
        });
      } else {
        res = await exportFull({
          sqlite: db.sqlite,
          vcenters: new VcenterRepo(db.db).list(),
          format: format as 'xlsx' | 'json',
          out,
          ...progress,
        });
      }
      line.end();
      report(res, opts.json, toStdout);
    } finally {
      line.end();
    }
  });
}
