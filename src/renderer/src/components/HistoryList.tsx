import { useEffect, useState } from 'react';
import type { ChangeRow } from '../../../shared/changes.js';
import { api } from '../api/client.js';
import { describeChange } from '../lib/changes-view.js';

/** One object's changes, newest first (the row drawer's History tab). */
export function HistoryList(props: { vcenterId: number; moid: string }): React.JSX.Element {
  const [rows, setRows] = useState<ChangeRow[] | null>(null);
  const [more, setMore] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setRows(null);
    setError(null);
    api
      .call('changes.list', { vcenterId: props.vcenterId, moid: props.moid, limit: 100, counts: false })
      .then((p) => {
        if (!live) return;
        setRows(p.items);
        setMore(p.nextCursor);
      })
      .catch((e: unknown) => live && setError((e as Error).message));
    return () => {
      live = false;
    };
  }, [props.vcenterId, props.moid]);

  const older = async (): Promise<void> => {
    if (!more) return;
    try {
      const p = await api.call('changes.list', {
        vcenterId: props.vcenterId,
        moid: props.moid,
        limit: 100,
        counts: false,
        cursor: more,
      });
      setRows([...(rows ?? []), ...p.items]);
      setMore(p.nextCursor);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (error) return <p className="error">{error}</p>;
  if (rows === null) return <p className="muted">Loading…</p>;
  if (rows.length === 0)
    return (
      <p className="muted">No changes recorded for this object (the history starts with its first sync).</p>
    );
  return (
    <>
      <ol className="history-list" aria-label="History">
        {rows.map((r) => (
          <li key={r.id} data-change-id={r.id}>
            <time dateTime={r.at}>{new Date(r.at).toLocaleString()}</time> ·{' '}
            <strong>{describeChange(r)}</strong>{' '}
            <span className="muted small">
              ({r.source}
              {r.objectName ? `, named ${r.objectName}` : ''})
            </span>
          </li>
        ))}
      </ol>
      {more && <button onClick={() => void older()}>Show older changes</button>}
    </>
  );
}
