import { useInfiniteQuery } from '@tanstack/react-query';
import { request } from './client';
import { LIVE_REFRESH_MS, queryKeys } from './queryKeys';
import type { AuditPage } from './types';

export interface AuditFilters {
  project?: string;
  environment?: string;
  flag?: string;
  resourceType?: string;
  actor?: string;
  from?: string;
  to?: string;
}

export const useAuditLog = (filters: AuditFilters, limit = 25) =>
  useInfiniteQuery({
    queryKey: [...queryKeys.audit, filters, limit],
    queryFn: ({ pageParam }) =>
      request<AuditPage>('GET', '/audit', { query: { ...filters, limit, cursor: pageParam ?? undefined } }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    refetchInterval: LIVE_REFRESH_MS * 2,
  });
