import { useEffect, useState } from 'react';
import { bridge } from '../api/client.js';
import { useNav } from '../stores/nav.js';
import { exportNoticeView, type ExportNoticeView } from './export-notice.js';

interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
  /** The export this notice follows: its later reports update it in place. */
  exportId?: string;
  progress?: ExportNoticeView['progress'];
}

/** Desktop only: engine restarts, shell warnings, export progress, and menu/tray navigation. */
export function DesktopNotices(): React.JSX.Element | null {
  const go = useNav((s) => s.go);
  const [notices, setNotices] = useState<Notice[]>([]);
  useEffect(() => {
    if (!bridge) return undefined;
    let next = 1;
    const push = (level: Notice['level'], message: string): void =>
      setNotices((n) => [...n.slice(-3), { id: next++, level, message }]);
    const d = bridge.desktop;
    const offs = [
      d.on('navigate', ({ to }) => go(to)),
      d.on('shell:notice', (n) => push(n.level, n.message)),
      d.on('engine:state', (s) => {
        if (s.state === 'restarting')
          push(
            'warning',
            `The engine stopped (${s.reason}); restarting in ${Math.round(s.retryInMs / 1000)} s.`,
          );
        else if (s.state === 'failed')
          push('error', `The engine keeps stopping (${s.reason}). Help → Open logs folder shows why.`);
        else if (s.state === 'ready') setNotices((n) => n.filter((x) => !x.message.startsWith('The engine')));
      }),
      d.on('export:progress', (p) => {
        const view = exportNoticeView(p);
        setNotices((n) => {
          const at = n.findIndex((x) => x.exportId === p.id);
          const notice: Notice = { id: at >= 0 ? n[at]!.id : next++, exportId: p.id, ...view };
          // A few reports a second for one export: update its notice, never stack new ones.
          return at >= 0 ? n.map((x, i) => (i === at ? notice : x)) : [...n.slice(-3), notice];
        });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [go]);
  if (notices.length === 0) return null;
  return (
    <div className="notices" role="status">
      {notices.map((n) => (
        <p key={n.id} className={n.level === 'info' ? 'notice' : n.level}>
          {n.progress ? (
            <span className="export-progress">
              {n.message}
              {/* No value while the total is unknown: the bar shows as indeterminate. */}
              <progress
                max={1}
                {...(n.progress.fraction !== null ? { value: n.progress.fraction } : {})}
                aria-label={`Export progress: ${n.progress.label}`}
              />
              <span className="muted">{n.progress.label}</span>
            </span>
          ) : (
            n.message
          )}
          <button
            className="ghost"
            aria-label="Dismiss"
            onClick={() => setNotices((x) => x.filter((y) => y.id !== n.id))}
          >
            ✕
          </button>
        </p>
      ))}
    </div>
  );
}
