import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';

export type MetricType = 'rate' | 'mean';
export type Recommendation = 'promote' | 'keep-collecting' | 'keep-control' | 'no-difference';

export interface ExperimentMetric {
  name: string;
  type: MetricType;
  better: 'increase' | 'decrease';
}

/** GET /projects/:p/experiments/:key (ExperimentResponse). */
export interface Experiment {
  key: string;
  name: string;
  flag: string;
  environment: string;
  controlVariant: string;
  treatmentVariants: string[];
  primaryMetric: ExperimentMetric;
  guardrailMetrics: ExperimentMetric[];
  alpha: number;
  power: number;
  minimumDetectableEffect: number;
  baselineRate: number | null;
  assumedStdDev: number | null;
  status: 'running' | 'closed';
  decision: 'promoted' | 'rolled-back' | null;
  winner: string | null;
  startedAt: string;
  closedAt: string | null;
  createdBy: string;
}

export interface Interval {
  lower: number;
  upper: number;
}

export interface VariantResult {
  variant: string;
  n: number;
  value: number | null;
  stdDev: number | null;
  interval: Interval | null;
  expectedShare: number;
}

export interface Comparison {
  absoluteDifference: number;
  absoluteInterval: Interval;
  relativeDifference: number | null;
  relativeInterval: Interval | null;
  statistic: number;
  degreesOfFreedom: number | null;
  pValue: number;
  effectSize: number;
  significant: boolean;
}

export interface TreatmentResult {
  variant: string;
  comparison: Comparison | null;
  guardrails: { metric: string; comparison: Comparison | null; harmed: boolean }[];
  recommendation: Recommendation;
  explanation: string;
}

export interface SampleRatio {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  observed: number[];
  expected: number[];
  mismatch: boolean;
}

/** GET /projects/:p/experiments/:key/results (ExperimentResultsResponse). */
export interface ExperimentResults {
  experiment: Experiment;
  from: string;
  to: string;
  requiredSampleSize: number | null;
  comparisonAlpha: number;
  variants: VariantResult[];
  treatments: TreatmentResult[];
  sampleRatio: SampleRatio | null;
  recommendation: Recommendation;
  winner: string | null;
  warnings: string[];
}

export interface NewExperiment {
  key: string;
  name?: string;
  flag: string;
  environment: string;
  controlVariant: string;
  treatmentVariants: string[];
  primaryMetric: { name: string; type: MetricType; better?: 'increase' | 'decrease' };
  alpha?: number;
  power?: number;
  minimumDetectableEffect: number;
  baselineRate?: number;
  assumedStdDev?: number;
}

export interface ExperimentFilters {
  flag?: string;
  environment?: string;
  status?: string;
}

const base = (project: string) => `/projects/${project}/experiments`;
const RESULTS_REFRESH_MS = 10_000;

export const useExperiments = (project: string, filters: ExperimentFilters = {}) =>
  useQuery({
    queryKey: [...queryKeys.experiments(project), 'list', filters],
    queryFn: () => request<Experiment[]>('GET', base(project), { query: { ...filters } }),
    placeholderData: (previous) => previous,
  });

/** What each running experiment's results recommend now, for the list's badges (one request). */
export interface ExperimentRecommendation {
  experiment: string;
  recommendation: Recommendation;
  winner: string | null;
}

export const useExperimentRecommendations = (project: string, enabled = true) =>
  useQuery({
    queryKey: [...queryKeys.experiments(project), 'recommendations'],
    queryFn: () => request<ExperimentRecommendation[]>('GET', `/projects/${project}/experiment-recommendations`),
    enabled,
    refetchInterval: RESULTS_REFRESH_MS,
  });

export const useExperimentResults = (project: string, key: string, enabled = true) =>
  useQuery({
    queryKey: [...queryKeys.experiments(project), 'results', key],
    queryFn: () => request<ExperimentResults>('GET', `${base(project)}/${encodeURIComponent(key)}/results`),
    enabled,
    refetchInterval: RESULTS_REFRESH_MS,
  });

const useExperimentMutation = <V, R>(project: string, fn: (variables: V) => Promise<R>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.experiments(project) });
      void client.invalidateQueries({ queryKey: queryKeys.flags(project) });
    },
  });
};

export const useCreateExperiment = (project: string) =>
  useExperimentMutation(project, (experiment: NewExperiment) => request<Experiment>('POST', base(project), { body: experiment }));

export const usePromoteExperiment = (project: string, key: string) =>
  useExperimentMutation(project, (body: { variant?: string; reason?: string }) =>
    request<Experiment>('POST', `${base(project)}/${encodeURIComponent(key)}/promote`, { body }),
  );

export const useRollbackExperiment = (project: string, key: string) =>
  useExperimentMutation(project, (body: { reason?: string }) =>
    request<Experiment>('POST', `${base(project)}/${encodeURIComponent(key)}/rollback`, { body }),
  );
