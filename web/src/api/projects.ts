import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

type Schemas = components['schemas'];

export type ProjectView = Schemas['ProjectResponse'];
export type EnvironmentView = Schemas['EnvironmentResponse'];
/** How many connected SDKs confirmed an environment's newest change. */
export type Delivery = Schemas['DeliveryStatusResponse'];

export type NewEnvironment = Schemas['CreateEnvironmentDto'];

export type NewProject = Schemas['CreateProjectDto'];

/** The server shows each new environment's SDK key once, in this answer. */
export type CreatedProject = Schemas['CreatedProjectResponse'];

export type CreatedEnvironment = Schemas['CreatedEnvironmentResponse'];

export type RotatedSdkKey = Schemas['RotatedSdkKeyResponse'];

const environmentParams = (projectKey: string, environmentKey: string) => ({ path: { projectKey, environmentKey } });

/** The projects (with their environments) as a query; the console also prefetches it before it renders. */
export const projectsQuery = queryOptions({ queryKey: queryKeys.projects, queryFn: () => unwrap(api.GET('/api/v1/projects')) });

export const useProjects = () => useQuery(projectsQuery);

// The switchers read the project list: it must include the new one before the console switches to it.
export const useCreateProject = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (project: NewProject) => unwrap(api.POST('/api/v1/projects', { body: project })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects }),
  });
};

export const useCreateEnvironment = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (environment: NewEnvironment) =>
      unwrap(api.POST('/api/v1/projects/{projectKey}/environments', { params: { path: { projectKey: project } }, body: environment })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects }),
  });
};

export const useRotateSdkKey = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (environment: string) =>
      unwrap(api.POST('/api/v1/projects/{projectKey}/environments/{environmentKey}/sdk-key', { params: environmentParams(project, environment) })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects }),
  });
};

/** While connected SDKs have not confirmed the newest change. */
const CONFIRMING_REFRESH_MS = 2_000;
/** SDKs connecting and leaving are not pushed either: a slow refresh. */
const IDLE_REFRESH_MS = 60_000;

/** How many connected SDKs confirmed the newest change of an environment. */
export const useDelivery = (project: string, environment: string, enabled = true) =>
  useQuery({
    queryKey: queryKeys.delivery(project, environment),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/projects/{projectKey}/environments/{environmentKey}/delivery', {
          params: environmentParams(project, environment),
        }),
      ),
    enabled,
    // A pushed change refreshes it; SDK confirmations are not pushed, so it checks again while some are missing.
    refetchInterval: (query) => (query.state.data && query.state.data.confirmed < query.state.data.connected ? CONFIRMING_REFRESH_MS : IDLE_REFRESH_MS),
  });

/** An environment's rules: a reason for every change, and approval of changes by N other people. */
export type EnvironmentSettings = Schemas['UpdateEnvironmentDto'];

/** Whether changes to an environment become change requests, and how many approvals they need. */
export const approvalOf = ({ requireApproval, requiredApprovals }: EnvironmentView) => ({ requireApproval, requiredApprovals });

/** Admins only; absent fields are unchanged. */
export const useUpdateEnvironment = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ environment, settings }: { environment: string; settings: EnvironmentSettings }) =>
      unwrap(
        api.PATCH('/api/v1/projects/{projectKey}/environments/{environmentKey}', {
          params: environmentParams(project, environment),
          body: settings,
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects }),
  });
};
