import { type ReactNode, useId } from 'react';
import { describedBy, FieldMessage } from './FieldMessage';
import { errorsFor, type FieldErrors } from './fieldErrors';

/** The sticky bar under a form: why (for the audit log), the outcome of the last save, Discard and Save. */
/** What the bar reads from a versioned edit form (see features/flags/useVersionedEdit). */
export interface SaveBarForm {
  reason: string;
  setReason: (reason: string) => void;
  errors: FieldErrors;
  formError: string | null;
  savedVersion: number | null;
  dirty: boolean;
  saving: boolean;
  /** Saving waits for a version conflict to be resolved first. */
  conflict: unknown;
  discard: () => void;
}

/** `outcome` replaces "Saved as version N" when the last save became something else (a change request). */
export const SaveBar = ({ form, reasonLabel, saveLabel, outcome }: { form: SaveBarForm; reasonLabel: string; saveLabel: string; outcome?: ReactNode }) => {
  const { reason, setReason: onReasonChange, formError, savedVersion, dirty, saving, discard: onDiscard } = form;
  const reasonMessages = errorsFor(form.errors, 'reason');
  const blocked = !!form.conflict;
  const reasonId = useId();
  return (
    <div className="save-bar" aria-label="Save changes">
      <div className="save-reason">
        <label htmlFor={reasonId}>{reasonLabel}</label>
        <input
          id={reasonId}
          value={reason}
          placeholder="Why are you changing this?"
          onChange={(e) => onReasonChange(e.target.value)}
          {...describedBy('reason', reasonMessages)}
        />
        <FieldMessage path="reason" messages={reasonMessages} />
      </div>
      <div className="save-actions">
        {formError && (
          <p className="form-error" role="alert">
            {formError}
          </p>
        )}
        {outcome && !dirty && outcome}
        {savedVersion !== null && !dirty && (
          <p className="saved" role="status">
            Saved as version {savedVersion}
          </p>
        )}
        <button type="button" className="btn" disabled={!dirty || saving} onClick={onDiscard}>
          Discard
        </button>
        <button type="submit" className="btn btn-primary" disabled={!dirty || saving || blocked}>
          {saving ? 'Saving…' : saveLabel}
        </button>
      </div>
    </div>
  );
};
