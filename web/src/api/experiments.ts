import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
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
export type ExperimentChanges = Schemas['UpdateExperimentDto'];
export type ExperimentFilters = NonNullable<operations['ExperimentsController_list']['parameters']['query']>;

const experimentParams = (projectKey: string, experimentKey: string) => ({ path: { projectKey, experimentKey } });
const RESULTS_REFRESH_MS = 10_000;

export const useExperiments = (project: string, filters: ExperimentFilters = {}) =>
  useQuery({
    queryKey: [...queryKeys.experiments(project), 'list', filters],
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectKey}/experiments', { params: { path: { projectKey: project }, query: filters } })),
    placeholderData: (previous) => previous,
  });

/** What each running experiment's results recommend now, for the list's badges (one request). */
export type ExperimentRecommendation = Schemas['ExperimentRecommendationResponse'];

export const useExperimentRecommendations = (project: string, enabled = true) =>
  useQuery({
    queryKey: [...queryKeys.experiments(project), 'recommendations'],
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectKey}/experiment-recommendations', { params: { path: { projectKey: project } } })),
    enabled,
    refetchInterval: RESULTS_REFRESH_MS,
  });

export const useExperimentResults = (project: string, key: string, enabled = true) =>
  useQuery({
    queryKey: [...queryKeys.experiments(project), 'results', key],
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectKey}/experiments/{experimentKey}/results', { params: experimentParams(project, key) })),
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
  useExperimentMutation(project, (experiment: NewExperiment) =>
    unwrap(api.POST('/api/v1/projects/{projectKey}/experiments', { params: { path: { projectKey: project } }, body: experiment })),
  );

export const usePromoteExperiment = (project: string, key: string) =>
  useExperimentMutation(project, (body: Schemas['PromoteExperimentDto']) =>
    unwrap(api.POST('/api/v1/projects/{projectKey}/experiments/{experimentKey}/promote', { params: experimentParams(project, key), body })),
  );

export const useRollbackExperiment = (project: string, key: string) =>
  useExperimentMutation(project, (body: Schemas['RollbackExperimentDto']) =>
    unwrap(api.POST('/api/v1/projects/{projectKey}/experiments/{experimentKey}/rollback', { params: experimentParams(project, key), body })),
  );

export const useUpdateExperiment = (project: string, key: string) =>
  useExperimentMutation(project, (body: ExperimentChanges) =>
    unwrap(api.PATCH('/api/v1/projects/{projectKey}/experiments/{experimentKey}', { params: experimentParams(project, key), body })),
  );

export const useStopExperiment = (project: string, key: string) =>
  useExperimentMutation(project, (body: Schemas['StopExperimentDto']) =>
    unwrap(api.POST('/api/v1/projects/{projectKey}/experiments/{experimentKey}/stop', { params: experimentParams(project, key), body })),
  );
