import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { usePermissions } from '../../../api/auth';
import {
  type ExperimentResults,
  type MetricType,
  usePromoteExperiment,
  useRollbackExperiment,
  useExperimentResults,
  useStopExperiment,
  useUpdateExperiment,
} from '../../../api/experiments';
import type { EnvironmentView, ProjectView } from '../../../api/projects';
import type { components } from '../../../api/schema';
import { Badge } from '../../../components/common/Badge';
import { formatTime } from '../../../components/common/format';
import { PageHeader } from '../../../components/common/PageHeader';
import { ErrorState, Loading, QueryStaleNotice } from '../../../components/common/StateViews';
import { paths } from '../../shell/workspace/workspace';
import { CupedResults } from '../CupedResults/CupedResults';
import { DecisionDialog } from '../DecisionDialog/DecisionDialog';
import { SegmentResults } from '../SegmentResults/SegmentResults';
import { SettingsDialog } from '../SettingsDialog/SettingsDialog';
import { formatDifference, formatMetric, intervalRows, pValueText, RECOMMENDATION_LABELS, recommendationTone, sampleProgress } from '../experimentSeries';

// recharts is large; only pages with a chart load it.
const IntervalChart = lazy(() => import('../IntervalChart/IntervalChart').then((m) => ({ default: m.IntervalChart })));

const SampleSize = ({ results }: { results: ExperimentResults }) => {
  const progress = sampleProgress(results);
  return (
    <div className="sample-size" aria-label="Sample size">
      <div className="small">
        <strong>{progress.current.toLocaleString()}</strong> of{' '}
        {progress.required === null ? 'an unknown number' : <strong>{progress.required.toLocaleString()}</strong>} observations per variant needed
        {progress.percent !== null && <span className="muted"> ({progress.percent}%)</span>}
      </div>
      {progress.percent !== null && (
        <div className="progress" role="progressbar" aria-label="Observations collected" aria-valuemin={0} aria-valuemax={100} aria-valuenow={progress.percent}>
          <div className="progress-fill" style={{ width: `${progress.percent}%` }} />
        </div>
      )}
      {progress.required === null && <p className="muted small">The required size is known once a baseline (rate or standard deviation) is.</p>}
      {progress.fixedHorizon !== null && (
        <p className="muted small" data-testid="sequential-sample-size">
          Sequential analysis: it may decide before this once the evidence is clear, and calls no difference only here, where the always-valid test has the
          power asked for (a fixed-horizon analysis would need {progress.fixedHorizon.toLocaleString()}).
        </p>
      )}
    </div>
  );
};

type IntervalMethod = components['schemas']['VariantResultResponse']['intervalMethod'] | components['schemas']['ComparisonResponse']['absoluteIntervalMethod'];
const METHOD_NAMES: Record<IntervalMethod, string> = {
  wilson: 'Wilson score',
  'student-t': "Student's t",
  newcombe: "Newcombe's hybrid score",
  'welch-t': "Welch's t",
  'delta-method': 'delta method',
  'cuped-welch-t': "Welch's t on CUPED-adjusted values",
};
const TEST_NAMES: Record<MetricType, string> = {
  rate: 'pooled two-proportion z-test',
  mean: "Welch's t-test",
  ratio: 'z-test with the delta-method variance of each ratio',
};
/** In a column heading, where the footnote below the table names each method in full. */
const SHORT_TEST_NAMES: Record<MetricType, string> = { rate: 'z-test', mean: "Welch's t-test", ratio: 'delta-method z-test' };
const SHORT_METHOD_NAMES: Partial<Record<IntervalMethod, string>> = { newcombe: 'Newcombe', 'welch-t': "Welch's t", 'delta-method': 'delta method' };
const DIFFERENCE_METHODS: Record<MetricType, IntervalMethod> = { rate: 'newcombe', mean: 'welch-t', ratio: 'delta-method' };
const EFFECT_SIZES: Record<MetricType, string> = { rate: "Cohen's h", mean: "Cohen's d", ratio: "Cohen's d, linearised" };
const VALUE_HEADINGS: Record<MetricType, string> = { rate: 'Rate', mean: 'Mean', ratio: 'Ratio' };

/** One experiment: estimates with intervals, the comparison with control, and the decision. */
export const ExperimentPage = ({ project, environment }: { project: ProjectView; environment: EnvironmentView }) => {
  const { experimentKey = '' } = useParams();
  const { canEdit } = usePermissions();
  const results = useExperimentResults(project.key, experimentKey);
  const promote = usePromoteExperiment(project.key, experimentKey);
  const rollback = useRollbackExperiment(project.key, experimentKey);
  const stop = useStopExperiment(project.key, experimentKey);
  const update = useUpdateExperiment(project.key, experimentKey);
  const [dialog, setDialog] = useState<'promote' | 'rollback' | 'stop' | 'settings' | null>(null);
  const rows = useMemo(() => (results.data ? intervalRows(results.data) : []), [results.data]);

  if (results.isPending) return <Loading label="Loading results…" />;
  // A failed refresh keeps the results (and an open decision dialog) on screen under a stale notice.
  if (results.data === undefined) return <ErrorState error={results.error} onRetry={() => void results.refetch()} />;
  const r = results.data;
  const x = r.experiment;
  const type = x.primaryMetric.type;
  const envName = project.environments.find((e) => e.key === x.environment)?.name ?? x.environment;
  const running = x.status === 'running';
  // With a covariate for every observation the CUPED-adjusted figures decide, not the unadjusted ones.
  const cupedDecides = r.treatments.some((t) => t.decidedOn === 'cuped');

  return (
    <div className="page">
      <nav className="muted small" aria-label="Breadcrumb">
        <Link to={paths.experiments(project.key, environment.key)}>Experiments</Link> / {x.key}
      </nav>
      <QueryStaleNotice query={results} />
      <PageHeader
        title={x.name || x.key}
        description={
          <>
            <Link to={paths.flag(project.key, x.environment, x.flag)}>
              <code>{x.flag}</code>
            </Link>{' '}
            in {envName}: <strong>{x.controlVariant}</strong> (control) vs <strong>{x.treatmentVariants.join(', ')}</strong> on{' '}
            <code>{x.primaryMetric.name}</code>
            {type === 'ratio' && (
              <>
                {' '}
                = <code>Σ{x.primaryMetric.numerator}</code> / <code>Σ{x.primaryMetric.denominator}</code>
              </>
            )}{' '}
            ({type}, {x.primaryMetric.better === 'increase' ? 'higher' : 'lower'} is better) · since {formatTime(x.startedAt)}
          </>
        }
        actions={
          <div className="row-actions">
            <Badge tone={running ? 'info' : 'neutral'}>{x.status}</Badge>
            {canEdit && running && (
              <>
                <button type="button" className="btn btn-primary" onClick={() => setDialog('promote')}>
                  Promote
                </button>
                <button type="button" className="btn" onClick={() => setDialog('settings')}>
                  Settings
                </button>
                <button type="button" className="btn" onClick={() => setDialog('stop')}>
                  Stop
                </button>
                <button type="button" className="btn btn-danger" onClick={() => setDialog('rollback')}>
                  Rollback
                </button>
              </>
            )}
          </div>
        }
      />

      {r.sampleRatio?.mismatch && (
        <div className="banner banner-danger" role="alert" aria-label="Sample ratio mismatch">
          <strong>Sample ratio mismatch.</strong> The variants received {r.sampleRatio.observed.join(' : ')} observations where the rollout promises{' '}
          {r.sampleRatio.expected.map((e) => Math.round(e)).join(' : ')} (χ² {pValueText(r.sampleRatio.pValue)}). Something loses or misroutes traffic; do not
          trust these results until that is fixed.
        </div>
      )}
      {!running && (
        <div className="banner" role="status">
          Closed {formatTime(x.closedAt)}:{' '}
          {x.decision === 'promoted'
            ? `promoted ${x.winner ?? ''}`
            : x.decision === 'rolled-back'
              ? `rolled back to ${x.controlVariant}`
              : 'stopped without a decision: no winner, and the flag serves what it served'}
          .
        </div>
      )}

      <section className="card section" aria-labelledby="recommendation-title">
        <div className="section-head">
          <h2 id="recommendation-title">Recommendation</h2>
          <Badge tone={recommendationTone(r.recommendation)}>
            {RECOMMENDATION_LABELS[r.recommendation]}
            {r.winner ? `: ${r.winner}` : ''}
          </Badge>
        </div>
        {!running && (
          <p className="muted small">
            The results up to when the experiment closed: nothing acts on this recommendation any more, and no more observations count.
          </p>
        )}
        {r.treatments.map((t) => (
          <p key={t.variant} className="small">
            <strong>{t.variant}</strong>: {t.explanation}
          </p>
        ))}
        {r.warnings.length > 0 && (
          <ul className="warnings small" aria-label="Warnings">
            {r.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        )}
        <SampleSize results={r} />
      </section>

      <section className="card section" aria-labelledby="estimates-title">
        <h2 id="estimates-title">
          <code>{x.primaryMetric.name}</code> per variant
        </h2>
        {rows.length === 0 ? (
          <p className="muted">No observations yet. SDKs report tracked values within a minute.</p>
        ) : (
          <Suspense fallback={<Loading label="Loading chart…" />}>
            <IntervalChart rows={rows} type={type} metric={x.primaryMetric.name} />
          </Suspense>
        )}
        {/* Scrolls sideways on narrow screens: focusable, so the keyboard can scroll it too. */}
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Estimates by variant">
          <table className="table">
            <caption className="caption">Estimates with 95% confidence intervals ({METHOD_NAMES[r.variants[0]?.intervalMethod ?? 'wilson']})</caption>
            <thead>
              <tr>
                <th scope="col">Variant</th>
                <th scope="col">n</th>
                <th scope="col">{VALUE_HEADINGS[type]}</th>
                <th scope="col">95% CI</th>
                <th scope="col">Expected share</th>
              </tr>
            </thead>
            <tbody>
              {r.variants.map((v) => (
                <tr key={v.variant}>
                  <td>
                    {v.variant} {v.variant === x.controlVariant && <span className="muted small">control</span>}
                  </td>
                  <td>{v.n.toLocaleString()}</td>
                  <td>{formatMetric(v.value, type)}</td>
                  <td>{v.interval ? `${formatMetric(v.interval.lower, type)} – ${formatMetric(v.interval.upper, type)}` : '—'}</td>
                  <td>{(v.expectedShare * 100).toFixed(0)}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card section" aria-labelledby="comparison-title">
        <h2 id="comparison-title">Compared with {x.controlVariant}</h2>
        <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="comparison-title">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Variant</th>
                <th scope="col">Difference</th>
                <th scope="col">95% CI ({SHORT_METHOD_NAMES[DIFFERENCE_METHODS[type]]})</th>
                <th scope="col">Relative</th>
                <th scope="col">
                  Fixed-horizon p ({SHORT_TEST_NAMES[type]}
                  {r.decidedBy === 'fixed-horizon' && !cupedDecides ? ', decides' : ''})
                </th>
                <th scope="col">Always-valid p (mSPRT{r.decidedBy === 'sequential' && !cupedDecides ? ', decides' : ''})</th>
                <th scope="col">Confidence sequence (mSPRT)</th>
                <th scope="col">Effect size</th>
                <th scope="col">Guardrails</th>
              </tr>
            </thead>
            <tbody>
              {r.treatments.map((t) => {
                const c = t.comparison;
                return (
                  <tr key={t.variant}>
                    <td>{t.variant}</td>
                    <td>{c ? formatDifference(c.absoluteDifference, type) : '—'}</td>
                    <td>{c ? `${formatDifference(c.absoluteInterval.lower, type)} to ${formatDifference(c.absoluteInterval.upper, type)}` : '—'}</td>
                    <td>{c?.relativeDifference != null ? `${c.relativeDifference > 0 ? '+' : ''}${(c.relativeDifference * 100).toFixed(1)}%` : '—'}</td>
                    <td>
                      {c ? (
                        <>
                          <span data-testid="p-value">{pValueText(c.pValue)}</span>{' '}
                          {c.significant ? <Badge tone="on">significant</Badge> : <span className="muted small">not significant</span>}
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      {c?.sequential ? (
                        <>
                          <span data-testid="sequential-p-value">{pValueText(c.sequential.pValue)}</span>{' '}
                          {c.sequential.significant ? <Badge tone="on">significant</Badge> : <span className="muted small">not yet</span>}
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      {c?.sequential ? `${formatDifference(c.sequential.interval.lower, type)} to ${formatDifference(c.sequential.interval.upper, type)}` : '—'}
                    </td>
                    <td>{c ? `${c.effectSize.toFixed(3)} (${EFFECT_SIZES[type]})` : '—'}</td>
                    <td>
                      {t.guardrails.length === 0
                        ? '—'
                        : t.guardrails.map((g) => (
                            <div key={g.metric}>
                              <code className="small">{g.metric}</code>{' '}
                              {g.comparison === null ? (
                                <span className="muted small">no data yet</span>
                              ) : g.harmed ? (
                                <Badge tone="killed">worse</Badge>
                              ) : (
                                <Badge tone="neutral">ok</Badge>
                              )}
                            </div>
                          ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p className="muted small">
          Alpha {x.alpha} (per comparison {r.comparisonAlpha.toFixed(4)}), power {x.power}, minimum detectable effect{' '}
          {formatDifference(x.minimumDetectableEffect, type).replace('+', '')}. Intervals of the difference: {METHOD_NAMES[DIFFERENCE_METHODS[type]]}; p-values
          from the {TEST_NAMES[type]}. Always-valid p-values and confidence sequences from the mSPRT (normal mixture, τ = the minimum detectable effect): they
          stay valid however often this page is read. This experiment decides by its {r.decidedBy === 'sequential' ? 'sequential' : 'fixed-horizon'} figures.
          {x.maxDurationHours !== null && ` It concludes on its own ${x.maxDurationHours} h after it started.`}
          {x.autoRollback && ' It rolls back on its own when a guardrail is significantly worse.'}
        </p>
      </section>

      {x.cuped && <CupedResults results={r} type={type} />}
      {r.segments && <SegmentResults segments={r.segments} control={x.controlVariant} type={type} />}

      {dialog === 'settings' && <SettingsDialog experiment={x} onSubmit={(changes) => update.mutateAsync(changes)} onClose={() => setDialog(null)} />}
      {dialog && dialog !== 'settings' && (
        <DecisionDialog
          mode={dialog}
          experimentKey={x.key}
          control={x.controlVariant}
          treatments={x.treatmentVariants}
          recommendedWinner={r.winner}
          sampleRatio={r.sampleRatio}
          onSubmit={(input) =>
            dialog === 'promote'
              ? promote.mutateAsync(input)
              : dialog === 'stop'
                ? stop.mutateAsync({ reason: input.reason })
                : rollback.mutateAsync({ reason: input.reason })
          }
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
};
