import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, unwrap } from './client';
import type { FlagView } from './flags';
import { queryKeys } from './queryKeys';
import type { components, operations } from './schema';

type FlagPage = components['schemas']['FlagPageResponse'];

/** Filters and order of the paged search; the page itself (limit, cursor) is this module's business. */
export type FlagSearch = Omit<NonNullable<operations['FlagsController_search']['parameters']['query']>, 'limit' | 'cursor'>;
export type FlagSortField = NonNullable<FlagSearch['sort']>;
export type SortOrder = NonNullable<FlagSearch['order']>;

/** Rows per request: a screen and a half, so the first paint needs one small answer. */
export const FLAG_PAGE_SIZE = 50;

const searchPage = (project: string, search: FlagSearch, limit: number, cursor?: string): Promise<FlagPage> =>
  unwrap(api.GET('/api/v1/projects/{projectKey}/search/flags', { params: { path: { projectKey: project }, query: { ...search, limit, cursor } } }));

/** The paged search as a query; also what the console prefetches for a list URL before it renders. */
export const flagListQuery = (project: string, search: FlagSearch) =>
  infiniteQueryOptions({
    // Under the project's flags key, so whatever invalidates the flags refreshes the list too.
    queryKey: [...queryKeys.flags(project), 'search', search],
    queryFn: ({ pageParam }) => searchPage(project, search, FLAG_PAGE_SIZE, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: FlagPage) => last.nextCursor ?? undefined,
    // No polling: the console is live by push (live.ts invalidates the project's flags keys).
  });

/**
 * The flags a search holds, fetched page by page as the list scrolls (`loadMore`). A refresh that
 * fails keeps the rows it had (react-query keeps `data`); QueryView then shows a stale notice.
 */
export const useFlagList = (project: string, search: FlagSearch) => {
  const query = useInfiniteQuery({
    ...flagListQuery(project, search),
    // A new search keeps showing the previous rows until its answer arrives, instead of a spinner per keystroke.
    placeholderData: keepPreviousData,
  });
  const { data, hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const flags = useMemo(() => (data?.pages ?? []).flatMap((page) => page.items as FlagView[]), [data]);
  return {
    /** For QueryView: loading, a first load that failed, and a refresh that failed with rows kept. */
    query,
    flags,
    total: data?.pages[0]?.total ?? 0,
    /** The rows shown answer an older search (a newer one is on its way). */
    isPlaceholder: query.isPlaceholderData,
    hasMore: hasNextPage,
    loadMore: () => {
      if (hasNextPage && !isFetchingNextPage && !query.isError) void fetchNextPage();
    },
  };
};

/** How many flags a search holds, without their rows (one flag is fetched and ignored). */
export const useFlagTotal = (project: string, search: FlagSearch) =>
  useQuery({
    queryKey: [...queryKeys.flags(project), 'total', search],
    queryFn: async () => (await searchPage(project, search, 1)).total,
  });
