import type { ReactElement } from 'react';
import { ResponsiveContainer } from 'recharts';

/**
 * A chart as the console shows one: as wide as its container, and one image to a screen reader,
 * whose `label` says in words what the chart draws.
 */
export const ChartFrame = ({ label, height, children }: { label: string; height: number; children: ReactElement }) => (
  <div className="chart" role="img" aria-label={label}>
    <ResponsiveContainer width="100%" height={height}>
      {children}
    </ResponsiveContainer>
  </div>
);
