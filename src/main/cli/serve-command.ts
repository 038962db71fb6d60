import type { Command } from 'commander';
import { openEngine, withDataDir, type CommonOptions } from './common.js';

export function registerServeCommand(program: Command): void {
  withDataDir(program.command('serve'))
    .description('run the engine headless: holds the data folder and runs the background sync schedule')
    .action(async (opts: CommonOptions) => {
      const engine = await openEngine(opts, 'vminer serve');
      engine.bus.on('sync:progress', (e) => {
        if (e.phase === 'finished') {
          process.stdout.write(
            `${new Date().toISOString()} ${e.vcenter}: ${e.status}${e.error ? ` — ${e.error.message}` : ''}\n`,
          );
        }
      });
      engine.scheduler.resume();
      const s = engine.scheduler.state();
      process.stdout.write(
        `vMiner engine running on ${engine.dataDir}; scheduler ${s.enabled ? `on, next run ${s.nextRunAt}` : 'off'}. Ctrl-C stops.\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      engine.close();
    });
}
