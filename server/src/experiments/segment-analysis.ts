import type { AnalysisMethod } from './experiment-analysis.js';
import { compare, type Comparison, type VariantAggregate } from './experiment-statistics.js';
import type { ExperimentMetric } from './experiment.entity.js';
import { holmAdjust, MULTIPLE_COMPARISON_METHOD } from './multiple-comparisons.js';

/** Segments analysed at most; the smallest beyond it are added up into one. */
export const MAX_SEGMENTS = 20;
export const SEGMENT_REST = '(rest)';

export interface SegmentTreatmentResult {
  variant: string;
  comparison: Comparison | null;
  /** Holm-adjusted fixed-horizon p-value over every (segment, treatment) comparison. */
  adjustedPValue: number | null;
  /** Holm-adjusted always-valid p-value over the same family. */
  adjustedSequentialPValue: number | null;
  /** By the deciding figures, after the adjustment. */
  significant: boolean;
}

export interface SegmentResult {
  value: string;
  variants: Array<{ variant: string; n: number; value: number | null }>;
  treatments: SegmentTreatmentResult[];
}

export interface SegmentAnalysis {
  attribute: string;
  multipleComparison: typeof MULTIPLE_COMPARISON_METHOD;
  /** Comparisons adjusted together: segments with a comparison × treatments. */
  familySize: number;
  /** The family-wise error rate the adjusted p-values are held to: the experiment's α. */
  alpha: number;
  decidedBy: AnalysisMethod;
  segments: SegmentResult[];
  warnings: string[];
}

const add = (a: VariantAggregate, b: VariantAggregate): VariantAggregate => ({ n: a.n + b.n, sum: a.sum + b.sum, sumSquares: a.sumSquares + b.sumSquares });

/**
 * The primary metric per segment (`totals[segment][variant]`), each treatment against control as
 * overall, with Holm's adjustment over every comparison made, so reading twenty segments does not
 * find a "winner" by chance. Per-segment figures inform; they never change the overall decision.
 */
export const analyseSegments = (
  settings: {
    attribute: string;
    metric: ExperimentMetric & { type: 'rate' | 'mean' };
    controlVariant: string;
    treatmentVariants: string[];
    alpha: number;
    minimumDetectableEffect: number;
    analysis: AnalysisMethod;
  },
  totals: Record<string, Record<string, VariantAggregate>>,
): SegmentAnalysis => {
  const warnings: string[] = [];
  const size = (byVariant: Record<string, VariantAggregate>) => Object.values(byVariant).reduce((n, a) => n + a.n, 0);
  let entries = Object.entries(totals).sort(([a, x], [b, y]) => size(y) - size(x) || (a < b ? -1 : 1));
  if (entries.length > MAX_SEGMENTS) {
    const rest: Record<string, VariantAggregate> = {};
    for (const [, byVariant] of entries.slice(MAX_SEGMENTS - 1))
      for (const [variant, a] of Object.entries(byVariant)) rest[variant] = add(rest[variant] ?? { n: 0, sum: 0, sumSquares: 0 }, a);
    warnings.push(`${entries.length - MAX_SEGMENTS + 1} smaller segments are added up as '${SEGMENT_REST}' (at most ${MAX_SEGMENTS} are analysed).`);
    entries = [...entries.slice(0, MAX_SEGMENTS - 1), [SEGMENT_REST, rest]];
  }
  const variantKeys = [settings.controlVariant, ...settings.treatmentVariants];
  const segments: SegmentResult[] = entries.map(([value, byVariant]) => {
    const control = byVariant[settings.controlVariant] ?? { n: 0, sum: 0, sumSquares: 0 };
    return {
      value,
      variants: variantKeys.map((variant) => {
        const a = byVariant[variant];
        return { variant, n: a?.n ?? 0, value: a && a.n > 0 ? a.sum / a.n : null };
      }),
      treatments: settings.treatmentVariants.map((variant) => ({
        variant,
        comparison: compare(
          settings.metric.type,
          control,
          byVariant[variant] ?? { n: 0, sum: 0, sumSquares: 0 },
          settings.alpha,
          settings.minimumDetectableEffect,
        ),
        adjustedPValue: null,
        adjustedSequentialPValue: null,
        significant: false,
      })),
    };
  });
  const family = segments.flatMap((s) => s.treatments).filter((t) => t.comparison !== null);
  const fixed = holmAdjust(family.map((t) => t.comparison!.pValue));
  const sequential = holmAdjust(family.map((t) => t.comparison!.sequential?.pValue ?? 1));
  family.forEach((t, i) => {
    t.adjustedPValue = fixed[i]!;
    t.adjustedSequentialPValue = t.comparison!.sequential ? sequential[i]! : null;
    const p = settings.analysis === 'sequential' ? t.adjustedSequentialPValue : t.adjustedPValue;
    t.significant = p !== null && p < settings.alpha;
  });
  if (segments.length === 0)
    warnings.push(`No SDK has reported ${settings.metric.name} by ${settings.attribute} yet (track with { segmentBy: '${settings.attribute}' }).`);
  return {
    attribute: settings.attribute,
    multipleComparison: MULTIPLE_COMPARISON_METHOD,
    familySize: family.length,
    alpha: settings.alpha,
    decidedBy: settings.analysis,
    segments,
    warnings,
  };
};
