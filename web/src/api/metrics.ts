import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

type Schemas = components['schemas'];

/** One metric name SDKs reported in an environment (GET …/environments/:env/metrics). */
export type CatalogueMetric = Schemas['CatalogueMetricResponse'];
export type MetricCatalogue = Schemas['MetricCatalogueResponse'];

/** New names appear as SDKs flush (every few seconds to a minute); nothing pushes them. */
const CATALOGUE_REFRESH_MS = 60_000;
/** One page is enough to pick from: a flag reports a handful of names. */
const CATALOGUE_PAGE = 200;

/** The metric names reported in the environment, or only under `flag`, with recent samples over `windowMinutes`. */
export const useMetricCatalogue = (project: string, environment: string, options: { flag?: string; windowMinutes?: number } = {}) =>
  useQuery({
    queryKey: queryKeys.telemetry(project, environment, 'metrics', options.flag ?? '*', String(options.windowMinutes ?? '')),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/projects/{projectKey}/environments/{environmentKey}/metrics', {
          params: {
            path: { projectKey: project, environmentKey: environment },
            query: {
              limit: CATALOGUE_PAGE,
              ...(options.flag ? { flag: options.flag } : {}),
              ...(options.windowMinutes ? { windowMinutes: options.windowMinutes } : {}),
            },
          },
        }),
      ),
    refetchInterval: CATALOGUE_REFRESH_MS,
  });
