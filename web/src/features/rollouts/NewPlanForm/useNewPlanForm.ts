import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { useCreateRolloutPlan, useRolloutDefaults } from '../../../api/rollouts';
import type { FlagView } from '../../../api/flags';
import { type FieldErrors, toFieldErrors } from '../../../components/common/fieldErrors';
import { customizedFrom, type GuardsDraft, newPlanDraft, type PlanDraft, planRequest, type StageDraft } from '../planDraft';

/** The "start a rollout plan" form: variants, and optionally its own stages and guards. */
export const useNewPlanForm = (project: string, flag: FlagView, environment: string) => {
  const create = useCreateRolloutPlan(project, flag.key, environment);
  const [draft, setDraft] = useState<PlanDraft>(() =>
    newPlanDraft(
      flag.variants.map((v) => v.key),
      flag.kind,
    ),
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);

  // Loaded with the form, so ticking "customize" can fill the stages at once.
  const defaults = useRolloutDefaults();

  const set = (change: Partial<PlanDraft>) => setDraft((d) => ({ ...d, ...change }));
  const customize = (on: boolean) => {
    if (!on) set({ customized: false });
    else if (defaults.data) setDraft((d) => customizedFrom(d, defaults.data));
  };
  const setStage = (index: number, change: Partial<StageDraft>) =>
    setDraft((d) => ({ ...d, stages: d.stages.map((s, i) => (i === index ? { ...s, ...change } : s)) }));
  const addStage = () => setDraft((d) => ({ ...d, stages: [...d.stages, { percent: '100', minDurationMinutes: '0', minSamples: '0' }] }));
  const removeStage = (index: number) => setDraft((d) => ({ ...d, stages: d.stages.filter((_, i) => i !== index) }));
  const setGuard = (name: keyof GuardsDraft, value: string) => setDraft((d) => ({ ...d, guards: { ...d.guards, [name]: value } }));

  const submit = async () => {
    const { plan, errors: found } = planRequest(draft);
    setErrors(found);
    setFormError(null);
    if (!plan) {
      setFormError('Fix the fields marked below.');
      return;
    }
    try {
      await create.mutateAsync(plan);
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length > 0) setErrors(toFieldErrors(error.fieldErrors));
      setFormError(errorMessage(error));
    }
  };

  return {
    draft,
    customize,
    canCustomize: defaults.isSuccess,
    defaultsError: defaults.error,
    set,
    setStage,
    addStage,
    removeStage,
    setGuard,
    errors,
    formError,
    submitting: create.isPending,
    submit,
  };
};
