import { useCallback, useEffect, useRef, useState } from 'react';
import type { SourceInfo, SourceTestResult } from '../../../shared/sources.js';
import { api } from '../api/client.js';
import { useNotice } from '../lib/use-notice.js';
import { ago } from '../lib/format.js';
import { KIND_LABEL, summarizeTest, testSummaryText } from '../lib/source-form.js';
import { GatedButton } from './GatedButton.js';
import { SourceDialog } from './SourceDialog.js';
import { SourceTestView } from './SourceTestView.js';

/**
 * SQL sources of the vCenter list: add / edit (a dialog), state of the last refresh, Test (first
 * rows), Refresh now, Remove. A scheduled refresh (the `sources:refreshed` event) reloads the list.
 */
export function SourcesPanel(props: { onChanged: () => void }): React.JSX.Element {
  const [sources, setSources] = useState<SourceInfo[] | null>(null);
  const [result, setResult] = useState('');
  const [test, setTest] = useState<{ id: number; result: SourceTestResult } | null>(null);
  const [msg, notice] = useNotice();
  const [loadError, setLoadError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<{ existing?: SourceInfo } | null>(null);
  // The page passes a new function each render: keep the latest without re-subscribing.
  const onChanged = useRef(props.onChanged);
  useEffect(() => {
    onChanged.current = props.onChanged;
  });

  const load = useCallback((): void => {
    api
      .call('sources.list', {})
      .then((list) => {
        setSources(list);
        setLoadError(null);
      })
      .catch((e: unknown) => setLoadError((e as Error).message));
  }, []);
  useEffect(() => {
    load();
    return api.on('sources:refreshed', () => {
      load();
      onChanged.current();
    });
  }, [load]);

  const act = async (f: () => Promise<string>): Promise<void> => {
    let done = '';
    await notice(async () => {
      done = await f();
    }, '');
    setResult(done);
    load();
    onChanged.current();
  };

  const dialogDone = (saved: SourceInfo | null, text: string): void => {
    setDialog(null);
    if (!saved) return;
    void act(async () => text);
  };

  return (
    <section className="sources">
      <div className="row">
        <h2>SQL sources</h2>
        <span className="spacer" />
        <GatedButton call="sources.add" what="Adding a SQL source" onClick={() => setDialog({})}>
          Add SQL source
        </GatedButton>
      </div>
      {loadError && <p className="error small">SQL sources: {loadError}</p>}
      {sources !== null && sources.length === 0 && (
        <p className="muted small">
          No SQL source. A CMDB table on SQL Server or PostgreSQL can feed this list on its own schedule.
        </p>
      )}
      {sources !== null && sources.length > 0 && (
        <table className="list" data-testid="sources">
          <thead>
            <tr>
              <th>Name</th>
              <th>Server</th>
              <th>vCenters</th>
              <th>Last refresh</th>
              <th>Every</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sources.map((s) => (
              <tr key={s.id} data-source={s.name}>
                <td>
                  <strong>{s.name}</strong> <span className="muted small">{KIND_LABEL[s.kind]}</span>
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
                  {s.warnings.map((w) => (
                    <div key={w} className="warning small" data-testid="source-warning">
                      {w}
                    </div>
                  ))}
                </td>
                <td data-testid="source-every">
                  {s.refreshMinutes} min{!s.enabled && <span className="badge">schedule off</span>}
                </td>
                <td className="actions">
                  <GatedButton
                    call="sources.test"
                    what="Testing a SQL source"
                    className="ghost"
                    onClick={() =>
                      void act(async () => {
                        setTest(null);
                        const result = await api.call('sources.test', { id: s.id });
                        setTest({ id: s.id, result });
                        return `${s.name}: ${testSummaryText(summarizeTest(result, s.config.mapping.enabled))}`;
                      })
                    }
                  >
                    Test
                  </GatedButton>
                  <GatedButton
                    call="sources.refresh"
                    what="Refreshing a SQL source"
                    onClick={() =>
                      void act(async () => {
                        const r = await api.call('sources.refresh', { id: s.id });
                        if (!r.ok) throw new Error(r.error?.message ?? 'refresh failed');
                        return `${s.name}: ${r.added.length} added, ${r.updated.length} updated, ${r.retired.length} retired, ${r.restored.length} restored.`;
                      })
                    }
                  >
                    Refresh now
                  </GatedButton>
                  <GatedButton
                    call="sources.update"
                    what="Editing a SQL source"
                    className="ghost"
                    onClick={() => setDialog({ existing: s })}
                  >
                    Edit
                  </GatedButton>
                  <GatedButton
                    call="sources.remove"
                    what="Removing a SQL source"
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
                  </GatedButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {msg && <p className={msg.error ? 'error' : 'muted'}>{msg.error ? msg.text : result}</p>}
      {test && (
        <SourceTestView
          result={test.result}
          enabledColumn={sources?.find((x) => x.id === test.id)?.config.mapping.enabled ?? null}
        />
      )}
      {dialog && (
        <SourceDialog
          {...(dialog.existing ? { existing: dialog.existing } : {})}
          onClose={(saved) => dialogDone(saved, saved ? `${saved.name} saved.` : '')}
          onSaved={(saved) =>
            dialogDone(
              saved,
              `${saved.name} saved${saved.vcenters === 0 ? ': Refresh now brings in its vCenters.' : '.'}`,
            )
          }
        />
      )}
    </section>
  );
}
