import cliProgress from 'cli-progress';
import { VminerError } from '../../../shared/errors.js';
import { HANDED_OVER, isHandedOver, tallySync, tallyText } from '../../engine/sync/sync-outcome.js';
import { EXIT } from '../exit-codes.js';
import type { OutputOptions } from '../options.js';
import { emit } from '../output.js';
import { withEngine } from '../session.js';

interface SyncOptions extends OutputOptions {
  workers?: string;
}

export async function sync(names: string[], opts: SyncOptions): Promise<void> {
  const workers = opts.workers !== undefined ? Number(opts.workers) : undefined;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) {
    throw new VminerError('INVALID_INPUT', '--workers takes a whole number from 1 to 64');
  }
  await withEngine(opts, 'vminer sync', async (engine) => {
    const onSignal = (): void => {
      process.stderr.write('\nCancelling…\n');
      engine.sync.cancel();
    };
    process.once('SIGINT', onSignal);
    try {
      // The same vCenters a sync of "all" covers everywhere: enabled, and not retired by a source.
      const ids = names.length > 0 ? names.map((n) => engine.vcenters.resolve(n).id) : engine.syncableIds();
      if (ids.length === 0) {
        throw new VminerError('NOT_FOUND', 'no vCenters to sync: add one with `vminer vcenter add`');
      }
      const tty = process.stderr.isTTY && !opts.json && !opts.jsonl && !opts.csv;
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
      const quiet = opts.json || opts.jsonl || opts.csv;
      const active = new Map<string, number>();
      let done = 0;
      let objects = 0;
      const bar = multi?.create(ids.length, 0, { objects: 0, active: '' });
      const off = engine.bus.on('sync:progress', (e) => {
        if (e.phase === 'started') active.set(e.vcenter, 0);
        if (e.phase === 'collecting') active.set(e.vcenter, e.objects ?? 0);
        if (e.phase === 'finished') {
          active.delete(e.vcenter);
          done++;
          if (e.counts) objects += Object.values(e.counts).reduce((a, b) => a + b, 0);
          const line = isHandedOver(e)
            ? `→ ${e.vcenter}: ${HANDED_OVER}`
            : e.error
              ? `✗ ${e.vcenter}: ${e.error.message}`
              : `✓ ${e.vcenter}: ${e.counts?.vms ?? 0} VMs, ${e.counts?.hosts ?? 0} hosts in ${((e.durationMs ?? 0) / 1000).toFixed(1)} s`;
          if (multi) multi.log(line + '\n');
          else if (!quiet) process.stderr.write(line + '\n');
        }
        bar?.update(done, { objects, active: [...active.keys()].slice(0, 3).join(', ') });
      });
      const summary = await engine.sync.sync(ids, { workers });
      off();
      multi?.stop();
      const tally = tallySync(summary.results);
      emit(opts, summary, (s) => ({
        rows: s.results.map((r) => ({
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
        columns: ['vcenter', 'status', 'vms', 'hosts', 'datastores', 'seconds', 'error'],
        after: `\n${tallyText(tally)} in ${(s.durationMs / 1000).toFixed(1)} s.`,
      }));
      // 1 is kept for "nothing could run" (thrown before any vCenter started). A sync handed over
      // to a new leader is not a failure: that leader syncs the vCenter.
      process.exitCode = tally.failed.length === 0 ? EXIT.ok : EXIT.partial;
    } finally {
      process.off('SIGINT', onSignal);
    }
  });
}
