import { Navigate, Route, Routes, useParams } from 'react-router';
import { useMe, usePermissions } from './api/auth';
import { useLiveUpdates } from './api/live';
import { EmptyState, ErrorState, Loading } from './components/common/StateViews';
import { AccessPage } from './features/access/AccessPage/AccessPage';
import { UsersPage } from './features/access/UsersPage/UsersPage';
import { AuditLogPage } from './features/audit/AuditLogPage/AuditLogPage';
import { LoginPage } from './features/auth/LoginPage/LoginPage';
import { FlagPage } from './features/flags/FlagPage/FlagPage';
import { FlagsList } from './features/flags/FlagsList/FlagsList';
import { SegmentsPage } from './features/segments/SegmentsPage/SegmentsPage';
import { AppShell } from './features/shell/AppShell/AppShell';
import { Home } from './features/shell/FirstProject/Home';
import { ExperimentPage } from './features/experiments/ExperimentPage/ExperimentPage';
import { ExperimentsPage } from './features/experiments/ExperimentsPage/ExperimentsPage';
import { WebhooksPage } from './features/webhooks/WebhooksPage/WebhooksPage';
import { UnknownWorkspace } from './features/shell/UnknownWorkspace/UnknownWorkspace';
import { useWorkspace } from './features/shell/workspace/workspace';

const Workspace = () => {
  const { projects, project, environment } = useWorkspace();
  // Changes made anywhere reach the open pages by push (api/live.ts), instead of polling.
  useLiveUpdates(project?.key);
  const { projectKey = '', envKey = '' } = useParams();
  const { isAdmin } = usePermissions();
  if (projects.length === 0) return <Home />;
  if (!project || !environment) return <UnknownWorkspace projects={projects} projectKey={projectKey} envKey={envKey} />;
  return (
    <AppShell>
      <Routes>
        <Route path="flags" element={<FlagsList project={project} environment={environment} />} />
        <Route path="flags/:flagKey" element={<FlagPage project={project} environment={environment} />} />
        <Route path="segments" element={<SegmentsPage project={project} />} />
        <Route path="audit" element={<AuditLogPage project={project} />} />
        <Route path="access" element={isAdmin ? <AccessPage project={project} /> : <EmptyState title="Only admins manage tokens and keys." />} />
        <Route path="users" element={isAdmin ? <UsersPage /> : <EmptyState title="Only admins manage users." />} />
        <Route path="webhooks" element={isAdmin ? <WebhooksPage projects={projects} /> : <EmptyState title="Only admins manage webhooks." />} />
        <Route path="experiments" element={<ExperimentsPage project={project} environment={environment} />} />
        <Route path="experiments/:experimentKey" element={<ExperimentPage project={project} environment={environment} />} />
        <Route path="*" element={<Navigate to="flags" replace />} />
      </Routes>
    </AppShell>
  );
};

export const App = () => {
  const me = useMe();
  if (me.isPending) return <Loading label="Starting Signalbox…" />;
  // A failed refetch keeps the signed-in console as it is; only a first load that failed shows the error.
  if (me.isError && me.data === undefined) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <LoginPage />;
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route path="/:projectKey/:envKey/*" element={<Workspace />} />
      <Route path="*" element={<Home />} />
    </Routes>
  );
};
