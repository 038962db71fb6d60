import { ago } from '../lib/format.js';
import { isFailing } from '../lib/failing.js';
import { useStatus } from '../stores/status.js';
import { useNav } from '../stores/nav.js';

/** Objects cached, last sync, live and failed vCenters, running syncs, the schedule's next run. */
export function StatusBar(): React.JSX.Element {
  const { stats, scheduler, syncing, error } = useStatus();
  const go = useNav((s) => s.go);
  const running = Object.values(syncing);
  const objects = stats ? Object.values(stats.totals).reduce((a, b) => a + b, 0) : null;
  const last = stats?.vcenters
    .map((v) => v.lastSuccessAt)
    .filter((x): x is string => Boolean(x))
    .sort()
    .at(-1);
  const live = stats?.vcenters.filter((v) => v.status === 'live').length ?? 0;
  const failing = stats?.vcenters.filter((v) => isFailing(v.status)) ?? [];
  return (
    <footer className="statusbar" data-testid="statusbar">
      {error ? (
        <span className="error">{error}</span>
      ) : (
        <>
          <span>{objects === null ? '…' : `${objects.toLocaleString()} objects cached`}</span>
          <span>last sync {ago(last)}</span>
          {live > 0 && (
            <span className="ok" data-testid="live-count">
              {live} live
            </span>
          )}
          {failing.length > 0 && (
            <button
              className="failed-count"
              data-testid="failed-count"
              title={`Not up to date: ${failing.map((v) => v.name).join(', ')}. Show them on the vCenters page.`}
              onClick={() => go('vcenters', { vcenterFilter: 'failing' })}
            >
              {failing.length} failed
            </button>
          )}
          {running.length > 0 && (
            <span className="syncing" data-testid="syncing">
              syncing {running.length}: {running.map((r) => `${r.vcenter} ${r.phase}`).join(', ')}
            </span>
          )}
          <span className="spacer" />
          <span>
            schedule{' '}
            {scheduler?.enabled
              ? scheduler.nextRunAt
                ? `next run ${new Date(scheduler.nextRunAt).toLocaleTimeString()}`
                : 'on'
              : 'off'}
          </span>
        </>
      )}
    </footer>
  );
}
