import { type ReactNode, useRef, useState } from 'react';
import { errorMessage } from '../../../api/client';
import { Dialog } from '../../../components/common/Dialog';

/**
 * Asks before an access change takes effect. Cancel (or Escape) changes nothing; the confirm button
 * runs `onConfirm` and the dialog closes when it succeeds, or stays open showing why it failed.
 * A dangerous change starts on Cancel, so Enter alone never does it; a plain one starts on confirm.
 */
export const ConfirmDialog = ({
  title,
  children,
  confirmLabel,
  tone = 'default',
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  tone?: 'default' | 'danger';
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) => {
  const cancel = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setPending(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (failure) {
      setError(errorMessage(failure));
      setPending(false);
    }
  };
  return (
    <Dialog title={title} onClose={onClose} tone={tone} initialFocus={tone === 'danger' ? cancel : confirm}>
      {children}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button ref={cancel} type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button ref={confirm} type="button" className={`btn ${tone === 'danger' ? 'btn-danger' : 'btn-primary'}`} disabled={pending} onClick={() => void run()}>
          {pending ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
};
