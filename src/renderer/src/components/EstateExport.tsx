import { useState } from 'react';
import { exportView, isDesktop } from '../api/client.js';

/**
 * The whole estate in one file: the usual workbook (one sheet per entity), or a workbook in
 * RVTools' layout for the tools that read RVTools exports. Desktop: the save dialog for that file
 * type; browser: a download.
 */
export function EstateExport(): React.JSX.Element {
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ text: string; error: boolean } | null>(null);
  const run = async (format: 'xlsx' | 'rvtools'): Promise<void> => {
    setBusy(true);
    setMsg(null);
    try {
      const done = await exportView({}, format);
      if (done) setMsg({ text: done, error: false });
    } catch (e) {
      setMsg({ text: `Export failed: ${(e as Error).message}`, error: true });
    } finally {
      setBusy(false);
    }
  };
  const dots = isDesktop ? '…' : '';
  return (
    <span className="export-buttons">
      <button className="ghost" onClick={() => void run('xlsx')} disabled={busy} data-export="estate-xlsx">
        Export estate{dots}
      </button>
      <button
        className="ghost"
        onClick={() => void run('rvtools')}
        disabled={busy}
        data-export="rvtools"
        title="One workbook with RVTools' sheets and headers (vInfo, vDisk, vNetwork, vHost…), for the tools that read RVTools exports"
      >
        RVTools layout{dots}
      </button>
      {msg && (
        <span className={msg.error ? 'error' : 'muted'} role="status">
          {msg.text}
        </span>
      )}
    </span>
  );
}
