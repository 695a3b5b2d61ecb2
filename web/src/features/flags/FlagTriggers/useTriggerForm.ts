import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { type IssuedTrigger, type NewTrigger, useCreateTrigger } from '../../../api/triggers';
import { type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';
import { type TriggerEffectType, undoLabel } from './triggerEffect';

/**
 * The "new trigger URL" form: name, description, what a firing alert does (fixed once created)
 * and whether a resolved alert undoes it.
 */
export const useTriggerForm = (project: string, flag: string, environment: string, onIssued: (issued: IssuedTrigger) => void) => {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [effectType, setEffectType] = useState<TriggerEffectType>('kill');
  const [variant, setVariant] = useState('');
  const [percentage, setPercentage] = useState('');
  const [restVariant, setRestVariant] = useState('');
  const [restoreOnResolve, setRestoreOnResolve] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useCreateTrigger(project, flag, environment);
  const canUndo = undoLabel(effectType) !== null;
  const needsVariant = effectType === 'serve-variant' || effectType === 'set-rollout';

  // Editing a field clears its messages; the others stay until the next submit.
  const editor =
    <T>(path: string, setter: (value: T) => void) =>
    (value: T) => {
      setter(value);
      setErrors((current) => withoutField(current, path));
    };

  const problems = (trimmed: string): FieldErrors => {
    const found: FieldErrors = {};
    if (!trimmed) found.name = ['name the trigger after what calls it, e.g. pagerduty-checkout'];
    else if (trimmed.length > 100) found.name = ['at most 100 characters'];
    if (needsVariant && !variant) found['effect.variant'] = ['choose the variant to serve'];
    if (effectType === 'set-rollout') {
      const value = Number(percentage);
      if (percentage.trim() === '' || !Number.isFinite(value) || value < 0 || value > 100) found['effect.percentage'] = ['a percentage from 0 to 100'];
      if (restVariant && restVariant === variant) found['effect.restVariant'] = ['choose another variant than the one rolled out'];
    }
    return found;
  };

  const submit = async () => {
    const trimmed = name.trim();
    const found = problems(trimmed);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const effect: NewTrigger['effect'] = {
      type: effectType,
      ...(needsVariant ? { variant } : {}),
      ...(effectType === 'set-rollout' ? { percentage: Number(percentage), ...(restVariant ? { restVariant } : {}) } : {}),
    };
    try {
      const issued = await create.mutateAsync({
        name: trimmed,
        description: description.trim() || undefined,
        effect,
        restoreOnResolve: canUndo && restoreOnResolve,
      });
      setName('');
      setDescription('');
      setRestoreOnResolve(false);
      onIssued(issued);
    } catch (error) {
      setErrors(error instanceof ApiError && error.fieldErrors.length > 0 ? toFieldErrors(error.fieldErrors) : { name: [errorMessage(error)] });
    }
  };

  return {
    name,
    setName: editor('name', setName),
    description,
    setDescription: editor('description', setDescription),
    effectType,
    setEffectType: editor('effect.type', setEffectType),
    variant,
    setVariant: editor('effect.variant', setVariant),
    percentage,
    setPercentage: editor('effect.percentage', setPercentage),
    restVariant,
    setRestVariant: editor('effect.restVariant', setRestVariant),
    needsVariant,
    canUndo,
    restoreOnResolve,
    setRestoreOnResolve: editor('restoreOnResolve', setRestoreOnResolve),
    errors,
    submit,
    pending: create.isPending,
  };
};
