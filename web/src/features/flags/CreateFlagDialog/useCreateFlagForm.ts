import { useState } from 'react';
import { ApiError } from '../../../api/client';
import { type FlagView, type NewFlag, useCreateFlag } from '../../../api/flags';
import type { FlagKind } from '@signalbox/sdk/core';
import { type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';
import { splitList } from '../../../components/common/format';
import { KEY_HINT, KEY_PATTERN } from '../../../components/common/keys';
import { parseVariants, type VariantDraft } from '../flagDetails';

const INITIAL_VALUES = { key: '', name: '', kind: 'boolean' as FlagKind, description: '', owner: '', tags: '' };
const INITIAL_VARIANTS: readonly VariantDraft[] = [
  { key: 'v1', value: '' },
  { key: 'v2', value: '' },
];

export const useCreateFlagForm = (project: string, onCreated: (flag: FlagView) => void) => {
  const [values, setValues] = useState(INITIAL_VALUES);
  const [variants, setVariants] = useState<VariantDraft[]>(() => INITIAL_VARIANTS.map((v) => ({ ...v })));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useCreateFlag(project);

  // Editing a field clears its own messages (the API's and the form's); the other fields' stay.
  const set = (name: keyof typeof values, value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors((current) => withoutField(current, name));
  };
  // A row's key or value edited clears that input's messages; a row added or removed renumbers them all.
  const editVariants = (next: VariantDraft[]) => {
    setErrors((current) => {
      if (next.length !== variants.length) return withoutField(current, 'variants');
      return next.reduce((left, row, i) => {
        const before = variants[i]!;
        if (row.key !== before.key) left = withoutField(left, `variants[${i}].key`);
        if (row.value !== before.value) left = withoutField(left, `variants[${i}].value`);
        return left;
      }, current);
    });
    setVariants(next);
  };

  const submit = async () => {
    // A boolean flag gets its on/off variants from the server.
    const parsed = values.kind === 'boolean' ? { variants: undefined, errors: {} } : parseVariants(values.kind, variants);
    const found: FieldErrors = { ...parsed.errors };
    if (!KEY_PATTERN.test(values.key)) found.key = [KEY_HINT];
    if (values.name.trim() === '') found.name = ['give the flag a name'];
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
      variants: parsed.variants,
    };
    try {
      onCreated(await create.mutateAsync(flag));
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length > 0) setErrors(toFieldErrors(error.fieldErrors));
      setFormError(error instanceof Error ? error.message : 'Could not create the flag');
    }
  };

  // What closing the dialog would lose: any field changed, or variants edited (kept when the kind goes back to boolean).
  const dirty =
    (Object.keys(INITIAL_VALUES) as (keyof typeof INITIAL_VALUES)[]).some((name) => values[name] !== INITIAL_VALUES[name]) ||
    JSON.stringify(variants) !== JSON.stringify(INITIAL_VARIANTS);

  return { values, set, variants, setVariants: editVariants, errors, formError, submitting: create.isPending, submit, dirty };
};
