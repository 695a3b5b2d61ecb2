import { useState } from 'react';
import { ApiError } from '../../../api/client';
import { type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';
import { fromLocalInput, runAtProblem, toLocalInput } from './scheduleTime';

/**
 * The time and reason of a scheduled change, checked before sending; the server's field errors
 * (a config the flag cannot take, a stale base) come back on the same fields.
 */
export const useScheduleForm = ({
  initialRunAt,
  initialReason = '',
  reasonRequired,
  onSubmit,
}: {
  initialRunAt?: string;
  initialReason?: string;
  reasonRequired: boolean;
  onSubmit: (input: { runAt: string; reason: string | undefined }) => Promise<unknown>;
}) => {
  // A new change starts an hour ahead, on the minute.
  const [runAt, setRunAt] = useState(() => toLocalInput(initialRunAt ? new Date(initialRunAt) : new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 3600_000)));
  const [reason, setReason] = useState(initialReason);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const at = fromLocalInput(runAt);

  const submit = async (): Promise<boolean> => {
    const found: FieldErrors = {};
    const timeProblem = runAtProblem(at);
    if (timeProblem) found.runAt = [timeProblem];
    if (reasonRequired && !reason.trim()) found.reason = ['This environment requires a reason for every change'];
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0 || !at) return false;
    setSubmitting(true);
    try {
      await onSubmit({ runAt: at.toISOString(), reason: reason.trim() || undefined });
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.fieldErrors.length > 0) setErrors(toFieldErrors(err.fieldErrors));
      setFormError(err instanceof Error ? err.message : String(err));
      return false;
    } finally {
      setSubmitting(false);
    }
  };

  // Editing a field clears its messages; the others stay until the next submit.
  const editor =
    <T>(path: string, setter: (value: T) => void) =>
    (value: T) => {
      setter(value);
      setErrors((current) => withoutField(current, path));
    };

  return { runAt, setRunAt: editor('runAt', setRunAt), at, reason, setReason: editor('reason', setReason), errors, formError, submitting, submit };
};
