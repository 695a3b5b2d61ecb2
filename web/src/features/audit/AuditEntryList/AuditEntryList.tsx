import type { AuditEntry } from '../../../api/audit';
import { Badge, type Tone } from '../../../components/common/Badge';
import { DiffView } from '../../../components/common/DiffView';
import { formatTime } from '../../../components/common/format';

const toneOf = (action: string): Tone =>
  action.includes('killed') ? 'killed' : action.includes('restored') ? 'on' : action.includes('deleted') || action.includes('revoked') ? 'warn' : 'info';

/** Audit entries, newest first; each opens to its before/after diff. */
export const AuditEntryList = ({
  entries,
  hasMore,
  loadingMore,
  onLoadMore,
  showResource = true,
}: {
  entries: AuditEntry[];
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  showResource?: boolean;
}) => (
  <div className="audit-list">
    <ol>
      {entries.map((entry) => (
        <li key={entry.id} className="audit-entry">
          <details>
            <summary>
              <Badge tone={toneOf(entry.action)}>{entry.action}</Badge>
              {showResource && (
                <span className="audit-resource">
                  {entry.resourceType} <code>{entry.resourceKey}</code>
                </span>
              )}
              {entry.environmentKey && <span className="env-tag">{entry.environmentKey}</span>}
              <span className="audit-actor">by {entry.actorName}</span>
              <time dateTime={entry.at}>{formatTime(entry.at)}</time>
              {entry.reason && <span className="audit-reason">“{entry.reason}”</span>}
            </summary>
            <div className="audit-detail">
              {entry.before == null && entry.after != null ? (
                <pre className="json-block" aria-label="Created with">
                  {JSON.stringify(entry.after, null, 2)}
                </pre>
              ) : (
                <DiffView before={entry.before} after={entry.after ?? {}} caption="Before → after" />
              )}
              {entry.requestId && <p className="muted">request {entry.requestId}</p>}
            </div>
          </details>
        </li>
      ))}
    </ol>
    {hasMore && (
      <button type="button" className="btn" onClick={onLoadMore} disabled={loadingMore}>
        {loadingMore ? 'Loading…' : 'Load older entries'}
      </button>
    )}
  </div>
);
