import { VminerError } from '../../../shared/errors.js';
import type { EngineSettings } from '../../../shared/settings.js';
import { VcenterRepo } from '../../engine/db/vcenter-repo.js';
import { SettingsRepo } from '../../engine/settings-repo.js';
import type { CommonOptions } from '../options.js';
import { emit } from '../output.js';
import { withDatabase, withEngine } from '../session.js';

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

async function status(opts: CommonOptions): Promise<void> {
  await withDatabase(opts, (db) => {
    const settings = new SettingsRepo(db.db).get();
    const vcenters = new VcenterRepo(db.db).list();
    emit(
      opts,
      {
        mode: settings.updateMode,
        paused: settings.paused,
        vcenters: vcenters.map((v) => ({ id: v.id, name: v.name, ...v.sync })),
      },
      () => [
        `Updates: ${describeMode(settings)}.\n\n`,
        {
          rows: vcenters.map((v) => ({
            name: v.name,
            status: v.sync.status.replace('_', ' '),
            asOf: v.sync.lastSuccessAt ?? 'never',
            why: v.sync.error?.message ?? v.sync.detail ?? '',
          })),
          columns: ['name', 'status', 'asOf', 'why'],
        },
      ],
    );
  });
}

export async function live(action: string | undefined, opts: CommonOptions): Promise<void> {
  const a = (action ?? 'status') as Action;
  if (!ACTIONS.includes(a)) {
    throw new VminerError('INVALID_INPUT', `unknown action "${action}": use ${ACTIONS.join(', ')}`);
  }
  if (a === 'status') return status(opts);
  await withEngine(opts, 'vminer live', async (engine, call) => {
    const cur = engine.settings.get();
    let next: EngineSettings;
    if (a === 'pause' || a === 'resume') next = await call('settings.update', { paused: a === 'pause' });
    else {
      const updateMode = a === 'on' ? 'live' : a === 'off' ? 'scheduled' : 'both';
      next = await call('settings.update', {
        updateMode,
        // "both" means a safety-net full sync: nightly unless a schedule was chosen already.
        ...(updateMode === 'both' && !cur.scheduler.enabled
          ? { scheduler: { ...cur.scheduler, cron: cur.scheduler.cron ?? NIGHTLY, enabled: true } }
          : {}),
      });
      if (updateMode === 'scheduled' && !cur.scheduler.enabled) {
        process.stderr.write('note: the scheduler is off; turn it on with `vminer scheduler on`.\n');
      }
    }
    // The timer belongs to a running engine (serve, the desktop app), not to this command.
    engine.scheduler.close();
    emit(
      opts,
      { mode: next.updateMode, paused: next.paused, scheduler: next.scheduler },
      () =>
        `Updates: ${describeMode(next)}.\n(While \`vminer serve\` runs, change it through its API: POST /api/rpc/settings.update {"updateMode": …, "paused": …}.)`,
    );
  });
}
