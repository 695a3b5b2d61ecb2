import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

type Schemas = components['schemas'];

export type Trigger = Schemas['TriggerResponse'];
/** The URL (and its secret) is in this answer only: the server stores a hash. */
export type IssuedTrigger = Schemas['IssuedTriggerResponse'];
export type NewTrigger = Schemas['CreateTriggerDto'];

type TriggersPath = { projectKey: string; key: string; environmentKey: string };

const triggersPath = (projectKey: string, key: string, environmentKey: string): TriggersPath => ({ projectKey, key, environmentKey });

export const useTriggers = (project: string, flag: string, environment: string, enabled = true) =>
  useQuery({
    queryKey: queryKeys.triggers(project, flag, environment),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/triggers', {
          params: { path: triggersPath(project, flag, environment) },
        }),
      ),
    enabled,
  });

const useTriggerMutation = <V, R>(project: string, flag: string, environment: string, fn: (path: TriggersPath, variables: V) => Promise<R>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (variables: V) => fn(triggersPath(project, flag, environment), variables),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.triggers(project, flag, environment) }),
  });
};

export const useCreateTrigger = (project: string, flag: string, environment: string) =>
  useTriggerMutation(project, flag, environment, (path, trigger: NewTrigger) =>
    unwrap(api.POST('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/triggers', { params: { path }, body: trigger })),
  );

export const useRotateTrigger = (project: string, flag: string, environment: string) =>
  useTriggerMutation(project, flag, environment, (path, id: string) =>
    unwrap(api.POST('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/triggers/{id}/rotate', { params: { path: { ...path, id } } })),
  );

export const useSetTriggerEnabled = (project: string, flag: string, environment: string) =>
  useTriggerMutation(project, flag, environment, (path, { id, enabled }: { id: string; enabled: boolean }) =>
    unwrap(
      enabled
        ? api.POST('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/triggers/{id}/enable', { params: { path: { ...path, id } } })
        : api.POST('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/triggers/{id}/disable', { params: { path: { ...path, id } } }),
    ),
  );

export const useDeleteTrigger = (project: string, flag: string, environment: string) =>
  useTriggerMutation(project, flag, environment, (path, id: string) =>
    unwrap(api.DELETE('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/triggers/{id}', { params: { path: { ...path, id } } })),
  );
