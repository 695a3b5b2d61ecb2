import { Link } from 'react-router';
import type { ProjectView } from '../../../api/projects';
import { paths, rememberedEnvironment } from '../workspace/workspace';

/**
 * A URL naming a project or environment that does not exist says so and links to what does,
 * instead of quietly showing another environment (a typo must never look like Production).
 */
export const UnknownWorkspace = ({ projects, projectKey, envKey }: { projects: ProjectView[]; projectKey: string; envKey: string }) => {
  const project = projects.find((p) => p.key === projectKey);
  return (
    <main className="unknown-workspace" id="main">
      <div className="card section">
        {project ? (
          <>
            <h1>
              No environment “{envKey}” in project “{project.name}”
            </h1>
            <p className="muted">The address names an environment this project does not have. Its environments:</p>
            <ul className="link-list" aria-label={`Environments of ${project.name}`}>
              {project.environments.map((e) => (
                <li key={e.key}>
                  <Link to={paths.flags(project.key, e.key)}>{e.name}</Link> <code>{e.key}</code>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <>
            <h1>No project “{projectKey}”</h1>
            <p className="muted">The address names a project that does not exist, or was renamed. The projects:</p>
            <ul className="link-list" aria-label="Projects">
              {projects.map((p) => (
                <li key={p.key}>
                  <Link to={paths.flags(p.key, rememberedEnvironment(p))}>{p.name}</Link> <code>{p.key}</code>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </main>
  );
};
