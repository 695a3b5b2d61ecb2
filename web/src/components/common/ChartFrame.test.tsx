import { render, screen } from '@testing-library/react';
import { Line, LineChart } from 'recharts';
import { describe, expect, it, vi } from 'vitest';
import { ChartFrame } from './ChartFrame';

describe('ChartFrame', () => {
  it('is one image to a screen reader, named by the label that says what the chart draws', () => {
    // jsdom has no ResizeObserver; the chart's size does not matter here.
    vi.stubGlobal(
      'ResizeObserver',
      class {
        observe() {}
        unobserve() {}
        disconnect() {}
      },
    );
    render(
      <ChartFrame label="Stacked chart of evaluations per variant, 12 in total" height={240}>
        <LineChart data={[{ t: 1, count: 12 }]}>
          <Line dataKey="count" isAnimationActive={false} />
        </LineChart>
      </ChartFrame>,
    );
    const chart = screen.getByRole('img', { name: 'Stacked chart of evaluations per variant, 12 in total' });
    expect(chart.className).toBe('chart');
  });
});
