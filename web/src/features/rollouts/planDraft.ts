import type { NewRolloutPlan, RolloutDefaults, RolloutGuards, RolloutStage } from '../../api/rollouts';
import type { FieldErrors } from '../../components/common/fieldErrors';

/** Numbers as the user typed them: validated only on submit. */
type Text<T> = { [K in keyof T]: string };
export type StageDraft = Text<RolloutStage>;
export type GuardsDraft = Text<
  Pick<RolloutGuards, 'errorMetric' | 'latencyMetric' | 'maxErrorRateRatio' | 'errorRateAllowance' | 'maxLatencyRatio' | 'minSamples'>
>;

export interface PlanDraft {
  candidateVariant: string;
  controlVariant: string;
  /** Off: the server's default stages and guards, and nothing about them is sent. */
  customized: boolean;
  stages: StageDraft[];
  guards: GuardsDraft;
  /**
   * The metrics the server chose for this flag (not named by anyone). Left as they are, they are
   * not sent, so the server keeps choosing them, and moves them while the plan waits if the flag
   * starts reporting other names.
   */
  chosenMetrics: { errorMetric?: string; latencyMetric?: string };
}

export const newPlanDraft = (variants: string[], kind: string): PlanDraft => {
  // A boolean flag rolls out "on"; other kinds usually the second variant over the first.
  const boolean = kind === 'boolean' && variants.includes('on') && variants.includes('off');
  return {
    candidateVariant: boolean ? 'on' : (variants[1] ?? ''),
    controlVariant: boolean ? 'off' : (variants[0] ?? ''),
    customized: false,
    stages: [],
    guards: { errorMetric: '', latencyMetric: '', maxErrorRateRatio: '', errorRateAllowance: '', maxLatencyRatio: '', minSamples: '' },
    chosenMetrics: {},
  };
};

/** Customizing starts from the server's defaults for the flag (GET …/rollout-plans/defaults), its chosen guard metrics pre-selected. */
export const customizedFrom = (draft: PlanDraft, defaults: RolloutDefaults): PlanDraft => ({
  ...draft,
  customized: true,
  chosenMetrics: {
    ...(defaults.guards.metricSource?.errorMetric !== 'request' ? { errorMetric: defaults.guards.errorMetric } : {}),
    ...(defaults.guards.metricSource?.latencyMetric !== 'request' ? { latencyMetric: defaults.guards.latencyMetric } : {}),
  },
  stages: defaults.stages.map((s) => ({ percent: String(s.percent), minDurationMinutes: String(s.minDurationMinutes), minSamples: String(s.minSamples) })),
  guards: {
    errorMetric: defaults.guards.errorMetric,
    latencyMetric: defaults.guards.latencyMetric,
    maxErrorRateRatio: String(defaults.guards.maxErrorRateRatio),
    errorRateAllowance: String(defaults.guards.errorRateAllowance),
    maxLatencyRatio: String(defaults.guards.maxLatencyRatio),
    minSamples: String(defaults.guards.minSamples),
  },
});

const number = (text: string, integer: boolean): number | undefined => {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) && (!integer || Number.isInteger(value)) ? value : undefined;
};

/**
 * The request for a draft, or the fields to fix first (paths as the API names them, so its
 * messages land on the same inputs). Ranges beyond "is a number" are the API's to judge.
 */
export const planRequest = (draft: PlanDraft): { plan?: NewRolloutPlan; errors: FieldErrors } => {
  const errors: FieldErrors = {};
  if (draft.candidateVariant === draft.controlVariant) errors.candidateVariant = ['pick a variant other than the one it replaces'];
  if (!draft.customized)
    return Object.keys(errors).length > 0 ? { errors } : { errors, plan: { candidateVariant: draft.candidateVariant, controlVariant: draft.controlVariant } };

  const stages = draft.stages.map((stage, i) => {
    const parsed = {
      percent: number(stage.percent, false),
      minDurationMinutes: number(stage.minDurationMinutes, true),
      minSamples: number(stage.minSamples, true),
    };
    if (parsed.percent === undefined) errors[`stages[${i}].percent`] = ['a percentage, e.g. 5'];
    if (parsed.minDurationMinutes === undefined) errors[`stages[${i}].minDurationMinutes`] = ['whole minutes, e.g. 60'];
    if (parsed.minSamples === undefined) errors[`stages[${i}].minSamples`] = ['a whole number, e.g. 100'];
    return parsed as RolloutStage;
  });
  if (stages.length === 0) errors.stages = ['add at least one stage'];
  const g = draft.guards;
  const guards = {
    errorMetric: g.errorMetric.trim(),
    latencyMetric: g.latencyMetric.trim(),
    maxErrorRateRatio: number(g.maxErrorRateRatio, false),
    errorRateAllowance: number(g.errorRateAllowance, false),
    maxLatencyRatio: number(g.maxLatencyRatio, false),
    minSamples: number(g.minSamples, true),
  };
  if (guards.errorMetric === '') errors['guards.errorMetric'] = ['name the metric the SDK tracks, e.g. model.latency_ms'];
  if (guards.latencyMetric === '') errors['guards.latencyMetric'] = ['name the metric the SDK tracks, e.g. model.latency_ms'];
  for (const key of ['maxErrorRateRatio', 'errorRateAllowance', 'maxLatencyRatio'] as const)
    if (guards[key] === undefined) errors[`guards.${key}`] = ['a number'];
  if (guards.minSamples === undefined) errors['guards.minSamples'] = ['a whole number'];
  if (Object.keys(errors).length > 0) return { errors };
  const { errorMetric, latencyMetric, ...limits } = guards;
  const named = {
    ...(errorMetric !== draft.chosenMetrics.errorMetric ? { errorMetric } : {}),
    ...(latencyMetric !== draft.chosenMetrics.latencyMetric ? { latencyMetric } : {}),
  };
  return {
    errors,
    plan: {
      candidateVariant: draft.candidateVariant,
      controlVariant: draft.controlVariant,
      stages,
      guards: { ...named, ...limits } as NewRolloutPlan['guards'],
    },
  };
};
