import { useState } from 'react';
import { Navigate } from 'react-router';
import { type ProjectView, useProjects } from '../../../api/projects';
import { ErrorState, Loading } from '../../../components/common/StateViews';
import { locationWorkspace, rememberedLocation } from '../workspace/lastLocation';
import { paths, rememberedEnvironment } from '../workspace/workspace';
import { FirstProject } from './FirstProject';

/** `/`: where the user last was (or the first project's flags), or, before any project exists, the way to create one. */
export const Home = () => {
  const projects = useProjects();
  // While the first project's dialog is open, stay: it shows SDK keys the server reveals only once.
  const [settingUp, setSettingUp] = useState(false);
  if (projects.isPending) return <Loading />;
  if (projects.isError && projects.data === undefined) return <ErrorState error={projects.error} onRetry={() => void projects.refetch()} />;
  const first = projects.data[0];
  if (!first || settingUp) return <FirstProject settingUp={settingUp} onSettingUp={setSettingUp} />;
  return <Navigate to={landing(projects.data)} replace />;
};

/** Where the user last was, while that project and environment still exist; else the first project's flags. */
const landing = (projects: ProjectView[]): string => {
  const last = rememberedLocation();
  const named = last ? locationWorkspace(last) : null;
  const project = named && projects.find((p) => p.key === named.project);
  if (last && project && project.environments.some((e) => e.key === named?.environment)) return last;
  const first = projects[0] as ProjectView;
  return paths.flags(first.key, rememberedEnvironment(first));
};
