import type { CopyState } from '../lib/use-grid-copy.js';

/** The grid's copy line: progress with Cancel, the outcome, or a click to finish a refused write. */
export function CopyStatus(props: {
  state: CopyState;
  /** The sort or filter changed and took a selection with it. */
  cleared: boolean;
  onCancel: () => void;
  onWrite: () => void;
}): React.JSX.Element | null {
  const { state } = props;
  const line = ((): React.JSX.Element | null => {
    switch (state.phase) {
      case 'idle':
        return null;
      case 'copying':
        return (
          <p className="copy-status" role="status" data-testid="copy-status">
            <span>Copying {state.count.toLocaleString()} rows…</span>
            <progress max={state.count} value={state.done} aria-label="Rows copied" />
            <span className="muted">{state.done.toLocaleString()} read</span>
            <button onClick={props.onCancel}>Cancel</button>
          </p>
        );
      case 'ready':
        return (
          <p className="copy-status" role="status" data-testid="copy-status">
            <span>
              {state.count.toLocaleString()} rows are ready; the browser needs one more click to put them on
              the clipboard.
            </span>
            <button onClick={props.onWrite}>Copy to clipboard</button>
          </p>
        );
      case 'message':
        return (
          <p
            className={`copy-status ${state.error ? 'error' : 'muted'}`}
            role="status"
            data-testid="copy-status"
          >
            {state.text}
          </p>
        );
    }
  })();
  return (
    <>
      {line}
      {props.cleared && (
        <p className="muted small" role="status" data-testid="selection-cleared">
          Selection cleared: a selection is by row position, and the sort or filter changed.
        </p>
      )}
    </>
  );
}
