import { useCallback, useEffect, useState } from 'react';
import { CHANGE_ENTITIES, CHANGE_KINDS, type ChangeKind, type ChangeRow } from '../../../shared/changes.js';
import { api } from '../api/client.js';
import { ExportButtons } from '../components/ExportButtons.js';
import {
  changesPlanFilter,
  changesRequest,
  describeChange,
  groupTimeline,
  SINCE_CHOICES,
  type ChangesFilters,
} from '../lib/changes-view.js';
import { useStatus } from '../stores/status.js';

const KIND_LABEL: Record<ChangeKind, string> = {
  changed: 'Changed',
  created: 'Created',
  removed: 'Removed',
  'first-sync': 'First sync',
};

const PAGE = 200;

/** What changed: the history as a timeline grouped by hour or day, with filters, counts and export. */
export function ChangesPage(): React.JSX.Element {
  const version = useStatus((s) => s.inventoryVersion);
  const [f, setF] = useState<ChangesFilters>({
    since: '24h',
    vcenter: '',
    entity: '',
    field: '',
    object: '',
    kinds: [],
  });
  const [rows, setRows] = useState<ChangeRow[]>([]);
  const [counts, setCounts] = useState<Record<ChangeKind, number> | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(
    async (after?: string) => {
      setLoading(true);
      setError(null);
      try {
        const p = await api.call('changes.list', {
          ...changesRequest(f),
          limit: PAGE,
          ...(after ? { cursor: after, counts: false } : {}),
        });
        setRows((prev) => (after ? [...prev, ...p.items] : p.items));
        if (p.counts) setCounts(p.counts);
        setCursor(p.nextCursor);
      } catch (e) {
        setError((e as Error).message);
      } finally {
        setLoading(false);
      }
    },
    [f],
  );
  useEffect(() => {
    void load();
  }, [load, version]);

  const set = <K extends keyof ChangesFilters>(k: K, v: ChangesFilters[K]): void => setF({ ...f, [k]: v });
  const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : null;
  const { by, groups } = groupTimeline(rows);

  return (
    <section className="changes-page">
      <div className="toolbar">
        <h1>Changes</h1>
        <span className="count" data-testid="changes-total">
          {total === null ? '' : `${total.toLocaleString()} change${total === 1 ? '' : 's'}`}
        </span>
        <span className="spacer" />
        <ExportButtons
          spec={() => {
            const filters = changesPlanFilter(f, new Date());
            return {
              entity: 'changes',
              ...(filters ? { filters } : {}),
              suggestedName: `changes-${new Date().toISOString().slice(0, 10)}`,
            };
          }}
        />
      </div>
      <form className="changes-filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter changes">
        <label>
          Since{' '}
          <select value={f.since} onChange={(e) => set('since', e.target.value)} aria-label="Since">
            {SINCE_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          vCenter{' '}
          <input value={f.vcenter} onChange={(e) => set('vcenter', e.target.value)} aria-label="vCenter" />
        </label>
        <label>
          Object type{' '}
          <select value={f.entity} onChange={(e) => set('entity', e.target.value)} aria-label="Object type">
            <option value="">all</option>
            {CHANGE_ENTITIES.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </select>
        </label>
        <label>
          Field{' '}
          <input
            value={f.field}
            placeholder="powerState, disk*"
            onChange={(e) => set('field', e.target.value)}
            aria-label="Field"
          />
        </label>
        <label>
          Object{' '}
          <input
            value={f.object}
            placeholder="name, now or before"
            onChange={(e) => set('object', e.target.value)}
            aria-label="Object"
          />
        </label>
      </form>
      <div className="chips" role="group" aria-label="Kinds of change">
        {CHANGE_KINDS.map((k) => {
          const on = f.kinds.includes(k);
          return (
            <button
              key={k}
              className={`kind-chip kind-${k}${on ? ' active' : ''}`}
              aria-pressed={on}
              data-kind={k}
              onClick={() => set('kinds', on ? f.kinds.filter((x) => x !== k) : [...f.kinds, k])}
            >
              {KIND_LABEL[k]} <span className="nav-count">{counts ? counts[k].toLocaleString() : '…'}</span>
            </button>
          );
        })}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!error && rows.length === 0 && !loading && (
        <p className="muted" data-testid="changes-empty">
          No changes recorded for these filters.
        </p>
      )}
      <ol className="timeline" aria-label={`Changes by ${by}`}>
        {groups.map((g) => (
          <li key={g.key} className="timeline-group">
            <h2 className="timeline-head">
              {g.label} <span className="muted small">({g.rows.length})</span>
            </h2>
            <ul>
              {g.rows.map((r) => (
                <li key={r.id} className={`change kind-${r.kind}`} data-change-id={r.id}>
                  <time dateTime={r.at}>{new Date(r.at).toLocaleTimeString()}</time>
                  <span className="kind-badge">{KIND_LABEL[r.kind]}</span>
                  <strong>{r.objectName ?? r.moid}</strong>
                  <span className="muted small">
                    {r.entity} · {r.vcenter}
                  </span>
                  <span className="change-what">{describeChange(r)}</span>
                  <span className="muted small">{r.source}</span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      {cursor && (
        <button onClick={() => void load(cursor)} disabled={loading}>
          {loading ? 'Loading…' : 'Show older changes'}
        </button>
      )}
    </section>
  );
}
