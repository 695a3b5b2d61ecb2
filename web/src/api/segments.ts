import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { afterChangeRequest, type ChangeRequestCreated, isChangeRequestCreated } from './changeRequests';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components } from './schema';

export type SegmentView = components['schemas']['SegmentResponse'];

/** The body of a create without its key, or of an update without its version. */
export type SegmentChange = Omit<components['schemas']['CreateSegmentDto'], 'key'>;

const segmentParams = (projectKey: string, key: string) => ({ path: { projectKey, key } });

export const useSegments = (project: string, enabled = true) =>
  useQuery({
    queryKey: queryKeys.segments(project),
    queryFn: () => unwrap(api.GET('/api/v1/projects/{projectKey}/segments', { params: { path: { projectKey: project } } })),
    enabled,
  });

/** Written, or (the segment is used in an environment that requires approval) a change request made instead. */
const afterSegmentWrite = (client: QueryClient, project: string, answer: unknown) =>
  Promise.all([
    client.invalidateQueries({ queryKey: queryKeys.segments(project) }),
    isChangeRequestCreated(answer) ? afterChangeRequest(client, answer.changeRequest) : undefined,
  ]);

/**
 * Creates the segment when `version` is null; else a stale `version` answers 409 VERSION_CONFLICT with
 * the current segment. An update of a segment that a flag uses in an environment that requires
 * approval writes nothing: 202 with a `segment` change request.
 */
export const useSaveSegment = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({
      key,
      version,
      change,
    }: {
      key: string;
      version: number | null;
      change: SegmentChange;
    }): Promise<SegmentView | ChangeRequestCreated> => {
      const answer: unknown = await unwrap<unknown>(
        version === null
          ? api.POST('/api/v1/projects/{projectKey}/segments', { params: { path: { projectKey: project } }, body: { key, ...change } })
          : api.PATCH('/api/v1/projects/{projectKey}/segments/{key}', { params: segmentParams(project, key), body: { version, ...change } }),
      );
      return isChangeRequestCreated(answer) ? answer : (answer as SegmentView);
    },
    onSuccess: (answer) => afterSegmentWrite(client, project, answer),
  });
};

/** A segment a flag uses cannot be deleted (409 naming the flags), so a delete never waits for approval. */
export const useDeleteSegment = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ key, reason }: { key: string; reason?: string }) =>
      unwrap(api.DELETE('/api/v1/projects/{projectKey}/segments/{key}', { params: { ...segmentParams(project, key), query: { reason } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.segments(project) }),
  });
};
