import { Link, useSearchParams } from 'react-router';
import { usePermissions } from '../../../api/auth';
import { type ChangeRequestFilter, useChangeRequestPages } from '../../../api/changeRequests';
import type { EnvironmentView, ProjectView } from '../../../api/projects';
import { useSegments } from '../../../api/segments';
import { Badge } from '../../../components/common/Badge';
import { formatTime } from '../../../components/common/format';
import { PageHeader } from '../../../components/common/PageHeader';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { paths } from '../../shell/workspace/workspace';
import { ApprovalSettings } from '../ApprovalSettings/ApprovalSettings';
import { approvalCount, KIND_LABELS, STATUS_TONES } from '../changeRequestText';

const FILTERS: { key: ChangeRequestFilter; label: string }[] = [
  { key: 'pending', label: 'Pending' },
  { key: 'approved', label: 'Approved' },
  { key: 'all', label: 'All' },
];

/** The reviewer's inbox: the project's change requests (pending first by default), and for admins which environments need approval. */
export const ChangeRequestsPage = ({ project, environment }: { project: ProjectView; environment: EnvironmentView }) => {
  const [search, setSearch] = useSearchParams();
  const { isAdmin } = usePermissions();
  const filter = FILTERS.find((f) => f.key === search.get('status'))?.key ?? 'pending';
  const query = useChangeRequestPages(project.key, { status: filter });
  const environmentName = (key: string) => project.environments.find((e) => e.key === key)?.name ?? key;
  // Segment requests name their segment by key; the inbox shows its name (loaded only when such a request is listed).
  const segments = useSegments(project.key, !!query.data?.pages.some((page) => page.items.some((r) => r.kind === 'segment')));
  const segmentName = (key: string | null | undefined) => segments.data?.find((s) => s.key === key)?.name ?? key;
  return (
    <div className="page change-requests-page">
      <PageHeader title="Change requests" description="Changes to environments that require approval wait here for other people's reviews." />
      <div className="range-toggle" role="group" aria-label="Show change requests">
        {FILTERS.map((f) => (
          <button
            key={f.key}
            type="button"
            className={`btn btn-small${filter === f.key ? ' active' : ''}`}
            aria-pressed={filter === f.key}
            onClick={() => setSearch(f.key === 'pending' ? {} : { status: f.key }, { replace: true })}
          >
            {f.label}
          </button>
        ))}
      </div>
      <QueryView
        query={query}
        loadingLabel="Loading change requests…"
        empty={<EmptyState title={filter === 'all' ? 'No change requests yet.' : `No ${filter} change requests.`} />}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
      >
        {(data) => (
          <div className="table-wrap card">
            <table className="table" aria-label="Change requests">
              <thead>
                <tr>
                  <th scope="col">Request</th>
                  <th scope="col">Flag or segment</th>
                  <th scope="col">Environment</th>
                  <th scope="col">Author</th>
                  <th scope="col">Approvals</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {data.pages
                  .flatMap((page) => page.items)
                  .map((request) => (
                    <tr key={request.id}>
                      <td>
                        <Link to={paths.changeRequest(project.key, environment.key, request.number)}>#{request.number}</Link>{' '}
                        <span className="muted">{KIND_LABELS[request.kind]}</span>
                        <div className="muted">{formatTime(request.createdAt)}</div>
                      </td>
                      <td>
                        {request.flag !== null ? (
                          <code>{request.flag}</code>
                        ) : (
                          <>
                            Segment <Link to={paths.segment(project.key, environment.key, request.segment ?? '')}>{segmentName(request.segment)}</Link>{' '}
                            <code>{request.segment}</code>
                          </>
                        )}
                      </td>
                      <td>{environmentName(request.environment)}</td>
                      <td>{request.author.email}</td>
                      <td>{approvalCount(request)}</td>
                      <td>
                        <Badge tone={STATUS_TONES[request.status]}>{request.status}</Badge>{' '}
                        {request.stale && (
                          <Badge tone="warn" title="The config has changed since this request was made: it must be rebased before it can be applied">
                            stale
                          </Badge>
                        )}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
            {query.hasNextPage && (
              <button type="button" className="btn" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
                {query.isFetchingNextPage ? 'Loading…' : 'Load older requests'}
              </button>
            )}
          </div>
        )}
      </QueryView>
      {isAdmin && <ApprovalSettings project={project} />}
    </div>
  );
};
