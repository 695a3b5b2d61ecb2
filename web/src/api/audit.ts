import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './queryKeys';
import type { components, operations } from './schema';

export type AuditEntry = components['schemas']['AuditEntryResponse'];
export type AuditPage = components['schemas']['AuditPageResponse'];

/** The list's filters; the hook adds the page cursor and size. */
export type AuditFilters = Omit<NonNullable<operations['AuditController_list']['parameters']['query']>, 'cursor' | 'limit'>;

/** A slow fallback: most entries arrive with a pushed change. */
const AUDIT_FALLBACK_MS = 30_000;

export const useAuditLog = (filters: AuditFilters, limit = 25) =>
  useInfiniteQuery({
    queryKey: [...queryKeys.audit, filters, limit],
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/audit', { params: { query: { ...filters, limit, cursor: pageParam ?? undefined } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // Changes pushed to the console refresh it (api/live.ts); this catches entries no push names
    // (users, tokens, webhooks, flag metadata).
    refetchInterval: AUDIT_FALLBACK_MS,
  });
