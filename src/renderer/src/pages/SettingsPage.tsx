import { useEffect, useState } from 'react';
import type { EngineSettings } from '../../../shared/settings.js';
import { api, bridge, isDesktop } from '../api/client.js';
import { AccountsPanel } from '../components/AccountsPanel.js';
import { UsersPanel } from '../components/UsersPanel.js';
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
  onChange: (n: number) => void;
}): React.JSX.Element {
  return (
    <label>
      {props.label}
      <input
        type="number"
        min={props.min}
        max={props.max}
        value={props.value}
        onChange={(e) => props.onChange(Number(e.target.value))}
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

  useEffect(() => {
    api
      .call('settings.get', {})
      .then(setDraft)
      .catch((e: unknown) => setMsg({ text: (e as Error).message, error: true }));
    api
      .call('engine.info', {})
      .then(setInfo)
      .catch(() => undefined);
  }, []);

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
      const saved = await api.call('settings.update', draft);
      setDraft(saved);
      await useStatus.getState().refresh();
      setMsg({ text: 'Settings saved.', error: false });
    } catch (e) {
      setMsg({ text: (e as Error).message, error: true });
    }
  };

  const s = draft.scheduler;
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
              onChange={(e) => patch({ scheduler: { ...s, cron: e.target.value.trim() || null } })}
            />
          </label>
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
            label="Connect timeout (ms)"
            value={draft.connectTimeoutMs}
            min={500}
            max={120_000}
            onChange={(n) => patch({ connectTimeoutMs: n })}
          />
          <NumberField
            label="Call timeout (ms)"
            value={draft.callTimeoutMs}
            min={1000}
            max={3_600_000}
            onChange={(n) => patch({ callTimeoutMs: n })}
          />
          <NumberField
            label="Deadline per vCenter (ms)"
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
            {info?.dataDir ?? '…'}
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
        <UsersPanel />
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
          <button type="submit">Save settings</button>
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
