import { useState } from 'react';
import { useNavigate } from 'react-router';
import { type FlagView, useArchiveFlag, useDeleteFlag } from '../../../api/flags';
import { formatTime } from '../../../components/common/format';
import { paths } from '../../shell/workspace/workspace';
import { ArchiveDialog } from '../ArchiveDialog/ArchiveDialog';

/** Says that the flag is archived, and lets editors bring it back or delete it for good. */
export const ArchivedBanner = ({ project, environment, flag, canEdit }: { project: string; environment: string; flag: FlagView; canEdit: boolean }) => {
  const [action, setAction] = useState<'unarchive' | 'delete' | null>(null);
  const navigate = useNavigate();
  const archive = useArchiveFlag(project, flag.key);
  const remove = useDeleteFlag(project, flag.key);
  const submit = async (reason: string | undefined) => {
    if (action === 'unarchive') {
      await archive.mutateAsync({ archived: false, reason });
      return;
    }
    await remove.mutateAsync({ reason });
    void navigate(paths.flags(project, environment), { replace: true });
  };
  return (
    <section className="archived-banner" role="status" aria-label="Archived">
      <div>
        <h2>Archived {formatTime(flag.archivedAt)}</h2>
        <p>SDKs no longer receive this flag: evaluations answer FLAG_NOT_FOUND and serve the default value in the code.</p>
      </div>
      {canEdit && (
        <div className="actions">
          <button type="button" className="btn btn-primary" onClick={() => setAction('unarchive')}>
            Unarchive
          </button>
          <button type="button" className="btn btn-danger" onClick={() => setAction('delete')}>
            Delete for good
          </button>
        </div>
      )}
      {action && <ArchiveDialog action={action} flagKey={flag.key} onClose={() => setAction(null)} onSubmit={submit} />}
    </section>
  );
};
