import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

type Schemas = components['schemas'];

export type ShadowSide = Schemas['ShadowSideResponse'];
export type ShadowExample = Schemas['ShadowExampleResponse'];
export type ShadowRecommendation = Schemas['ShadowReportResponse']['recommendation'];
/** GET …/flags/:key/environments/:env/shadow-report. */
export type ShadowReport = Schemas['ShadowReportResponse'];

export type ShadowRange = '1h' | '24h' | '7d';
const RANGE_MS: Record<ShadowRange, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };

const fetchReport = (project: string, flag: string, env: string, range: ShadowRange, sampleLimit: number) => {
  const to = Date.now();
  return unwrap(
    api.GET('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/shadow-report', {
      params: {
        path: { projectKey: project, key: flag, environmentKey: env },
        query: { from: new Date(to - RANGE_MS[range]).toISOString(), to: new Date(to).toISOString(), sampleLimit },
      },
    }),
  );
};

export const useShadowReport = (project: string, flag: string, env: string, range: ShadowRange) =>
  useQuery({
    queryKey: [...queryKeys.shadowReport(project, flag, env), range],
    queryFn: () => fetchReport(project, flag, env, range, 10),
    refetchInterval: 30_000,
    placeholderData: (previous) => previous,
  });

/**
 * Whether an SDK sent shadow comparisons of the flag in `env` within the longest range the report
 * offers (7 days): the server keeps no "ever shadowed" mark, and older calls would show in no range.
 * One request without examples; `enabled` keeps it off for flags that cannot be shadowed.
 */
export const useHasShadowSamples = (project: string, flag: string, env: string, enabled: boolean) =>
  useQuery({
    queryKey: [...queryKeys.shadowReport(project, flag, env), 'has-samples'],
    queryFn: () => fetchReport(project, flag, env, '7d', 0),
    select: (report) => report.samples > 0,
    enabled,
    staleTime: 60_000,
  });
