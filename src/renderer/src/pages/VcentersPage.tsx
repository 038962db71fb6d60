import { useEffect, useState } from 'react';
import { EstateExport } from '../components/EstateExport.js';
import type { VcenterWithState } from '../../../shared/vcenter.js';
import { api } from '../api/client.js';
import { CertReviewDialog } from '../components/CertReviewDialog.js';
import { GatedButton } from '../components/GatedButton.js';
import { isFailing } from '../lib/failing.js';
import { useNav } from '../stores/nav.js';
import { ImportDialog } from '../components/ImportDialog.js';
import { SourcesPanel } from '../components/SourcesPanel.js';
import { VcenterDialog } from '../components/VcenterDialog.js';
import { ago } from '../lib/format.js';
import { useStatus } from '../stores/status.js';
import { useVcenters } from '../stores/vcenters.js';

const STATUS_TEXT: Record<string, string> = {
  idle: 'not synced yet',
  queued: 'queued',
  syncing: 'syncing',
  ok: 'ok',
  failed: 'failed',
  certificate_changed: 'certificate changed',
  disabled: 'disabled',
  retired: 'retired (gone from its source)',
  live: 'live',
  catching_up: 'catching up',
  reconnecting: 'reconnecting',
  // Not a failure: the process running the sync ended, or (team server) its instance stopped
  // leading; the data of the last good sync is kept and the next sync reads it again.
  interrupted: 'interrupted (the sync did not finish)',
};

/** vCenters: add, edit, remove, test, per-vCenter status with the last error, retry, sync all. */
export function VcentersPage(props: { openAdd?: boolean; openImport?: boolean }): React.JSX.Element {
  const { list, error, load } = useVcenters();
  const syncing = useStatus((s) => s.syncing);
  const [dialog, setDialog] = useState<{ existing?: VcenterWithState } | null>(props.openAdd ? {} : null);
  const [msg, setMsg] = useState<string | null>(null);
  const [importing, setImporting] = useState(props.openImport ?? false);
  const [review, setReview] = useState<{ ids?: number[] } | null>(null);
  const filter = useNav((s) => s.vcenterFilter);
  const setFilter = useNav((s) => s.setVcenterFilter);
  const failing = list?.filter((v) => isFailing(v.sync.status)) ?? [];
  const shown = filter === 'failing' ? failing : list;

  useEffect(() => {
    void load();
    // A certificate trusted on another instance of a team server: the leader settles the vCenter's
    // state and every instance hears of it as an inventory change of that vCenter.
    const stale = (id: number): boolean => {
      const v = useVcenters.getState().list?.find((x) => x.id === id);
      return (
        v !== undefined &&
        (v.sync.status === 'certificate_changed' ||
          v.awaitingCertReview ||
          v.sync.error?.code === 'TLS_UNTRUSTED')
      );
    };
    const offs = [
      api.on('sync:progress', () => void load()),
      api.on('live:state', () => void load()),
      api.on('inventory:changed', (e) => {
        if (e.vcenterIds.some(stale)) void load();
      }),
    ];
    return () => offs.forEach((o) => o());
  }, [load]);

  const act = async (what: () => Promise<unknown>, ok?: string): Promise<void> => {
    setMsg(null);
    try {
      await what();
      if (ok) setMsg(ok);
    } catch (e) {
      setMsg((e as Error).message);
    }
    await load();
  };

  return (
    <section className="page vcenters">
      <header className="toolbar">
        <h1>vCenters</h1>
        <span className="spacer" />
        <EstateExport />
        <GatedButton call="vcenters.add" what="Adding a vCenter" onClick={() => setDialog({})}>
          Add vCenter
        </GatedButton>
        <GatedButton
          call="import.apply"
          what="Importing a vCenter list"
          className="ghost"
          onClick={() => setImporting(true)}
        >
          Import list…
        </GatedButton>
        <GatedButton
          call="certs.review"
          what="Reviewing certificates"
          className="ghost"
          onClick={() => setReview({})}
        >
          Review certificates
        </GatedButton>
        <GatedButton
          call="sync.start"
          what="Syncing"
          onClick={() => void act(() => api.call('sync.start', {}), 'Sync started.')}
          disabled={!list || list.length === 0}
        >
          Sync all
        </GatedButton>
      </header>
      {filter === 'failing' && list && (
        <p className="filter-note" data-testid="vcenter-filter">
          Showing the {failing.length} vCenter{failing.length === 1 ? '' : 's'} that failed or cannot be
          reached, of {list.length}.{' '}
          <button className="link" onClick={() => setFilter('all')}>
            Show all
          </button>
        </p>
      )}
      {msg && <p role="status">{msg}</p>}
      {error && <p className="error">{error}</p>}
      {list === null && !error && <p className="muted">Loading…</p>}
      {list && list.length === 0 && <p className="muted">No vCenters yet. Add one to start.</p>}
      {shown && list && list.length > 0 && (
        <div className="table-wrap">
          <table className="list vcenter-list" data-testid="vcenter-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Address</th>
                <th>Version</th>
                <th>Status</th>
                <th>Last good sync</th>
                <th className="num">VMs</th>
                <th className="num">Hosts</th>
                <th className="actions-col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((v) => {
                const live = syncing[v.id];
                const status = live ? live.phase : v.sync.status;
                return (
                  <tr key={v.id} data-vcenter={v.name}>
                    <td>
                      <strong>{v.name}</strong>
                      {!v.enabled && <span className="badge">disabled</span>}
                      {v.awaitingCertReview && (
                        <div>
                          <button
                            type="button"
                            className="link small"
                            data-testid="awaiting-review"
                            title="Its source added or moved it: vMiner sends it no password until its certificate is reviewed"
                            onClick={() => setReview({ ids: [v.id] })}
                          >
                            certificate to review
                          </button>
                        </div>
                      )}
                    </td>
                    <td className="mono small">
                      {v.url}
                      {v.source && <div className="muted">from source {v.source.name}</div>}
                    </td>
                    <td>{v.version ?? <span className="muted">—</span>}</td>
                    <td>
                      <span
                        className={`status status-${live ? 'syncing' : v.sync.status}`}
                        data-testid="vc-status"
                      >
                        {live
                          ? `${status}${live.objects ? ` (${live.objects.toLocaleString()} objects)` : ''}`
                          : (STATUS_TEXT[status] ?? status)}
                      </span>
                      {v.sync.error && !live && (
                        <div className="error small detail" title={v.sync.error.code} data-testid="vc-error">
                          {v.sync.error.message}
                        </div>
                      )}
                      {!v.sync.error && v.sync.detail && !live && (
                        <div className="muted small detail">{v.sync.detail}</div>
                      )}
                    </td>
                    <td title={v.sync.lastSuccessAt ?? ''}>{ago(v.sync.lastSuccessAt)}</td>
                    <td className="num">{v.sync.counts?.vms?.toLocaleString() ?? '—'}</td>
                    <td className="num">{v.sync.counts?.hosts?.toLocaleString() ?? '—'}</td>
                    <td className="actions-col">
                      <div className="actions">
                        <GatedButton
                          call="sync.start"
                          what="Syncing"
                          aria-label={`${v.sync.status === 'failed' ? 'Retry' : 'Sync'} ${v.name}`}
                          onClick={() => void act(() => api.call('sync.start', { vcenterIds: [v.id] }))}
                          disabled={Boolean(live) || !v.enabled}
                        >
                          {v.sync.status === 'failed' ? 'Retry' : 'Sync'}
                        </GatedButton>
                        <GatedButton
                          call="vcenters.update"
                          what="Editing a vCenter"
                          className="ghost"
                          onClick={() => setDialog({ existing: v })}
                        >
                          Edit
                        </GatedButton>
                        <GatedButton
                          call="vcenters.update"
                          what={v.enabled ? 'Disabling a vCenter' : 'Enabling a vCenter'}
                          className="ghost"
                          onClick={() =>
                            void act(() => api.call('vcenters.update', { id: v.id, enabled: !v.enabled }))
                          }
                        >
                          {v.enabled ? 'Disable' : 'Enable'}
                        </GatedButton>
                        <GatedButton
                          call="vcenters.remove"
                          what="Removing a vCenter"
                          className="ghost danger"
                          onClick={() => {
                            if (confirm(`Remove ${v.name} and its cached inventory?`))
                              void act(() => api.call('vcenters.remove', { id: v.id }), `${v.name} removed.`);
                          }}
                        >
                          Remove
                        </GatedButton>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <SourcesPanel onChanged={() => void load()} />
      {importing && (
        <ImportDialog
          onClose={(r) => {
            setImporting(false);
            if (!r) return;
            setMsg(`Imported: ${r.counts.add} added, ${r.counts.update} updated, ${r.counts.skip} skipped.`);
            void load();
            if (r.addedIds.length > 0) setReview({ ids: r.addedIds });
          }}
        />
      )}
      {review && (
        <CertReviewDialog
          {...(review.ids ? { vcenterIds: review.ids } : {})}
          onClose={(n) => {
            setReview(null);
            if (n > 0) setMsg(`Trusted ${n} certificate${n === 1 ? '' : 's'}. Sync to fill the cache.`);
            void load();
          }}
        />
      )}
      {dialog && (
        <VcenterDialog
          {...(dialog.existing ? { existing: dialog.existing } : {})}
          onClose={() => setDialog(null)}
          onSaved={(v) => {
            setDialog(null);
            setMsg(`${v.name} saved. Sync it to fill the cache.`);
            void load();
          }}
        />
      )}
    </section>
  );
}
