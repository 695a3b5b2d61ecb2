import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { type IssuedTrigger, useCreateTrigger } from '../../../api/triggers';
import { type FieldErrors, toFieldErrors } from '../../../components/common/fieldErrors';

/** The "new trigger URL" form: name, description, whether a resolved alert restores the flag. */
export const useTriggerForm = (project: string, flag: string, environment: string, onIssued: (issued: IssuedTrigger) => void) => {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [restoreOnResolve, setRestoreOnResolve] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useCreateTrigger(project, flag, environment);

  const submit = async () => {
    const trimmed = name.trim();
    if (!trimmed) {
      setErrors({ name: ['name the trigger after what calls it, e.g. pagerduty-checkout'] });
      return;
    }
    if (trimmed.length > 100) {
      setErrors({ name: ['at most 100 characters'] });
      return;
    }
    setErrors({});
    try {
      const issued = await create.mutateAsync({ name: trimmed, description: description.trim() || undefined, restoreOnResolve });
      setName('');
      setDescription('');
      setRestoreOnResolve(false);
      onIssued(issued);
    } catch (error) {
      setErrors(error instanceof ApiError && error.fieldErrors.length > 0 ? toFieldErrors(error.fieldErrors) : { name: [errorMessage(error)] });
    }
  };

  return { name, setName, description, setDescription, restoreOnResolve, setRestoreOnResolve, errors, submit, pending: create.isPending };
};
