import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

type Schemas = components['schemas'];

export type Trigger = Schemas['TriggerResponse'];
/** The URL (and its secret) is in this answer only: the server stores a hash. */
export type IssuedTrigger = Schemas['IssuedTriggerResponse'];
export type NewTrigger = Schemas['CreateTriggerDto'];

const triggersPath = (project: string, flag: string, environment: string) =>
  `/projects/${project}/flags/${encodeURIComponent(flag)}/environments/${environment}/triggers`;

export const useTriggers = (project: string, flag: string, environment: string, enabled = true) =>
  useQuery({
    queryKey: queryKeys.triggers(project, flag, environment),
    queryFn: () => request<Trigger[]>('GET', triggersPath(project, flag, environment)),
    enabled,
  });

const useTriggerMutation = <V, R>(project: string, flag: string, environment: string, fn: (base: string, variables: V) => Promise<R>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (variables: V) => fn(triggersPath(project, flag, environment), variables),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.triggers(project, flag, environment) }),
  });
};

export const useCreateTrigger = (project: string, flag: string, environment: string) =>
  useTriggerMutation(project, flag, environment, (base, trigger: NewTrigger) => request<IssuedTrigger>('POST', base, { body: trigger }));

export const useRotateTrigger = (project: string, flag: string, environment: string) =>
  useTriggerMutation(project, flag, environment, (base, id: string) => request<IssuedTrigger>('POST', `${base}/${id}/rotate`));

export const useSetTriggerEnabled = (project: string, flag: string, environment: string) =>
  useTriggerMutation(project, flag, environment, (base, { id, enabled }: { id: string; enabled: boolean }) =>
    request<Trigger>('POST', `${base}/${id}/${enabled ? 'enable' : 'disable'}`),
  );

export const useDeleteTrigger = (project: string, flag: string, environment: string) =>
  useTriggerMutation(project, flag, environment, (base, id: string) => request<void>('DELETE', `${base}/${id}`));
