import { type KeyboardEvent, type ReactNode, type RefObject, useEffect, useId, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { focusableIn } from './focusable';
import './Dialog.css';

/**
 * A modal dialog: focus moves in on open (to `initialFocus`, else the first field), Tab and Shift+Tab
 * cycle inside it, Escape closes, and focus returns to the opener on close. While `dirty`, Escape, a
 * backdrop click and the × ask before discarding what was typed; Cancel inside the form is an explicit
 * choice and closes at once. It renders at the end of the body, so the styles and stacking of whatever
 * opened it (the dark top bar, a banner) do not leak into it.
 */
export const Dialog = ({
  title,
  onClose,
  children,
  tone = 'default',
  initialFocus,
  dirty = false,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  tone?: 'default' | 'danger';
  /** What gets focus on open, e.g. the field the user most likely types into first. */
  initialFocus?: RefObject<HTMLElement | null>;
  /** The form holds changes that closing would lose. */
  dirty?: boolean;
}) => {
  const titleId = useId();
  const panel = useRef<HTMLDivElement>(null);
  const keepEditing = useRef<HTMLButtonElement>(null);
  // Where focus was when the user asked to close, to go back there on "Keep editing".
  const focusBeforeConfirm = useRef<HTMLElement | null>(null);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const target = initialFocus?.current ?? panel.current?.querySelector<HTMLElement>('textarea, input, select, button:not([data-close])');
    target?.focus();
    return () => opener?.focus?.();
    // A ref object never changes: this runs once, on open.
  }, [initialFocus]);

  // Focus that leaves the dialog some other way than Tab (a click on the page behind, a script) comes back.
  useEffect(() => {
    const onFocusIn = (event: FocusEvent) => {
      const node = panel.current;
      const target = event.target as Node | null;
      if (!node || !target || node.contains(target)) return;
      // Another dialog opened over this one traps focus itself.
      if (target instanceof Element && target.closest('[data-dialog]')) return;
      focusableIn(node)[0]?.focus();
    };
    document.addEventListener('focusin', onFocusIn);
    return () => document.removeEventListener('focusin', onFocusIn);
  }, []);

  useEffect(() => {
    if (confirming) keepEditing.current?.focus();
  }, [confirming]);

  const requestClose = () => {
    if (!dirty) {
      onClose();
      return;
    }
    focusBeforeConfirm.current = document.activeElement as HTMLElement | null;
    setConfirming(true);
  };

  const resume = () => {
    setConfirming(false);
    const previous = focusBeforeConfirm.current;
    // After the confirmation strip is gone, so focus lands in the form again.
    queueMicrotask(() => (previous && panel.current?.contains(previous) ? previous : panel.current && focusableIn(panel.current)[0])?.focus());
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      if (confirming) resume();
      else requestClose();
      return;
    }
    if (e.key !== 'Tab' || !panel.current) return;
    const items = focusableIn(panel.current);
    if (items.length === 0) {
      e.preventDefault();
      return;
    }
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const active = document.activeElement as HTMLElement | null;
    const inside = !!active && items.includes(active);
    if (e.shiftKey && (active === first || !inside)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !inside)) {
      e.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && (confirming ? resume() : requestClose())}>
      <div ref={panel} className={`dialog dialog-${tone}`} role="dialog" aria-modal="true" aria-labelledby={titleId} data-dialog="" onKeyDown={onKeyDown}>
        <header className="dialog-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="btn-icon" aria-label="Close" data-close onClick={requestClose} inert={confirming}>
            ×
          </button>
        </header>
        {confirming && (
          <div className="dialog-confirm" role="alert" aria-label="Discard changes?">
            <p>
              <strong>Discard your changes?</strong> What you typed here has not been saved.
            </p>
            <div className="dialog-actions">
              <button ref={keepEditing} type="button" className="btn btn-primary" onClick={resume}>
                Keep editing
              </button>
              <button type="button" className="btn btn-danger" onClick={onClose}>
                Discard changes
              </button>
            </div>
          </div>
        )}
        {/* While the user decides, the form cannot take focus: Tab cycles the two choices. */}
        <div className="dialog-body" inert={confirming}>
          {children}
        </div>
      </div>
    </div>,
    document.body,
  );
};
