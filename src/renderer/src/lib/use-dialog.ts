import { useEffect, useRef } from 'react';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Open dialogs, innermost last: Esc closes only the innermost. */
const stack: HTMLElement[] = [];

function focusables(el: HTMLElement): HTMLElement[] {
  return [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (x) => x.offsetParent !== null || x === document.activeElement,
  );
}

/**
 * A dialog's keyboard behaviour: focus moves into it when it opens (to `[data-autofocus]`, else the
 * first field or button), Tab and Shift+Tab stay inside it, Esc closes it, and focus goes back to
 * whatever opened it when it closes.
 */
export function useDialog(ref: React.RefObject<HTMLElement | null>, onClose: () => void): void {
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    stack.push(el);
    const first =
      el.querySelector<HTMLElement>('[data-autofocus]') ??
      focusables(el).find((x) => x.matches('input, select, textarea')) ??
      focusables(el)[0] ??
      el;
    if (first === el && !el.hasAttribute('tabindex')) el.tabIndex = -1;
    first.focus({ preventScroll: true });
    const onKey = (e: KeyboardEvent): void => {
      if (stack.at(-1) !== el) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        close.current();
      } else if (e.key === 'Tab' && el.contains(document.activeElement)) {
        const all = focusables(el);
        if (all.length === 0) return;
        const at = all.indexOf(document.activeElement as HTMLElement);
        if (e.shiftKey && at <= 0) {
          e.preventDefault();
          all.at(-1)!.focus();
        } else if (!e.shiftKey && at === all.length - 1) {
          e.preventDefault();
          all[0]!.focus();
        }
      }
    };
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      const i = stack.lastIndexOf(el);
      if (i >= 0) stack.splice(i, 1);
      // Back to the opener, if it is still on the page (a removed row's button is not).
      if (opener && opener.isConnected) opener.focus({ preventScroll: true });
    };
    // Runs once per opening: the dialog element lives as long as the dialog.
  }, [ref]);
}
