import { useNavigate, useParams } from 'react-router';
import { type EnvironmentView, type ProjectView, useProjects } from '../../../api/projects';

const LAST_ENVIRONMENT = 'signalbox.environment';

export const rememberEnvironment = (project: string, environment: string) => {
  try {
    localStorage.setItem(`${LAST_ENVIRONMENT}.${project}`, environment);
  } catch {
    // Private windows may refuse storage; the URL still carries the environment.
  }
};

export const rememberedEnvironment = (project: ProjectView): string => {
  let stored: string | null;
  try {
    stored = localStorage.getItem(`${LAST_ENVIRONMENT}.${project.key}`);
  } catch {
    stored = null;
  }
  const keys = project.environments.map((e) => e.key);
  return stored && keys.includes(stored) ? stored : (project.environments.find((e) => e.key === 'production')?.key ?? keys[0] ?? '');
};

export const paths = {
  flags: (p: string, e: string) => `/${p}/${e}/flags`,
  flag: (p: string, e: string, key: string, tab?: string) => `/${p}/${e}/flags/${encodeURIComponent(key)}${tab ? `?tab=${tab}` : ''}`,
  segments: (p: string, e: string) => `/${p}/${e}/segments`,
  segment: (p: string, e: string, key: string) => `/${p}/${e}/segments/${encodeURIComponent(key)}`,
  audit: (p: string, e: string) => `/${p}/${e}/audit`,
  access: (p: string, e: string) => `/${p}/${e}/access`,
  users: (p: string, e: string) => `/${p}/${e}/users`,
  webhooks: (p: string, e: string) => `/${p}/${e}/webhooks`,
  experiments: (p: string, e: string) => `/${p}/${e}/experiments`,
  experiment: (p: string, e: string, key: string) => `/${p}/${e}/experiments/${encodeURIComponent(key)}`,
  changeRequests: (p: string, e: string, status?: string) => `/${p}/${e}/change-requests${status ? `?status=${status}` : ''}`,
  changeRequest: (p: string, e: string, number: number) => `/${p}/${e}/change-requests/${number}`,
};

/** The project and environment the URL names: every page works inside one of each. */
export const useWorkspace = (): {
  projects: ProjectView[];
  project: ProjectView | undefined;
  environment: EnvironmentView | undefined;
  switchTo: (project: string, environment: string) => void;
} => {
  const { projectKey, envKey } = useParams();
  const navigate = useNavigate();
  const { data: projects = [] } = useProjects();
  const project = projects.find((p) => p.key === projectKey);
  const environment = project?.environments.find((e) => e.key === envKey);
  const switchTo = (nextProject: string, nextEnvironment: string) => {
    rememberEnvironment(nextProject, nextEnvironment);
    // Stay on the same page in the other environment (flag pages keep their flag).
    const rest = window.location.pathname.split('/').slice(3).join('/');
    const samePage = nextProject === projectKey ? rest : 'flags';
    navigate(`/${nextProject}/${nextEnvironment}/${samePage || 'flags'}${nextProject === projectKey ? window.location.search : ''}`);
  };
  return { projects, project, environment, switchTo };
};
