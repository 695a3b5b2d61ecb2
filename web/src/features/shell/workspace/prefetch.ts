import type { QueryClient } from '@tanstack/react-query';
import { meQuery } from '../../../api/auth';
import { flagListQuery } from '../../../api/flagList';
import { projectsQuery } from '../../../api/projects';
import { listStateOf, toFlagSearch } from '../../flags/FlagsList/listState';
import { rememberedLocation } from './lastLocation';

/** The flags list a URL shows (`/{project}/{environment}/flags?…`), or null for any other page. */
export const flagListOf = (url: string): { project: string; environment: string; search: URLSearchParams } | null => {
  const { pathname, searchParams } = new URL(url, 'http://console.invalid');
  const match = /^\/([^/]+)\/([^/]+)\/flags\/?$/.exec(pathname);
  if (!match) return null;
  try {
    return { project: decodeURIComponent(match[1]!), environment: decodeURIComponent(match[2]!), search: searchParams };
  } catch {
    // A malformed escape: the console shows its "unknown workspace" page, nothing to fetch for it.
    return null;
  }
};

/**
 * Sends the first screen's requests at once, before the console's components are even loaded: the
 * session, the projects and, when the URL (or, at `/`, the last location) is a flags list, its first
 * page — the same queries the components then read from the cache. Without this each waited for the
 * previous one: the session, then the projects, then the list. A request that fails here is made
 * again by the component that needs it, with the usual error handling.
 */
export const prefetchFirstScreen = (client: QueryClient, location: Pick<Location, 'pathname' | 'search'>) => {
  const url = location.pathname === '/' ? (rememberedLocation() ?? '/') : location.pathname + location.search;
  const list = flagListOf(url);
  // The list first: it is the slowest answer of the three.
  if (list) void client.prefetchInfiniteQuery(flagListQuery(list.project, toFlagSearch(listStateOf(list.search), list.environment)));
  void client.prefetchQuery(meQuery);
  void client.prefetchQuery(projectsQuery);
};
