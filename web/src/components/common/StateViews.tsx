import type { ReactNode } from 'react';
import { errorMessage } from '../../api/client';
import { StaleNotice } from './StaleNotice';

export const Loading = ({ label = 'Loading…' }: { label?: string }) => (
  <div className="state state-loading" role="status" aria-live="polite">
    <span className="spinner" aria-hidden="true" />
    {label}
  </div>
);

export const EmptyState = ({ title, children }: { title: string; children?: ReactNode }) => (
  <div className="state state-empty">
    <strong>{title}</strong>
    {children && <div>{children}</div>}
  </div>
);

export const ErrorState = ({ error, onRetry }: { error: unknown; onRetry?: () => void }) => (
  <div className="state state-error" role="alert">
    <strong>Could not load this.</strong> {errorMessage(error)}
    {onRetry && (
      <button type="button" className="btn btn-small" onClick={onRetry}>
        Try again
      </button>
    )}
  </div>
);

/** What QueryView reads of a react-query result (a plain or an infinite query). */
export interface QueryLike<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => Promise<unknown>;
  /** When the data was last loaded (react-query's ms timestamp). */
  dataUpdatedAt?: number;
  /** A refresh (or a retry) is under way. */
  isFetching?: boolean;
}

/** A query that failed to refresh but still holds the data it loaded before. */
export const isStale = <T,>(query: QueryLike<T>): boolean => query.isError && query.data !== undefined;

/** The stale notice for a query, when its last refresh failed and it still holds data; nothing otherwise. */
export const QueryStaleNotice = <T,>({ query }: { query: QueryLike<T> }) =>
  isStale(query) ? (
    <StaleNotice error={query.error} updatedAt={query.dataUpdatedAt ?? 0} retrying={query.isFetching} onRetry={() => void query.refetch()} />
  ) : null;

/**
 * The states every loaded view goes through: loading, failed (with Try again), loaded but empty, and
 * loaded. `empty` shows when `isEmpty` says so; without `isEmpty`, when the data is an empty list.
 * Only a first load without data shows the failure: a failed refresh keeps the data on screen under a
 * stale notice, so nothing the user opened or typed below is unmounted by a network blip.
 */
export const QueryView = <T,>({
  query,
  loadingLabel,
  empty,
  isEmpty,
  children,
}: {
  query: QueryLike<T>;
  loadingLabel?: string;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) => {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.isError && query.data === undefined) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const data = query.data as T;
  const notice = <QueryStaleNotice query={query} />;
  if (empty !== undefined && (isEmpty ? isEmpty(data) : Array.isArray(data) && data.length === 0))
    return (
      <>
        {notice}
        {empty}
      </>
    );
  return (
    <>
      {notice}
      {children(data)}
    </>
  );
};
