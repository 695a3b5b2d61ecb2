import { useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { RANGE_BUCKETS, type TelemetryRange, useEvaluationBuckets, useMetricSeries } from '../../../api/evaluationMetrics';
import type { EnvironmentView } from '../../../api/projects';
import type { FlagView } from '../../../api/flags';
import { ChartFrame } from '../../../components/common/ChartFrame';
import { RangeToggle } from '../../../components/common/RangeToggle';
import { variantColor } from '../../../components/common/rolloutSegments';
import { EmptyState, QueryView } from '../../../components/common/StateViews';
import { bucketUnit, evaluationChartData, metricSummaryRows, type MetricSummaryRow } from '../evaluationSeries';

const RANGES: { key: TelemetryRange; label: string }[] = [
  { key: '1h', label: 'Last hour' },
  { key: '24h', label: 'Last 24 h' },
];

const tick = (range: TelemetryRange) => (t: number) =>
  new Date(t).toLocaleTimeString(undefined, range === '1h' ? { hour: '2-digit', minute: '2-digit' } : { hour: '2-digit' });

const number = (value: number | null, digits = 1) => (value === null ? '—' : value.toLocaleString(undefined, { maximumFractionDigits: digits }));
const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toLocaleString(undefined, { maximumFractionDigits: 2 })} %`);

const MetricSummary = ({ rows }: { rows: MetricSummaryRow[] }) => (
  <div className="table-wrap">
    <table className="table metric-summary">
      <caption className="caption">Metrics per variant</caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">Variant</th>
          <th scope="col">Count</th>
          <th scope="col">Mean</th>
          <th scope="col">p50</th>
          <th scope="col">p95</th>
          <th scope="col">p99</th>
          <th scope="col">Errors</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.metric}\u0000${row.variant}`}>
            <td>
              <code>{row.metric}</code>
            </td>
            <td>{row.variant}</td>
            <td>{number(row.stats.count, 0)}</td>
            <td>{number(row.stats.mean)}</td>
            <td>{number(row.stats.p50)}</td>
            <td>{number(row.stats.p95)}</td>
            <td>{number(row.stats.p99)}</td>
            <td>
              {number(row.stats.errors, 0)} <span className="muted">({percent(row.stats.errorRate)})</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

/** Evaluations of a flag per variant over time in one environment, and its metrics per variant. */
export const EvaluationsChart = ({ project, flag, environment }: { project: string; flag: FlagView; environment: EnvironmentView }) => {
  const [range, setRange] = useState<TelemetryRange>('1h');
  const buckets = useEvaluationBuckets(project, environment.key, range, flag.key);
  const series = useMetricSeries(project, environment.key, range, flag.key);
  const chart = useMemo(() => evaluationChartData(buckets.data ?? [], flag.key), [buckets.data, flag.key]);
  const unit = bucketUnit(RANGE_BUCKETS[range].minutes);
  const metrics = useMemo(() => metricSummaryRows(series.data?.series ?? []), [series.data]);

  return (
    <section className="card section evaluations" aria-labelledby="evaluations-title">
      <div className="section-head">
        <h2 id="evaluations-title">Evaluations in {environment.name}</h2>
        <RangeToggle ranges={RANGES} value={range} onChange={setRange} />
      </div>
      <QueryView
        query={buckets}
        loadingLabel="Loading evaluations…"
        isEmpty={() => chart.total === 0}
        empty={
          <EmptyState title={`No evaluations in ${environment.name} ${range === '1h' ? 'in the last hour' : 'in the last 24 hours'}.`}>
            SDKs that send telemetry report evaluations here within a minute.
          </EmptyState>
        }
      >
        {() => (
          <>
            <p className="muted small" aria-live="polite">
              {chart.total.toLocaleString()} evaluations:{' '}
              {chart.variants.map((v) => `${v} ${chart.rows.reduce((s, r) => s + (r.counts[v] ?? 0), 0).toLocaleString()}`).join(', ')} · one bar {unit}
            </p>
            {/* Each bucket is a count over its own interval: bars, not a line that invents values between them. */}
            <ChartFrame label={`Stacked chart of evaluations per variant, ${chart.total} in total, one bar ${unit}`} height={240}>
              <BarChart data={chart.rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
                <XAxis dataKey="t" tickFormatter={tick(range)} fontSize={12} stroke="var(--muted)" />
                <YAxis
                  allowDecimals={false}
                  fontSize={12}
                  width={56}
                  stroke="var(--muted)"
                  label={{ value: `evaluations ${unit}`, angle: -90, position: 'insideLeft', fill: 'var(--muted)', fontSize: 12, dy: 60 }}
                />
                <Tooltip
                  labelFormatter={(t) => `${new Date(Number(t)).toLocaleString()} (${unit})`}
                  contentStyle={{ background: 'var(--surface)', borderColor: 'var(--border)', color: 'var(--text)' }}
                  cursor={{ fill: 'var(--hover)' }}
                />
                <Legend />
                {chart.variants.map((v) => (
                  <Bar
                    key={v}
                    name={v}
                    dataKey={(row: (typeof chart.rows)[number]) => row.counts[v] ?? 0}
                    stackId="variants"
                    fill={variantColor(flag.variants, v)}
                    isAnimationActive={false}
                  />
                ))}
              </BarChart>
            </ChartFrame>
          </>
        )}
      </QueryView>
      {metrics.length > 0 && <MetricSummary rows={metrics} />}
      {series.isError && <p className="form-error">Metrics: {series.error.message}</p>}
    </section>
  );
};
