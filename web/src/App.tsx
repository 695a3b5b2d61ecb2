import { Suspense, useEffect } from 'react';
import { Navigate, Route, Routes, useParams } from 'react-router';
import { useMe, usePermissions } from './api/auth';
import { useLiveUpdates } from './api/live';
import { EmptyState, ErrorState, Loading } from './components/common/StateViews';
import { LoginPage } from './features/auth/LoginPage/LoginPage';
import { TwoFactorRequired, TwoFactorSettings } from './features/auth/TwoFactorSettings/TwoFactorSettings';
import { FlagsList } from './features/flags/FlagsList/FlagsList';
import { AppShell } from './features/shell/AppShell/AppShell';
import { Home } from './features/shell/FirstProject/Home';
import { UnknownWorkspace } from './features/shell/UnknownWorkspace/UnknownWorkspace';
import { useWorkspace } from './features/shell/workspace/workspace';
import { lazyPage, warmPages } from './lazyPage';

// Pages off the first screen's path load when first shown (and ahead of that once the first screen is up).
const AccessPage = lazyPage(() => import('./features/access/AccessPage/AccessPage').then((m) => m.AccessPage));
const UsersPage = lazyPage(() => import('./features/access/UsersPage/UsersPage').then((m) => m.UsersPage));
const AuditLogPage = lazyPage(() => import('./features/audit/AuditLogPage/AuditLogPage').then((m) => m.AuditLogPage));
const EvaluatePage = lazyPage(() => import('./features/evaluate/EvaluatePage/EvaluatePage').then((m) => m.EvaluatePage));
const FlagPage = lazyPage(() => import('./features/flags/FlagPage/FlagPage').then((m) => m.FlagPage));
const SegmentsPage = lazyPage(() => import('./features/segments/SegmentsPage/SegmentsPage').then((m) => m.SegmentsPage));
const ExperimentPage = lazyPage(() => import('./features/experiments/ExperimentPage/ExperimentPage').then((m) => m.ExperimentPage));
const ExperimentsPage = lazyPage(() => import('./features/experiments/ExperimentsPage/ExperimentsPage').then((m) => m.ExperimentsPage));
const ChangeRequestsPage = lazyPage(() => import('./features/changeRequests/ChangeRequestsPage/ChangeRequestsPage').then((m) => m.ChangeRequestsPage));
const ChangeRequestPage = lazyPage(() => import('./features/changeRequests/ChangeRequestPage/ChangeRequestPage').then((m) => m.ChangeRequestPage));
const WebhooksPage = lazyPage(() => import('./features/webhooks/WebhooksPage/WebhooksPage').then((m) => m.WebhooksPage));

const Workspace = () => {
  const { projects, project, environment } = useWorkspace();
  // Changes made anywhere reach the open pages by push (api/live.ts), instead of polling.
  useLiveUpdates(project?.key);
  const { projectKey = '', envKey = '' } = useParams();
  const { isAdmin } = usePermissions();
  useEffect(warmPages, []);
  if (projects.length === 0) return <Home />;
  if (!project || !environment) return <UnknownWorkspace projects={projects} projectKey={projectKey} envKey={envKey} />;
  return (
    <AppShell>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="flags" element={<FlagsList project={project} environment={environment} />} />
          <Route path="flags/:flagKey" element={<FlagPage project={project} environment={environment} />} />
          <Route path="segments" element={<SegmentsPage project={project} />} />
          <Route path="segments/:segmentKey" element={<SegmentsPage project={project} />} />
          <Route path="audit" element={<AuditLogPage project={project} />} />
          <Route path="access" element={isAdmin ? <AccessPage project={project} /> : <EmptyState title="Only admins manage tokens and keys." />} />
          <Route path="users" element={isAdmin ? <UsersPage /> : <EmptyState title="Only admins manage users." />} />
          <Route path="webhooks" element={isAdmin ? <WebhooksPage projects={projects} /> : <EmptyState title="Only admins manage webhooks." />} />
          <Route path="experiments" element={<ExperimentsPage project={project} environment={environment} />} />
          <Route path="experiments/:experimentKey" element={<ExperimentPage project={project} environment={environment} />} />
          <Route path="change-requests" element={<ChangeRequestsPage project={project} environment={environment} />} />
          <Route path="change-requests/:number" element={<ChangeRequestPage project={project} environment={environment} />} />
          <Route path="evaluate" element={<EvaluatePage project={project} environment={environment} />} />
          <Route path="account" element={<TwoFactorSettings />} />
          <Route path="*" element={<Navigate to="flags" replace />} />
        </Routes>
      </Suspense>
    </AppShell>
  );
};

export const App = () => {
  const me = useMe();
  if (me.isPending) return <Loading label="Starting Signalbox…" />;
  // A failed refetch keeps the signed-in console as it is; only a first load that failed shows the error.
  if (me.isError && me.data === undefined) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <LoginPage />;
  if (me.data.secondFactorPending) return <TwoFactorRequired />;
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route path="/:projectKey/:envKey/*" element={<Workspace />} />
      <Route path="*" element={<Home />} />
    </Routes>
  );
};
