import { useId, useState } from 'react';
import type { SourceInfo, SourceKind, SourceTestResult } from '../../../shared/sources.js';
import { api } from '../api/client.js';
import {
  DEFAULT_PORT,
  KIND_LABEL,
  MAPPING_FIELDS,
  hasErrors,
  newSourceForm,
  sourceFormOf,
  toAddRequest,
  toUpdateRequest,
  validateSourceForm,
  withKind,
  CERT_CHECK_LABEL,
  type CertCheck,
  type SourceForm,
  type SourceFormField,
} from '../lib/source-form.js';
import { Modal } from './Modal.js';
import { SourceTestView } from './SourceTestView.js';

type Test = { result: SourceTestResult; enabledColumn: string | null } | { error: string };

/**
 * Add or edit a SQL source (a CMDB table on SQL Server or PostgreSQL that lists the vCenters).
 * The engine tests saved sources only (`sources.test` takes an id), so "Save & test" saves first;
 * after that the dialog edits the saved source, and a failed test loses nothing.
 */
export function SourceDialog(props: {
  existing?: SourceInfo;
  /** Cancel / Close; `saved` is the source as last saved in this dialog, if it was. */
  onClose: (saved: SourceInfo | null) => void;
  /** "Save" went through. */
  onSaved: (source: SourceInfo) => void;
}): React.JSX.Element {
  const [form, setForm] = useState<SourceForm>(() =>
    props.existing ? sourceFormOf(props.existing) : newSourceForm(),
  );
  const [source, setSource] = useState<SourceInfo | null>(props.existing ?? null);
  const [savedHere, setSavedHere] = useState(false);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const [busy, setBusy] = useState<'save' | 'test' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [test, setTest] = useState<Test | null>(null);
  const ids = useId();

  const mode = source ? 'edit' : 'add';
  const errors = validateSourceForm(form, mode);
  const shown = (f: SourceFormField): string | undefined =>
    showAll || touched.has(f) ? errors[f] : undefined;
  const set = <K extends keyof SourceForm>(key: K, value: SourceForm[K]): void =>
    setForm((f) => ({ ...f, [key]: value }));
  /** Props that tie an input to its message: invalid state, described-by, touched on blur. */
  const a11y = (f: SourceFormField) => ({
    'aria-invalid': shown(f) ? true : undefined,
    'aria-describedby': shown(f) ? `${ids}-${f}` : undefined,
    className: shown(f) ? 'invalid' : undefined,
    onBlur: () => setTouched((t) => new Set(t).add(f)),
  });
  const fieldError = (f: SourceFormField): React.JSX.Element | null =>
    shown(f) ? (
      <span className="error small" id={`${ids}-${f}`}>
        {shown(f)}
      </span>
    ) : null;

  /** Saves the form (add or update); null when it is invalid or the engine refused it. */
  const persist = async (): Promise<SourceInfo | null> => {
    if (hasErrors(errors)) {
      setShowAll(true);
      return null;
    }
    setBusy('save');
    setError(null);
    try {
      const saved = source
        ? await api.call('sources.update', toUpdateRequest(source.id, form))
        : await api.call('sources.add', toAddRequest(form));
      setSource(saved);
      setSavedHere(true);
      // Stored in the vault now: the field goes back to "blank keeps it".
      set('password', '');
      return saved;
    } catch (e) {
      setError((e as Error).message);
      return null;
    } finally {
      setBusy(null);
    }
  };

  const save = async (): Promise<void> => {
    const saved = await persist();
    if (saved) props.onSaved(saved);
  };

  const saveAndTest = async (): Promise<void> => {
    setTest(null);
    const saved = await persist();
    if (!saved) return;
    setBusy('test');
    try {
      const result = await api.call('sources.test', { id: saved.id });
      setTest({ result, enabledColumn: saved.config.mapping.enabled });
    } catch (e) {
      setTest({ error: (e as Error).message });
    } finally {
      setBusy(null);
    }
  };

  const title = source ? `Edit SQL source ${source.name}` : 'Add a SQL source';
  const mssql = form.kind === 'mssql';
  return (
    <Modal
      title={title}
      className="wide source-form"
      onClose={() => props.onClose(savedHere ? source : null)}
    >
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <p className="muted small">
          A table or view in your CMDB that lists the vCenters; vMiner runs the query on its own interval,
          adds new vCenters and retires those that disappear. A read-only login is enough.
        </p>
        {source?.lastError && !test && (
          <p className="error small">Last refresh failed: {source.lastError.message}</p>
        )}
        <div className="form-grid">
          <div>
            <label>
              Source name
              <input
                value={form.name}
                onChange={(e) => set('name', e.target.value)}
                placeholder="cmdb"
                {...a11y('name')}
              />
            </label>
            {fieldError('name')}
          </div>
          <div>
            <label>
              Database kind
              <select
                value={form.kind}
                disabled={mode === 'edit'}
                onChange={(e) => setForm((f) => withKind(f, e.target.value as SourceKind))}
              >
                {(Object.keys(KIND_LABEL) as SourceKind[]).map((k) => (
                  <option key={k} value={k}>
                    {KIND_LABEL[k]}
                  </option>
                ))}
              </select>
            </label>
            {mode === 'edit' && <span className="muted small">A saved source keeps its kind.</span>}
          </div>
          <div className="span2">
            <label>
              Server
              <input
                value={form.server}
                onChange={(e) => set('server', e.target.value)}
                placeholder={mssql ? 'sql01.corp.example' : 'pg01.corp.example'}
                {...a11y('server')}
              />
            </label>
            {fieldError('server')}
          </div>
          <div>
            <label>
              Port
              <input
                value={form.port}
                inputMode="numeric"
                onChange={(e) => set('port', e.target.value)}
                placeholder={String(DEFAULT_PORT[form.kind])}
                {...a11y('port')}
              />
            </label>
            {fieldError('port')}
          </div>
          <div>
            <label>
              Database
              <input
                value={form.database}
                onChange={(e) => set('database', e.target.value)}
                placeholder="cmdb"
                {...a11y('database')}
              />
            </label>
            {fieldError('database')}
          </div>
          {mssql && (
            <div>
              <label>
                Login
                <select value={form.auth} onChange={(e) => set('auth', e.target.value as 'sql' | 'ntlm')}>
                  <option value="sql">SQL Server login</option>
                  <option value="ntlm">Windows account (NTLM)</option>
                </select>
              </label>
            </div>
          )}
          <div className="span2">
            <label>
              User
              <input
                value={form.user}
                onChange={(e) => set('user', e.target.value)}
                placeholder={mssql && form.auth === 'ntlm' ? 'CORP\\svc-vminer' : 'vminer_reader'}
                autoComplete="off"
                {...a11y('user')}
              />
            </label>
            {fieldError('user')}
          </div>
          <div className="span2">
            <label>
              Password
              {mode === 'edit' && <span className="muted"> (leave blank to keep the stored one)</span>}
              <input
                type="password"
                value={form.password}
                onChange={(e) => set('password', e.target.value)}
                autoComplete="new-password"
                {...a11y('password')}
              />
            </label>
            {fieldError('password')}
          </div>
        </div>
        <div className="row wrap">
          <label className="check">
            <input
              type="checkbox"
              checked={form.encrypt}
              onChange={(e) => set('encrypt', e.target.checked)}
            />
            Encrypt the connection (TLS)
          </label>
          <label>
            Check the server’s certificate{' '}
            <select
              value={form.certCheck}
              disabled={!form.encrypt}
              aria-label="Check the server’s certificate"
              onChange={(e) => set('certCheck', e.target.value as CertCheck)}
            >
              {(Object.keys(CERT_CHECK_LABEL) as CertCheck[]).map((k) => (
                <option key={k} value={k}>
                  {CERT_CHECK_LABEL[k]}
                </option>
              ))}
            </select>
          </label>
        </div>
        {form.encrypt && form.certCheck === 'ca' && (
          <div>
            <label>
              CA certificate (PEM)
              <textarea
                rows={4}
                value={form.caPem}
                spellCheck={false}
                placeholder="-----BEGIN CERTIFICATE-----"
                onChange={(e) => set('caPem', e.target.value)}
                {...a11y('caPem')}
                className={shown('caPem') ? 'mono invalid' : 'mono'}
              />
            </label>
            <label className="small">
              or load it from a file{' '}
              <input
                type="file"
                accept=".pem,.crt,.cer"
                aria-label="CA certificate file"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file) void file.text().then((t) => set('caPem', t));
                }}
              />
            </label>
            {fieldError('caPem')}
          </div>
        )}
        {form.encrypt && form.certCheck === 'thumbprint' && (
          <div>
            <label>
              SHA-256 thumbprint of the server’s certificate
              <input
                value={form.thumbprint}
                placeholder="AB:CD:…"
                onChange={(e) => set('thumbprint', e.target.value)}
                {...a11y('thumbprint')}
                className={shown('thumbprint') ? 'mono invalid' : 'mono'}
              />
            </label>
            {fieldError('thumbprint')}
          </div>
        )}
        {!form.encrypt && (
          <p className="warning small">
            Without encryption the password and the list cross the network readable: test servers only.
          </p>
        )}
        {form.encrypt && form.certCheck === 'none' && (
          <p className="warning small">
            The server’s certificate is not checked: anyone in between could pose as the server. A private CA
            or a pinned thumbprint checks it instead.
          </p>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={form.trustCaValid}
            onChange={(e) => set('trustCaValid', e.target.checked)}
          />
          Trust the vCenters’ CA-valid certificates (no review before their passwords are sent)
        </label>
        {!form.trustCaValid && (
          <p className="muted small">
            A vCenter this source adds, or moves to a new address, gets no password until its certificate is
            reviewed (vCenters → Review certificates): the CMDB does not decide where passwords go.
          </p>
        )}
        <div>
          <label>
            Query
            <textarea
              rows={3}
              value={form.query}
              onChange={(e) => set('query', e.target.value)}
              spellCheck={false}
              {...a11y('query')}
              className={shown('query') ? 'mono invalid' : 'mono'}
            />
          </label>
          {fieldError('query')}
        </div>
        <fieldset className="mapping">
          <legend>Column mapping</legend>
          <p className="muted small">
            Which column of the query’s result feeds each field (case-insensitive); blank: none.
          </p>
          <div className="form-grid cols7">
            {MAPPING_FIELDS.map((f) => (
              <div key={f.key}>
                <label title={f.hint}>
                  {f.label}
                  <input
                    value={form.mapping[f.key]}
                    aria-label={`Column for ${f.label.toLowerCase()}`}
                    placeholder={f.key === 'name' || f.key === 'host' ? f.key : '—'}
                    onChange={(e) => {
                      const v = e.target.value;
                      setForm((x) => ({ ...x, mapping: { ...x.mapping, [f.key]: v } }));
                    }}
                    {...a11y(`mapping.${f.key}`)}
                  />
                </label>
                {fieldError(`mapping.${f.key}`)}
              </div>
            ))}
          </div>
        </fieldset>
        <div className="form-grid">
          <div>
            <label>
              Refresh every (minutes)
              <input
                value={form.refreshMinutes}
                inputMode="numeric"
                onChange={(e) => set('refreshMinutes', e.target.value)}
                {...a11y('refreshMinutes')}
              />
            </label>
            {fieldError('refreshMinutes')}
          </div>
          <div>
            <label>
              Read at most (rows)
              <input
                value={form.maxRows}
                inputMode="numeric"
                onChange={(e) => set('maxRows', e.target.value)}
                {...a11y('maxRows')}
              />
            </label>
            {fieldError('maxRows')}
          </div>
          <div>
            <label>
              Timeout (seconds)
              <input
                value={form.timeoutSeconds}
                inputMode="numeric"
                onChange={(e) => set('timeoutSeconds', e.target.value)}
                {...a11y('timeoutSeconds')}
              />
            </label>
            {fieldError('timeoutSeconds')}
          </div>
          <label className="check span2">
            <input
              type="checkbox"
              checked={form.enabled}
              onChange={(e) => set('enabled', e.target.checked)}
            />
            Refresh on its own schedule (off: only with Refresh now)
          </label>
        </div>
        <p className="muted small" data-testid="test-note">
          vMiner tests saved sources only, so <strong>Save &amp; test</strong> saves the settings first, then
          runs the query and shows what it returns
          {mode === 'add' ? '; a failed test leaves the source saved for you to correct' : ''}.
          {form.enabled && mode === 'add'
            ? ' With its schedule on, a new source first refreshes within a minute.'
            : ''}
        </p>
        {busy === 'test' && <p className="muted">Running the query…</p>}
        {test && 'error' in test && (
          <p className="error" role="alert" data-testid="source-test-error">
            Test failed: {test.error}
          </p>
        )}
        {test && 'result' in test && (
          <SourceTestView result={test.result} enabledColumn={test.enabledColumn} />
        )}
        {showAll && hasErrors(errors) && (
          <p className="error" role="alert">
            Fix the fields marked in red; nothing was saved.
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="modal-foot">
          {savedHere && !error && <span className="ok small spacer">Saved.</span>}
          <button type="button" className="ghost" onClick={() => props.onClose(savedHere ? source : null)}>
            {savedHere ? 'Close' : 'Cancel'}
          </button>
          <button type="button" onClick={() => void saveAndTest()} disabled={busy !== null}>
            {busy === 'test' ? 'Testing…' : 'Save & test'}
          </button>
          <button type="submit" disabled={busy !== null}>
            {busy === 'save' ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
