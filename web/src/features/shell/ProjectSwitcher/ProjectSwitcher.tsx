import { useState } from 'react';
import type { ProjectView } from '../../../api/projects';
import { CreateProjectDialog } from '../CreateProjectDialog/CreateProjectDialog';
import { rememberedEnvironment } from '../workspace/workspace';

/** Picks the project every page works in; admins can create one here, and land in it. */
export const ProjectSwitcher = ({
  projects,
  current,
  canCreate,
  onSwitch,
}: {
  projects: ProjectView[];
  current: string;
  canCreate: boolean;
  onSwitch: (project: string, environment: string) => void;
}) => {
  const [creating, setCreating] = useState(false);
  return (
    <div className="switcher">
      <label htmlFor="switch-project">Project</label>
      <select
        id="switch-project"
        value={current}
        onChange={(ev) => {
          const next = projects.find((x) => x.key === ev.target.value);
          if (next) onSwitch(next.key, next.environments[0]?.key ?? '');
        }}
      >
        {projects.map((x) => (
          <option key={x.key} value={x.key}>
            {x.name}
          </option>
        ))}
      </select>
      {canCreate && (
        <button type="button" className="btn btn-small btn-ghost-inverse" aria-label="New project" title="New project" onClick={() => setCreating(true)}>
          +
        </button>
      )}
      {creating && (
        <CreateProjectDialog onCreated={({ project }) => onSwitch(project.key, rememberedEnvironment(project))} onClose={() => setCreating(false)} />
      )}
    </div>
  );
};
