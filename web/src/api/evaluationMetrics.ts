import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

type Schemas = components['schemas'];

/** Aggregates of one metric over a span (GET …/telemetry/series). */
export type MetricStats = Schemas['MetricStatsResponse'];

export type MetricPoint = Schemas['MetricPointResponse'];

export type MetricSeries = Schemas['MetricSeriesResponse'];

export type MetricSeriesResult = Schemas['MetricSeriesResultResponse'];

export type EvaluationCount = Schemas['EvaluationCountResponse'];

/** Evaluation counts of one time bucket. */
export type EvaluationBucket = Schemas['EvaluationStepResponse'];

export type TelemetryRange = '1h' | '24h';

/** How a range is cut into buckets: the evaluations API counts over a range, so a chart asks once per bucket. */
export const RANGE_BUCKETS: Record<TelemetryRange, { buckets: number; minutes: number }> = {
  '1h': { buckets: 12, minutes: 5 },
  '24h': { buckets: 24, minutes: 60 },
};

/** Bucket boundaries ending at `now` rounded up to a whole bucket. */
export const bucketBounds = (range: TelemetryRange, now: number): { start: string; end: string }[] => {
  const { buckets, minutes } = RANGE_BUCKETS[range];
  const stepMs = minutes * 60_000;
  const end = Math.ceil(now / stepMs) * stepMs;
  return Array.from({ length: buckets }, (_, i) => {
    const from = end - (buckets - i) * stepMs;
    return { start: new Date(from).toISOString(), end: new Date(from + stepMs).toISOString() };
  });
};

const TELEMETRY_REFRESH_MS = 60_000;

const environmentParams = (projectKey: string, environmentKey: string) => ({ path: { projectKey, environmentKey } });

/** Evaluation counts per bucket over the range, for one flag or (without `flag`) every flag: one request. */
export const useEvaluationBuckets = (project: string, environment: string, range: TelemetryRange, flag?: string, enabled = true) =>
  useQuery({
    queryKey: queryKeys.telemetry(project, environment, 'evaluations', range, flag ?? '*'),
    queryFn: async (): Promise<EvaluationBucket[]> => {
      const bounds = bucketBounds(range, Date.now());
      const { steps = [] } = await unwrap(
        api.GET('/api/v1/projects/{projectKey}/environments/{environmentKey}/telemetry/evaluations', {
          params: {
            path: environmentParams(project, environment).path,
            query: { flag, from: bounds[0]!.start, to: bounds[bounds.length - 1]!.end, stepMinutes: RANGE_BUCKETS[range].minutes },
          },
        }),
      );
      return steps;
    },
    enabled,
    refetchInterval: TELEMETRY_REFRESH_MS,
    placeholderData: (previous) => previous,
  });

/** Metric series (e.g. step.duration_ms) of one flag over the range. */
export const useMetricSeries = (project: string, environment: string, range: TelemetryRange, flag: string, enabled = true) =>
  useQuery({
    queryKey: queryKeys.telemetry(project, environment, 'series', range, flag),
    queryFn: () => {
      const { buckets, minutes } = RANGE_BUCKETS[range];
      const to = Date.now();
      return unwrap(
        api.GET('/api/v1/projects/{projectKey}/environments/{environmentKey}/telemetry/series', {
          params: {
            path: environmentParams(project, environment).path,
            query: { flag, from: new Date(to - buckets * minutes * 60_000).toISOString(), to: new Date(to).toISOString(), stepMinutes: minutes },
          },
        }),
      );
    },
    enabled,
    refetchInterval: TELEMETRY_REFRESH_MS,
    placeholderData: (previous) => previous,
  });

export const useLastEvaluated = (project: string, enabled = true) =>
  useQuery({
    queryKey: queryKeys.telemetry(project, '*', 'last-evaluated'),
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectKey}/telemetry/last-evaluated', { params: { path: { projectKey: project } } })),
    enabled,
    refetchInterval: TELEMETRY_REFRESH_MS,
  });
