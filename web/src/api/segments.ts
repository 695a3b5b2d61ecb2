import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './client';
import { LIVE_REFRESH_MS, queryKeys } from './queryKeys';
import type { components } from './schema';
import type { SegmentView } from './types';

/** The body of a create without its key, or of an update without its version. */
export type SegmentChange = Omit<components['schemas']['CreateSegmentDto'], 'key'>;

export const useSegments = (project: string) =>
  useQuery({
    queryKey: queryKeys.segments(project),
    queryFn: () => request<SegmentView[]>('GET', `/projects/${project}/segments`),
    refetchInterval: LIVE_REFRESH_MS * 2,
  });

export const useSaveSegment = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ key, version, change }: { key: string; version: number | null; change: SegmentChange }) =>
      version === null
        ? request<SegmentView>('POST', `/projects/${project}/segments`, { body: { key, ...change } })
        : request<SegmentView>('PATCH', `/projects/${project}/segments/${key}`, { body: { version, ...change } }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.segments(project) }),
  });
};

export const useDeleteSegment = (project: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ key, reason }: { key: string; reason?: string }) =>
      request<void>('DELETE', `/projects/${project}/segments/${key}`, { query: { reason } }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.segments(project) }),
  });
};
