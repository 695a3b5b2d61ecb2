import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { LIVE_REFRESH_MS, queryKeys } from './queryKeys';
import type { components, operations } from './schema';
import type { Explanation, FlagConfigView, FlagView, StaleFlagsReport, Variant } from './types';

type Schemas = components['schemas'];

/** The server lists only active flags unless asked for archived ones too (`archived: 'all'`) or only (`'archived'`). */
export type FlagFilters = NonNullable<operations['FlagsController_list']['parameters']['query']>;

const flagPath = (project: string, key: string) => `/projects/${project}/flags/${encodeURIComponent(key)}`;

export const useFlags = (project: string, filters: FlagFilters = {}) =>
  useQuery({
    queryKey: [...queryKeys.flags(project), 'list', filters],
    queryFn: () => request<FlagView[]>('GET', `/projects/${project}/flags`, { query: { ...filters } }),
    refetchInterval: LIVE_REFRESH_MS,
    placeholderData: (previous) => previous,
  });

export const useFlag = (project: string, key: string) =>
  useQuery({
    queryKey: queryKeys.flag(project, key),
    queryFn: () => request<FlagView>('GET', flagPath(project, key)),
    refetchInterval: LIVE_REFRESH_MS,
  });

export const useStaleFlags = (project: string, enabled: boolean) =>
  useQuery({
    queryKey: [...queryKeys.flags(project), 'stale-report'],
    queryFn: () => request<StaleFlagsReport>('GET', `/projects/${project}/flags/stale`),
    enabled,
  });

// Variants are edited as the SDK's Variant, whose JSON value type also admits null; the server
// refuses a null value with a field error.
type WithVariants<T> = Omit<T, 'variants'> & { variants?: Variant[] };

export type NewFlag = WithVariants<Schemas['CreateFlagDto']>;

export const useCreateFlag = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (flag: NewFlag) => request<FlagView>('POST', `/projects/${project}/flags`, { body: flag }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.flags(project) }),
  });
};

/** A flag-level write answers with the flag: show it at once, then refresh lists and history. */
const afterFlagWrite = (client: QueryClient, project: string, flag: FlagView) => {
  client.setQueryData(queryKeys.flag(project, flag.key), flag);
  return Promise.all([
    client.invalidateQueries({ queryKey: queryKeys.flags(project) }),
    client.invalidateQueries({ queryKey: queryKeys.audit }),
  ]);
};

export const useArchiveFlag = (project: string, key: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ archived, reason }: { archived: boolean; reason?: string }) =>
      request<FlagView>('POST', `${flagPath(project, key)}/${archived ? 'archive' : 'unarchive'}`, { body: { reason } }),
    onSuccess: (flag) => afterFlagWrite(client, project, flag),
  });
};

/** Only an archived flag can be deleted; the server answers 409 otherwise. */
export const useDeleteFlag = (project: string, key: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ reason }: { reason?: string }) => request<void>('DELETE', flagPath(project, key), { query: { reason } }),
    onSuccess: () => {
      // Dropped rather than refetched: the flag is gone, and a refetch would only answer 404.
      client.removeQueries({ queryKey: queryKeys.flag(project, key), exact: true });
      return Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.flags(project) }),
        client.invalidateQueries({ queryKey: queryKeys.audit }),
      ]);
    },
  });
};

/** Flag metadata and variants. PATCH: absent = unchanged, `null` = cleared. */
export type FlagUpdate = WithVariants<Schemas['UpdateFlagDto']>;

/** A stale `version` answers 409 VERSION_CONFLICT with the current flag in `details.current`. */
export const useUpdateFlag = (project: string, key: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (update: FlagUpdate) => request<FlagView>('PATCH', flagPath(project, key), { body: update }),
    onSuccess: (flag) => afterFlagWrite(client, project, flag),
  });
};

export type FlagConfigChange = Schemas['ReplaceFlagConfigDto'];

/** Replaces the config in one environment; a stale `version` answers 409 VERSION_CONFLICT with the current config. */
export const useSaveFlagConfig = (project: string, key: string, environment: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (change: FlagConfigChange) =>
      request<FlagConfigView>('PUT', `${flagPath(project, key)}/environments/${environment}`, { body: change }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.flags(project) }),
  });
};

export const useKillSwitch = (project: string, key: string) => {
  const client = useQueryClient();
  const invalidate = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: queryKeys.flags(project) }),
      client.invalidateQueries({ queryKey: queryKeys.audit }),
    ]);
  const kill = useMutation({
    mutationFn: ({ environments, reason }: { environments: string[]; reason: string }) =>
      environments.length === 1
        ? request('POST', `${flagPath(project, key)}/environments/${environments[0]}/kill`, { body: { reason } })
        : request('POST', `${flagPath(project, key)}/kill`, { body: { reason, environments } }),
    onSuccess: invalidate,
  });
  const restore = useMutation({
    mutationFn: ({ environments, reason }: { environments: string[]; reason?: string }) =>
      environments.length === 1
        ? request('POST', `${flagPath(project, key)}/environments/${environments[0]}/restore`, { body: { reason } })
        : request('POST', `${flagPath(project, key)}/restore`, { body: { reason, environments } }),
    onSuccess: invalidate,
  });
  return { kill, restore };
};

export const useExplain = (project: string, key: string, environment: string) =>
  useMutation({
    mutationFn: (context: Record<string, unknown>) =>
      request<Explanation>('POST', `${flagPath(project, key)}/environments/${environment}/explain`, { body: { context } }),
  });
