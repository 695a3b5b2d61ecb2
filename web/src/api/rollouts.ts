import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { LIVE_REFRESH_MS, queryKeys } from './queryKeys';

export interface RolloutStage {
  percent: number;
  minDurationMinutes: number;
  minSamples: number;
}

export interface MetricBound {
  metric: string;
  stat: 'mean' | 'p50' | 'p95' | 'p99' | 'errorRate';
  min?: number;
  max?: number;
}

export interface RolloutGuards {
  errorMetric: string;
  maxErrorRateRatio: number;
  errorRateAllowance: number;
  latencyMetric: string;
  maxLatencyRatio: number;
  minLatencyIncreaseMs: number;
  bounds: MetricBound[];
  minSamples: number;
  baselineMinutes: number;
}

export type RolloutStatus = 'waiting-for-baseline' | 'running' | 'paused' | 'completed' | 'rolled-back' | 'aborted';

export interface RolloutHistoryEntry {
  at: string;
  event: string;
  stage: number;
  percent: number;
  actor: string;
  reason?: string;
}

/** One guard as the scheduler judges it now (GuardRowResponse). */
export interface GuardRow {
  guard: 'stage samples' | 'error rate' | 'latency p95' | 'bound';
  metric: string;
  stat?: MetricBound['stat'];
  candidate: number | null;
  control: number | null;
  limit: string;
  /** null: not enough observations to judge yet (stage samples: still collecting). */
  passing: boolean | null;
  /** Why it fails, in the words a rollback records. */
  failure?: string;
  unit: 'rate' | 'ms' | 'count' | 'value';
}

/** Every guard over the current stage, computed by the server (GuardStatusResponse). */
export interface GuardStatus {
  from: string;
  to: string;
  rows: GuardRow[];
}

/** GET …/flags/:key/environments/:env/rollout-plans/:id (RolloutPlanResponse). */
export interface RolloutPlan {
  id: string;
  flag: string;
  environment: string;
  candidateVariant: string;
  controlVariant: string;
  bucketBy: string | null;
  stages: RolloutStage[];
  guards: RolloutGuards;
  status: RolloutStatus;
  currentStage: number;
  currentPercent: number;
  stageStartedAt: string | null;
  reason: string | null;
  snapshot: Record<string, unknown> | null;
  history: RolloutHistoryEntry[];
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
  /** Running or paused plans only. */
  guardStatus: GuardStatus | null;
}

export interface NewRolloutPlan {
  candidateVariant: string;
  controlVariant: string;
  stages?: RolloutStage[];
  /** Omitted ones keep the server's defaults. */
  guards?: Partial<Omit<RolloutGuards, 'bounds'>>;
}

/** GET /rollout-plans/defaults: what a plan gets when its request leaves stages and guards out. */
export interface RolloutDefaults {
  stages: RolloutStage[];
  guards: RolloutGuards;
}

export type RolloutAction = 'pause' | 'resume' | 'advance' | 'abort';

export const ACTIVE_ROLLOUT_STATUSES: RolloutStatus[] = ['waiting-for-baseline', 'running', 'paused'];

const plansPath = (project: string, flag: string, env: string) => `/projects/${project}/flags/${encodeURIComponent(flag)}/environments/${env}/rollout-plans`;

export const useRolloutDefaults = () =>
  useQuery({ queryKey: ['rollout-defaults'], queryFn: () => request<RolloutDefaults>('GET', '/rollout-plans/defaults'), staleTime: Infinity });

export const useRolloutPlans = (project: string, flag: string, env: string) =>
  useQuery({
    queryKey: queryKeys.rolloutPlans(project, flag, env),
    queryFn: () => request<RolloutPlan[]>('GET', plansPath(project, flag, env)),
    refetchInterval: LIVE_REFRESH_MS * 5,
  });

const usePlanMutation = <V, R>(project: string, flag: string, env: string, fn: (variables: V) => Promise<R>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.rolloutPlans(project, flag, env) });
      void client.invalidateQueries({ queryKey: queryKeys.flag(project, flag) });
    },
  });
};

export const useCreateRolloutPlan = (project: string, flag: string, env: string) =>
  usePlanMutation(project, flag, env, (plan: NewRolloutPlan) => request<RolloutPlan>('POST', plansPath(project, flag, env), { body: plan }));

export const useRolloutAction = (project: string, flag: string, env: string) =>
  usePlanMutation(project, flag, env, ({ id, action, reason }: { id: string; action: RolloutAction; reason?: string }) =>
    request<RolloutPlan>('POST', `${plansPath(project, flag, env)}/${id}/${action}`, { body: reason ? { reason } : {} }),
  );
