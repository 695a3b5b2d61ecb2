import { useState } from 'react';
import { useArchiveFlag } from '../../../api/flags';
import { ArchiveDialog } from '../ArchiveDialog/ArchiveDialog';

/** Archives an active flag, after the user confirms. */
export const ArchiveButton = ({ project, flagKey }: { project: string; flagKey: string }) => {
  const [confirming, setConfirming] = useState(false);
  const archive = useArchiveFlag(project, flagKey);
  return (
    <>
      <button type="button" className="btn btn-small" onClick={() => setConfirming(true)}>
        Archive
      </button>
      {confirming && (
        <ArchiveDialog
          action="archive"
          flagKey={flagKey}
          onClose={() => setConfirming(false)}
          onSubmit={(reason) => archive.mutateAsync({ archived: true, reason })}
        />
      )}
    </>
  );
};
