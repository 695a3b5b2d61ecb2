import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

export type CopyPlan = components['schemas']['PlanResponse'];
export type PlannedChange = components['schemas']['PlannedChangeResponse'];
export type PlanConflict = components['schemas']['PlanConflictResponse'];

const copyPath = '/api/v1/projects/{projectKey}/environments/{target}/copy-from/{source}' as const;
const params = (projectKey: string, source: string, target: string) => ({ path: { projectKey, source, target } });

/** What copying `source` onto `target` would change (a dry run: the server writes nothing). */
export const useEnvironmentCopyPlan = (project: string, source: string, target: string) =>
  useQuery({
    // Outside the flags' keys, so a live change never refreshes the review under the reader: a flag
    // that moves after it makes the copy answer 409, and the reader reviews again.
    queryKey: ['copy-plan', project, source, target] as const,
    queryFn: () => unwrap(api.POST(copyPath, { params: params(project, source, target), body: { dryRun: true } })),
    enabled: source !== '' && source !== target,
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });

/**
 * Copies the reviewed plan as one transaction. It names the flags and the target versions the
 * review showed, so a config that moved since answers 409 VERSION_CONFLICT and nothing is written.
 */
export const useCopyEnvironment = (project: string, source: string, target: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ plan, reason }: { plan: CopyPlan; reason: string }) => {
      const configs = plan.changes.filter((c) => c.resource === 'config' && c.version !== null);
      return unwrap(
        api.POST(copyPath, {
          params: params(project, source, target),
          body: {
            reason,
            flags: [...new Set(configs.map((c) => c.key))],
            baseVersions: configs.map((c) => ({ flag: c.key, version: c.version! })),
          },
        }),
      );
    },
    onSettled: () => Promise.all([client.invalidateQueries({ queryKey: queryKeys.flags(project) }), client.invalidateQueries({ queryKey: queryKeys.audit })]),
  });
};
