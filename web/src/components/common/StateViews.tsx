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

export const NotAvailable = ({ feature }: { feature: string }) => (
  <div className="state state-empty">
    <strong>{feature} is not available yet.</strong>
    <div>This server does not offer its API yet; the page appears here once it does.</div>
  </div>
);
