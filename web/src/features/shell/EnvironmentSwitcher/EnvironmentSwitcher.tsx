import { useState } from 'react';
import type { ProjectView } from '../../../api/projects';
import { CreateEnvironmentDialog } from '../CreateEnvironmentDialog/CreateEnvironmentDialog';

/** Picks the environment of the current project; admins can add one here, and land in it. */
export const EnvironmentSwitcher = ({
  project,
  current,
  canCreate,
  className,
  onSwitch,
}: {
  project: ProjectView | undefined;
  current: string;
  canCreate: boolean;
  className: string;
  onSwitch: (project: string, environment: string) => void;
}) => {
  const [creating, setCreating] = useState(false);
  return (
    <div className={`switcher switcher-env ${className}`}>
      <label htmlFor="switch-environment">Environment</label>
      <select id="switch-environment" value={current} onChange={(ev) => project && onSwitch(project.key, ev.target.value)}>
        {(project?.environments ?? []).map((x) => (
          <option key={x.key} value={x.key}>
            {x.name}
          </option>
        ))}
      </select>
      {canCreate && project && (
        <button
          type="button"
          className="btn btn-small btn-ghost-inverse"
          aria-label="New environment"
          title="New environment"
          onClick={() => setCreating(true)}
        >
          +
        </button>
      )}
      {creating && project && (
        <CreateEnvironmentDialog project={project} onCreated={({ environment }) => onSwitch(project.key, environment.key)} onClose={() => setCreating(false)} />
      )}
    </div>
  );
};
