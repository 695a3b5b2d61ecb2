import { Link, useParams } from 'react-router';
import type { ChangeRequest } from '../../../api/changeRequests';
import { paths } from '../../shell/workspace/workspace';
import { approvalsMissing } from '../changeRequestText';

/** What a write became in an environment that requires approval: a link to the request, and how many approvals it waits for. */
export const ChangeRequestNotice = ({ request }: { request: ChangeRequest }) => {
  // The link stays in the environment the user is looking at; the request names its own.
  const { envKey = request.environment } = useParams();
  const missing = approvalsMissing(request);
  return (
    <p className="saved change-request-notice" role="status">
      <Link to={paths.changeRequest(request.project, envKey, request.number)}>Change request #{request.number}</Link> created — needs {missing} approval
      {missing === 1 ? '' : 's'}. Nothing changes until it is approved and applied.
    </p>
  );
};
