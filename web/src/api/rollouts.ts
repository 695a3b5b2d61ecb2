import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { LIVE_REFRESH_MS, queryKeys } from './queryKeys';
import type { components } from './schema';

type Schemas = components['schemas'];

export type RolloutStage = Schemas['RolloutStageResponse'];
export type MetricBound = Schemas['MetricBoundResponse'];
export type RolloutGuards = Schemas['RolloutGuardsResponse'];
export type RolloutStatus = Schemas['RolloutPlanResponse']['status'];
export type RolloutHistoryEntry = Schemas['RolloutHistoryResponse'];
/** One guard as the scheduler judges it now; `passing: null` means not enough observations to judge yet. */
export type GuardRow = Schemas['GuardRowResponse'];
/** Every guard over the current stage, computed by the server. */
export type GuardStatus = Schemas['GuardStatusResponse'];
/** GET …/flags/:key/environments/:env/rollout-plans/:id. */
export type RolloutPlan = Schemas['RolloutPlanResponse'];
/** Guards left out keep the server's defaults. */
export type NewRolloutPlan = Schemas['CreateRolloutPlanDto'];
/** GET /rollout-plans/defaults: what a plan gets when its request leaves stages and guards out. */
export type RolloutDefaults = Schemas['RolloutDefaultsResponse'];

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
