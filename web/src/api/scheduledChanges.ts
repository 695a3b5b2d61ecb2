import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { afterChangeRequest, type ChangeRequestCreated, isChangeRequestCreated } from './changeRequests';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

type Schemas = components['schemas'];

/** A config change set to be written at `runAt`, if the config is still at `baseVersion` then. */
export type ScheduledChange = Schemas['ScheduledChangeResponse'];
export type ScheduledChangeStatus = ScheduledChange['status'];
export type NewScheduledChange = Schemas['CreateScheduledChangeDto'];
export type ScheduledChangeEdit = Schemas['UpdateScheduledChangeDto'];

const params = (projectKey: string, key: string, environmentKey: string) => ({ path: { projectKey, key, environmentKey } });

// Under the flag's key: the live feed refreshes the flag's queries when anything about it is audited,
// so a change applied by the scheduler (on any instance) shows up without polling.
const scheduledKey = (project: string, key: string, environment: string) => [...queryKeys.flag(project, key), 'scheduled-changes', environment] as const;

export const useScheduledChanges = (project: string, key: string, environment: string) =>
  useQuery({
    queryKey: scheduledKey(project, key, environment),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/scheduled-changes', {
          params: params(project, key, environment),
        }),
      ),
  });

const useScheduledMutation = <V, R>(project: string, key: string, environment: string, fn: (variables: V) => Promise<R>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => client.invalidateQueries({ queryKey: scheduledKey(project, key, environment) }),
  });
};

/**
 * Schedules a change; in an environment that requires approval nothing is scheduled yet: 202 with a
 * change request carrying `runAt`, which schedules the change once approved and applied.
 */
export const useCreateScheduledChange = (project: string, key: string, environment: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (change: NewScheduledChange): Promise<ScheduledChange | ChangeRequestCreated> => {
      const answer: unknown = await unwrap(
        api.POST('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/scheduled-changes', {
          params: params(project, key, environment),
          body: change,
        }),
      );
      return isChangeRequestCreated(answer) ? answer : (answer as ScheduledChange);
    },
    onSuccess: (answer) =>
      isChangeRequestCreated(answer)
        ? afterChangeRequest(client, answer.changeRequest)
        : client.invalidateQueries({ queryKey: scheduledKey(project, key, environment) }),
  });
};

export const useUpdateScheduledChange = (project: string, key: string, environment: string) =>
  useScheduledMutation(project, key, environment, ({ id, edit }: { id: string; edit: ScheduledChangeEdit }) =>
    unwrap(
      api.PATCH('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/scheduled-changes/{id}', {
        params: { path: { ...params(project, key, environment).path, id } },
        body: edit,
      }),
    ),
  );

export const useCancelScheduledChange = (project: string, key: string, environment: string) =>
  useScheduledMutation(project, key, environment, ({ id, reason }: { id: string; reason?: string }) =>
    unwrap(
      api.DELETE('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/scheduled-changes/{id}', {
        params: { path: { ...params(project, key, environment).path, id }, query: reason ? { reason } : {} },
      }),
    ),
  );
