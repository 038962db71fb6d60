import { useState } from 'react';
import type { ImportPreview, ImportResult } from '../../../shared/sources.js';
import { api } from '../api/client.js';
import { Modal } from './Modal.js';

async function readFile(
  f: File,
): Promise<{ content: string; encoding: 'utf8' | 'base64'; format: 'csv' | 'xlsx' }> {
  const xlsx = /\.xlsx$/i.test(f.name);
  if (!xlsx) return { content: await f.text(), encoding: 'utf8', format: 'csv' };
  const bytes = new Uint8Array(await f.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { content: btoa(bin), encoding: 'base64', format: 'xlsx' };
}

/** Import a CSV/XLSX vCenter list: a preview of what is added, updated or skipped and why; then all or nothing. */
export function ImportDialog(props: { onClose: (result: ImportResult | null) => void }): React.JSX.Element {
  const [file, setFile] = useState<Awaited<ReturnType<typeof readFile>> | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const pick = async (f: File | undefined): Promise<void> => {
    setPreview(null);
    setError(null);
    if (!f) return;
    setBusy(true);
    try {
      const content = await readFile(f);
      setFile(content);
      setPreview(await api.call('import.preview', content));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const apply = async (): Promise<void> => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      props.onClose(await api.call('import.apply', file));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title="Import a vCenter list"
      label="Import vCenters"
      className="wide"
      onClose={() => props.onClose(null)}
    >
      <p className="muted small">
        CSV (comma, semicolon or tab) or Excel, with columns <code>name, host</code> and optionally{' '}
        <code>port, username, site, tags</code>. Nothing changes until you apply; then every row lands or none
        does.
      </p>
      <input
        type="file"
        accept=".csv,.txt,.xlsx"
        aria-label="vCenter list file"
        onChange={(e) => void pick(e.target.files?.[0])}
      />
      {busy && !preview && <p className="muted">Reading…</p>}
      {preview && (
        <>
          <p data-testid="import-counts">
            {preview.counts.add} to add · {preview.counts.update} to update · {preview.counts.skip} skipped
          </p>
          <div className="answer-table-wrap" tabIndex={0} role="region" aria-label="Import preview">
            <table className="list" data-testid="import-preview">
              <thead>
                <tr>
                  <th>Line</th>
                  <th>Name</th>
                  <th>Address</th>
                  <th>Action</th>
                  <th>Why / login</th>
                </tr>
              </thead>
              <tbody>
                {preview.items.map((i) => (
                  <tr key={i.line} className={`import-${i.action}`}>
                    <td className="num">{i.line}</td>
                    <td>{i.name}</td>
                    <td className="mono small">{i.url ?? '—'}</td>
                    <td>{i.action}</td>
                    <td className="small">{i.reason ?? i.login ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="modal-foot">
        <button className="ghost" onClick={() => props.onClose(null)}>
          Cancel
        </button>
        <button
          onClick={() => void apply()}
          disabled={busy || !preview || preview.counts.add + preview.counts.update === 0}
        >
          Apply {preview ? preview.counts.add + preview.counts.update : ''} changes
        </button>
      </div>
    </Modal>
  );
}
