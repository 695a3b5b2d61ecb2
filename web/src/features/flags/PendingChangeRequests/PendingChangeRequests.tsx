import { Link } from 'react-router';
import { useChangeRequests } from '../../../api/changeRequests';
import type { EnvironmentView } from '../../../api/projects';
import { approvalCount, isOpen } from '../../changeRequests/changeRequestText';
import { paths } from '../../shell/workspace/workspace';

/** Open change requests for this flag in this environment, linked, so nobody edits past them unaware. */
export const PendingChangeRequests = ({
  project,
  flagKey,
  environment,
  enabled,
}: {
  project: string;
  flagKey: string;
  environment: EnvironmentView;
  enabled: boolean;
}) => {
  // Only where approval is asked somewhere in the project; a failure (an older server) shows nothing.
  const { data: requests = [] } = useChangeRequests(project, { flag: flagKey, environment: environment.key, status: 'all' }, enabled);
  const open = requests.filter((r) => isOpen(r) && r.environment === environment.key);
  if (open.length === 0) return null;
  return (
    <section className="notice pending-change-requests" aria-label={`Change requests for ${flagKey} in ${environment.name}`}>
      <strong>
        {open.length === 1 ? 'A change request is' : `${open.length} change requests are`} open for this flag in {environment.name}:
      </strong>{' '}
      {open.map((request, i) => (
        <span key={request.id}>
          {i > 0 && ', '}
          <Link to={paths.changeRequest(project, environment.key, request.number)}>#{request.number}</Link> ({request.status}, {approvalCount(request)}
          {request.stale ? ', stale' : ''})
        </span>
      ))}
    </section>
  );
};
