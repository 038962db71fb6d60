import type { Command } from 'commander';
import { VminerError } from '../../shared/errors.js';
import type { EngineSettings } from '../../shared/settings.js';
import { openDatabase } from '../engine/db/database.js';
import { VcenterRepo } from '../engine/db/vcenter-repo.js';
import { SettingsRepo } from '../engine/settings-repo.js';
import { dataDirOf, openEngine, withDataDir, withJson, type CommonOptions } from './common.js';
import { printJson, printTable } from './output.js';

const ACTIONS = ['status', 'on', 'off', 'both', 'pause', 'resume'] as const;
type Action = (typeof ACTIONS)[number];

const NIGHTLY = '0 2 * * *';

function describeMode(s: EngineSettings): string {
  const mode =
    s.updateMode === 'live'
      ? 'live updates (changes stream in while `vminer serve` or the desktop app runs)'
      : s.updateMode === 'scheduled'
        ? 'scheduled full syncs only'
        : `live updates plus scheduled full syncs (${s.scheduler.cron ? `cron "${s.scheduler.cron}"` : `every ${s.scheduler.intervalMinutes} min`}${s.scheduler.enabled ? '' : ', scheduler off'})`;
  return `${s.paused ? 'PAUSED — ' : ''}${mode}`;
}

export function registerLiveCommand(program: Command): void {
  withJson(withDataDir(program.command('live [action]')))
    .description(
      'how the cache stays fresh: status | on (live updates, the default) | off (scheduled syncs only) | ' +
        'both (live + a nightly full sync) | pause | resume (pause stops both)',
    )
    .action(async (action: string | undefined, opts: CommonOptions) => {
      const a = (action ?? 'status') as Action;
      if (!ACTIONS.includes(a)) {
        throw new VminerError('INVALID_INPUT', `unknown action "${action}": use ${ACTIONS.join(', ')}`);
      }
      if (a === 'status') {
        const db = openDatabase(dataDirOf(opts), { readonly: true });
        try {
          const settings = new SettingsRepo(db.db).get();
          const vcenters = new VcenterRepo(db.db).list();
          if (opts.json) {
            printJson({
              mode: settings.updateMode,
              paused: settings.paused,
              vcenters: vcenters.map((v) => ({ id: v.id, name: v.name, ...v.sync })),
            });
            return;
          }
          process.stdout.write(`Updates: ${describeMode(settings)}.\n\n`);
          printTable(
            vcenters.map((v) => ({
              name: v.name,
              status: v.sync.status.replace('_', ' '),
              asOf: v.sync.lastSuccessAt ?? 'never',
              why: v.sync.error?.message ?? v.sync.detail ?? '',
            })),
            ['name', 'status', 'asOf', 'why'],
          );
        } finally {
          db.close();
        }
        return;
      }
      const engine = await openEngine(opts, 'vminer live');
      try {
        const cur = engine.settings.get();
        let next: EngineSettings;
        if (a === 'pause' || a === 'resume') next = engine.settings.update({ paused: a === 'pause' });
        else {
          const updateMode = a === 'on' ? 'live' : a === 'off' ? 'scheduled' : 'both';
          next = engine.settings.update({ updateMode });
          // "both" means a safety-net full sync: nightly unless a schedule was chosen already.
          if (updateMode === 'both' && !cur.scheduler.enabled) {
            engine.scheduler.configure({ cron: cur.scheduler.cron ?? NIGHTLY });
            engine.scheduler.start();
            next = engine.settings.get();
          }
          if (updateMode === 'scheduled' && !cur.scheduler.enabled) {
            process.stderr.write('note: the scheduler is off; turn it on with `vminer scheduler on`.\n');
          }
        }
        engine.scheduler.close();
        if (opts.json) printJson({ mode: next.updateMode, paused: next.paused, scheduler: next.scheduler });
        else
          process.stdout.write(
            `Updates: ${describeMode(next)}.\n(While \`vminer serve\` runs, change it through its API: POST /api/rpc/settings.update {"updateMode": …, "paused": …}.)\n`,
          );
      } finally {
        engine.close();
      }
    });
}
