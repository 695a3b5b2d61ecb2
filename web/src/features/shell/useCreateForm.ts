import { useState } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import { type FieldErrors, toFieldErrors } from '../../components/common/fieldErrors';
import { KEY_HINT, KEY_PATTERN } from '../../components/common/keys';

/**
 * A "new project / new environment" form: a key and a name checked here, the rest by the API (its
 * messages land next to their fields), and what was created kept to show its SDK keys once.
 */
export const useCreateForm = <V extends { key: string; name: string }, R>(
  initial: V,
  what: string,
  create: (values: V) => Promise<R>,
  onCreated: (created: R) => void,
) => {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<R | null>(null);
  const [submitting, setSubmitting] = useState(false);

  // A field's old message goes as soon as the user changes it.
  const set = <K extends keyof V>(name: K, value: V[K]) => {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors(({ [name as string]: _changed, ...rest }) => rest);
  };

  const submit = async () => {
    const found: FieldErrors = {};
    if (!KEY_PATTERN.test(values.key)) found.key = [KEY_HINT];
    if (values.name.trim() === '') found.name = [`give the ${what} a name`];
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return;
    setSubmitting(true);
    try {
      const result = await create(values);
      setCreated(result);
      onCreated(result);
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length > 0) setErrors(toFieldErrors(error.fieldErrors));
      setFormError(errorMessage(error));
    } finally {
      setSubmitting(false);
    }
  };

  // What closing the dialog would lose: anything typed, until it is created (then it shows the SDK keys).
  const dirty = created === null && (Object.keys(initial) as (keyof V)[]).some((name) => values[name] !== initial[name]);

  return { values, set, errors, formError, created, submitting, submit, dirty };
};
