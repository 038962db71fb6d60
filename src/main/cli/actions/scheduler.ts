import { VminerError } from '../../../shared/errors.js';
import type { CommonOptions } from '../options.js';
import { emit } from '../output.js';
import { withEngine } from '../session.js';

interface SchedulerOptions extends CommonOptions {
  interval?: string;
  cron?: string;
}

export async function scheduler(action: string, opts: SchedulerOptions): Promise<void> {
  if (!['status', 'on', 'off'].includes(action)) {
    throw new VminerError('INVALID_INPUT', `unknown action "${action}": use status, on or off`);
  }
  await withEngine(opts, 'vminer scheduler', async (engine, call) => {
    if (opts.interval !== undefined || opts.cron !== undefined) {
      const minutes = opts.interval !== undefined ? Number(opts.interval) : undefined;
      if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 1)) {
        throw new VminerError('INVALID_INPUT', '--interval takes a whole number of minutes');
      }
      await call('scheduler.configure', {
        ...(minutes !== undefined ? { intervalMinutes: minutes, cron: null } : {}),
        ...(opts.cron ? { cron: opts.cron } : {}),
      });
    }
    const state =
      action === 'on'
        ? await call('scheduler.start', {})
        : action === 'off'
          ? await call('scheduler.stop', {})
          : await call('scheduler.state', {});
    // The timer belongs to a running engine (serve, the desktop app), not to this command.
    engine.scheduler.close();
    emit(
      opts,
      state,
      (s) =>
        `Scheduler ${s.enabled ? 'on' : 'off'}: ${s.cron ? `cron "${s.cron}"` : `every ${s.intervalMinutes} min`}` +
        `${s.enabled ? ` (runs while \`vminer serve\` or the desktop app is running)` : ''}.`,
    );
  });
}
