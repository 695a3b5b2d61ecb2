import type { ExperimentResults, MetricType } from '../../../api/experiments';
import { Badge } from '../../../components/common/Badge';
import { formatDifference, pValueText } from '../experimentSeries';

/**
 * The CUPED-adjusted comparison beside the unadjusted one: what the pre-exposure covariate changed,
 * and which of the two decided.
 */
export const CupedResults = ({ results, type }: { results: ExperimentResults; type: MetricType }) => {
  const x = results.experiment;
  return (
    <section className="card section" aria-labelledby="cuped-title">
      <h2 id="cuped-title">CUPED-adjusted comparison</h2>
      <div className="table-wrap">
        <table className="table">
          <caption className="caption">
            Method: CUPED — <code>{x.primaryMetric.name}</code> − θ × its pre-exposure value, compared with Welch&apos;s t (intervals: Welch&apos;s t on the
            adjusted values)
          </caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Adjusted difference</th>
              <th scope="col">95% CI</th>
              <th scope="col">Adjusted p{results.decidedBy === 'fixed-horizon' ? ' (decides when every unit has a covariate)' : ''}</th>
              <th scope="col">Adjusted always-valid p{results.decidedBy === 'sequential' ? ' (decides when every unit has a covariate)' : ''}</th>
              <th scope="col">θ</th>
              <th scope="col">Variance removed</th>
              <th scope="col">With covariate</th>
              <th scope="col">Decides</th>
            </tr>
          </thead>
          <tbody>
            {results.treatments.map((t) => {
              const a = t.adjusted;
              if (!a)
                return (
                  <tr key={t.variant}>
                    <td>{t.variant}</td>
                    <td colSpan={8} className="muted">
                      No covariate reported yet (track the metric with <code>{'{ covariate }'}</code>): the unadjusted figures decide.
                    </td>
                  </tr>
                );
              return (
                <tr key={t.variant}>
                  <td>{t.variant}</td>
                  <td data-testid="cuped-difference">{formatDifference(a.absoluteDifference, type)}</td>
                  <td>{`${formatDifference(a.absoluteInterval.lower, type)} to ${formatDifference(a.absoluteInterval.upper, type)}`}</td>
                  <td>
                    <span data-testid="cuped-p-value">{pValueText(a.pValue)}</span>{' '}
                    {a.significant ? <Badge tone="on">significant</Badge> : <span className="muted small">not significant</span>}
                  </td>
                  <td>{a.sequential ? pValueText(a.sequential.pValue) : '—'}</td>
                  <td>{a.theta.toPrecision(3)}</td>
                  <td data-testid="cuped-variance-reduction">{(a.varianceReduction * 100).toFixed(0)}%</td>
                  <td>
                    {a.controlN.toLocaleString()} / {a.treatmentN.toLocaleString()}
                  </td>
                  <td>{t.decidedOn === 'cuped' ? <Badge tone="info">CUPED decides</Badge> : <span className="muted small">unadjusted decides</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        CUPED subtracts the part of each unit&apos;s value its own pre-experiment value predicts, which narrows the interval without moving the expected
        difference. The adjusted figures decide only when every observation carries a covariate.
        {results.sampleSizeBasis === 'cuped' && ' The sample size above uses the standard deviation left after the adjustment.'}
      </p>
    </section>
  );
};
