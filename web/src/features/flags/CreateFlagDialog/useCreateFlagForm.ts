import { useState } from 'react';
import { ApiError } from '../../../api/client';
import { type NewFlag, useCreateFlag } from '../../../api/flags';
import type { FlagKind, FlagView, Variant } from '../../../api/types';
import { type FieldErrors, toFieldErrors } from '../../../components/common/fieldErrors';
import { splitList } from '../../../components/common/format';

const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

const parseValue = (kind: FlagKind, text: string): unknown => {
  if (kind === 'number') return Number(text);
  if (kind === 'json') return JSON.parse(text);
  return text;
};

export const useCreateFlagForm = (project: string, onCreated: (flag: FlagView) => void) => {
  const [values, setValues] = useState({ key: '', name: '', kind: 'boolean' as FlagKind, description: '', owner: '', tags: '' });
  const [variants, setVariants] = useState([
    { key: 'v1', value: '' },
    { key: 'v2', value: '' },
  ]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useCreateFlag(project);

  const set = (name: keyof typeof values, value: string) => setValues((v) => ({ ...v, [name]: value }));

  const validate = (): FieldErrors => {
    const found: FieldErrors = {};
    if (!KEY_PATTERN.test(values.key)) found.key = ['lowercase letters, digits, ".", "-" and "_", starting with a letter or digit'];
    if (values.name.trim() === '') found.name = ['give the flag a name'];
    if (values.kind !== 'boolean') {
      variants.forEach((variant, i) => {
        if (variant.key.trim() === '') found[`variants[${i}].key`] = ['name the variant'];
        try {
          const value = parseValue(values.kind, variant.value);
          if (values.kind === 'number' && Number.isNaN(value)) found[`variants[${i}].value`] = ['a number'];
        } catch {
          found[`variants[${i}].value`] = ['valid JSON'];
        }
      });
    }
    return found;
  };

  const submit = async () => {
    const found = validate();
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return;
    const flag: NewFlag = {
      key: values.key,
      name: values.name.trim(),
      kind: values.kind,
      description: values.description.trim() || undefined,
      owner: values.owner.trim() || undefined,
      tags: splitList(values.tags),
      variants:
        values.kind === 'boolean' ? undefined : variants.map((v) => ({ key: v.key.trim(), value: parseValue(values.kind, v.value) }) as Variant),
    };
    try {
      onCreated(await create.mutateAsync(flag));
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length > 0) setErrors(toFieldErrors(error.fieldErrors));
      setFormError(error instanceof Error ? error.message : 'Could not create the flag');
    }
  };

  return { values, set, variants, setVariants, errors, formError, submitting: create.isPending, submit };
};
