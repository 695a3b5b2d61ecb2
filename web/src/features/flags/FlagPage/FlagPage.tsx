import { type KeyboardEvent, lazy, Suspense } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { usePermissions } from '../../../api/auth';
import { useFlag } from '../../../api/flags';
import { useHasShadowSamples } from '../../../api/shadowReports';
import { approvalOf, type EnvironmentView, type ProjectView } from '../../../api/projects';
import { Badge, StatusBadge } from '../../../components/common/Badge';
import { ErrorState, Loading, QueryStaleNotice } from '../../../components/common/StateViews';
import { ApiError } from '../../../api/client';
import { paths } from '../../shell/workspace/workspace';
import { FlagHistory } from '../FlagHistory/FlagHistory';
import { FlagTargeting } from '../FlagTargeting/FlagTargeting';
import { FlagTriggers } from '../FlagTriggers/FlagTriggers';
import { StalePanel } from '../StalePanel/StalePanel';
import { KillSwitch } from '../KillSwitch/KillSwitch';
import { TargetingSummary } from '../TargetingSummary/TargetingSummary';
import { TestContext } from '../TestContext/TestContext';
import { VariantsTable } from './VariantsTable';
import { ArchiveButton } from '../ArchiveButton/ArchiveButton';
import { CompareEnvironments } from '../CompareEnvironments/CompareEnvironments';
import { ArchivedBanner } from '../ArchivedBanner/ArchivedBanner';
import { FlagDetailsEditor } from '../FlagDetailsEditor/FlagDetailsEditor';
import { ShadowReport } from '../../shadow/ShadowReport/ShadowReport';
import { RolloutPlans } from '../../rollouts/RolloutPlans/RolloutPlans';
import { ScheduledChanges } from '../ScheduledChanges/ScheduledChanges';
import { PendingChangeRequests } from '../PendingChangeRequests/PendingChangeRequests';

// The charting library is large: it loads with the first chart.
const EvaluationsChart = lazy(() => import('../../telemetry/EvaluationsChart/EvaluationsChart').then((m) => ({ default: m.EvaluationsChart })));

const TABS = [
  { key: 'targeting', label: 'Targeting' },
  { key: 'test', label: 'Test a context' },
  { key: 'environments', label: 'Environments' },
  { key: 'details', label: 'Details & variants' },
  { key: 'evaluations', label: 'Evaluations' },
  { key: 'rollout', label: 'Rollout plans' },
  { key: 'shadow', label: 'Shadow report' },
  { key: 'triggers', label: 'Triggers' },
  { key: 'history', label: 'History' },
] as const;

type TabKey = (typeof TABS)[number]['key'];

export const FlagPage = ({ project, environment }: { project: ProjectView; environment: EnvironmentView }) => {
  const { flagKey = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const { canEdit } = usePermissions();
  const query = useFlag(project.key, flagKey);
  // Only a boolean flag can be shadowed (flags.shadow in the SDK). Its tab appears once an SDK has sent
  // comparisons in this environment; a link that names the tab still opens it, on the empty state
  // that says how to send them.
  const shadowable = query.data?.kind === 'boolean';
  const shadowSamples = useHasShadowSamples(project.key, flagKey, environment.key, shadowable);
  const showShadow = shadowable && (shadowSamples.data === true || search.get('tab') === 'shadow');
  // Tabs that need edit rights are not offered without them.
  const shown = (key: TabKey) => (key === 'shadow' ? showShadow : key === 'triggers' ? canEdit : true);
  const tabs = TABS.filter((t) => shown(t.key));
  const tab = tabs.find((t) => t.key === search.get('tab'))?.key ?? 'targeting';
  const selectTab = (key: TabKey) => setSearch(key === 'targeting' ? {} : { tab: key }, { replace: true });
  const onTabsKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // From the focused tab, not the selected one: a second arrow can arrive before the first one's render.
    const focused = tabs.findIndex((t) => `tab-${t.key}` === (e.target as HTMLElement).id);
    const index = focused >= 0 ? focused : tabs.findIndex((t) => t.key === tab);
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1 + tabs.length, Home: 0, End: tabs.length - 1 };
    const next = tabs[(moves[e.key] ?? -1) % tabs.length];
    if (!next) return;
    e.preventDefault();
    selectTab(next.key);
    document.getElementById(`tab-${next.key}`)?.focus();
  };

  if (query.isPending) return <Loading label="Loading flag…" />;
  // Only a first load that failed replaces the page. A failed refresh keeps the flag as it was, with a
  // stale notice: an open form (a rollout being edited, a reason typed) must never unmount over a blip.
  if (query.data === undefined)
    return query.error instanceof ApiError && query.error.status === 404 ? (
      <div className="page">
        <h1>No flag {flagKey}</h1>
        <Link to={paths.flags(project.key, environment.key)}>Back to flags</Link>
      </div>
    ) : (
      <ErrorState error={query.error} onRetry={() => void query.refetch()} />
    );
  const flag = query.data;
  const config = flag.environments[environment.key];

  return (
    <div className="page flag-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={paths.flags(project.key, environment.key)}>Flags</Link> / <span>{flag.key}</span>
      </nav>
      <QueryStaleNotice query={query} />
      <header className="page-header flag-header">
        <div>
          <h1>
            {flag.name} {flag.archived && <Badge tone="warn">archived</Badge>}
          </h1>
          <p className="flag-key">
            <code>{flag.key}</code> <Badge>{flag.kind}</Badge> <Badge>{flag.lifecycle}</Badge>
            {flag.tags.map((tag) => (
              <Badge key={tag} tone="info">
                #{tag}
              </Badge>
            ))}
            {flag.owner && <span className="muted">owner {flag.owner}</span>}
          </p>
          {flag.description && <p className="muted">{flag.description}</p>}
        </div>
        <div className="flag-header-side">
          <nav className="env-status" aria-label="Status in each environment">
            {project.environments.map((env) => (
              <Link
                key={env.key}
                to={paths.flag(project.key, env.key, flag.key, tab === 'targeting' ? undefined : tab)}
                className={`env-chip${env.key === environment.key ? ' current' : ''}`}
                aria-current={env.key === environment.key ? 'page' : undefined}
              >
                <span>{env.name}</span>
                <StatusBadge config={flag.environments[env.key]} />
              </Link>
            ))}
          </nav>
          {canEdit && !flag.archived && (
            <div className="flag-actions">
              <ArchiveButton project={project.key} flagKey={flag.key} />
            </div>
          )}
        </div>
      </header>

      {/* An archived flag reaches no SDK, so there is nothing to kill: the banner takes the kill switch's place. */}
      {flag.archived ? (
        <ArchivedBanner project={project.key} environment={environment.key} flag={flag} canEdit={canEdit} />
      ) : (
        <KillSwitch project={project.key} flag={flag} environment={environment} environments={project.environments} canEdit={canEdit} />
      )}

      <StalePanel project={project.key} flagKey={flag.key} />
      <PendingChangeRequests
        project={project.key}
        flagKey={flag.key}
        environment={environment}
        enabled={project.environments.some((env) => approvalOf(env).requireApproval)}
      />

      <div role="tablist" aria-label="Flag sections" className="tabs" onKeyDown={onTabsKeyDown}>
        {tabs.map((t) => (
          <button
            key={t.key}
            type="button"
            role="tab"
            id={`tab-${t.key}`}
            aria-selected={tab === t.key}
            aria-controls={`panel-${t.key}`}
            // Tab stops on the selected tab only; arrows move between tabs (WAI-ARIA tabs pattern).
            tabIndex={tab === t.key ? 0 : -1}
            className={tab === t.key ? 'active' : ''}
            onClick={() => selectTab(t.key)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tab-panel">
        {tab === 'targeting' && config && (
          <ScheduledChanges project={project.key} flagKey={flag.key} environment={environment} config={config} canEdit={canEdit && !flag.archived} />
        )}
        {tab === 'targeting' &&
          (!config ? (
            <p className="muted">No config in {environment.name}.</p>
          ) : canEdit && !flag.archived ? (
            // The server refuses config changes to an archived flag: show it read-only.
            <FlagTargeting key={`${flag.key}-${environment.key}`} project={project.key} flag={flag} environment={environment} />
          ) : (
            <TargetingSummary flag={flag} config={config} />
          ))}
        {tab === 'test' && <TestContext project={project.key} flag={flag} environment={environment} />}
        {tab === 'environments' && (
          // The server refuses config changes to an archived flag: it can be compared, not copied.
          <CompareEnvironments project={project.key} flag={flag} environments={project.environments} canCopy={canEdit && !flag.archived} />
        )}
        {tab === 'details' && (canEdit ? <FlagDetailsEditor key={flag.key} project={project.key} flag={flag} /> : <VariantsTable flag={flag} />)}
        {tab === 'evaluations' && (
          <Suspense fallback={<Loading label="Loading chart…" />}>
            <EvaluationsChart project={project.key} flag={flag} environment={environment} />
          </Suspense>
        )}
        {tab === 'rollout' && <RolloutPlans project={project.key} flag={flag} environment={environment} />}
        {tab === 'shadow' && <ShadowReport project={project.key} flag={flag.key} environment={environment} />}
        {tab === 'triggers' && <FlagTriggers project={project.key} flag={flag.key} environment={environment} variants={flag.variants.map((v) => v.key)} />}
        {tab === 'history' && <FlagHistory project={project.key} flagKey={flag.key} environment={environment.key} />}
      </div>
    </div>
  );
};
