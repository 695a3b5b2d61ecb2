import { useInfiniteQuery } from '@tanstack/react-query';
import { request } from './client';
import { LIVE_REFRESH_MS, queryKeys } from './queryKeys';
import type { operations } from './schema';
import type { AuditPage } from './types';

/** The list's filters; the hook adds the page cursor and size. */
export type AuditFilters = Omit<NonNullable<operations['AuditController_list']['parameters']['query']>, 'cursor' | 'limit'>;

export const useAuditLog = (filters: AuditFilters, limit = 25) =>
  useInfiniteQuery({
    queryKey: [...queryKeys.audit, filters, limit],
    queryFn: ({ pageParam }) =>
      request<AuditPage>('GET', '/audit', { query: { ...filters, limit, cursor: pageParam ?? undefined } }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    refetchInterval: LIVE_REFRESH_MS * 2,
  });
