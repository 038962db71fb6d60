import { VminerError } from '../../../shared/errors.js';
import { DataLock } from '../../engine/data-lock.js';
import { listBackups } from '../../engine/db/config-backup.js';
import { openDatabase } from '../../engine/db/database.js';
import { checkDatabase, REPAIR_HINT } from '../../engine/db/health.js';
import { repairCache } from '../../engine/db/repair.js';
import { resultLine, tallySync, tallyText } from '../../engine/sync/sync-outcome.js';
import { EXIT } from '../exit-codes.js';
import type { CommonOptions } from '../options.js';
import { printJson, printTable } from '../output.js';
import { dataDirOf, withEngine } from '../session.js';

/** `vminer db check`: SQLite's check of the cache, read-only, and the configuration backups. */
export function check(opts: CommonOptions & { full?: boolean }): void {
  const dataDir = dataDirOf(opts);
  let problems: string[];
  try {
    const opened = openDatabase(dataDir, { readonly: true });
    try {
      problems = checkDatabase(opened.sqlite, opts.full ? 'integrity' : 'quick');
    } finally {
      opened.close();
    }
  } catch (err) {
    if (!(err instanceof VminerError) || err.code !== 'DB_DAMAGED') throw err;
    problems = [err.message];
  }
  const backups = listBackups(dataDir);
  if (opts.json) printJson({ ok: problems.length === 0, problems, backups });
  else {
    process.stdout.write(
      problems.length === 0
        ? `The cache passed SQLite's ${opts.full ? 'integrity' : 'quick'} check.\n`
        : `The cache is damaged:\n${problems.map((p) => `  ${p}`).join('\n')}\n${problems[0]!.includes('vminer db repair') ? '' : `${REPAIR_HINT}\n`}`,
    );
    process.stdout.write(
      backups.length
        ? `\nConfiguration backups (newest first):\n${backups.map((b) => `  ${b.createdAt}  ${b.reason.padEnd(13)}  ${b.file}`).join('\n')}\n`
        : '\nNo configuration backups yet (an engine writes them when it opens the folder).\n',
    );
  }
  if (problems.length > 0) process.exitCode = EXIT.failed;
}

/** `vminer db repair`: rebuilds a damaged cache, then syncs the inventory again. */
export async function repair(opts: CommonOptions & { sync: boolean; force?: boolean }): Promise<void> {
  const dataDir = dataDirOf(opts);
  // Nobody may write the folder meanwhile (a running serve or desktop app is named).
  const lock = DataLock.acquire(dataDir, 'vminer db repair');
  let report;
  try {
    report = repairCache(dataDir, { force: opts.force ?? false });
  } finally {
    lock.release();
  }
  const out = opts.json ? process.stderr : process.stdout;
  if (!opts.json) {
    out.write(
      report.problems.length
        ? `The cache was damaged: ${report.problems.slice(0, 3).join('; ')}${report.problems.length > 3 ? ` (and ${report.problems.length - 3} more)` : ''}\n`
        : 'Rebuilding the cache (--force).\n',
    );
    if (report.keptAs.length) out.write(`The damaged file is kept as ${report.keptAs[0]}\n`);
    if (report.backup)
      out.write(`Configuration backup available: ${report.backup.file} (${report.backup.createdAt})\n`);
    out.write('\nRecovered configuration:\n');
    printTable(
      report.tables.map((t) => ({
        table: t.table,
        rows: t.salvaged + t.fromBackup,
        from: t.complete
          ? 'the damaged cache (whole table)'
          : t.fromBackup
            ? `${t.salvaged} salvaged, ${t.fromBackup} from the backup`
            : t.salvaged
              ? 'salvaged row by row'
              : 'nothing readable',
      })),
      ['table', 'rows', 'from'],
    );
    out.write(
      `\nChange history: ${report.history.rows.toLocaleString('en-US')} rows kept${report.history.complete ? '' : ' (read in part)'}\n`,
    );
    for (const n of report.notes) out.write(`note: ${n}\n`);
  }
  if (!opts.sync) {
    if (opts.json) printJson({ repair: report, sync: null });
    else out.write('\nThe inventory is empty until the next sync (vminer sync).\n');
    return;
  }
  await withEngine(opts, 'vminer db repair', async (engine) => {
    const targets = engine.syncableIds();
    if (!opts.json) out.write(`\nSyncing ${targets.length} vCenter(s) to rebuild the inventory…\n`);
    const summary = await engine.sync.sync(targets);
    const tally = tallySync(summary.results);
    if (opts.json) printJson({ repair: report, sync: summary });
    else {
      for (const r of summary.results) out.write(`${resultLine(r)}\n`);
      out.write(`${tallyText(tally)}.\n`);
    }
    process.exitCode = tally.failed.length === 0 ? EXIT.ok : EXIT.partial;
  });
}
