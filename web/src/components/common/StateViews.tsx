import type { ReactNode } from 'react';
import { errorMessage } from '../../api/client';

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
}

/**
 * The states every loaded view goes through: loading, failed (with Try again), loaded but empty, and
 * loaded. `empty` shows when `isEmpty` says so; without `isEmpty`, when the data is an empty list.
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
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const data = query.data as T;
  if (empty !== undefined && (isEmpty ? isEmpty(data) : Array.isArray(data) && data.length === 0)) return <>{empty}</>;
  return <>{children(data)}</>;
};
