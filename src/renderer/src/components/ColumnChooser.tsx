import { useEffect, useRef, useState } from 'react';
import { FIELDS, type FieldDef, type QueryEntity } from '../../../shared/fields.js';
import { useDialog } from '../lib/use-dialog.js';

/** The open popover: focus moves in, Esc or a click outside closes it, focus returns to the button. */
function Popover(props: {
  label: string;
  anchor: React.RefObject<HTMLElement | null>;
  onClose: () => void;
  children: React.ReactNode;
}): React.JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  useDialog(ref, props.onClose);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  useEffect(() => {
    const onDown = (e: MouseEvent): void => {
      if (e.target instanceof Node && !props.anchor.current?.contains(e.target)) close.current();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [props.anchor]);
  return (
    <div className="popover" role="dialog" aria-label={props.label} ref={ref}>
      {props.children}
    </div>
  );
}

/** Pick and order a grid's columns (remembered per grid). */
export function ColumnChooser(props: {
  entity: QueryEntity;
  columns: string[];
  onChange: (columns: string[]) => void;
  onReset: () => void;
}): React.JSX.Element {
  const [open, setOpen] = useState(false);
  const anchor = useRef<HTMLSpanElement>(null);
  const all = Object.entries(FIELDS[props.entity] as Record<string, FieldDef>);
  const move = (field: string, by: number): void => {
    const cols = [...props.columns];
    const i = cols.indexOf(field);
    const j = i + by;
    if (i < 0 || j < 0 || j >= cols.length) return;
    [cols[i], cols[j]] = [cols[j]!, cols[i]!];
    props.onChange(cols);
  };
  const toggle = (field: string): void => {
    if (props.columns.includes(field)) {
      if (props.columns.length > 1) props.onChange(props.columns.filter((c) => c !== field));
    } else props.onChange([...props.columns, field]);
  };
  const shown = props.columns.map((c) => [c, (FIELDS[props.entity] as Record<string, FieldDef>)[c]] as const);
  const hidden = all.filter(([f]) => !props.columns.includes(f));
  return (
    <span className="popover-anchor" ref={anchor}>
      <button onClick={() => setOpen(!open)} aria-expanded={open} aria-haspopup="dialog">
        Columns
      </button>
      {open && (
        <Popover label="Choose columns" anchor={anchor} onClose={() => setOpen(false)}>
          <ul className="col-list">
            {shown.map(([f, def], i) => (
              <li key={f}>
                <label>
                  <input type="checkbox" checked onChange={() => toggle(f)} /> {def?.label ?? f}
                </label>
                <button
                  className="ghost"
                  disabled={i === 0}
                  onClick={() => move(f, -1)}
                  aria-label={`Move ${def?.label ?? f} left`}
                >
                  ↑
                </button>
                <button
                  className="ghost"
                  disabled={i === shown.length - 1}
                  onClick={() => move(f, 1)}
                  aria-label={`Move ${def?.label ?? f} right`}
                >
                  ↓
                </button>
              </li>
            ))}
            {hidden.map(([f, def]) => (
              <li key={f}>
                <label>
                  <input type="checkbox" checked={false} onChange={() => toggle(f)} /> {def.label}
                </label>
              </li>
            ))}
          </ul>
          <div className="popover-foot">
            <button className="ghost" onClick={props.onReset}>
              Reset to defaults
            </button>
            <button onClick={() => setOpen(false)}>Done</button>
          </div>
        </Popover>
      )}
    </span>
  );
}
