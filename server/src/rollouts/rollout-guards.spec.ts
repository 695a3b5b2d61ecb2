import { describe, expect, it } from 'vitest';
import type { MetricStats } from '../telemetry/metric-stats.js';
import { DEFAULT_GUARDS, stageProblems, stageStatus } from './rollout-guards.js';
import type { RolloutGuards } from './rollout-plan.entity.js';

const stats = (count: number, errors: number, p95: number, mean = p95 / 2, stddev = 0): MetricStats => ({
  count,
  rate: 0,
  sum: mean * count,
  mean,
  stddev,
  p50: mean,
  p95,
  p99: p95,
  errors,
  errorRate: count > 0 ? errors / count : null,
});
const M = DEFAULT_GUARDS.errorMetric;
const MINUTE = 60_000;
const stage = { percent: 5, minDurationMinutes: 60, minSamples: 100 };
const row = (status: ReturnType<typeof stageStatus>, guard: string) => status.rows.find((r) => r.guard === guard)!;
// A 5 % stage's traffic: 19 control calls for each candidate call, so no sample-ratio mismatch.
const split = (candidate: number) => candidate * 19;

describe('guard figures (fixed-horizon, as before)', () => {
  it('judge nothing before both sides have the minimum samples', () => {
    const guards = { ...DEFAULT_GUARDS, bounds: [{ metric: 'accuracy', stat: 'mean' as const, min: 0.8 }] };
    const status = stageStatus(guards, stage, { [M]: stats(40, 40, 12) }, { [M]: stats(1000, 20, 10) }, 90 * MINUTE);
    expect(status.rows.map((r) => [r.guard, r.passing, r.decision, r.sequential])).toEqual([
      ['stage samples', null, 'wait', null],
      ['error rate', null, 'wait', null],
      ['latency p95', null, 'wait', null],
      ['bound', null, 'wait', null],
    ]);
    expect(row(status, 'error rate')).toMatchObject({ candidate: 1, control: 0.02, limit: '≤ 2× control + 0.005 = 0.0450' });
    expect(row(status, 'error rate').why).toContain('40 candidate and 1000 control observations of 50: not judged');
    expect(row(status, 'latency p95')).toMatchObject({ candidate: 12, control: 10, limit: '≤ 1.5× control = 15.00 ms', unit: 'ms' });
    expect(status.verdict).toEqual({ decision: 'wait', reasons: ['40 of 100 candidate samples'] });
  });

  it('keep the fixed-horizon verdict beside the sequential one: 4.6 % against a limit of 4.5 % is over, but not clearly', () => {
    const status = stageStatus(DEFAULT_GUARDS, stage, { [M]: stats(1000, 46, 10) }, { [M]: stats(split(1000), 380, 10) }, 90 * MINUTE);
    const errorRate = row(status, 'error rate');
    expect(errorRate).toMatchObject({ passing: false, decision: 'wait', decidedBy: null });
    expect(errorRate.sequential).toMatchObject({ method: 'msprt', intervalMethod: 'confidence-sequence', decision: 'undecided', alpha: 0.025 });
    expect(errorRate.sequential!.excess).toBeCloseTo(0.046 - 0.045, 6);
    expect(errorRate.sequential!.interval.lower).toBeLessThan(0);
    expect(errorRate.sequential!.interval.upper).toBeGreaterThan(0);
    expect(errorRate.failure).toBeUndefined();
    expect(status.verdict.decision).toBe('wait');
    expect(status.verdict.reasons[0]).toBe(
      'error rate model.latency_ms: above the limit but not clearly (the confidence sequence straddles 0): waits for more data',
    );
  });
});

describe('sequential guard decisions', () => {
  it('fail as soon as the evidence is clear, long before the minimum duration', () => {
    // 20 % errors against a 2 % control, a minute into a 60-minute stage.
    const status = stageStatus(DEFAULT_GUARDS, stage, { [M]: stats(200, 40, 10) }, { [M]: stats(split(200), 76, 10) }, MINUTE);
    const errorRate = row(status, 'error rate');
    expect(errorRate).toMatchObject({ decision: 'fail', decidedBy: 'sequential', passing: false });
    expect(errorRate.sequential!.interval.lower).toBeGreaterThan(0);
    expect(errorRate.sequential!.pValue).toBeLessThan(0.025);
    expect(errorRate.failure).toMatch(
      /^error rate 0\.2000 on model\.latency_ms exceeds 2× control \(0\.0200\) \+ 0\.005 = 0\.0450; confidence sequence for .*entirely above 0$/,
    );
    expect(status.verdict).toEqual({ decision: 'fail', reasons: [errorRate.failure] });
  });

  it('keep the error-rate confidence sequence within what the excess can be, and print an underflowed p-value as a bound, not 0.00', () => {
    // Every candidate call fails against a 0.5 % control: the excess is at most 1 − 0.005, and the evidence is overwhelming.
    const status = stageStatus(DEFAULT_GUARDS, stage, { [M]: stats(200, 200, 10) }, { [M]: stats(split(200), 19, 10) }, MINUTE);
    const errorRate = row(status, 'error rate');
    expect(errorRate).toMatchObject({ decision: 'fail', decidedBy: 'sequential' });
    expect(errorRate.sequential!.interval.upper).toBeLessThanOrEqual(1 - DEFAULT_GUARDS.errorRateAllowance);
    expect(errorRate.sequential!.interval.lower).toBeGreaterThan(0);
    const huge = stageStatus(DEFAULT_GUARDS, stage, { [M]: stats(200_000, 200_000, 10) }, { [M]: stats(split(200_000), 0, 10) }, MINUTE);
    const certain = row(huge, 'error rate');
    expect(certain.sequential!.pValue).toBe(0);
    expect(certain.failure).toContain('always-valid p < 1e-300');
    expect(certain.failure).not.toMatch(/p = 0\.00/);
  });

  it('pass when it is clear the candidate is within the limit, and advance once the stage reaches its minimum duration', () => {
    const candidate = { [M]: stats(5000, 100, 40, 20, 5) };
    const control = { [M]: stats(split(5000), 1900, 40, 20, 5) };
    const early = stageStatus(DEFAULT_GUARDS, stage, candidate, control, 10 * MINUTE);
    expect(early.rows.map((r) => [r.guard, r.decision, r.decidedBy])).toEqual([
      ['stage samples', 'pass', null],
      ['error rate', 'pass', 'sequential'],
      ['latency p95', 'pass', 'sequential'],
    ]);
    expect(row(early, 'error rate').sequential!.interval.upper).toBeLessThanOrEqual(0);
    // The latency guard's sequential figure is on the mean: p95 has no variance the aggregates can give.
    expect(row(early, 'latency p95').sequential!.tested).toBe('candidate mean − 1.5 × control mean');
    expect(early.verdict).toEqual({ decision: 'wait', reasons: ["10.0 of 60 minutes of the stage's minimum duration"] });
    const due = stageStatus(DEFAULT_GUARDS, stage, candidate, control, 60 * MINUTE);
    expect(due.window).toEqual({ elapsedMinutes: 60, minDurationMinutes: 60, candidateSamples: 5000, minSamples: 100, horizonReached: true });
    expect(due.verdict.decision).toBe('advance');
  });

  it('wait while ambiguous; at the horizon an undecided guard within its limit passes on its fixed-horizon figure', () => {
    // 3 % against a 4.5 % limit on 150 calls: fine by the point estimate, far from clear.
    const candidate = { [M]: stats(150, 5, 10, 5, 1) };
    const control = { [M]: stats(split(150), 57, 10, 5, 1) };
    const early = stageStatus(DEFAULT_GUARDS, stage, candidate, control, 30 * MINUTE);
    expect(row(early, 'error rate')).toMatchObject({ decision: 'wait', decidedBy: null, passing: true });
    expect(row(early, 'error rate').sequential!.decision).toBe('undecided');
    expect(early.verdict.decision).toBe('wait');
    const due = stageStatus(DEFAULT_GUARDS, stage, candidate, control, 61 * MINUTE);
    expect(row(due, 'error rate')).toMatchObject({ decision: 'pass', decidedBy: 'fixed-horizon' });
    expect(row(due, 'error rate').why).toBe('not yet clear (the confidence sequence straddles 0), but within the limit at the stage horizon');
    expect(due.verdict.decision).toBe('advance');
  });

  it('fail on latency only when the mean clearly exceeds both the ratio and the noise floor', () => {
    const guards: RolloutGuards = { ...DEFAULT_GUARDS, latencyMetric: 'inference_ms' };
    const base = { [M]: stats(400, 0, 10) };
    const slow = stageStatus(
      guards,
      stage,
      { ...base, inference_ms: stats(400, 0, 300, 200, 20) },
      { [M]: stats(split(400), 0, 10), inference_ms: stats(split(400), 0, 150, 100, 20) },
      MINUTE,
    );
    expect(row(slow, 'latency p95')).toMatchObject({ decision: 'fail', decidedBy: 'sequential', passing: false });
    expect(slow.verdict.decision).toBe('fail');
    // Twice as slow, but by 0.2 ms: below the 1 ms noise floor, so it passes.
    const tiny = stageStatus(
      guards,
      stage,
      { ...base, inference_ms: stats(400, 0, 0.3, 0.2, 0.01) },
      { [M]: stats(split(400), 0, 10), inference_ms: stats(split(400), 0, 0.15, 0.1, 0.01) },
      MINUTE,
    );
    expect(row(tiny, 'latency p95')).toMatchObject({ decision: 'pass', decidedBy: 'sequential' });
  });

  it('test mean bounds sequentially and quantile bounds on their fixed-horizon figures', () => {
    const guards: RolloutGuards = {
      ...DEFAULT_GUARDS,
      bounds: [
        { metric: 'accuracy', stat: 'mean', min: 0.8 },
        { metric: 'tokens', stat: 'p95', max: 500 },
      ],
    };
    const control = { [M]: stats(split(400), 0, 10) };
    const status = stageStatus(guards, stage, { [M]: stats(400, 0, 10), accuracy: stats(400, 0, 1, 0.6, 0.1), tokens: stats(400, 0, 400) }, control, MINUTE);
    expect(status.rows.filter((r) => r.guard === 'bound').map((r) => [r.metric, r.decision, r.decidedBy, r.sequential?.alpha])).toEqual([
      ['accuracy', 'fail', 'sequential', 0.05 / 3],
      ['tokens', 'wait', null, undefined],
    ]);
    const over = stageStatus(guards, stage, { [M]: stats(400, 0, 10), accuracy: stats(400, 0, 1, 0.9, 0.1), tokens: stats(400, 0, 600) }, control, MINUTE);
    expect(over.rows.filter((r) => r.guard === 'bound').map((r) => [r.metric, r.decision, r.decidedBy])).toEqual([
      ['accuracy', 'pass', 'sequential'],
      ['tokens', 'fail', 'fixed-horizon'],
    ]);
    expect(over.verdict.reasons).toEqual(['p95 of tokens is 600.00, above 500']);
  });

  it('do not take no errors yet as proof of none: with 0 errors on both sides the error-rate guard clears at about 700 candidate calls', () => {
    const errorRow = (n: number) =>
      row(stageStatus(DEFAULT_GUARDS, stage, { [M]: stats(n, 0, 10, 5, 1) }, { [M]: stats(split(n), 0, 10, 5, 1) }, 10 * MINUTE), 'error rate');
    // A rate of (errors + 1)/(n + 2): 0 of 100 calls leaves the candidate's rate uncertain, and the guard undecided.
    for (const n of [100, 300, 600]) expect(errorRow(n).sequential!.decision, `${n} calls`).toBe('undecided');
    for (const n of [700, 1000]) expect(errorRow(n).sequential!.decision, `${n} calls`).toBe('pass');
    // τ² = V·(−2 ln α + ln(1 − 2 ln α)), V the excess's variance at the stage's planned samples (100 here),
    // α = 0.05 shared by the two tested guards.
    const n = 400;
    const rate = (errors: number, count: number) => {
      const p = (errors + 1) / (count + 2);
      return (p * (1 - p)) / count;
    };
    const k = DEFAULT_GUARDS.maxErrorRateRatio;
    const varianceAtHorizon = ((rate(0, n) + k * k * rate(0, split(n))) * n) / stage.minSamples;
    const alpha = 0.05 / 2;
    const tau = Math.sqrt(varianceAtHorizon * (-2 * Math.log(alpha) + Math.log(1 - 2 * Math.log(alpha))));
    expect(errorRow(n).sequential!.mixingStdDev).toBeCloseTo(tau, 12);
    expect(errorRow(n).sequential!.alpha).toBe(alpha);
  });

  it('hold a stage whose split does not match its percent, without rolling it back', () => {
    const status = stageStatus(DEFAULT_GUARDS, stage, { [M]: stats(5000, 100, 40, 20, 5) }, { [M]: stats(5000, 100, 40, 20, 5) }, 90 * MINUTE);
    expect(status.sampleRatio).toMatchObject({ observed: [5000, 5000], expected: [500, 9500], mismatch: true });
    expect(status.verdict.decision).toBe('wait');
    expect(status.verdict.reasons[0]).toMatch(/^sample ratio mismatch: 5000 candidate and 5000 control observations for a 5% split/);
  });
});

describe('stages', () => {
  it('must grow and end at 100%', () => {
    expect(
      stageProblems([
        { percent: 5, minDurationMinutes: 1, minSamples: 0 },
        { percent: 100, minDurationMinutes: 0, minSamples: 0 },
      ]),
    ).toEqual([]);
    expect(
      stageProblems([
        { percent: 5, minDurationMinutes: 1, minSamples: 0 },
        { percent: 5, minDurationMinutes: 0, minSamples: 0 },
      ]).map((p) => p.reason),
    ).toEqual(['must be greater than the previous stage', 'the last stage must be 100']);
  });
});
