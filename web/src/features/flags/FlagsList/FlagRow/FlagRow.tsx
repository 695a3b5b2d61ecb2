import { lazy, Suspense } from 'react';
import { Link, useNavigate } from 'react-router';
import type { FlagView, StaleFlag } from '../../../../api/flags';
import type { ProjectView } from '../../../../api/projects';
import { Badge, StatusBadge, statusOf } from '../../../../components/common/Badge';
import { RolloutBar } from '../../../../components/common/RolloutBar';
import { paths } from '../../../shell/workspace/workspace';
import { serveSummary } from '../../serveSummary';

// The charting library is large: it loads once some flag has evaluations to draw.
const EvaluationSparkline = lazy(() => import('../../../telemetry/EvaluationSparkline/EvaluationSparkline').then((m) => ({ default: m.EvaluationSparkline })));

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

export interface FlagRowProps {
  flag: FlagView;
  project: ProjectView;
  environment: string;
  staleReasons?: StaleFlag['reasons'];
  sparkline?: Array<{ t: number; count: number }>;
  showActivity: boolean;
  /** Position in the whole list, for the virtualiser to measure the row. */
  index: number;
  measure: (row: HTMLTableRowElement | null) => void;
}

/** One flag of the list: name and key, status and serving in the current environment, status elsewhere, tags. */
export const FlagRow = ({ flag, project, environment, staleReasons, sparkline, showActivity, index, measure }: FlagRowProps) => {
  const navigate = useNavigate();
  const config = flag.environments[environment];
  return (
    <tr ref={measure} data-index={index} className={flag.archived ? 'row-archived' : config?.killed ? 'row-killed' : ''}>
      <td>
        <Link to={paths.flag(project.key, environment, flag.key)} className="flag-link">
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
        {staleReasons && staleReasons.length > 0 && (
          <ul className="stale-reasons small" aria-label={`Why ${flag.key} is stale`}>
            {staleReasons.map((r) => (
              <li key={r.code}>
                <Badge tone="stale">{r.code.toLowerCase().replace('_', ' ')}</Badge> {r.message}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        <StatusBadge config={config} />
      </td>
      <td className="col-serving">
        <Serving flag={flag} environment={environment} />
      </td>
      {showActivity && (
        <td className="col-activity">
          {sparkline && (
            <Suspense fallback={null}>
              <EvaluationSparkline points={sparkline} label={`${flag.key} in the last 24 h`} />
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
  );
};
