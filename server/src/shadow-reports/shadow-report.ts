/** The shadow report's verdict, with no I/O: thresholds and the order fixes are suggested in. */

export type ShadowRecommendation = 'promote-to-canary' | 'collect-more-samples' | 'fix-errors' | 'investigate-disagreements' | 'optimise-latency';

export const SHADOW_THRESHOLDS = {
  minSamples: 1_000,
  minAgreement: 0.85,
  maxLatencyRatio: 1.5,
  /** The candidate may fail at most this much more often than the primary (absolute), and at most twice as often. */
  maxExtraErrorRate: 0.01,
} as const;

export interface ShadowFigures {
  /** Calls where the candidate ran (its duration was recorded, failed or not). */
  samples: number;
  /** Comparisons where both answered; agreement = agreed / comparisons. */
  comparisons: number;
  agreementRate: number | null;
  primaryErrorRate: number | null;
  candidateErrorRate: number | null;
  primaryP95: number | null;
  candidateP95: number | null;
}

export interface ShadowCheck {
  name: 'samples' | 'errors' | 'agreement' | 'latency';
  passed: boolean;
  detail: string;
}

/**
 * Promote to canary when every check passes: ≥ 1,000 samples, agreement ≥ 85 %, candidate p95 ≤
 * 1.5 × primary p95, and a candidate error rate no worse than the primary's by more than one point
 * (nor twice it). Agreement only counts calls where both answered, so errors need their own check.
 * Otherwise the first failing check, in this order, names the fix: too few samples make every
 * other figure unreliable; a failing candidate comes before what it answers; then its answers;
 * then its speed.
 */
export const judgeShadow = (f: ShadowFigures): { recommendation: ShadowRecommendation; checks: ShadowCheck[] } => {
  const t = SHADOW_THRESHOLDS;
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  const primaryErrors = f.primaryErrorRate ?? 0;
  const errorLimit = Math.min(primaryErrors + t.maxExtraErrorRate, Math.max(2 * primaryErrors, t.maxExtraErrorRate));
  const latencyRatio = f.primaryP95 !== null && f.candidateP95 !== null && f.primaryP95 > 0 ? f.candidateP95 / f.primaryP95 : null;
  const checks: ShadowCheck[] = [
    { name: 'samples', passed: f.samples >= t.minSamples, detail: `${f.samples} of ${t.minSamples} samples` },
    {
      name: 'errors',
      passed: (f.candidateErrorRate ?? 0) <= errorLimit,
      detail: `candidate error rate ${pct(f.candidateErrorRate)} (primary ${pct(f.primaryErrorRate)}; limit ${pct(errorLimit)})`,
    },
    {
      name: 'agreement',
      passed: f.agreementRate !== null && f.agreementRate >= t.minAgreement,
      detail: `agreement ${pct(f.agreementRate)} over ${f.comparisons} comparisons (needs ≥ ${pct(t.minAgreement)})`,
    },
    {
      name: 'latency',
      passed: latencyRatio !== null && latencyRatio <= t.maxLatencyRatio,
      detail: latencyRatio === null ? 'no latency figures yet' : `candidate p95 is ${latencyRatio.toFixed(2)}× the primary's (needs ≤ ${t.maxLatencyRatio}×)`,
    },
  ];
  const fix: Record<ShadowCheck['name'], ShadowRecommendation> = {
    samples: 'collect-more-samples',
    errors: 'fix-errors',
    agreement: 'investigate-disagreements',
    latency: 'optimise-latency',
  };
  const failed = checks.find((c) => !c.passed);
  return { recommendation: failed ? fix[failed.name] : 'promote-to-canary', checks };
};
