import { useState } from 'react';
import { type ChangeRequest, isChangeRequestCreated } from '../../../api/changeRequests';
import { useArchiveFlag } from '../../../api/flags';
import { ChangeRequestNotice } from '../../changeRequests/ChangeRequestNotice/ChangeRequestNotice';
import { ArchiveDialog } from '../ArchiveDialog/ArchiveDialog';

/** Archives an active flag, after the user confirms. */
export const ArchiveButton = ({ project, flagKey }: { project: string; flagKey: string }) => {
  const [confirming, setConfirming] = useState(false);
  const archive = useArchiveFlag(project, flagKey);
  const [requested, setRequested] = useState<ChangeRequest | null>(null);
  return (
    <>
      <button type="button" className="btn btn-small" onClick={() => setConfirming(true)}>
        Archive
      </button>
      {requested && <ChangeRequestNotice request={requested} />}
      {confirming && (
        <ArchiveDialog
          action="archive"
          flagKey={flagKey}
          onClose={() => setConfirming(false)}
          onSubmit={async (reason) => {
            // Where an environment requires approval, archiving waits in a change request.
            const answer = await archive.mutateAsync({ archived: true, reason });
            setRequested(isChangeRequestCreated(answer) ? answer.changeRequest : null);
          }}
        />
      )}
    </>
  );
};
