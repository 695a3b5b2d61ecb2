import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';

/**
 * An optional reason for the audit log and, for what cannot be undone, the flag's key typed out:
 * a deliberate act, not a slipped click.
 */
export const useArchiveForm = ({ confirmKey, onSubmit }: { confirmKey: string | null; onSubmit: (reason: string | undefined) => Promise<unknown> }) => {
  const [reason, setReason] = useState('');
  const [typedKey, setTypedKey] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  // Editing the reason clears its own messages.
  const editReason = (next: string) => {
    setReason(next);
    setErrors((current) => withoutField(current, 'reason'));
  };
  const confirmed = confirmKey === null || typedKey.trim() === confirmKey;

  const submit = async (): Promise<boolean> => {
    // The submit button stays disabled until then; this also stops Enter in the key field.
    if (!confirmed) return false;
    setErrors({});
    setFormError(null);
    setSubmitting(true);
    try {
      await onSubmit(reason.trim() || undefined);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length > 0) setErrors(toFieldErrors(error.fieldErrors));
      setFormError(errorMessage(error));
      return false;
    } finally {
      setSubmitting(false);
    }
  };

  // What closing the dialog would lose: a reason or a key typed.
  const dirty = reason !== '' || typedKey !== '';

  return { reason, setReason: editReason, typedKey, setTypedKey, confirmed, errors, formError, submitting, submit, dirty };
};
