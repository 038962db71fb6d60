import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { VminerError } from '../../shared/errors.js';
import { openEngine, withDataDir, withJson, type CommonOptions } from './common.js';
import { printJson, printTable } from './output.js';

interface SyncOptions extends CommonOptions {
  workers?: string;
}

export function registerSyncCommand(program: Command): void {
  withJson(withDataDir(program.command('sync [names...]')))
    .description(
      'collect the inventory of all (or the named) vCenters; exit 0 all ok, 2 some failed, 1 none ran',
    )
    .option('--workers <n>', 'vCenters synced at once (default: the engine setting, 10)')
    .action(async (names: string[], opts: SyncOptions) => {
      const workers = opts.workers !== undefined ? Number(opts.workers) : undefined;
      if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) {
        throw new VminerError('INVALID_INPUT', '--workers takes a whole number from 1 to 64');
      }
      const engine = await openEngine(opts, 'vminer sync');
      const onSignal = (): void => {
        process.stderr.write('\nCancelling…\n');
        engine.sync.cancel();
      };
      process.once('SIGINT', onSignal);
      try {
        const ids = names.length > 0 ? names.map((n) => engine.vcenters.resolve(n).id) : undefined;
        const total = ids?.length ?? engine.vcenters.list().filter((v) => v.enabled).length;
        if (total === 0) {
          throw new VminerError('NOT_FOUND', 'no vCenters to sync: add one with `vminer vcenter add`');
        }
        const tty = process.stderr.isTTY && !opts.json;
        const multi = tty
          ? new cliProgress.MultiBar(
              {
                format: 'Syncing {bar} {value}/{total} vCenters | {objects} objects | {active}',
                hideCursor: true,
                clearOnComplete: true,
              },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
        const active = new Map<string, number>();
        let done = 0;
        let objects = 0;
        const bar = multi?.create(total, 0, { objects: 0, active: '' });
        const off = engine.bus.on('sync:progress', (e) => {
          if (e.phase === 'started') active.set(e.vcenter, 0);
          if (e.phase === 'collecting') active.set(e.vcenter, e.objects ?? 0);
          if (e.phase === 'finished') {
            active.delete(e.vcenter);
            done++;
            if (e.counts) objects += Object.values(e.counts).reduce((a, b) => a + b, 0);
            const line = e.error
              ? `✗ ${e.vcenter}: ${e.error.message}`
              : `✓ ${e.vcenter}: ${e.counts?.vms ?? 0} VMs, ${e.counts?.hosts ?? 0} hosts in ${((e.durationMs ?? 0) / 1000).toFixed(1)} s`;
            if (multi) multi.log(line + '\n');
            else if (!opts.json) process.stderr.write(line + '\n');
          }
          bar?.update(done, { objects, active: [...active.keys()].slice(0, 3).join(', ') });
        });
        const summary = await engine.sync.sync(ids, { workers });
        off();
        multi?.stop();
        const failed = summary.results.filter((r) => r.status !== 'ok');
        if (opts.json) printJson(summary);
        else {
          printTable(
            summary.results.map((r) => ({
              vcenter: r.vcenter,
              status: r.status,
              vms: r.counts?.vms ?? '',
              hosts: r.counts?.hosts ?? '',
              datastores: r.counts?.datastores ?? '',
              seconds: (r.durationMs / 1000).toFixed(1),
              error: r.error
                ? `${r.error.code}: ${r.error.message}`
                : r.warnings.length
                  ? `${r.warnings.length} warning(s)`
                  : '',
            })),
            ['vcenter', 'status', 'vms', 'hosts', 'datastores', 'seconds', 'error'],
          );
          process.stdout.write(
            `\n${summary.results.length - failed.length} of ${summary.results.length} vCenters synced in ${(summary.durationMs / 1000).toFixed(1)} s.\n`,
          );
        }
        // 1 is kept for "nothing could run" (thrown before any vCenter started).
        process.exitCode = failed.length === 0 ? 0 : 2;
      } finally {
        process.off('SIGINT', onSignal);
        engine.close();
      }
    });
}
