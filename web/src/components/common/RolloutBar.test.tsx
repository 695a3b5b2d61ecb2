import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { contrastRatio, labelColor, RolloutBar } from './RolloutBar';
import { VARIANT_COLORS } from './rolloutSegments';

describe('RolloutBar labels', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#94a3b8', '#ffffff')).toBeCloseTo(2.56, 2);
  });

  it('reads at 4.5:1 or more on every variant colour', () => {
    for (const color of VARIANT_COLORS) expect(contrastRatio(color, labelColor(color))).toBeGreaterThanOrEqual(4.5);
  });

  it('labels the off segment of a half-and-half rollout in dark text', () => {
    const variants = [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ];
    const rollout = {
      variants: [
        { variant: 'on', weight: 50_000 },
        { variant: 'off', weight: 50_000 },
      ],
    };
    render(<RolloutBar rollout={rollout} variants={variants} />);
    const off = screen.getByText('off 50%').parentElement as HTMLElement;
    expect(off.style.color).toBe('rgb(11, 18, 32)');
  });
});
