import { errorMessage } from '../../api/client';
import { formatClock } from './clock';
import './StaleNotice.css';

/**
 * What the page shows when a refresh failed but it still holds data: the data stays as it is (an open
 * form keeps what the user typed) and this says how old it is, with a retry. Whatever triggered the
 * refresh (a push, a window refocus, a retry) does not matter here.
 */
export const StaleNotice = ({
  error,
  updatedAt,
  retrying = false,
  onRetry,
}: {
  error: unknown;
  /** When the data shown was last loaded (ms since the epoch); 0 when unknown. */
  updatedAt: number;
  retrying?: boolean;
  onRetry: () => void;
}) => (
  <div className="stale-notice" role="status" aria-label="Could not refresh">
    <strong>Could not refresh</strong>
    {updatedAt > 0 && <span>· last updated {formatClock(updatedAt)}</span>}
    <span aria-hidden="true">·</span>
    {/* Never disabled: a retry now cancels a background retry that may be waiting out its back-off. */}
    <button type="button" className="btn btn-small" onClick={onRetry}>
      Retry
    </button>
    <span className="stale-notice-detail">
      ({errorMessage(error)}){retrying && ' Trying again…'}
    </span>
  </div>
);
