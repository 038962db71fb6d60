import { useState } from 'react';
import type { ExportSpec } from '../../../shared/ipc.js';
import { exportView, isDesktop, type ExportFormat } from '../api/client.js';

/** "Export" for a grid view or an answer: the save dialog on the desktop, downloads in a browser. */
export function ExportButtons(props: { spec: () => ExportSpec; compact?: boolean }): React.JSX.Element {
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ text: string; error: boolean } | null>(null);
  const run = async (format: ExportFormat): Promise<void> => {
    setBusy(true);
    setMsg(null);
    try {
      const done = await exportView(props.spec(), format);
      if (done) setMsg({ text: done, error: false });
    } catch (e) {
      setMsg({ text: `Export failed: ${(e as Error).message}`, error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="export-buttons">
      {(['csv', 'xlsx', 'json'] as const).map((f) => (
        <button key={f} onClick={() => void run(f)} disabled={busy} data-export={f}>
          {props.compact ? f.toUpperCase() : `Export ${f === 'xlsx' ? 'Excel' : f.toUpperCase()}`}
          {isDesktop ? '…' : ''}
        </button>
      ))}
      {msg && (
        <span className={msg.error ? 'error' : 'muted'} role="status">
          {msg.text}
        </span>
      )}
    </span>
  );
}
