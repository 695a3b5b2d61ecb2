import type { ExperimentResults, MetricType } from '../../../api/experiments';
import { Badge } from '../../../components/common/Badge';
import { formatDifference, formatMetric, pValueText } from '../experimentSeries';

type Segments = NonNullable<ExperimentResults['segments']>;

/** The primary metric per value of the experiment's segment attribute, with Holm-adjusted p-values. */
export const SegmentResults = ({ segments, control, type }: { segments: Segments; control: string; type: MetricType }) => {
  const adjustedLabel = segments.decidedBy === 'sequential' ? 'Holm-adjusted always-valid p' : 'Holm-adjusted p';
  return (
    <section className="card section" aria-labelledby="segments-title">
      <h2 id="segments-title">
        By <code>{segments.attribute}</code>
      </h2>
      {segments.segments.length === 0 ? (
        <p className="muted">No breakdown reported yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="caption">
              Multiple comparisons: Holm&apos;s method over {segments.familySize} comparisons (family-wise error at α = {segments.alpha})
            </caption>
            <thead>
              <tr>
                <th scope="col">{segments.attribute}</th>
                <th scope="col">Variant</th>
                <th scope="col">n (control / variant)</th>
                <th scope="col">{control}</th>
                <th scope="col">Variant value</th>
                <th scope="col">Difference</th>
                <th scope="col">Unadjusted p</th>
                <th scope="col">{adjustedLabel}</th>
              </tr>
            </thead>
            <tbody>
              {segments.segments.flatMap((s) =>
                s.treatments.map((t) => {
                  const c = s.variants.find((v) => v.variant === control);
                  const v = s.variants.find((x) => x.variant === t.variant);
                  const adjusted = segments.decidedBy === 'sequential' ? t.adjustedSequentialPValue : t.adjustedPValue;
                  return (
                    <tr key={`${s.value}\u0000${t.variant}`} data-testid="segment-row">
                      <td>{s.value}</td>
                      <td>{t.variant}</td>
                      <td>
                        {(c?.n ?? 0).toLocaleString()} / {(v?.n ?? 0).toLocaleString()}
                      </td>
                      <td>{formatMetric(c?.value, type)}</td>
                      <td>{formatMetric(v?.value, type)}</td>
                      <td>{t.comparison ? formatDifference(t.comparison.absoluteDifference, type) : '—'}</td>
                      <td>{t.comparison ? pValueText(t.comparison.pValue) : '—'}</td>
                      <td>
                        {adjusted === null ? (
                          '—'
                        ) : (
                          <>
                            <span data-testid="segment-adjusted-p">{pValueText(adjusted)}</span>{' '}
                            {t.significant ? <Badge tone="on">significant</Badge> : <span className="muted small">not significant</span>}
                          </>
                        )}
                      </td>
                    </tr>
                  );
                }),
              )}
            </tbody>
          </table>
        </div>
      )}
      {segments.warnings.length > 0 && (
        <ul className="warnings small" aria-label="Segment warnings">
          {segments.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <p className="muted small">Per-segment results inform; the recommendation above comes from all traffic together.</p>
    </section>
  );
};
