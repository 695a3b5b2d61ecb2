import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Client } from 'openapi-fetch';
import { api, ApiError, unwrap } from './client';
import type { FlagConfigView } from './flags';
import { queryKeys } from './queryKeys';

// TODO(#21): these types follow /work/change-requests-contract.md until the server's routes are in
// the OpenAPI document; then they come from schema.ts like every other call here.

export interface ChangeRequestUser {
  /** Null for the admin token. */
  id: string | null;
  email: string;
}

export type ChangeRequestKind = 'config' | 'restore' | 'archive';
export type ChangeRequestStatus = 'pending' | 'approved' | 'rejected' | 'applied' | 'cancelled' | 'conflict';

export interface ChangeRequestReview {
  user: ChangeRequestUser;
  at: string;
  comment?: string | null;
}

export interface ChangeRequestComment {
  id: string;
  user: ChangeRequestUser;
  at: string;
  body: string;
}

/** A proposed change to an environment that requires approval: the diff against a base version, and its reviews. */
export interface ChangeRequest {
  id: string;
  /** Per project: 1, 2, 3… */
  number: number;
  project: string;
  environment: string;
  kind: ChangeRequestKind;
  flag: string;
  /** The config version (config, restore) or flag version (archive) it was made against. */
  baseVersion: number;
  /** For `config`: the body a PUT config takes, without version and reason. */
  change: Record<string, unknown> | null;
  diff: { before: unknown; after: unknown } | null;
  reason: string;
  author: ChangeRequestUser;
  reviewers?: string[];
  status: ChangeRequestStatus;
  requiredApprovals: number;
  approvals: ChangeRequestReview[];
  rejections: ChangeRequestReview[];
  comments: ChangeRequestComment[];
  createdAt: string;
  updatedAt: string;
  appliedAt: string | null;
  appliedVersion: number | null;
  /** The base no longer equals the current version: applying would be refused with STALE_BASE. */
  stale: boolean;
}

export type ChangeRequestFilter = 'pending' | 'approved' | 'all';

export interface ChangeRequestQuery {
  status?: ChangeRequestFilter;
  environment?: string;
  flag?: string;
}

export interface NewChangeRequest {
  kind: ChangeRequestKind;
  flag: string;
  environment: string;
  baseVersion: number;
  change?: Record<string, unknown>;
  reason: string;
  reviewers?: string[];
}

/** What a write to an environment that requires approval answers (202) instead of the written object. */
export interface ChangeRequestCreated {
  changeRequest: ChangeRequest;
}

export const isChangeRequestCreated = (answer: unknown): answer is ChangeRequestCreated =>
  typeof answer === 'object' && answer !== null && 'changeRequest' in answer && typeof (answer as ChangeRequestCreated).changeRequest === 'object';

/** What apply's 409 STALE_BASE carries: the config as it is now (nothing was written). */
export const staleBaseOf = (error: unknown): { current: FlagConfigView | undefined } | null => {
  if (!(error instanceof ApiError) || error.code !== 'STALE_BASE') return null;
  const details = error.details as { current?: FlagConfigView } | undefined;
  const body = error.body as { current?: FlagConfigView } | undefined;
  return { current: details?.current ?? body?.current };
};

// The contract's routes in openapi-typescript's shape, so the calls go through the console's one
// client with typed paths and bodies.
type Json<T> = { content: { 'application/json': T } };
type Answer<T> = { headers: { [name: string]: unknown } } & Json<T>;
type Read<Path, Ok, Query = never> = {
  parameters: { query?: Query; header?: never; path: Path; cookie?: never };
  requestBody?: never;
  responses: { 200: Answer<Ok> };
};
type Operation<Path, Body, Ok> = Omit<Read<Path, Ok>, 'requestBody' | 'responses'> & {
  requestBody: Json<Body>;
  responses: { 200: Answer<Ok>; 201: Answer<Ok> };
};
type Item<Ops> = { parameters: { query?: never; header?: never; path?: never; cookie?: never } } & Ops;
type ProjectPath = { projectKey: string };
type RequestPath = ProjectPath & { number: number };

interface ChangeRequestPaths {
  '/api/v1/projects/{projectKey}/change-requests': Item<{
    get: Read<ProjectPath, { items: ChangeRequest[] }, { status?: ChangeRequestStatus; environment?: string; flag?: string }>;
    post: Operation<ProjectPath, NewChangeRequest, ChangeRequest>;
  }>;
  '/api/v1/projects/{projectKey}/change-requests/{number}': Item<{ get: Read<RequestPath, ChangeRequest> }>;
  '/api/v1/projects/{projectKey}/change-requests/{number}/approve': Item<{ post: Operation<RequestPath, { comment?: string }, ChangeRequest> }>;
  '/api/v1/projects/{projectKey}/change-requests/{number}/reject': Item<{ post: Operation<RequestPath, { comment?: string }, ChangeRequest> }>;
  '/api/v1/projects/{projectKey}/change-requests/{number}/comments': Item<{ post: Operation<RequestPath, { body: string }, ChangeRequest> }>;
  '/api/v1/projects/{projectKey}/change-requests/{number}/apply': Item<{ post: Operation<RequestPath, Record<string, never>, ChangeRequest> }>;
  '/api/v1/projects/{projectKey}/change-requests/{number}/rebase': Item<{
    post: Operation<RequestPath, { baseVersion: number; change?: Record<string, unknown> }, ChangeRequest>;
  }>;
  '/api/v1/projects/{projectKey}/change-requests/{number}/cancel': Item<{ post: Operation<RequestPath, Record<string, never>, ChangeRequest> }>;
}

const requests = api as unknown as Client<ChangeRequestPaths>;

const changeRequestsKey = (project: string) => ['change-requests', project] as const;
const changeRequestKey = (project: string, number: number) => [...changeRequestsKey(project), 'detail', number] as const;

export const useChangeRequests = (project: string, query: ChangeRequestQuery = {}, enabled = true) =>
  useQuery({
    // One flag's requests sit under the flag's key: the live feed refreshes those when the flag is audited.
    queryKey: query.flag ? [...queryKeys.flag(project, query.flag), 'change-requests', query] : [...changeRequestsKey(project), 'list', query],
    queryFn: async () => {
      const { status, environment, flag } = query;
      // "all" is the server's default: no status filter.
      const filter = { status: status === 'all' ? undefined : status, environment, flag };
      return (await unwrap(requests.GET('/api/v1/projects/{projectKey}/change-requests', { params: { path: { projectKey: project }, query: filter } }))).items;
    },
    enabled,
    placeholderData: (previous) => previous,
  });

export const useChangeRequest = (project: string, number: number) =>
  useQuery({
    queryKey: changeRequestKey(project, number),
    queryFn: () => unwrap(requests.GET('/api/v1/projects/{projectKey}/change-requests/{number}', { params: { path: { projectKey: project, number } } })),
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
      unwrap(requests.POST('/api/v1/projects/{projectKey}/change-requests', { params: { path: { projectKey: project } }, body: request })),
    onSuccess: (request) => afterChangeRequest(client, request),
  });
};

/** Review and lifecycle actions on one request; each answers the request as it is now. */
export const useChangeRequestActions = (project: string, number: number) => {
  const client = useQueryClient();
  const path = { projectKey: project, number };
  const onSuccess = (request: ChangeRequest) => afterChangeRequest(client, request);
  // A refused action (stale base, already applied) may mean the page's copy is old.
  const onError = () => client.invalidateQueries({ queryKey: changeRequestKey(project, number) });
  const approve = useMutation({
    mutationFn: ({ comment }: { comment?: string }) =>
      unwrap(requests.POST('/api/v1/projects/{projectKey}/change-requests/{number}/approve', { params: { path }, body: { comment } })),
    onSuccess,
    onError,
  });
  const reject = useMutation({
    mutationFn: ({ comment }: { comment?: string }) =>
      unwrap(requests.POST('/api/v1/projects/{projectKey}/change-requests/{number}/reject', { params: { path }, body: { comment } })),
    onSuccess,
    onError,
  });
  const comment = useMutation({
    mutationFn: ({ body }: { body: string }) =>
      unwrap(requests.POST('/api/v1/projects/{projectKey}/change-requests/{number}/comments', { params: { path }, body: { body } })),
    onSuccess,
    onError,
  });
  const apply = useMutation({
    mutationFn: () => unwrap(requests.POST('/api/v1/projects/{projectKey}/change-requests/{number}/apply', { params: { path }, body: {} })),
    onSuccess,
    onError,
  });
  const rebase = useMutation({
    mutationFn: (body: { baseVersion: number; change?: Record<string, unknown> }) =>
      unwrap(requests.POST('/api/v1/projects/{projectKey}/change-requests/{number}/rebase', { params: { path }, body })),
    onSuccess,
    onError,
  });
  const cancel = useMutation({
    mutationFn: () => unwrap(requests.POST('/api/v1/projects/{projectKey}/change-requests/{number}/cancel', { params: { path }, body: {} })),
    onSuccess,
    onError,
  });
  return { approve, reject, comment, apply, rebase, cancel };
};
