import { useState } from 'react';
import { Navigate } from 'react-router';
import { useProjects } from '../../../api/projects';
import { ErrorState, Loading } from '../../../components/common/StateViews';
import { paths, rememberedEnvironment } from '../workspace/workspace';
import { FirstProject } from './FirstProject';

/** `/`: the first project's flags, or, before any project exists, the way to create one. */
export const Home = () => {
  const projects = useProjects();
  // While the first project's dialog is open, stay: it shows SDK keys the server reveals only once.
  const [settingUp, setSettingUp] = useState(false);
  if (projects.isPending) return <Loading />;
  if (projects.isError) return <ErrorState error={projects.error} onRetry={() => void projects.refetch()} />;
  const first = projects.data[0];
  if (!first || settingUp) return <FirstProject settingUp={settingUp} onSettingUp={setSettingUp} />;
  return <Navigate to={paths.flags(first.key, rememberedEnvironment(first))} replace />;
};
