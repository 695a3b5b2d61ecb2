import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { afterChangeRequest, type ChangeRequestCreated, isChangeRequestCreated } from './changeRequests';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
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
/** One guard metric explained: why the server chose it, and `warning` when it has no data yet. */
export type GuardMetricNote = Schemas['GuardMetricNoteResponse'];
/** GET …/flags/:key/environments/:env/rollout-plans/defaults: the defaults with guard metrics chosen for this flag. */
export type FlagRolloutDefaults = Schemas['FlagRolloutDefaultsResponse'];

export type RolloutAction = 'pause' | 'resume' | 'advance' | 'abort';

export const ACTIVE_ROLLOUT_STATUSES: RolloutStatus[] = ['waiting-for-baseline', 'running', 'paused'];

const planParams = (projectKey: string, key: string, environmentKey: string) => ({ path: { projectKey, key, environmentKey } });

export const useRolloutDefaults = () =>
  useQuery({ queryKey: ['rollout-defaults'], queryFn: () => unwrap(api.GET('/api/v1/rollout-plans/defaults')), staleTime: Infinity });

/** What a plan on this flag gets by default; the guard metrics follow what its SDKs report, so they are read again now and then. */
export const useFlagRolloutDefaults = (project: string, flag: string, env: string) =>
  useQuery({
    queryKey: [...queryKeys.rolloutPlans(project, flag, env), 'defaults'],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/rollout-plans/defaults', { params: planParams(project, flag, env) }),
      ),
    refetchInterval: 60_000,
  });

/** Guard readings change with telemetry, which is not pushed: a slow refresh. */
const GUARDS_REFRESH_MS = 30_000;

export const useRolloutPlans = (project: string, flag: string, env: string) =>
  useQuery({
    queryKey: queryKeys.rolloutPlans(project, flag, env),
    queryFn: () =>
      unwrap(api.GET('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/rollout-plans', { params: planParams(project, flag, env) })),
    // Stage moves arrive by push (a flag change); guard readings come from telemetry, which nothing pushes.
    refetchInterval: GUARDS_REFRESH_MS,
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

/**
 * Creates and starts a plan; in an environment that requires approval nothing starts: 202 with a
 * `rollout-plan` change request, which starts the plan once approved and applied.
 */
export const useCreateRolloutPlan = (project: string, flag: string, env: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (plan: NewRolloutPlan): Promise<RolloutPlan | ChangeRequestCreated> => {
      const answer: unknown = await unwrap(
        api.POST('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/rollout-plans', {
          params: planParams(project, flag, env),
          body: plan,
        }),
      );
      return isChangeRequestCreated(answer) ? answer : (answer as RolloutPlan);
    },
    onSuccess: (answer) => {
      if (isChangeRequestCreated(answer)) return afterChangeRequest(client, answer.changeRequest);
      void client.invalidateQueries({ queryKey: queryKeys.rolloutPlans(project, flag, env) });
      void client.invalidateQueries({ queryKey: queryKeys.flag(project, flag) });
    },
  });
};

// One typed path per action: a path the server does not have is a compile error.
const ACTION_PATHS = {
  pause: '/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/rollout-plans/{planId}/pause',
  resume: '/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/rollout-plans/{planId}/resume',
  advance: '/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/rollout-plans/{planId}/advance',
  abort: '/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/rollout-plans/{planId}/abort',
} as const satisfies Record<RolloutAction, string>;

export const useRolloutAction = (project: string, flag: string, env: string) =>
  usePlanMutation(project, flag, env, ({ id, action, reason }: { id: string; action: RolloutAction; reason?: string }) =>
    unwrap(
      api.POST(ACTION_PATHS[action], {
        params: { path: { ...planParams(project, flag, env).path, planId: id } },
        body: reason ? { reason } : {},
      }),
    ),
  );
