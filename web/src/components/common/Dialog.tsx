import { type ReactNode, useEffect, useId, useRef } from 'react';
import { createPortal } from 'react-dom';

/**
 * A modal dialog: focus moves in on open, Escape closes, focus returns to the opener on close.
 * It renders at the end of the body, so the styles and stacking of whatever opened it (the dark top
 * bar, a banner) do not leak into it.
 */
export const Dialog = ({
  title,
  onClose,
  children,
  tone = 'default',
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  tone?: 'default' | 'danger';
}) => {
  const titleId = useId();
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const first = panel.current?.querySelector<HTMLElement>('textarea, input, select, button:not([data-close])');
    first?.focus();
    return () => opener?.focus?.();
  }, []);
  return createPortal(
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={panel}
        className={`dialog dialog-${tone}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
        }}
      >
        <header className="dialog-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="btn-icon" aria-label="Close" data-close onClick={onClose}>
            ×
          </button>
        </header>
        {children}
      </div>
    </div>,
    document.body,
  );
};
