import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { LIVE_REFRESH_MS, queryKeys } from './queryKeys';
import type { Delivery, ProjectView } from './types';

export const useProjects = () =>
  useQuery({ queryKey: queryKeys.projects, queryFn: () => request<ProjectView[]>('GET', '/projects') });

export const useRotateSdkKey = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (environment: string) =>
      request<{ sdkKey: string; prefix: string }>('POST', `/projects/${project}/environments/${environment}/sdk-key`),
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
