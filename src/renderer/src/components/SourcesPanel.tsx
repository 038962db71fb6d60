import { useEffect, useState } from 'react';
import type { SourceInfo, SourceTestResult } from '../../../shared/sources.js';
import { api } from '../api/client.js';
import { useNotice } from '../lib/use-notice.js';
import { ago } from '../lib/format.js';

/** SQL sources of the vCenter list: state of the last refresh, Test (first rows), Refresh now, Remove. */
export function SourcesPanel(props: { onChanged: () => void }): React.JSX.Element | null {
  const [sources, setSources] = useState<SourceInfo[] | null>(null);
  const [result, setResult] = useState('');
  const [test, setTest] = useState<{ id: number; result: SourceTestResult } | null>(null);
  const [msg, notice] = useNotice();
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = (): void => {
    api
      .call('sources.list', {})
      .then(setSources)
      .catch((e: unknown) => setLoadError((e as Error).message));
  };
  useEffect(load, []);

  const act = async (f: () => Promise<string>): Promise<void> => {
    let done = '';
    await notice(async () => {
      done = await f();
    }, '');
    setResult(done);
    load();
    props.onChanged();
  };

  if (loadError) return <p className="error small">SQL sources: {loadError}</p>;
  if (sources === null || sources.length === 0)
    return (
      <p className="muted small">
        No SQL source. A CMDB table on SQL Server or PostgreSQL can feed this list on its own schedule:{' '}
        <code>vminer source add --help</code>.
      </p>
    );
  return (
    <section className="sources">
      <h2>SQL sources</h2>
      <table className="list" data-testid="sources">
        <thead>
          <tr>
            <th>Name</th>
            <th>Server</th>
            <th>vCenters</th>
            <th>Last refresh</th>
            <th>Every</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sources.map((s) => (
            <tr key={s.id}>
              <td>
                <strong>{s.name}</strong>{' '}
                <span className="muted small">{s.kind === 'mssql' ? 'SQL Server' : 'PostgreSQL'}</span>
              </td>
              <td className="mono small">
                {s.config.connection.server}
                {s.config.connection.port ? `:${s.config.connection.port}` : ''}/
                {s.config.connection.database}
              </td>
              <td>
                {s.vcenters}
                {s.retired > 0 && <span className="muted"> (+{s.retired} retired)</span>}
              </td>
              <td>
                {ago(s.lastRefreshAt)}
                {s.lastError && (
                  <div className="error small">{s.lastError.message} (last good list kept)</div>
                )}
              </td>
              <td>{s.refreshMinutes} min</td>
              <td className="actions">
                <button
                  className="ghost"
                  onClick={() =>
                    void act(async () => {
                      const result = await api.call('sources.test', { id: s.id });
                      setTest({ id: s.id, result });
                      return `${s.name}: ${result.totalRows} rows.`;
                    })
                  }
                >
                  Test
                </button>
                <button
                  onClick={() =>
                    void act(async () => {
                      const r = await api.call('sources.refresh', { id: s.id });
                      if (!r.ok) throw new Error(r.error?.message ?? 'refresh failed');
                      return `${s.name}: ${r.added.length} added, ${r.updated.length} updated, ${r.retired.length} retired, ${r.restored.length} restored.`;
                    })
                  }
                >
                  Refresh now
                </button>
                <button
                  className="ghost danger"
                  onClick={() => {
                    if (confirm(`Remove the source ${s.name}? Its vCenters stay, in the local list.`))
                      void act(async () => {
                        await api.call('sources.remove', { id: s.id, removeVcenters: false });
                        return `${s.name} removed.`;
                      });
                  }}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {msg && <p className={msg.error ? 'error' : 'muted'}>{msg.error ? msg.text : result}</p>}
      {test && (
        <div className="answer-table-wrap">
          <table className="list small">
            <thead>
              <tr>
                <th>Name</th>
                <th>Address</th>
                <th>Problem</th>
              </tr>
            </thead>
            <tbody>
              {test.result.mapped.map((m, i) => (
                <tr key={i}>
                  <td>{m.name}</td>
                  <td className="mono">{m.url ?? '—'}</td>
                  <td className="error">{m.problem ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
