import type { Command } from 'commander';
import { dataDirOf, openEngine, withDataDir, withJson, type CommonOptions } from './common.js';
import { printJson, printTable } from './output.js';

/**
 * `vminer db check` and `vminer db repair`. Heavy modules load inside the actions: the other
 * commands never pay for them.
 */
export function registerDbCommands(program: Command): void {
  const db = program
    .command('db')
    .description('the cache file: check it, rebuild it when damaged (the configuration is kept)');

  withJson(withDataDir(db.command('check')))
    .description(
      "run SQLite's check on the cache (read-only, works beside a running engine) and list the configuration backups; exit 1 when damaged",
    )
    .option('--full', 'the full integrity check (indexes too; about 3x slower than the default quick check)')
    .action(async (opts: CommonOptions & { full?: boolean }) => {
      const { openDatabase } = await import('../engine/db/database.js');
      const { checkDatabase, REPAIR_HINT } = await import('../engine/db/health.js');
      const { listBackups } = await import('../engine/db/config-backup.js');
      const { VminerError } = await import('../../shared/errors.js');
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
      if (problems.length > 0) process.exitCode = 1;
    });

  withJson(withDataDir(db.command('repair')))
    .description(
      'rebuild a damaged cache: vCenters, accounts, sources, users and settings are salvaged (from a backup where the file cannot give them), the damaged file is kept aside, then every vCenter is synced again',
    )
    .option('--no-sync', 'do not sync the inventory afterwards')
    .option('--force', 'rebuild even when the cache passes the integrity check')
    .action(async (opts: CommonOptions & { sync: boolean; force?: boolean }) => {
      const { DataLock } = await import('../engine/data-lock.js');
      const { repairCache } = await import('../engine/db/repair.js');
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
        for (const n of report.notes) out.write(`note: ${n}\n`);
      }
      if (!opts.sync) {
        if (opts.json) printJson({ repair: report, sync: null });
        else out.write('\nThe inventory is empty until the next sync (vminer sync).\n');
        return;
      }
      const engine = await openEngine(opts, 'vminer db repair');
      try {
        const targets = engine.vcenters.list().filter((v) => v.enabled && v.retiredAt === null);
        if (!opts.json) out.write(`\nSyncing ${targets.length} vCenter(s) to rebuild the inventory…\n`);
        const summary = await engine.sync.sync();
        const failed = summary.results.filter((r) => r.status !== 'ok');
        if (opts.json) printJson({ repair: report, sync: summary });
        else {
          for (const r of summary.results)
            out.write(
              r.error
                ? `✗ ${r.vcenter}: ${r.error.message}\n`
                : `✓ ${r.vcenter}: ${r.counts?.vms ?? 0} VMs, ${r.counts?.hosts ?? 0} hosts\n`,
            );
          out.write(
            `${summary.results.length - failed.length} of ${summary.results.length} vCenters synced.\n`,
          );
        }
        process.exitCode = failed.length === 0 ? 0 : 2;
      } finally {
        engine.close();
      }
    });
}
