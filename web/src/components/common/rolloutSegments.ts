import type { Rollout, Variant } from '@signalbox/sdk/core';

export interface RolloutSegment {
  variant: string;
  /** Thousandths of a percent. */
  weight: number;
  percent: number;
  /** Where the segment starts, in percent. */
  offset: number;
  color: string;
}

export const VARIANT_COLORS = ['#2563eb', '#94a3b8', '#f59e0b', '#10b981', '#a855f7', '#ef4444', '#0ea5e9', '#84cc16'];

/** A variant keeps its colour everywhere: its position among the flag's variants picks it. */
export const variantColor = (variants: Variant[], key: string): string => {
  const index = variants.findIndex((v) => v.key === key);
  return VARIANT_COLORS[(index < 0 ? variants.length : index) % VARIANT_COLORS.length] ?? '#64748b';
};

/** The bar of a rollout: one segment per variant with a weight, in listed order (the order buckets walk). */
export const rolloutSegments = (rollout: Rollout, variants: Variant[]): RolloutSegment[] => {
  let offset = 0;
  const segments: RolloutSegment[] = [];
  for (const { variant, weight } of rollout.variants) {
    const percent = Math.max(0, weight) / 1000;
    if (percent > 0) segments.push({ variant, weight, percent, offset, color: variantColor(variants, variant) });
    offset += percent;
  }
  return segments;
};

export const formatPercent = (percent: number): string => `${Number.isInteger(percent) ? percent : Number(percent.toFixed(3))}%`;
