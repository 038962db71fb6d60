import { useEffect, useId, useState } from 'react';
import { cronPreview } from '../lib/cron-preview.js';
import type { EngineSettings } from '../../../shared/settings.js';
import type { StatsResult } from '../../../shared/contract.js';
import { api, bridge, isDesktop } from '../api/client.js';
import { AccountsPanel } from '../components/AccountsPanel.js';
import { GatedButton } from '../components/GatedButton.js';
import { UsersPanel } from '../components/UsersPanel.js';
import { may } from '../lib/role.js';
import { useUser } from '../stores/user.js';
import { useStatus } from '../stores/status.js';
import { useTheme, type Theme } from '../stores/theme.js';

type Draft = EngineSettings;

const isLoopback = (h: string): boolean => h === 'localhost' || h === '::1' || /^127\./.test(h);

const MIB = 1024 * 1024;

function NumberField(props: {
  label: string;
  value: number;
  min: number;
  max: number;
  hint?: string;
  /** Stored units per shown unit: 1000 shows milliseconds as seconds, 60000 as minutes. */
  scale?: number;
  onChange: (n: number) => void;
}): React.JSX.Element {
  const scale = props.scale ?? 1;
  return (
    <label>
      {props.label}
      <input
        type="number"
        min={props.min / scale}
        max={props.max / scale}
        step={scale === 1 ? 1 : 'any'}
        value={Math.round((props.value / scale) * 1000) / 1000}
        onChange={(e) => props.onChange(Math.round(Number(e.target.value) * scale))}
      />
      {props.hint && <span className="muted small">{props.hint}</span>}
    </label>
  );
}

/** Engine settings (validated by the engine), the schedule, the REST listener and the theme. */
export function SettingsPage(): React.JSX.Element {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [msg, setMsg] = useState<{ text: string; error: boolean } | null>(null);
  const scheduler = useStatus((s) => s.scheduler);
  const { theme, set: setTheme } = useTheme();
  const [info, setInfo] = useState<{ version: string; dataDir: string } | null>(null);
  const [history, setHistory] = useState<StatsResult['history'] | null>(null);
  const role = useUser((s) => s.role);
  const admin = may(role, 'settings.update');
  const ids = useId();

  useEffect(() => {
    api
      .call('settings.get', {})
      .then(setDraft)
      .catch((e: unknown) => setMsg({ text: (e as Error).message, error: true }));
    api
      .call('stats.get', {})
      .then((st) => setHistory(st.history))
      .catch(() => undefined);
    if (may(role, 'engine.info'))
      api
        .call('engine.info', {})
        .then(setInfo)
        .catch(() => undefined);
  }, [role]);

  if (!draft)
    return (
      <section className="page">
        {msg ? <p className="error">{msg.text}</p> : <p className="muted">Loading…</p>}
      </section>
    );
  const patch = (p: Partial<Draft>): void => setDraft({ ...draft, ...p });

  const save = async (): Promise<void> => {
    setMsg(null);
    try {
      const cron = draft.scheduler.cron?.trim() || null;
      const saved = await api.call('settings.update', { ...draft, scheduler: { ...draft.scheduler, cron } });
      setDraft(saved);
      await useStatus.getState().refresh();
      setMsg({ text: 'Settings saved.', error: false });
    } catch (e) {
      setMsg({ text: (e as Error).message, error: true });
    }
  };

  const s = draft.scheduler;
  const cron = s.cron ? cronPreview(s.cron) : null;
  const cronError = cron && 'error' in cron ? cron.error : null;
  return (
    <section className="page settings">
      <header className="toolbar">
        <h1>Settings</h1>
      </header>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <fieldset>
          <legend>Keeping the cache fresh</legend>
          <label>
            Updates
            <select
              aria-label="Update mode"
              value={draft.updateMode}
              onChange={(e) => patch({ updateMode: e.target.value as Draft['updateMode'] })}
            >
              <option value="live">Live: changes stream in after one full load (recommended)</option>
              <option value="both">Live, plus the scheduled full syncs below as a safety net</option>
              <option value="scheduled">Scheduled full syncs only</option>
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.paused}
              onChange={(e) => patch({ paused: e.target.checked })}
            />
            Pause live updates and scheduled syncs (manual syncs still run)
          </label>
        </fieldset>
        <fieldset>
          <legend>Scheduled full syncs</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={s.enabled}
              onChange={(e) => patch({ scheduler: { ...s, enabled: e.target.checked } })}
            />
            Sync all vCenters on a schedule
          </label>
          <NumberField
            label="Every (minutes)"
            value={s.intervalMinutes}
            min={1}
            max={10_080}
            onChange={(n) => patch({ scheduler: { ...s, intervalMinutes: n } })}
          />
          <label>
            Or a cron expression (takes precedence)
            <input
              value={s.cron ?? ''}
              placeholder="0 */2 * * *"
              aria-invalid={cronError ? true : undefined}
              aria-describedby={`${ids}-cron`}
              className={cronError ? 'invalid' : undefined}
              onChange={(e) =>
                patch({ scheduler: { ...s, cron: e.target.value.trim() ? e.target.value : null } })
              }
            />
          </label>
          <div id={`${ids}-cron`} className="small" data-testid="cron-preview">
            {cronError ? (
              <span className="error">{cronError}</span>
            ) : cron && 'runs' in cron ? (
              <span className="muted">Next runs: {cron.runs.map((d) => d.toLocaleString()).join(' · ')}</span>
            ) : (
              <span className="muted">
                minute hour day-of-month month weekday, e.g. 0 2 * * * for 02:00 daily
              </span>
            )}
          </div>
          {scheduler?.nextRunAt && (
            <p className="muted small">Next run: {new Date(scheduler.nextRunAt).toLocaleString()}</p>
          )}
        </fieldset>
        <fieldset>
          <legend>Sync engine</legend>
          <NumberField
            label="vCenters synced at once"
            value={draft.syncWorkers}
            min={1}
            max={64}
            onChange={(n) => patch({ syncWorkers: n })}
          />
          <NumberField
            label="Connect timeout (seconds)"
            scale={1000}
            value={draft.connectTimeoutMs}
            min={500}
            max={120_000}
            onChange={(n) => patch({ connectTimeoutMs: n })}
          />
          <NumberField
            label="Call timeout (seconds)"
            scale={1000}
            value={draft.callTimeoutMs}
            min={1000}
            max={3_600_000}
            onChange={(n) => patch({ callTimeoutMs: n })}
          />
          <NumberField
            label="Deadline per vCenter (minutes)"
            scale={60_000}
            value={draft.vcenterDeadlineMs}
            min={5000}
            max={21_600_000}
            onChange={(n) => patch({ vcenterDeadlineMs: n })}
          />
          <NumberField
            label="Objects per page"
            value={draft.pageSize}
            min={100}
            max={10_000}
            onChange={(n) => patch({ pageSize: n })}
          />
          <NumberField
            label="Largest answer per call (MB)"
            value={Math.round(draft.maxAnswerBytes / MIB)}
            min={1}
            max={1024}
            hint="a vCenter answer above this fails that vCenter's sync (ANSWER_TOO_LARGE)"
            onChange={(n) => patch({ maxAnswerBytes: n * MIB })}
          />
        </fieldset>
        <fieldset>
          <legend>Change history</legend>
          <NumberField
            label="Keep changes (days)"
            value={draft.historyRetentionDays}
            min={1}
            max={3650}
            onChange={(n) => patch({ historyRetentionDays: n })}
          />
          <NumberField
            label="At most (entries)"
            value={draft.historyMaxRows}
            min={1000}
            max={100_000_000}
            hint="the oldest go first; pruned in the background after syncs"
            onChange={(n) => patch({ historyMaxRows: n })}
          />
          {history && (
            <p className="muted small" data-testid="history-size">
              {history.rows.toLocaleString()} entries, about {(history.bytes / MIB).toFixed(1)} MB
              {history.oldestAt ? `, oldest ${new Date(history.oldestAt).toLocaleString()}` : ''}
            </p>
          )}
        </fieldset>
        <fieldset>
          <legend>REST API {isDesktop ? '' : '(the desktop app’s listener)'}</legend>
          {!isDesktop && (
            <p className="muted small">
              This server was started with <code>vminer serve</code> and listens on its own flags; these
              settings apply to the desktop app.
            </p>
          )}
          <label className="check">
            <input
              type="checkbox"
              checked={draft.rest.enabled}
              onChange={(e) => patch({ rest: { ...draft.rest, enabled: e.target.checked } })}
            />
            Listen for REST API calls (same accounts as <code>vminer serve</code>)
          </label>
          <label>
            Address
            <input
              value={draft.rest.host}
              onChange={(e) => patch({ rest: { ...draft.rest, host: e.target.value } })}
            />
          </label>
          {!isLoopback(draft.rest.host) && (
            <p className="warning">
              Anyone who can reach {draft.rest.host} can try to log in and read the whole inventory. Prefer
              127.0.0.1 behind a TLS reverse proxy.
            </p>
          )}
          <NumberField
            label="Port"
            value={draft.rest.port}
            min={1}
            max={65_535}
            onChange={(n) => patch({ rest: { ...draft.rest, port: n } })}
          />
        </fieldset>
        <fieldset>
          <legend>Data folder</legend>
          <p className="mono small" data-testid="data-dir">
            {info?.dataDir ?? (admin ? '…' : 'shown to admins')}
          </p>
          <p className="muted small">
            The cache, settings and encrypted credentials live here. To move it, quit vMiner, move the folder
            and start vMiner with <code>VMINER_DATA_DIR</code> pointing at the new place.
          </p>
        </fieldset>
        <fieldset>
          <legend>Appearance</legend>
          <label>
            Theme
            <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
              <option value="system">Follow the system</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
        </fieldset>
        <AccountsPanel />
        {may(role, 'users.list') && <UsersPanel />}
        {bridge && (
          <fieldset>
            <legend>About</legend>
            <p className="small">
              vMiner {bridge.versions.app} · Electron {bridge.versions.electron} · Chrome{' '}
              {bridge.versions.chrome}
            </p>
            <button type="button" onClick={() => void bridge?.desktop.openLogsFolder()}>
              Open logs folder
            </button>
            <button type="button" onClick={() => void bridge?.desktop.copyDiagnostics()}>
              Copy diagnostics
            </button>
          </fieldset>
        )}
        <div className="row">
          <GatedButton
            call="settings.update"
            what="Changing settings"
            type="submit"
            disabled={cronError !== null}
            title={cronError ? 'Fix the cron expression first' : undefined}
          >
            Save settings
          </GatedButton>
          {!admin && <span className="muted small">Read only: settings are changed by an admin.</span>}
          {msg && (
            <span className={msg.error ? 'error' : 'ok'} role="status">
              {msg.text}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
