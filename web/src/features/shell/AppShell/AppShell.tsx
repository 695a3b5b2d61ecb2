import { type ReactNode, useEffect } from 'react';
import { NavLink, useLocation } from 'react-router';
import { useLogout, useMe, usePermissions } from '../../../api/auth';
import { Badge } from '../../../components/common/Badge';
import { EnvironmentSwitcher } from '../EnvironmentSwitcher/EnvironmentSwitcher';
import { ProjectSwitcher } from '../ProjectSwitcher/ProjectSwitcher';
import { evaluatePath } from '../../evaluate/evaluatePath';
import { rememberLocation } from '../workspace/lastLocation';
import { paths, useWorkspace } from '../workspace/workspace';
import { ThemeToggle } from '../ThemeToggle/ThemeToggle';

const envTone = (key: string) => (key.startsWith('prod') ? 'prod' : key.startsWith('stag') ? 'staging' : 'dev');

/** Header with the project and environment switchers (always visible), navigation, and the page. */
export const AppShell = ({ children }: { children: ReactNode }) => {
  const { data: me } = useMe();
  const { isAdmin } = usePermissions();
  const logout = useLogout();
  const { projects, project, environment, switchTo } = useWorkspace();
  const p = project?.key ?? '';
  const e = environment?.key ?? '';
  const { pathname, search } = useLocation();
  // The shell only shows inside a real project and environment, so every location it sees is one to return to.
  useEffect(() => rememberLocation(pathname + search), [pathname, search]);
  return (
    <div className={`shell env-${envTone(e)}`}>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◉
          </span>{' '}
          Signalbox
        </div>
        <div className="switchers">
          <ProjectSwitcher projects={projects} current={p} canCreate={isAdmin} onSwitch={switchTo} />
          <EnvironmentSwitcher project={project} current={e} canCreate={isAdmin} className={`env-${envTone(e)}`} onSwitch={switchTo} />
        </div>
        <div className="whoami">
          <ThemeToggle />
          <span className="whoami-name">{me?.user?.name ?? me?.name}</span>
          <Badge tone={me?.role === 'viewer' ? 'neutral' : 'info'}>{me?.role}</Badge>
          <button type="button" className="btn btn-small btn-ghost-inverse" onClick={() => logout.mutate()}>
            Sign out
          </button>
        </div>
      </header>
      <div className="layout">
        <nav className="sidenav" aria-label="Main">
          <NavLink to={paths.flags(p, e)}>Flags</NavLink>
          <NavLink to={paths.segments(p, e)}>Segments</NavLink>
          <NavLink to={paths.experiments(p, e)}>Experiments</NavLink>
          <NavLink to={paths.changeRequests(p, e)}>Change requests</NavLink>
          <NavLink to={evaluatePath(p, e)}>Evaluate</NavLink>
          <NavLink to={paths.audit(p, e)}>Audit log</NavLink>
          {isAdmin && <NavLink to={paths.access(p, e)}>API tokens &amp; SDK keys</NavLink>}
          {isAdmin && <NavLink to={paths.users(p, e)}>Users &amp; roles</NavLink>}
          {isAdmin && <NavLink to={paths.webhooks(p, e)}>Webhooks</NavLink>}
          {me?.user && !me.user.singleSignOn && <NavLink to={`/${p}/${e}/account`}>Two-factor sign-in</NavLink>}
        </nav>
        <main className="content" id="main">
          {children}
        </main>
      </div>
    </div>
  );
};
