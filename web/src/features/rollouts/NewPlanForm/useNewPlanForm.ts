import { useState } from 'react';
import { type ChangeRequest, isChangeRequestCreated } from '../../../api/changeRequests';
import { ApiError, errorMessage } from '../../../api/client';
import { useCreateRolloutPlan, useFlagRolloutDefaults } from '../../../api/rollouts';
import type { FlagView } from '../../../api/flags';
import { useMetricCatalogue } from '../../../api/metrics';
import { metricOptions, metricWarning } from '../guardMetricChoices';
import { type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';
import { customizedFrom, type GuardsDraft, newPlanDraft, type PlanDraft, planRequest, type StageDraft } from '../planDraft';

/** The "start a rollout plan" form: variants, and optionally its own stages and guards. */
const CATALOGUE_WINDOW_MINUTES = 60;

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
  // In an environment that requires approval, starting the plan makes a change request instead.
  const [requested, setRequested] = useState<ChangeRequest | null>(null);

  // Loaded with the form, so ticking "customize" can fill the stages at once; its guard metrics are the server's choice for this flag.
  const defaults = useFlagRolloutDefaults(project, flag.key, environment);
  // The names the flag's SDKs reported, to pick guard metrics from; samples count over the default baseline window.
  const catalogue = useMetricCatalogue(project, environment, { flag: flag.key, windowMinutes: CATALOGUE_WINDOW_MINUTES });
  const reported = catalogue.data?.metrics;

  // Editing a field clears its messages; the others stay until the next submit.
  const edited = (...paths: string[]) => setErrors((current) => paths.reduce(withoutField, current));
  const set = (change: Partial<PlanDraft>) => {
    setDraft((d) => ({ ...d, ...change }));
    edited(...Object.keys(change));
  };
  const customize = (on: boolean) => {
    if (!on) set({ customized: false });
    else if (defaults.data) {
      setDraft((d) => customizedFrom(d, defaults.data));
      edited('stages', 'guards');
    }
  };
  const setStage = (index: number, change: Partial<StageDraft>) => {
    setDraft((d) => ({ ...d, stages: d.stages.map((s, i) => (i === index ? { ...s, ...change } : s)) }));
    edited(...Object.keys(change).map((name) => `stages[${index}].${name}`));
  };
  // Adding or removing a stage renumbers the ones after it (and may settle "stages" as a whole): their messages go.
  const addStage = () => {
    setDraft((d) => ({ ...d, stages: [...d.stages, { percent: '100', minDurationMinutes: '0', minSamples: '0' }] }));
    edited('stages');
  };
  const removeStage = (index: number) => {
    setDraft((d) => ({ ...d, stages: d.stages.filter((_, i) => i !== index) }));
    edited('stages');
  };
  const setGuard = (name: keyof GuardsDraft, value: string) => {
    setDraft((d) => ({ ...d, guards: { ...d.guards, [name]: value } }));
    edited(`guards.${name}`);
  };

  const submit = async () => {
    const { plan, errors: found } = planRequest(draft);
    setErrors(found);
    setFormError(null);
    setRequested(null);
    if (!plan) {
      setFormError('Fix the fields marked below.');
      return;
    }
    try {
      const answer = await create.mutateAsync(plan);
      if (isChangeRequestCreated(answer)) setRequested(answer.changeRequest);
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
    /** The server's guard metrics for a plan left to its defaults, each with a warning when it has no data. */
    guardMetrics: defaults.data?.guardMetrics ?? [],
    metricOptions: (guard: 'errorMetric' | 'latencyMetric') => metricOptions(reported ?? [], guard),
    metricWarning: (guard: 'errorMetric' | 'latencyMetric') => metricWarning(draft.guards[guard], reported, CATALOGUE_WINDOW_MINUTES),
    set,
    setStage,
    addStage,
    removeStage,
    setGuard,
    errors,
    formError,
    /** The change request starting the plan became, in an environment that requires approval. */
    requested,
    submitting: create.isPending,
    submit,
  };
};
