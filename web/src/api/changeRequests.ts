import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap } from './client';
import type { FlagConfigView } from './flags';
import type { NewRolloutPlan } from './rollouts';
import type { SegmentView } from './segments';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

type Schemas = components['schemas'];

export type ChangeRequestUser = Schemas['ChangeRequestUserResponse'];
export type ChangeRequestReview = Schemas['ChangeRequestReviewResponse'];
export type ChangeRequestComment = Schemas['ChangeRequestCommentResponse'];
/**
 * What the contract's extension 2 adds to a request (scheduled, rollout-plan and segment requests).
 * Typed here until the generated schema carries it; then ChangeRequest is the generated type again.
 */
interface ChangeRequestExtension {
  kind: Schemas['ChangeRequestResponse']['kind'] | 'rollout-plan' | 'segment';
  /** Null for a segment request. */
  flag: string | null;
  /** The segment's key, for a segment request. */
  segment?: string | null;
  /** A config request to be scheduled for this time once applied (null: applied at once). */
  runAt?: string | null;
  /** The scheduled change that applying a request with a future `runAt` created. */
  scheduledChangeId?: string | null;
}

/**
 * A proposed change to an environment that requires approval: the diff against a base version (the
 * config's, the flag's for an archive, the segment's for a segment), its author, reviews and comments;
 * `stale` once the base moved.
 */
export type ChangeRequest = Omit<Schemas['ChangeRequestResponse'], keyof ChangeRequestExtension> & ChangeRequestExtension;
export type ChangeRequestKind = ChangeRequest['kind'];
export type ChangeRequestStatus = ChangeRequest['status'];
/** For kind config: the whole config, as PUT takes it without version and reason. */
export type ChangeRequestConfig = Schemas['ChangeRequestConfigDto'];

/** A rollout-plan request's `change`: the plan as it was posted. */
export const rolloutPlanOf = (request: ChangeRequest): NewRolloutPlan | null =>
  request.kind === 'rollout-plan' && request.change ? (request.change as unknown as NewRolloutPlan) : null;

/** A segment request's before (the segment at its base) and after (the update laid over it). */
export const segmentDiffOf = (request: ChangeRequest): { before: SegmentView; after: SegmentView } | null =>
  request.kind === 'segment' && request.diff ? (request.diff as unknown as { before: SegmentView; after: SegmentView }) : null;

export type ChangeRequestFilter = 'pending' | 'approved' | 'all';

export interface ChangeRequestQuery {
  status?: ChangeRequestFilter;
  environment?: string;
  flag?: string;
}

export type NewChangeRequest = Schemas['CreateChangeRequestDto'];
export type ChangeRequestRebase = Schemas['RebaseChangeRequestDto'];

/** What a write to an environment that requires approval answers (202) instead of the written object. */
export type ChangeRequestCreated = { changeRequest: ChangeRequest };

export const isChangeRequestCreated = (answer: unknown): answer is ChangeRequestCreated =>
  typeof answer === 'object' && answer !== null && 'changeRequest' in answer && typeof (answer as ChangeRequestCreated).changeRequest === 'object';

/** What apply's 409 STALE_BASE carries: the config as it is now (nothing was written). */
export const staleBaseOf = (error: unknown): { current: FlagConfigView | undefined } | null => {
  if (!(error instanceof ApiError) || error.code !== 'STALE_BASE') return null;
  const details = error.details as { current?: FlagConfigView } | undefined;
  const body = error.body as { current?: FlagConfigView } | undefined;
  return { current: details?.current ?? body?.current };
};

// The generated type lacks extension 2's kinds and fields (see ChangeRequestExtension).
const asRequest = (answer: Promise<Schemas['ChangeRequestResponse']>) => answer as Promise<ChangeRequest>;

const changeRequestsKey = queryKeys.changeRequests;
const changeRequestKey = (project: string, number: number) => [...changeRequestsKey(project), 'detail', number] as const;

export const useChangeRequests = (project: string, query: ChangeRequestQuery = {}, enabled = true) =>
  useQuery({
    // One flag's requests sit under the flag's key: the live feed refreshes those when the flag is audited.
    queryKey: query.flag ? [...queryKeys.flag(project, query.flag), 'change-requests', query] : [...changeRequestsKey(project), 'list', query],
    queryFn: async () => {
      const { status, environment, flag } = query;
      // "all" is the server's default: no status filter.
      const filter = { status: status === 'all' ? undefined : status, environment, flag };
      const { items } = await unwrap(api.GET('/api/v1/projects/{projectKey}/change-requests', { params: { path: { projectKey: project }, query: filter } }));
      return items as ChangeRequest[];
    },
    enabled,
    placeholderData: (previous) => previous,
  });

export const useChangeRequest = (project: string, number: number) =>
  useQuery({
    queryKey: changeRequestKey(project, number),
    queryFn: () =>
      asRequest(
        unwrap(api.GET('/api/v1/projects/{projectKey}/change-requests/{number}', { params: { path: { projectKey: project, number: String(number) } } })),
      ),
  });

/** A request changed: show its new state at once, refresh the lists, and (once applied) the flag. */
export const afterChangeRequest = (client: QueryClient, request: ChangeRequest) => {
  client.setQueryData(changeRequestKey(request.project, request.number), request);
  return Promise.all([
    client.invalidateQueries({ queryKey: [...changeRequestsKey(request.project), 'list'] }),
    client.invalidateQueries({ queryKey: queryKeys.flags(request.project) }),
    client.invalidateQueries({ queryKey: queryKeys.audit }),
  ]);
};

export const useCreateChangeRequest = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: NewChangeRequest) =>
      asRequest(unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests', { params: { path: { projectKey: project } }, body: request }))),
    onSuccess: (request) => afterChangeRequest(client, request),
  });
};

/** Review and lifecycle actions on one request; each answers the request as it is now. */
export const useChangeRequestActions = (project: string, number: number) => {
  const client = useQueryClient();
  const path = { projectKey: project, number: String(number) };
  const onSuccess = (request: ChangeRequest) => afterChangeRequest(client, request);
  // A refused action (stale base, already applied) may mean the page's copy is old.
  const onError = () => client.invalidateQueries({ queryKey: changeRequestKey(project, number) });
  const approve = useMutation({
    mutationFn: ({ comment }: { comment?: string }) =>
      asRequest(unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests/{number}/approve', { params: { path }, body: { comment } }))),
    onSuccess,
    onError,
  });
  const reject = useMutation({
    mutationFn: ({ comment }: { comment?: string }) =>
      asRequest(unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests/{number}/reject', { params: { path }, body: { comment } }))),
    onSuccess,
    onError,
  });
  const comment = useMutation({
    mutationFn: ({ body }: { body: string }) =>
      asRequest(unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests/{number}/comments', { params: { path }, body: { body } }))),
    onSuccess,
    onError,
  });
  const apply = useMutation({
    mutationFn: () => asRequest(unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests/{number}/apply', { params: { path } }))),
    onSuccess,
    onError,
  });
  const rebase = useMutation({
    mutationFn: (body: ChangeRequestRebase) =>
      asRequest(unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests/{number}/rebase', { params: { path }, body }))),
    onSuccess,
    onError,
  });
  const cancel = useMutation({
    mutationFn: () => asRequest(unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests/{number}/cancel', { params: { path } }))),
    onSuccess,
    onError,
  });
  return { approve, reject, comment, apply, rebase, cancel };
};
