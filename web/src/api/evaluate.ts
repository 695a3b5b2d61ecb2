import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

type Schemas = components['schemas'];

/** Every flag of an environment evaluated for one context, by flag key. */
export type EnvironmentEvaluation = Schemas['EnvironmentEvaluationResponse'];
export type FlagEvaluation = Schemas['FlagEvaluationResponse'];

export type EvaluationContext = Record<string, unknown>;

/**
 * "What does this context see?" in one environment. Kept under the project's flag queries, so a flag
 * change pushed by the server (api/live.ts) re-evaluates the context on screen. `context` undefined:
 * nothing asked yet.
 */
export const useEnvironmentEvaluation = (project: string, environment: string, context: EvaluationContext | undefined) =>
  useQuery({
    queryKey: [...queryKeys.flags(project), 'evaluate', environment, JSON.stringify(context ?? null)],
    queryFn: () =>
      unwrap(
        api.POST('/api/v1/projects/{projectKey}/environments/{environmentKey}/evaluate', {
          params: { path: { projectKey: project, environmentKey: environment } },
          body: { context: context ?? {} },
        }),
      ),
    enabled: context !== undefined,
    // A new context keeps the last table until its answer arrives, instead of flashing empty.
    placeholderData: keepPreviousData,
  });
