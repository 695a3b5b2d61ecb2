import { Bar, CartesianGrid, ComposedChart, ReferenceLine, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricType } from '../../../api/experiments';
import { ChartFrame } from '../../../components/common/ChartFrame';
import { formatMetric, intervalDomain, type IntervalRow } from '../experimentSeries';

const COLORS = { control: '#64748b', treatment: '#2563eb' } as const;

/** Each variant's estimate (dot) and 95% confidence interval (bar); the dashed line is control. */
export const IntervalChart = ({ rows, type, metric }: { rows: IntervalRow[]; type: MetricType; metric: string }) => {
  const domain = intervalDomain(rows, type);
  const control = rows.find((r) => r.arm === 'control');
  const tick = (v: number) => formatMetric(v, type, 1);
  return (
    <ChartFrame
      label={`${metric} per variant with 95% confidence intervals: ${rows.map((r) => `${r.variant} ${formatMetric(r.value, type)} (${formatMetric(r.lower, type)} to ${formatMetric(r.upper, type)})`).join(', ')}`}
      height={Math.max(140, rows.length * 56 + 50)}
    >
      <ComposedChart data={rows} layout="vertical" margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" horizontal={false} />
        <XAxis type="number" domain={domain} tickFormatter={tick} fontSize={12} />
        <YAxis type="category" dataKey="variant" width={90} fontSize={12} />
        <Tooltip
          formatter={(value, name) =>
            Array.isArray(value) ? [`${tick(Number(value[0]))} – ${tick(Number(value[1]))}`, '95% CI'] : [formatMetric(Number(value), type), String(name)]
          }
        />
        {control && <ReferenceLine x={control.value} stroke={COLORS.control} strokeDasharray="4 4" />}
        <Bar dataKey="range" name="95% CI" barSize={14} isAnimationActive={false} fill={COLORS.treatment} fillOpacity={0.3} />
        <Scatter dataKey="value" name="estimate" fill="var(--text)" isAnimationActive={false} />
      </ComposedChart>
    </ChartFrame>
  );
};
