import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components, operations } from './schema';

export type AuditEntry = components['schemas']['AuditEntryResponse'];
export type AuditPage = components['schemas']['AuditPageResponse'];

/** The list's filters; the hook adds the page cursor and size. */
export type AuditFilters = Omit<NonNullable<operations['AuditController_list']['parameters']['query']>, 'cursor' | 'limit'>;

export const useAuditLog = (filters: AuditFilters, limit = 25) =>
  useInfiniteQuery({
    queryKey: [...queryKeys.audit, filters, limit],
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/audit', { params: { query: { ...filters, limit, cursor: pageParam ?? undefined } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // Every audited change is pushed to the console (api/live.ts), which refreshes this: no polling.
  });
