import type { FlagSearch, FlagSortField, SortOrder } from '../../../api/flagList';

// The list's state lives in the URL (?q=&tag=&owner=&status=&archived=all&sort=&order=), so a
// link or a reload reproduces what was on screen. Defaults are left out to keep links short.

export type StatusFilter = '' | 'on' | 'off' | 'killed' | 'stale';

export interface ListState {
  q: string;
  tag: string;
  owner: string;
  status: StatusFilter;
  showArchived: boolean;
  sort: FlagSortField;
  order: SortOrder;
}

export const SORT_FIELDS: ReadonlyArray<{ field: FlagSortField; label: string }> = [
  { field: 'key', label: 'Key' },
  { field: 'name', label: 'Name' },
  { field: 'changed', label: 'Last changed' },
  { field: 'evaluated', label: 'Last evaluated' },
];

const STATUSES: readonly StatusFilter[] = ['', 'on', 'off', 'killed', 'stale'];

const oneOf = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T => (allowed.includes(value as T) ? (value as T) : fallback);

/** What the URL says; anything it cannot mean (a hand-edited `sort=colour`) falls back to the default. */
export const listStateOf = (params: URLSearchParams): ListState => {
  const sort = oneOf(
    params.get('sort'),
    SORT_FIELDS.map((s) => s.field),
    'key',
  );
  return {
    q: params.get('q') ?? '',
    tag: params.get('tag') ?? '',
    owner: params.get('owner') ?? '',
    status: oneOf(params.get('status'), STATUSES, ''),
    showArchived: params.get('archived') === 'all',
    sort,
    // Newest first is what one wants of dates; A to Z of names.
    order: oneOf(params.get('order'), ['asc', 'desc'] as const, defaultOrder(sort)),
  };
};

export const defaultOrder = (sort: FlagSortField): SortOrder => (sort === 'changed' || sort === 'evaluated' ? 'desc' : 'asc');

/** `params` with `change` applied; other parameters (ones this list does not own) are kept. */
export const withListState = (params: URLSearchParams, change: Partial<ListState>): URLSearchParams => {
  const next = { ...listStateOf(params), ...change };
  const out = new URLSearchParams(params);
  const put = (name: string, value: string, fallback = '') => (value && value !== fallback ? out.set(name, value) : out.delete(name));
  put('q', next.q);
  put('tag', next.tag);
  put('owner', next.owner);
  put('status', next.status);
  put('archived', next.showArchived ? 'all' : '');
  put('sort', next.sort, 'key');
  put('order', next.order, defaultOrder(next.sort));
  return out;
};

/** The server search the state asks for, in `environment` (status is the state there). */
export const toFlagSearch = (state: ListState, environment: string): FlagSearch => ({
  q: state.q.trim() || undefined,
  tag: state.tag || undefined,
  owner: state.owner || undefined,
  archived: state.showArchived ? 'all' : undefined,
  stale: state.status === 'stale' ? true : undefined,
  ...(state.status && state.status !== 'stale' ? { status: state.status, environment } : {}),
  sort: state.sort,
  order: state.order,
});
