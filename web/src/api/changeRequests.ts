import { type QueryClient, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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
 * A proposed change to an environment that requires approval: the diff against a base version (the
 * config's, the flag's for an archive, the segment's for a segment), its author, reviews and comments;
 * `stale` once the base moved. A config request with `runAt` is scheduled for then once applied
 * (`scheduledChangeId`); a segment request names its `segment` and has no `flag`.
 */
export type ChangeRequest = Schemas['ChangeRequestResponse'];
export type ChangeRequestKind = ChangeRequest['kind'];
export type ChangeRequestStatus = ChangeRequest['status'];
/** For kind config: the whole config, as PUT takes it without version and reason. */
export type ChangeRequestConfig = Schemas['ChangeRequestConfigDto'];

// The document types `change` and `diff` as a config request's (CHANGES 16); the other kinds carry these shapes.

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
export type ChangeRequestCreated = Schemas['ChangeRequestCreatedResponse'];

export const isChangeRequestCreated = (answer: unknown): answer is ChangeRequestCreated =>
  typeof answer === 'object' && answer !== null && 'changeRequest' in answer && typeof (answer as ChangeRequestCreated).changeRequest === 'object';

/** What apply's 409 STALE_BASE carries: the config as it is now (nothing was written). */
export const staleBaseOf = (error: unknown): { current: FlagConfigView | undefined } | null => {
  if (!(error instanceof ApiError) || error.code !== 'STALE_BASE') return null;
  const details = error.details as { current?: FlagConfigView } | undefined;
  const body = error.body as { current?: FlagConfigView } | undefined;
  return { current: details?.current ?? body?.current };
};

const changeRequestsKey = queryKeys.changeRequests;
const changeRequestKey = (project: string, number: number) => [...changeRequestsKey(project), 'detail', number] as const;

/** One page of the project's requests, newest first; `cursor` is the previous page's nextCursor. */
const fetchChangeRequests = (project: string, { status, environment, flag }: ChangeRequestQuery, cursor?: string) =>
  unwrap(
    api.GET('/api/v1/projects/{projectKey}/change-requests', {
      // "all" is the server's default: no status filter.
      params: { path: { projectKey: project }, query: { status: status === 'all' ? undefined : status, environment, flag, cursor } },
    }),
  );

/** The newest page of requests (a flag's pending panel: what waits is among the newest). */
export const useChangeRequests = (project: string, query: ChangeRequestQuery = {}, enabled = true) =>
  useQuery({
    // One flag's requests sit under the flag's key: the live feed refreshes those when the flag is audited.
    queryKey: query.flag ? [...queryKeys.flag(project, query.flag), 'change-requests', query] : [...changeRequestsKey(project), 'list', query],
    queryFn: async () => (await fetchChangeRequests(project, query)).items,
    enabled,
    placeholderData: (previous) => previous,
  });

/** The inbox: the newest page of requests, and older pages on demand. */
export const useChangeRequestPages = (project: string, query: ChangeRequestQuery = {}) =>
  useInfiniteQuery({
    queryKey: [...changeRequestsKey(project), 'list', 'pages', query],
    queryFn: ({ pageParam }) => fetchChangeRequests(project, query, pageParam ?? undefined),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    placeholderData: (previous) => previous,
  });

export const useChangeRequest = (project: string, number: number) =>
  useQuery({
    queryKey: changeRequestKey(project, number),
    queryFn: () =>
      unwrap(api.GET('/api/v1/projects/{projectKey}/change-requests/{number}', { params: { path: { projectKey: project, number: String(number) } } })),
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
      unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests', { params: { path: { projectKey: project } }, body: request })),
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
      unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests/{number}/approve', { params: { path }, body: { comment } })),
    onSuccess,
    onError,
  });
  const reject = useMutation({
    mutationFn: ({ comment }: { comment?: string }) =>
      unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests/{number}/reject', { params: { path }, body: { comment } })),
    onSuccess,
    onError,
  });
  const comment = useMutation({
    mutationFn: ({ body }: { body: string }) =>
      unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests/{number}/comments', { params: { path }, body: { body } })),
    onSuccess,
    onError,
  });
  const apply = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests/{number}/apply', { params: { path } })),
    onSuccess,
    onError,
  });
  const rebase = useMutation({
    mutationFn: (body: ChangeRequestRebase) => unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests/{number}/rebase', { params: { path }, body })),
    onSuccess,
    onError,
  });
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/projects/{projectKey}/change-requests/{number}/cancel', { params: { path } })),
    onSuccess,
    onError,
  });
  return { approve, reject, comment, apply, rebase, cancel };
};
