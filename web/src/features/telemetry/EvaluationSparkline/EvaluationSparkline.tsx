import { Line, LineChart } from 'recharts';

/** A tiny line of evaluations per bucket: no axes, no interaction; the numbers are in its label. */
export const EvaluationSparkline = ({ points, label }: { points: { t: number; count: number }[]; label: string }) => {
  const total = points.reduce((sum, p) => sum + p.count, 0);
  return (
    <span className="sparkline" role="img" aria-label={`${label}: ${total.toLocaleString()} evaluations`} title={`${total.toLocaleString()} evaluations`}>
      <LineChart width={72} height={20} data={points} margin={{ top: 2, right: 1, bottom: 2, left: 1 }}>
        <Line type="monotone" dataKey="count" stroke="#2563eb" strokeWidth={1.5} dot={false} isAnimationActive={false} />
      </LineChart>
    </span>
  );
};
