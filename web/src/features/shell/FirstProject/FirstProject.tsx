import { useState } from 'react';
import { usePermissions } from '../../../api/auth';
import { EmptyState } from '../../../components/common/StateViews';
import { CreateProjectDialog } from '../CreateProjectDialog/CreateProjectDialog';

/**
 * The console before any project exists: admins create the first one here. `onSettingUp(true)`
 * while its dialog is open, so the page stays until the one-time SDK keys have been seen.
 */
export const FirstProject = ({ settingUp, onSettingUp }: { settingUp: boolean; onSettingUp: (open: boolean) => void }) => {
  const { isAdmin } = usePermissions();
  const [created, setCreated] = useState(false);
  return (
    <EmptyState title={created ? 'Project created.' : 'No projects yet.'}>
      {isAdmin ? (
        <button type="button" className="btn btn-primary" onClick={() => onSettingUp(true)}>
          Create the first project
        </button>
      ) : (
        'Ask an admin to create a project.'
      )}
      {settingUp && <CreateProjectDialog onCreated={() => setCreated(true)} onClose={() => onSettingUp(false)} />}
    </EmptyState>
  );
};
