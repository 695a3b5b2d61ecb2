/** The end of a dialog form: the form-level error, Cancel, and the submit button ("Working…" while it submits). */
export const FormActions = ({
  error,
  onCancel,
  submitLabel,
  submitting,
  disabled = false,
  danger = false,
}: {
  error: string | null | undefined;
  onCancel: () => void;
  submitLabel: string;
  submitting: boolean;
  disabled?: boolean;
  danger?: boolean;
}) => (
  <>
    {error && (
      <p className="form-error" role="alert">
        {error}
      </p>
    )}
    <div className="dialog-actions">
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} disabled={submitting || disabled}>
        {submitting ? 'Working…' : submitLabel}
      </button>
    </div>
  </>
);
