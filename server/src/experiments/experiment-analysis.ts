import {
  compare,
  type Comparison,
  estimate,
  type Interval,
  type EstimateIntervalMethod,
  requiredSampleSize,
  sequentialSampleSize,
  sampleRatioMismatch,
  type SampleRatioCheck,
  type VariantAggregate,
} from './experiment-statistics.js';
import type { ExperimentMetric } from './experiment.entity.js';
import { compareRatio, type CupedComparison, cupedCompare, cupedResidualSd, type PairedAggregate, ratioEstimate, ratioVariance } from './paired-statistics.js';
import { pEquals } from './format-p-value.js';

export type Recommendation = 'promote' | 'keep-collecting' | 'keep-control' | 'no-difference';

/**
 * Which figures decide: 'sequential' (mSPRT, valid however often the results are read; may decide
 * before the sample size) or 'fixed-horizon' (z or t, valid once, at the sample size).
 */
export type AnalysisMethod = 'sequential' | 'fixed-horizon';

/** The normal approximation behind both methods wants some observations per arm before a verdict. */
export const SEQUENTIAL_MIN_OBSERVATIONS = 30;
/** Guardrails have no MDE: their mixture is a small effect, 0.2 standard deviations (Cohen's d). */
const GUARDRAIL_MIXING_EFFECT = 0.2;

/** What an analysis needs to know about the experiment. */
export interface AnalysisSettings {
  controlVariant: string;
  treatmentVariants: string[];
  primaryMetric: ExperimentMetric;
  guardrailMetrics: ExperimentMetric[];
  alpha: number;
  power: number;
  minimumDetectableEffect: number;
  baselineRate: number | null;
  assumedStdDev: number | null;
  analysis: AnalysisMethod;
  /** Report CUPED-adjusted figures for the primary metric (from the covariate pairs the SDK sends). */
  cuped?: boolean;
}

/** Per-variant sums of the pairs the SDK sends: the ratio metric's (numerator, denominator), the primary metric's (value, covariate). */
export interface PairedTotals {
  ratio?: Record<string, PairedAggregate>;
  cuped?: Record<string, PairedAggregate>;
}

export interface VariantResult {
  variant: string;
  n: number;
  value: number | null;
  stdDev: number | null;
  interval: Interval | null;
  intervalMethod: EstimateIntervalMethod;
  expectedShare: number;
}

export interface TreatmentResult {
  variant: string;
  comparison: Comparison | null;
  /** CUPED-adjusted figures beside the unadjusted ones; `null` without `cuped` or covariates. */
  adjusted: CupedComparison | null;
  /** Which comparison gave the recommendation: the adjusted one when every unit of both arms has a covariate. */
  decidedOn: 'unadjusted' | 'cuped';
  guardrails: Array<{ metric: string; comparison: Comparison | null; harmed: boolean }>;
  recommendation: Recommendation;
  explanation: string;
}

export interface Analysis {
  /** The method whose figures gave `recommendation`. */
  decidedBy: AnalysisMethod;
  requiredSampleSize: number | null;
  /** In sequential analysis, the n per variant at which the always-valid test has the requested power (see sequentialSampleSize). */
  sequentialSampleSize: number | null;
  /** 'cuped': the sample size uses the standard deviation left after the CUPED adjustment (a mean whose every unit has a covariate). */
  sampleSizeBasis: 'unadjusted' | 'cuped';
  comparisonAlpha: number;
  variants: VariantResult[];
  treatments: TreatmentResult[];
  sampleRatio: SampleRatioCheck | null;
  recommendation: Recommendation;
  winner: string | null;
  warnings: string[];
}

const EMPTY: VariantAggregate = { n: 0, sum: 0, sumSquares: 0 };
const EMPTY_PAIR: PairedAggregate = { n: 0, sumY: 0, sumYY: 0, sumX: 0, sumXX: 0, sumXY: 0 };
const significant = (method: AnalysisMethod, c: Comparison): boolean => (method === 'sequential' ? (c.sequential?.significant ?? false) : c.significant);
const pOf = (method: AnalysisMethod, c: Comparison): number => (method === 'sequential' ? (c.sequential?.pValue ?? 1) : c.pValue);
const worse = (method: AnalysisMethod, metric: ExperimentMetric, c: Comparison): boolean =>
  significant(method, c) && (metric.better === 'increase' ? c.absoluteDifference < 0 : c.absoluteDifference > 0);
const better = (method: AnalysisMethod, metric: ExperimentMetric, c: Comparison): boolean =>
  significant(method, c) && (metric.better === 'increase' ? c.absoluteDifference > 0 : c.absoluteDifference < 0);

/** τ for a guardrail: GUARDRAIL_MIXING_EFFECT pooled standard deviations of its values. */
const guardrailMixing = (type: 'rate' | 'mean', control: VariantAggregate, treatment: VariantAggregate): number | undefined => {
  const n = control.n + treatment.n;
  if (n < 2) return undefined;
  const mean = (control.sum + treatment.sum) / n;
  const variance = type === 'rate' ? mean * (1 - mean) : Math.max(0, (control.sumSquares + treatment.sumSquares - n * mean * mean) / (n - 1));
  const sd = Math.sqrt(variance);
  return sd > 0 ? GUARDRAIL_MIXING_EFFECT * sd : undefined;
};

export const formatSplit = (counts: number[]): string => {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => `${((100 * c) / total).toFixed(1)}%`).join('/');
};

/** The single value each arm holds when neither has any variance, or null when one varies. */
const constantArms = (metric: ExperimentMetric, control: VariantAggregate, treatment: VariantAggregate) => {
  const constantValue = (a: VariantAggregate): number | null => {
    if (a.n < 2) return null;
    const mean = a.sum / a.n;
    const spread = a.sumSquares - (a.sum * a.sum) / a.n;
    // Sums of squares carry rounding, so "no variance" is relative to the values' size.
    return Math.abs(spread) <= 1e-9 * Math.max(1, a.sumSquares) ? mean : null;
  };
  const c = constantValue(control);
  const t = constantValue(treatment);
  if (c === null || t === null) return null;
  const show = (v: number) => (metric.type === 'rate' ? `${v === 1 ? 'a conversion (100%)' : v === 0 ? 'a non-conversion (0%)' : v}` : `${v}`);
  return { equal: c === t, control: show(c), treatment: show(t) };
};

/** Why totals cannot come from the metric's values, or null when they can. */
const impossibility = (type: 'rate' | 'mean', a: VariantAggregate): string | null => {
  if (![a.n, a.sum, a.sumSquares].every(Number.isFinite) || a.n < 0) return 'its count, sum or sum of squares is not a finite number';
  if (type === 'rate' && (a.sum < 0 || a.sum > a.n)) return `a sum of ${a.sum} over ${a.n} observations is not a rate of 0/1 values`;
  if (a.sumSquares < 0) return `its sum of squares is negative (${a.sumSquares})`;
  return null;
};

/**
 * The totals the analysis can use. Telemetry comes from anyone holding an SDK key, and a metric is
 * a rate only because the experiment says so; totals no such values can have would turn every
 * statistic into NaN (or promote a variant on a rate above 1), so they are left out, with a warning.
 */
const usableTotals = (
  settings: AnalysisSettings,
  totals: Record<string, Record<string, VariantAggregate>>,
  warnings: string[],
): Record<string, Record<string, VariantAggregate>> => {
  const usable: Record<string, Record<string, VariantAggregate>> = {};
  for (const metric of [settings.primaryMetric, ...settings.guardrailMetrics]) {
    if (usable[metric.name] || !totals[metric.name]) continue;
    usable[metric.name] = {};
    for (const [variant, aggregate] of Object.entries(totals[metric.name]!)) {
      const why = impossibility(metric.type === 'rate' ? 'rate' : 'mean', aggregate);
      if (why === null) usable[metric.name]![variant] = aggregate;
      else warnings.push(`${metric.name}: the telemetry of ${variant} is left out: ${why}.`);
    }
  }
  return usable;
};

/** Pair sums the SDK's values can have; others (negative sums of squares, counts that differ between the parts) are left out with a warning. */
const usablePairs = (what: string, pairs: Record<string, PairedAggregate>, warnings: string[]): Record<string, PairedAggregate> => {
  const usable: Record<string, PairedAggregate> = {};
  for (const [variant, a] of Object.entries(pairs)) {
    const finite = [a.n, a.sumY, a.sumYY, a.sumX, a.sumXX, a.sumXY].every(Number.isFinite);
    // Cauchy–Schwarz: |Σ(x−x̄)(y−ȳ)|² ≤ Σ(x−x̄)²·Σ(y−ȳ)², up to rounding.
    const sxx = a.sumXX - (a.sumX * a.sumX) / a.n;
    const syy = a.sumYY - (a.sumY * a.sumY) / a.n;
    const sxy = a.sumXY - (a.sumX * a.sumY) / a.n;
    const consistent = a.n > 0 && a.sumXX >= 0 && a.sumYY >= 0 && sxy * sxy <= Math.max(0, sxx) * Math.max(0, syy) * (1 + 1e-9) + 1e-9 * Math.abs(a.sumXY) ** 2;
    if (finite && consistent) usable[variant] = a;
    else warnings.push(`${what}: the paired telemetry of ${variant} is left out: its sums cannot come from pairs of values.`);
  }
  return usable;
};

/**
 * The experiment's verdict from per-variant aggregates of each metric (`totals[metric][variant]`)
 * and the traffic shares the flag's rollout weights promise (`expectedShares[variant]`).
 *
 * Each treatment is compared with control at alpha / (number of treatments) (Bonferroni), and
 * judged only once both have the required sample size, so peeking early cannot promote a fluke:
 * promote = significantly better with no guardrail significantly worse; keep-control =
 * significantly worse, or better but harming a guardrail; no-difference = not significant.
 */
export const analyse = (
  settings: AnalysisSettings,
  reported: Record<string, Record<string, VariantAggregate>>,
  expectedShares: Record<string, number>,
  paired: PairedTotals = {},
): Analysis => {
  const warnings: string[] = [];
  const totals = usableTotals(settings, reported, warnings);
  const metric = settings.primaryMetric;
  const ratio = metric.type === 'ratio' ? usablePairs(metric.name, paired.ratio ?? {}, warnings) : null;
  const primary: Record<string, VariantAggregate> = ratio
    ? Object.fromEntries(Object.entries(ratio).map(([v, a]) => [v, { n: a.n, sum: a.sumY, sumSquares: a.sumYY }]))
    : (totals[metric.name] ?? {});
  const variantKeys = [settings.controlVariant, ...settings.treatmentVariants];
  const of = (m: string, v: string): VariantAggregate => (m === metric.name ? primary[v] : totals[m]?.[v]) ?? EMPTY;
  const pairOf = (v: string): PairedAggregate => ratio?.[v] ?? EMPTY_PAIR;
  const shareTotal = variantKeys.reduce((a, v) => a + (expectedShares[v] ?? 0), 0);
  const variants: VariantResult[] = variantKeys.map((variant) => ({
    variant,
    ...(ratio ? ratioEstimate(pairOf(variant)) : estimate(metric.type === 'rate' ? 'rate' : 'mean', primary[variant] ?? EMPTY)),
    expectedShare: shareTotal > 0 ? (expectedShares[variant] ?? 0) / shareTotal : 1 / variantKeys.length,
  }));
  const control = of(metric.name, settings.controlVariant);

  const covariates = settings.cuped && !ratio ? usablePairs(`${metric.name} (CUPED covariate)`, paired.cuped ?? {}, warnings) : null;
  if (covariates && Object.keys(covariates).length === 0)
    warnings.push(`CUPED: no covariate reported for ${metric.name} yet (track it with { covariate }); the figures are unadjusted.`);
  // With a covariate for every unit, the adjusted test needs only the residual variance: n shrinks by 1 − ρ².
  const residualSd =
    covariates && metric.type === 'mean' && variantKeys.every((v) => (covariates[v]?.n ?? 0) >= 2 && covariates[v]!.n === of(metric.name, v).n)
      ? cupedResidualSd(variantKeys.map((v) => covariates[v]!))
      : null;
  let sampleSizeBasis: Analysis['sampleSizeBasis'] = 'unadjusted';

  // Each treatment is tested at α / k (Bonferroni); its sample size is computed at that level too, so
  // that each comparison has the power asked for, not less.
  const comparisonAlpha = settings.alpha / settings.treatmentVariants.length;
  let required: number | null = null;
  let sizeProblem: string | null = null;
  const sizeFor = (size: ReturnType<typeof requiredSampleSize>) => {
    if (size.problem !== undefined) sizeProblem = size.problem;
    else required = size.n;
  };
  if (metric.type === 'rate') {
    const baseline = settings.baselineRate ?? (control.n > 0 ? control.sum / control.n : null);
    if (baseline !== null)
      sizeFor(
        requiredSampleSize({ type: 'rate', baselineRate: baseline, mde: settings.minimumDetectableEffect, alpha: comparisonAlpha, power: settings.power }),
      );
  } else if (ratio) {
    // One unit's linearised spread, √(n·Var(R)), pooled over the variants: the mean formula then applies in the ratio's unit.
    let sd = settings.assumedStdDev;
    if (sd === null) {
      let dof = 0;
      let ss = 0;
      for (const v of variantKeys) {
        const variance = ratioVariance(pairOf(v));
        if (variance === null) continue;
        dof += pairOf(v).n - 1;
        ss += (pairOf(v).n - 1) * pairOf(v).n * variance;
      }
      sd = dof > 0 ? Math.sqrt(ss / dof) : null;
    }
    if (sd !== null && sd > 0)
      // The ratio comparison is a z-test (delta method), so the normal formula is its exact sample size.
      sizeFor(
        requiredSampleSize({ type: 'mean', stdDev: sd, mde: settings.minimumDetectableEffect, alpha: comparisonAlpha, power: settings.power, test: 'z' }),
      );
  } else {
    let sd = settings.assumedStdDev;
    if (sd === null) {
      // Pooled sample standard deviation over every variant observed so far.
      let n = 0;
      let ss = 0;
      for (const v of variantKeys) {
        const a = of(metric.name, v);
        if (a.n < 2) continue;
        n += a.n - 1;
        ss += Math.max(0, a.sumSquares - (a.sum * a.sum) / a.n);
      }
      sd = n > 0 ? Math.sqrt(ss / n) : null;
      if (residualSd !== null && residualSd > 0) {
        sd = residualSd;
        sampleSizeBasis = 'cuped';
      }
    }
    if (sd !== null && sd > 0)
      sizeFor(requiredSampleSize({ type: 'mean', stdDev: sd, mde: settings.minimumDetectableEffect, alpha: comparisonAlpha, power: settings.power }));
  }
  if (sizeProblem !== null) warnings.push(`No sample size: ${sizeProblem}.`);
  else if (required === null)
    warnings.push(
      metric.type === 'rate'
        ? 'No control observations yet: the sample size needs a baseline rate.'
        : 'Not enough observations yet to estimate the standard deviation for the sample size.',
    );

  const method = settings.analysis;
  // Sequential figures read before the end must also be able to call a tie at the end: "no
  // difference" waits for the n at which the always-valid test has the power the settings ask for.
  const fixedN = required as number | null;
  const sequentialRequired =
    method === 'sequential' && fixedN !== null
      ? sequentialSampleSize({ fixedN, mde: settings.minimumDetectableEffect, alpha: comparisonAlpha, power: settings.power })
      : null;
  const horizon = method === 'sequential' ? sequentialRequired : fixedN;
  const treatments: TreatmentResult[] = settings.treatmentVariants.map((variant) => {
    const treatment = of(metric.name, variant);
    const unadjusted = ratio
      ? compareRatio(pairOf(settings.controlVariant), pairOf(variant), comparisonAlpha, settings.minimumDetectableEffect)
      : compare(metric.type === 'rate' ? 'rate' : 'mean', control, treatment, comparisonAlpha, settings.minimumDetectableEffect);
    const pc = covariates?.[settings.controlVariant];
    const pt = covariates?.[variant];
    const adjusted = pc && pt ? cupedCompare(pc, pt, comparisonAlpha, settings.minimumDetectableEffect) : null;
    // The adjusted test speaks for every unit only when every unit brought its covariate.
    const complete = adjusted !== null && pc!.n === control.n && pt!.n === treatment.n;
    if (adjusted !== null && !complete)
      warnings.push(
        `CUPED (${variant}): ${pc!.n} of ${control.n} ${settings.controlVariant} and ${pt!.n} of ${treatment.n} ${variant} observations carry a covariate; ` +
          'the adjusted figures cover those units only, so the unadjusted ones decide.',
      );
    const comparison = complete ? adjusted : unadjusted;
    const guardrails = settings.guardrailMetrics.map((g) => {
      const type = g.type === 'rate' ? 'rate' : 'mean';
      const gc = of(g.name, settings.controlVariant);
      const gt = of(g.name, variant);
      const c = compare(type, gc, gt, settings.alpha, guardrailMixing(type, gc, gt));
      return { metric: g.name, comparison: c, harmed: c !== null && worse(method, g, c) };
    });
    const harmed = guardrails.filter((g) => g.harmed).map((g) => g.metric);
    const reached = horizon !== null && control.n >= horizon && treatment.n >= horizon;
    // Sequential figures may decide before the sample size, once the normal approximation holds.
    const early =
      method === 'sequential' && comparison !== null && Math.min(control.n, treatment.n) >= SEQUENTIAL_MIN_OBSERVATIONS && significant(method, comparison);
    const constant = reached && comparison === null && !ratio ? constantArms(metric, control, treatment) : null;
    const p = (c: Comparison) => `${complete ? 'CUPED-adjusted ' : ''}${pEquals(pOf(method, c), method === 'sequential' ? 'always-valid p' : 'p')}`;
    let recommendation: Recommendation;
    let explanation: string;
    if (constant !== null) {
      // Every observation in both arms is the same value (all or no conversions): no variance, no test.
      recommendation = constant.equal ? 'no-difference' : 'keep-collecting';
      explanation = constant.equal
        ? `Every observation of both ${settings.controlVariant} and ${variant} is ${constant.control}: there is no difference to detect.`
        : `Every observation of ${settings.controlVariant} is ${constant.control} and every one of ${variant} is ${constant.treatment}: with no ` +
          'variance at all a test cannot be computed; look at how the metric is recorded.';
    } else if ((!reached && !early) || comparison === null) {
      recommendation = 'keep-collecting';
      explanation =
        required === null
          ? sizeProblem !== null
            ? `No sample size: ${sizeProblem}.`
            : 'The required sample size is not known yet.'
          : horizon === null
            ? 'The sequential sample size is past exact integers: choose a larger minimum detectable effect.'
            : `${Math.min(control.n, treatment.n)} of ${horizon} observations per variant so far` +
              (method === 'sequential'
                ? ` (where the always-valid test has ${Math.round(settings.power * 100)}% power; a fixed-horizon analysis would need ${required}).`
                : '.');
      if (method === 'sequential' && comparison?.sequential) explanation += ` Not conclusive yet (${p(comparison)}).`;
      // Guardrail figures are read by the deciding method, so a harm reported here is already trustworthy.
      if (harmed.length > 0) explanation += ` It already significantly harms ${harmed.join(', ')}.`;
    } else if (worse(method, metric, comparison)) {
      recommendation = 'keep-control';
      explanation = `${variant} is significantly worse than ${settings.controlVariant} on ${metric.name} (${p(comparison)}).`;
    } else if (better(method, metric, comparison)) {
      recommendation = harmed.length > 0 ? 'keep-control' : 'promote';
      explanation =
        harmed.length > 0
          ? `${variant} improves ${metric.name} but significantly harms ${harmed.join(', ')}.`
          : `${variant} is significantly better than ${settings.controlVariant} on ${metric.name} (${p(comparison)}).`;
    } else if (harmed.length > 0) {
      // Nothing gained on the primary metric and something lost elsewhere: not a tie.
      recommendation = 'keep-control';
      explanation =
        `No significant difference on ${metric.name} with ${Math.min(control.n, treatment.n)} observations per variant (${p(comparison)}), ` +
        `and ${variant} significantly harms ${harmed.join(', ')}.`;
    } else {
      recommendation = 'no-difference';
      explanation = `No significant difference on ${metric.name} with ${Math.min(control.n, treatment.n)} observations per variant (${p(comparison)}).`;
    }
    return { variant, comparison: unadjusted, adjusted, decidedOn: complete ? 'cuped' : 'unadjusted', guardrails, recommendation, explanation };
  });

  // Counts with a variant left out would always look like a mismatch; the warning above says why.
  const leftOut = variantKeys.some((v) => reported[metric.name]?.[v] !== undefined && primary[v] === undefined);
  const sampleRatio = leftOut
    ? null
    : sampleRatioMismatch(
        variantKeys.map((v) => of(metric.name, v).n),
        variants.map((v) => v.expectedShare),
      );
  if (sampleRatio?.mismatch) {
    warnings.push(
      `Sample ratio mismatch (χ² = ${sampleRatio.chiSquare.toFixed(2)}, p = ${sampleRatio.pValue.toExponential(2)} < 0.001): the variants did not ` +
        `receive the traffic the rollout weights promise, so the results are not trustworthy. Look for lost telemetry, crashes or bots in one ` +
        `variant.`,
    );
  }

  // A split that is not what the weights promise makes every comparison suspect: nothing is promoted.
  if (sampleRatio?.mismatch)
    for (const t of treatments)
      if (t.recommendation === 'promote') {
        t.recommendation = 'keep-collecting';
        t.explanation =
          `${t.explanation} Not promoted: the traffic split is ${formatSplit(sampleRatio.observed)} where the rollout promises ` +
          `${formatSplit(sampleRatio.expected)} (sample ratio mismatch, p = ${sampleRatio.pValue.toExponential(2)}), so the result cannot be trusted.`;
      }

  const promotable = treatments.filter((t) => t.recommendation === 'promote');
  let winner: string | null = null;
  let recommendation: Recommendation;
  if (promotable.length > 0) {
    // The largest improvement in the metric's better direction wins.
    const sign = metric.better === 'increase' ? 1 : -1;
    const decisive = (t: TreatmentResult) => (t.decidedOn === 'cuped' ? t.adjusted! : t.comparison!).absoluteDifference;
    winner = promotable.reduce((best, t) => (sign * decisive(t) > sign * decisive(best) ? t : best)).variant;
    recommendation = 'promote';
  } else if (treatments.some((t) => t.recommendation === 'keep-collecting')) recommendation = 'keep-collecting';
  else if (treatments.every((t) => t.recommendation === 'keep-control')) recommendation = 'keep-control';
  else recommendation = 'no-difference';
  return {
    decidedBy: method,
    requiredSampleSize: required,
    sequentialSampleSize: sequentialRequired,
    sampleSizeBasis,
    comparisonAlpha,
    variants,
    treatments,
    sampleRatio,
    recommendation,
    winner,
    warnings,
  };
};
