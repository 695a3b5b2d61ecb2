import type { Variant } from '@signalbox/sdk/core';
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ChangeRequestCreated, isChangeRequestCreated } from './changeRequests';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components, operations } from './schema';

type Schemas = components['schemas'];

// A variant value in the document is any JSON, which the document cannot spell recursively; the
// console works with the SDK's Variant, whose value is the same JSON spelled exactly.
type WithVariants<T> = Omit<T, 'variants'> & { variants: Variant[] };

export type FlagView = WithVariants<Schemas['FlagResponse']>;
/** A flag's config in one environment; `updatedAt` is null until it is first written (version 0). */
export type FlagConfigView = Schemas['FlagConfigResponse'];
export type KillRecord = Schemas['KillRecordResponse'];
export type Explanation = Schemas['ExplanationResponse'];
export type DecisionStep = Explanation['decidedBy'];
export type RuleExplanation = Schemas['RuleExplanationResponse'];
export type SegmentMembership = Schemas['SegmentExplanationResponse'];
export type StaleFlagsReport = Schemas['StaleFlagsReportResponse'];
export type StaleFlag = Schemas['StaleFlagResponse'];
export type StaleReasonCode = Schemas['StaleReasonResponse']['code'];

/** The server lists only active flags unless asked for archived ones too (`archived: 'all'`) or only (`'archived'`). */
export type FlagFilters = NonNullable<operations['FlagsController_list']['parameters']['query']>;

const asFlag = (flag: Schemas['FlagResponse']): FlagView => flag as FlagView;

const flagParams = (projectKey: string, key: string) => ({ path: { projectKey, key } });

export const useFlags = (project: string, filters: FlagFilters = {}) =>
  useQuery({
    queryKey: [...queryKeys.flags(project), 'list', filters],
    queryFn: async () =>
      (await unwrap(api.GET('/api/v1/projects/{projectKey}/flags', { params: { path: { projectKey: project }, query: filters } }))).map(asFlag),
    placeholderData: (previous) => previous,
  });

export const useFlag = (project: string, key: string, enabled = true) =>
  useQuery({
    queryKey: queryKeys.flag(project, key),
    queryFn: async () => asFlag(await unwrap(api.GET('/api/v1/projects/{projectKey}/flags/{key}', { params: flagParams(project, key) }))),
    enabled,
  });

export const useStaleFlags = (project: string, enabled: boolean) =>
  useQuery({
    queryKey: [...queryKeys.flags(project), 'stale-report'],
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectKey}/flags/stale', { params: { path: { projectKey: project } } })),
    enabled,
  });

// Variants are edited as the SDK's Variant, whose JSON value type also admits null; the server
// refuses a null value with a field error.
type WithEditedVariants<T> = Omit<T, 'variants'> & { variants?: Variant[] };

export type NewFlag = WithEditedVariants<Schemas['CreateFlagDto']>;

export const useCreateFlag = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (flag: NewFlag) =>
      asFlag(
        await unwrap(api.POST('/api/v1/projects/{projectKey}/flags', { params: { path: { projectKey: project } }, body: flag as Schemas['CreateFlagDto'] })),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.flags(project) }),
  });
};

/** A flag-level write answers with the flag: show it at once, then refresh lists and history. */
const afterFlagWrite = (client: QueryClient, project: string, flag: FlagView) => {
  client.setQueryData(queryKeys.flag(project, flag.key), flag);
  return Promise.all([client.invalidateQueries({ queryKey: queryKeys.flags(project) }), client.invalidateQueries({ queryKey: queryKeys.audit })]);
};

/** Archiving in a project where an environment requires approval answers 202 with a change request instead. */
export const useArchiveFlag = (project: string, key: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ archived, reason }: { archived: boolean; reason?: string }): Promise<FlagView | ChangeRequestCreated> => {
      const init = { params: flagParams(project, key), body: { reason } };
      const answer: unknown = await unwrap(
        archived ? api.POST('/api/v1/projects/{projectKey}/flags/{key}/archive', init) : api.POST('/api/v1/projects/{projectKey}/flags/{key}/unarchive', init),
      );
      return isChangeRequestCreated(answer) ? answer : asFlag(answer as Schemas['FlagResponse']);
    },
    onSuccess: (answer) =>
      isChangeRequestCreated(answer) ? client.invalidateQueries({ queryKey: queryKeys.flags(project) }) : afterFlagWrite(client, project, answer),
  });
};

/** Only an archived flag can be deleted; the server answers 409 otherwise. */
export const useDeleteFlag = (project: string, key: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ reason }: { reason?: string }) =>
      unwrap(api.DELETE('/api/v1/projects/{projectKey}/flags/{key}', { params: { ...flagParams(project, key), query: { reason } } })),
    onSuccess: () => {
      // Dropped rather than refetched: the flag is gone, and a refetch would only answer 404.
      client.removeQueries({ queryKey: queryKeys.flag(project, key), exact: true });
      return Promise.all([client.invalidateQueries({ queryKey: queryKeys.flags(project) }), client.invalidateQueries({ queryKey: queryKeys.audit })]);
    },
  });
};

/** Flag metadata and variants. PATCH: absent = unchanged, `null` = cleared. */
export type FlagUpdate = WithEditedVariants<Schemas['UpdateFlagDto']>;

/** A stale `version` answers 409 VERSION_CONFLICT with the current flag in `details.current`. */
export const useUpdateFlag = (project: string, key: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (update: FlagUpdate) =>
      asFlag(
        await unwrap(api.PATCH('/api/v1/projects/{projectKey}/flags/{key}', { params: flagParams(project, key), body: update as Schemas['UpdateFlagDto'] })),
      ),
    onSuccess: (flag) => afterFlagWrite(client, project, flag),
  });
};

export type FlagConfigChange = Schemas['ReplaceFlagConfigDto'];

const configParams = (projectKey: string, key: string, environmentKey: string) => ({ path: { projectKey, key, environmentKey } });

/**
 * Replaces the config in one environment; a stale `version` answers 409 VERSION_CONFLICT with the
 * current config. Where the environment requires approval nothing is written: 202 with the change request.
 */
export const useSaveFlagConfig = (project: string, key: string, environment: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (change: FlagConfigChange): Promise<FlagConfigView | ChangeRequestCreated> =>
      unwrap(
        api.PUT('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}', { params: configParams(project, key, environment), body: change }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.flags(project) }),
  });
};

export const useKillSwitch = (project: string, key: string) => {
  const client = useQueryClient();
  const invalidate = () =>
    Promise.all([client.invalidateQueries({ queryKey: queryKeys.flags(project) }), client.invalidateQueries({ queryKey: queryKeys.audit })]);
  const kill = useMutation({
    mutationFn: async ({ environments, reason }: { environments: string[]; reason: string }) => {
      const [only] = environments;
      if (environments.length === 1 && only !== undefined) {
        await unwrap(
          api.POST('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/kill', {
            params: configParams(project, key, only),
            body: { reason },
          }),
        );
      } else {
        await unwrap(api.POST('/api/v1/projects/{projectKey}/flags/{key}/kill', { params: flagParams(project, key), body: { reason, environments } }));
      }
    },
    onSuccess: invalidate,
  });
  const restore = useMutation({
    // Where the environment requires approval, a restore answers 202 with a change request.
    mutationFn: async ({ environments, reason }: { environments: string[]; reason?: string }): Promise<ChangeRequestCreated | null> => {
      const [only] = environments;
      let answer: unknown;
      if (environments.length === 1 && only !== undefined) {
        answer = await unwrap(
          api.POST('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/restore', {
            params: configParams(project, key, only),
            body: { reason },
          }),
        );
      } else {
        answer = await unwrap(
          api.POST('/api/v1/projects/{projectKey}/flags/{key}/restore', { params: flagParams(project, key), body: { reason, environments } }),
        );
      }
      return isChangeRequestCreated(answer) ? answer : null;
    },
    onSuccess: invalidate,
  });
  return { kill, restore };
};

export const useExplain = (project: string, key: string, environment: string) =>
  useMutation({
    mutationFn: (context: Record<string, unknown>) =>
      unwrap(
        api.POST('/api/v1/projects/{projectKey}/flags/{key}/environments/{environmentKey}/explain', {
          params: configParams(project, key, environment),
          body: { context },
        }),
      ),
  });
