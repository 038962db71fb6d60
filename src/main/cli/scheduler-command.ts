import type { Command } from 'commander';
import { VminerError } from '../../shared/errors.js';
import { openEngine, withDataDir, withJson, type CommonOptions } from './common.js';
import { printJson } from './output.js';

interface SchedulerOptions extends CommonOptions {
  interval?: string;
  cron?: string;
}

export function registerSchedulerCommand(program: Command): void {
  withJson(withDataDir(program.command('scheduler <action>')))
    .description('background sync schedule used by `vminer serve` and the desktop app: status | on | off')
    .option('--interval <minutes>', 'sync every N minutes')
    .option('--cron <expr>', 'sync on a cron schedule instead, e.g. "0 */4 * * *"')
    .action(async (action: string, opts: SchedulerOptions) => {
      if (!['status', 'on', 'off'].includes(action)) {
        throw new VminerError('INVALID_INPUT', `unknown action "${action}": use status, on or off`);
      }
      const engine = await openEngine(opts, 'vminer scheduler');
      try {
        const s = engine.scheduler;
        if (opts.interval !== undefined || opts.cron !== undefined) {
          const minutes = opts.interval !== undefined ? Number(opts.interval) : undefined;
          if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 1)) {
            throw new VminerError('INVALID_INPUT', '--interval takes a whole number of minutes');
          }
          s.configure({
            ...(minutes !== undefined ? { intervalMinutes: minutes, cron: null } : {}),
            ...(opts.cron ? { cron: opts.cron } : {}),
          });
        }
        const state = action === 'on' ? s.start() : action === 'off' ? s.stop() : s.state();
        s.close();
        if (opts.json) printJson(state);
        else
          process.stdout.write(
            `Scheduler ${state.enabled ? 'on' : 'off'}: ${state.cron ? `cron "${state.cron}"` : `every ${state.intervalMinutes} min`}` +
              `${state.enabled ? ` (runs while \`vminer serve\` or the desktop app is running)` : ''}.\n`,
          );
      } finally {
        engine.close();
      }
    });
}
