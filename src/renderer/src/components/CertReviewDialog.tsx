import { useEffect, useState } from 'react';
import type { CertReviewItem } from '../../../shared/sources.js';
import { api } from '../api/client.js';
import { Modal } from './Modal.js';

/**
 * Bulk certificate trust: what each new (or renewed) vCenter presents now, reviewed together.
 * Only the thumbprints shown here are pinned.
 */
export function CertReviewDialog(props: {
  vcenterIds?: number[];
  onClose: (trusted: number) => void;
}): React.JSX.Element {
  const [items, setItems] = useState<CertReviewItem[] | null>(null);
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .call('certs.review', props.vcenterIds ? { vcenterIds: props.vcenterIds } : {})
      .then((r) => {
        setItems(r);
        setPicked(
          new Set(
            r
              .filter((i) => i.thumbprint && (i.state === 'new' || i.state === 'changed'))
              .map((i) => i.vcenterId),
          ),
        );
      })
      .catch((e: unknown) => setError((e as Error).message));
  }, [props.vcenterIds]);

  const trust = async (): Promise<void> => {
    if (!items) return;
    setBusy(true);
    setError(null);
    try {
      const chosen = items.filter((i) => picked.has(i.vcenterId) && i.thumbprint);
      const r = await api.call('certs.trust', {
        items: chosen.map((i) => ({ vcenterId: i.vcenterId, thumbprint: i.thumbprint! })),
      });
      props.onClose(r.trusted.length);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const reviewable = items?.filter((i) => i.state === 'new' || i.state === 'changed') ?? [];
  return (
    <Modal title="Review certificates" className="wide" onClose={() => props.onClose(0)}>
      <p className="muted small">
        Compare each thumbprint with what the vCenter shows (or your PKI records) before trusting it.
      </p>
      {!items && !error && <p className="muted">Connecting to each vCenter…</p>}
      {items && items.length === 0 && <p className="muted">Nothing to review.</p>}
      {items && items.length > 0 && (
        <table className="list" data-testid="cert-review">
          <thead>
            <tr>
              <th>
                <span className="sr-only">Trust</span>
              </th>
              <th>vCenter</th>
              <th>State</th>
              <th>SHA-256 thumbprint presented</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.vcenterId}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Trust ${i.name}`}
                    disabled={!i.thumbprint || i.state === 'trusted' || i.state === 'unreachable'}
                    checked={picked.has(i.vcenterId)}
                    onChange={(e) => {
                      const next = new Set(picked);
                      if (e.target.checked) next.add(i.vcenterId);
                      else next.delete(i.vcenterId);
                      setPicked(next);
                    }}
                  />
                </td>
                <td>
                  <strong>{i.name}</strong>
                  <div className="mono small muted">{i.url}</div>
                </td>
                <td>
                  {i.state === 'changed' ? (
                    <span className="warning small">changed (was {i.pinned?.slice(0, 23)}…)</span>
                  ) : i.state === 'unreachable' ? (
                    <span className="error small">{i.error ?? 'unreachable'}</span>
                  ) : i.trustedByCa ? (
                    'trusted by a CA'
                  ) : (
                    i.state
                  )}
                </td>
                <td className="mono small">{i.thumbprint ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {error && <p className="error">{error}</p>}
      <div className="modal-foot">
        <button className="ghost" onClick={() => props.onClose(0)}>
          Close
        </button>
        <button onClick={() => void trust()} disabled={busy || picked.size === 0 || reviewable.length === 0}>
          Trust {picked.size} selected
        </button>
      </div>
    </Modal>
  );
}
