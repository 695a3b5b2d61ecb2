import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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

/** Creates the segment when `version` is null; else a stale `version` answers 409 VERSION_CONFLICT with the current segment. */
export const useSaveSegment = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ key, version, change }: { key: string; version: number | null; change: SegmentChange }) =>
      unwrap(
        version === null
          ? api.POST('/api/v1/projects/{projectKey}/segments', { params: { path: { projectKey: project } }, body: { key, ...change } })
          : api.PATCH('/api/v1/projects/{projectKey}/segments/{key}', { params: segmentParams(project, key), body: { version, ...change } }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.segments(project) }),
  });
};

export const useDeleteSegment = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ key, reason }: { key: string; reason?: string }) =>
      unwrap(api.DELETE('/api/v1/projects/{projectKey}/segments/{key}', { params: { ...segmentParams(project, key), query: { reason } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.segments(project) }),
  });
};
