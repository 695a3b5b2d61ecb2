import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { usePermissions } from '../../../api/auth';
import { type FlagView, useFlags, useStaleFlags } from '../../../api/flags';
import { useEvaluationBuckets } from '../../../api/evaluationMetrics';
import type { EnvironmentView, ProjectView } from '../../../api/projects';
import { Badge, StatusBadge, statusOf } from '../../../components/common/Badge';
import { RolloutBar } from '../../../components/common/RolloutBar';
import { PageHeader } from '../../../components/common/PageHeader';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { paths } from '../../shell/workspace/workspace';
import { CreateFlagDialog } from '../CreateFlagDialog/CreateFlagDialog';
import { serveSummary } from '../flagConfig';
import { sparklinesByFlag } from '../../telemetry/evaluationSeries';

// The charting library is large: it loads once some flag has evaluations to draw.
const EvaluationSparkline = lazy(() => import('../../telemetry/EvaluationSparkline/EvaluationSparkline').then((m) => ({ default: m.EvaluationSparkline })));

type StatusFilter = '' | 'on' | 'off' | 'killed' | 'stale';

const Serving = ({ flag, environment }: { flag: FlagView; environment: string }) => {
  const config = flag.environments[environment];
  if (!config) return <span className="muted">—</span>;
  if (config.killed || !config.on) return <span className="muted">{config.offVariant ?? 'default'}</span>;
  const rules = config.rules.length + config.targets.length;
  return (
    <div className="serving">
      {config.defaultRule && 'rollout' in config.defaultRule ? (
        <>
          <RolloutBar rollout={config.defaultRule.rollout} variants={flag.variants} compact />
          <span className="small">{serveSummary(config.defaultRule)}</span>
        </>
      ) : (
        <span>{serveSummary(config.defaultRule)}</span>
      )}
      {rules > 0 && (
        <span className="muted small">
          +{config.rules.length} rule{config.rules.length === 1 ? '' : 's'}
          {config.targets.length > 0 ? `, ${config.targets.length} target list${config.targets.length === 1 ? '' : 's'}` : ''}
        </span>
      )}
    </div>
  );
};

export const FlagsList = ({ project, environment }: { project: ProjectView; environment: EnvironmentView }) => {
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const { canEdit } = usePermissions();
  const [creating, setCreating] = useState(false);
  const q = search.get('q') ?? '';
  const tag = search.get('tag') ?? '';
  const owner = search.get('owner') ?? '';
  const status = (search.get('status') ?? '') as StatusFilter;
  const showArchived = search.get('archived') === 'all';
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next, { replace: true });
  };

  const all = useFlags(project.key);
  const query = useFlags(project.key, {
    q: q || undefined,
    tag: tag || undefined,
    owner: owner || undefined,
    stale: status === 'stale' ? true : undefined,
    archived: showArchived ? 'all' : undefined,
  });
  const tags = useMemo(() => [...new Set((all.data ?? []).flatMap((f) => f.tags))].sort(), [all.data]);
  const owners = useMemo(() => [...new Set((all.data ?? []).flatMap((f) => (f.owner ? [f.owner] : [])))].sort(), [all.data]);
  const stale = useStaleFlags(project.key, status === 'stale');
  const staleReasons = useMemo(() => new Map((stale.data?.flags ?? []).map((f) => [f.key, f.reasons])), [stale.data]);
  const evaluations = useEvaluationBuckets(project.key, environment.key, '24h');
  const sparklines = useMemo(() => sparklinesByFlag(evaluations.data ?? []), [evaluations.data]);
  const showActivity = sparklines.size > 0;
  const flags = (query.data ?? []).filter((f) => !status || status === 'stale' || statusOf(f.environments[environment.key]) === status);
  const killedCount = (all.data ?? []).filter((f) => f.environments[environment.key]?.killed).length;

  return (
    <div className="page">
      <PageHeader
        title="Flags"
        description={
          <>
            {project.name} · status in <strong>{environment.name}</strong>
            {killedCount > 0 && (
              <>
                {' · '}
                <button type="button" className="link-button danger" onClick={() => setFilter('status', 'killed')}>
                  {killedCount} killed
                </button>
              </>
            )}
          </>
        }
        actions={
          canEdit && (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              + New flag
            </button>
          )
        }
      />
      <div className="toolbar card" role="search" aria-label="Filter flags">
        <div className="field grow">
          <label htmlFor="filter-search">Search</label>
          <input id="filter-search" type="search" value={q} placeholder="key, name or description" onChange={(e) => setFilter('q', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="filter-tag">Tag</label>
          <select id="filter-tag" value={tag} onChange={(e) => setFilter('tag', e.target.value)}>
            <option value="">all tags</option>
            {tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={status} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">any</option>
            <option value="on">on</option>
            <option value="off">off</option>
            <option value="killed">killed</option>
            <option value="stale">stale</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-owner">Owner</label>
          <select id="filter-owner" value={owner} onChange={(e) => setFilter('owner', e.target.value)}>
            <option value="">anyone</option>
            {owners.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <label className="checkbox-inline">
          <input type="checkbox" checked={showArchived} onChange={(e) => setFilter('archived', e.target.checked ? 'all' : '')} />
          Show archived
        </label>
      </div>
      <QueryView
        query={query}
        loadingLabel="Loading flags…"
        isEmpty={() => flags.length === 0}
        empty={
          <EmptyState title={(all.data ?? []).length === 0 ? 'No flags yet.' : 'No flags match these filters.'}>
            {(all.data ?? []).length === 0 && canEdit && 'Create one with “New flag”.'}
          </EmptyState>
        }
      >
        {() => (
          <div className="card table-wrap">
            <table className="table flags-table">
              <caption className="visually-hidden">
                Flags of {project.name} in {environment.name}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Flag</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="col-serving">
                    Serving
                  </th>
                  {showActivity && (
                    <th scope="col" className="col-activity">
                      <span title={`Evaluations in ${environment.name} over the last 24 hours`}>24 h</span>
                    </th>
                  )}
                  <th scope="col" className="col-envs">
                    Environments
                  </th>
                  <th scope="col" className="col-tags">
                    Tags
                  </th>
                </tr>
              </thead>
              <tbody>
                {flags.map((flag) => (
                  <tr key={flag.key} className={flag.archived ? 'row-archived' : flag.environments[environment.key]?.killed ? 'row-killed' : ''}>
                    <td>
                      <Link to={paths.flag(project.key, environment.key, flag.key)} className="flag-link">
                        {flag.name}
                      </Link>
                      {flag.archived && (
                        <>
                          {' '}
                          <Badge tone="warn">archived</Badge>
                        </>
                      )}
                      <div className="flag-meta">
                        <code>{flag.key}</code> <span className="muted">{flag.kind}</span>
                        {flag.owner && <span className="muted"> · {flag.owner}</span>}
                      </div>
                      {status === 'stale' && staleReasons.has(flag.key) && (
                        <ul className="stale-reasons small" aria-label={`Why ${flag.key} is stale`}>
                          {staleReasons.get(flag.key)?.map((r) => (
                            <li key={r.code}>
                              <Badge tone="stale">{r.code.toLowerCase().replace('_', ' ')}</Badge> {r.message}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>
                      <StatusBadge config={flag.environments[environment.key]} />
                    </td>
                    <td className="col-serving">
                      <Serving flag={flag} environment={environment.key} />
                    </td>
                    {showActivity && (
                      <td className="col-activity">
                        {sparklines.has(flag.key) && (
                          <Suspense fallback={null}>
                            <EvaluationSparkline points={sparklines.get(flag.key) ?? []} label={`${flag.key} in the last 24 h`} />
                          </Suspense>
                        )}
                      </td>
                    )}
                    <td className="col-envs">
                      <div className="env-dots">
                        {project.environments.map((env) => {
                          const s = statusOf(flag.environments[env.key]);
                          return (
                            <button
                              type="button"
                              key={env.key}
                              className={`env-dot env-dot-${s}`}
                              title={`${env.name}: ${s}`}
                              aria-label={`${env.name}: ${s}`}
                              onClick={() => navigate(paths.flag(project.key, env.key, flag.key))}
                            />
                          );
                        })}
                      </div>
                    </td>
                    <td className="col-tags">
                      {flag.tags.map((t) => (
                        <Badge key={t} tone="info">
                          {t}
                        </Badge>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
      {creating && (
        <CreateFlagDialog
          project={project.key}
          onClose={() => setCreating(false)}
          onCreated={(flag) => navigate(paths.flag(project.key, environment.key, flag.key))}
        />
      )}
    </div>
  );
};
