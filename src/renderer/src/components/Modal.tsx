import { useId, useRef } from 'react';
import { useDialog } from '../lib/use-dialog.js';

/**
 * A modal dialog: `aria-modal`, named by its title, focus moved in and kept there, Esc closes it,
 * focus returns to the opener. Forms go inside (a dialog role belongs on a plain element).
 */
export function Modal(props: {
  title: string;
  /** Accessible name when it differs from the visible title. */
  label?: string;
  onClose: () => void;
  className?: string;
  children: React.ReactNode;
}): React.JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const id = useId();
  useDialog(ref, props.onClose);
  return (
    <div className="modal-backdrop">
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        {...(props.label ? { 'aria-label': props.label } : { 'aria-labelledby': `${id}-title` })}
        className={`modal ${props.className ?? ''}`.trim()}
      >
        <h2 id={`${id}-title`}>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}
