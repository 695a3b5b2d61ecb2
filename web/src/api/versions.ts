import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

/** One version of a flag's config in an environment, with the config as it was after it. */
export type FlagVersion = components['schemas']['FlagVersionResponse'];
export type FlagVersionPage = components['schemas']['FlagVersionPageResponse'];
export type RevertRequest = components['schemas']['RevertFlagConfigDto'];

const params = (projectKey: string, key: string, environmentKey: string) => ({ path: { projectKey, key, environmentKey } });

// Under the flag's key: every config write (and the live feed) refreshes the flag's queries, these included.
const versionsKey = (project: string, key: string, environment: string) => [...queryKeys.flag(project, key), 'versions', environment] as const;

/** The config's versions in one environment, newest first, a page at a time. */
export const useFlagVersions = (project: string, key: string, environment: string, limit = 20) =>
  useInfiniteQuery({
    queryKey: [...versionsKey(project, key, environment), limit],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/versions', {
          params: { ...params(project, key, environment), query: { limit, cursor: pageParam ?? undefined } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

/** Writes an earlier version's config again; a stale `version` answers 409 VERSION_CONFLICT with the current config. */
export const useRevertFlagConfig = (project: string, key: string, environment: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: RevertRequest) =>
      unwrap(
        api.POST('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/revert', {
          params: params(project, key, environment),
          body: request,
        }),
      ),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: queryKeys.flags(project) }), client.invalidateQueries({ queryKey: queryKeys.audit })]),
  });
};
