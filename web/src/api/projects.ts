import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { LIVE_REFRESH_MS, queryKeys } from './queryKeys';
import type { components } from './schema';
import type { Delivery, ProjectView } from './types';

export const useProjects = () =>
  useQuery({ queryKey: queryKeys.projects, queryFn: () => request<ProjectView[]>('GET', '/projects') });

export type NewEnvironment = components['schemas']['CreateEnvironmentDto'];

export type NewProject = components['schemas']['CreateProjectDto'];

/** The server shows each new environment's SDK key once, in this answer. */
export type CreatedProject = components['schemas']['CreatedProjectResponse'];

export type CreatedEnvironment = components['schemas']['CreatedEnvironmentResponse'];

export type RotatedSdkKey = components['schemas']['RotatedSdkKeyResponse'];

// The switchers read the project list: it must include the new one before the console switches to it.
export const useCreateProject = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (project: NewProject) => request<CreatedProject>('POST', '/projects', { body: project }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects }),
  });
};

export const useCreateEnvironment = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (environment: NewEnvironment) => request<CreatedEnvironment>('POST', `/projects/${project}/environments`, { body: environment }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects }),
  });
};

export const useRotateSdkKey = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (environment: string) =>
      request<RotatedSdkKey>('POST', `/projects/${project}/environments/${environment}/sdk-key`),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects }),
  });
};

/** How many connected SDKs confirmed the newest change of an environment. */
export const useDelivery = (project: string, environment: string, enabled = true) =>
  useQuery({
    queryKey: queryKeys.delivery(project, environment),
    queryFn: () => request<Delivery>('GET', `/projects/${project}/environments/${environment}/delivery`),
    enabled,
    refetchInterval: LIVE_REFRESH_MS,
  });
