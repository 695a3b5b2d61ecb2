import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { queryKeys } from './queryKeys';
import type { components, operations } from './schema';

type Schemas = components['schemas'];

export type MetricType = Schemas['ExperimentMetricResponse']['type'];
export type Recommendation = Schemas['ExperimentResultsResponse']['recommendation'];
export type ExperimentMetric = Schemas['ExperimentMetricResponse'];
/** GET /projects/:p/experiments/:key. */
export type Experiment = Schemas['ExperimentResponse'];
export type Interval = Schemas['IntervalResponse'];
export type VariantResult = Schemas['VariantResultResponse'];
export type Comparison = Schemas['ComparisonResponse'];
export type TreatmentResult = Schemas['TreatmentResultResponse'];
export type SampleRatio = Schemas['SampleRatioResponse'];
/** GET /projects/:p/experiments/:key/results. */
export type ExperimentResults = Schemas['ExperimentResultsResponse'];
export type NewExperiment = Schemas['CreateExperimentDto'];
export type ExperimentFilters = NonNullable<operations['ExperimentsController_list']['parameters']['query']>;

const base = (project: string) => `/projects/${project}/experiments`;
const RESULTS_REFRESH_MS = 10_000;

export const useExperiments = (project: string, filters: ExperimentFilters = {}) =>
  useQuery({
    queryKey: [...queryKeys.experiments(project), 'list', filters],
    queryFn: () => request<Experiment[]>('GET', base(project), { query: { ...filters } }),
    placeholderData: (previous) => previous,
  });

/** What each running experiment's results recommend now, for the list's badges (one request). */
export type ExperimentRecommendation = Schemas['ExperimentRecommendationResponse'];

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
  useExperimentMutation(project, (body: Schemas['PromoteExperimentDto']) =>
    request<Experiment>('POST', `${base(project)}/${encodeURIComponent(key)}/promote`, { body }),
  );

export const useRollbackExperiment = (project: string, key: string) =>
  useExperimentMutation(project, (body: Schemas['RollbackExperimentDto']) =>
    request<Experiment>('POST', `${base(project)}/${encodeURIComponent(key)}/rollback`, { body }),
  );
