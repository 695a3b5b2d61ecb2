import { useState } from 'react';
import { ApiError } from '../../../api/client';
import { type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';

/** Kill and restore forms: a reason (required to kill, and to restore where the environment asks) and the environments. */
export const useKillForm = ({
  initialEnvironments,
  reasonRequired,
  onSubmit,
}: {
  initialEnvironments: string[];
  reasonRequired: boolean;
  onSubmit: (input: { reason: string; environments: string[] }) => Promise<unknown>;
}) => {
  const [reason, setReason] = useState('');
  const [environments, setEnvironments] = useState(initialEnvironments);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  // Editing a field clears its own messages; the other field's stay.
  const editReason = (next: string) => {
    setReason(next);
    setErrors((current) => withoutField(current, 'reason'));
  };
  const toggleEnvironment = (key: string, checked: boolean) => {
    setEnvironments((list) => (checked ? [...new Set([...list, key])] : list.filter((e) => e !== key)));
    setErrors((current) => withoutField(current, 'environments'));
  };

  const submit = async (): Promise<boolean> => {
    const found: FieldErrors = {};
    if (reasonRequired && reason.trim() === '') found.reason = ['Give a reason: operators and the audit log see it'];
    if (environments.length === 0) found.environments = ['Choose at least one environment'];
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return false;
    setSubmitting(true);
    try {
      await onSubmit({ reason: reason.trim(), environments });
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length > 0) setErrors(toFieldErrors(error.fieldErrors));
      setFormError(error instanceof Error ? error.message : 'Failed');
      return false;
    } finally {
      setSubmitting(false);
    }
  };

  // What closing the dialog would lose: a reason typed, or another choice of environments.
  const dirty = reason.trim() !== '' || environments.length !== initialEnvironments.length || environments.some((e) => !initialEnvironments.includes(e));

  return { reason, setReason: editReason, environments, toggleEnvironment, errors, formError, submitting, submit, dirty };
};
