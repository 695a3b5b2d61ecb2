import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RolloutPlan } from '../../../api/rollouts';
import type { EnvironmentView } from '../../../api/projects';
import { aFlag, renderWithClient, stubApi } from '../../../test/render';
import { RolloutPlans } from './RolloutPlans';

const environment = { key: 'production', name: 'Production' } as EnvironmentView;

const FAILURE = 'error rate 0.2000 on model.latency_ms exceeds 2× control (0.0200) + 0.005 = 0.0450; confidence sequence for … entirely above 0';

const aPlan = (overrides: Partial<RolloutPlan> = {}): RolloutPlan => ({
  id: '5b0c8a5e-2a4f-4c1e-9a53-1f1f7c3b9a10',
  flag: 'etl.use-new-transformer',
  environment: 'production',
  candidateVariant: 'on',
  controlVariant: 'off',
  bucketBy: null,
  stages: [
    { percent: 1, minDurationMinutes: 30, minSamples: 100 },
    { percent: 100, minDurationMinutes: 0, minSamples: 0 },
  ],
  guards: {
    errorMetric: 'model.latency_ms',
    maxErrorRateRatio: 2,
    errorRateAllowance: 0.005,
    latencyMetric: 'model.latency_ms',
    maxLatencyRatio: 1.5,
    minLatencyIncreaseMs: 1,
    bounds: [],
    minSamples: 50,
    baselineMinutes: 60,
  },
  status: 'running',
  currentStage: 0,
  currentPercent: 1,
  stageStartedAt: '2026-11-23T10:00:00.000Z',
  reason: null,
  snapshot: null,
  history: [],
  createdBy: 'admin',
  createdAt: '2026-11-23T10:00:00.000Z',
  finishedAt: null,
  guardMetrics: [],
  pause: null,
  guardStatus: {
    from: '2026-11-23T10:00:00.000Z',
    to: '2026-11-23T10:20:00.000Z',
    alpha: 0.05,
    window: { elapsedMinutes: 20, minDurationMinutes: 30, candidateSamples: 400, minSamples: 100, horizonReached: false },
    sampleRatio: { chiSquare: 0.2, degreesOfFreedom: 1, pValue: 0.65, observed: [400, 39_000], expected: [394, 39_006], mismatch: false },
    verdict: { decision: 'fail', reasons: [FAILURE] },
    rows: [
      {
        guard: 'stage samples',
        metric: 'model.latency_ms',
        candidate: 400,
        control: 39_000,
        limit: '≥ 100 to advance',
        passing: true,
        sequential: null,
        decision: 'pass',
        decidedBy: null,
        why: '400 candidate samples',
        unit: 'count',
      },
      {
        guard: 'error rate',
        metric: 'model.latency_ms',
        candidate: 0.2,
        control: 0.02,
        limit: '≤ 2× control + 0.005 = 0.0450',
        passing: false,
        sequential: {
          method: 'msprt',
          tested: 'candidate error rate − (2 × control error rate + 0.005)',
          excess: 0.155,
          interval: { lower: 0.071, upper: 0.239 },
          intervalMethod: 'confidence-sequence',
          pValue: 0.0004,
          mixingStdDev: 0.05,
          alpha: 0.025,
          decision: 'fail',
        },
        decision: 'fail',
        decidedBy: 'sequential',
        why: 'clearly worse than the limit',
        failure: FAILURE,
        unit: 'rate',
      },
      {
        guard: 'latency p95',
        metric: 'model.latency_ms',
        candidate: 12,
        control: 10,
        limit: '≤ 1.5× control = 15.00 ms',
        passing: true,
        sequential: {
          method: 'msprt',
          tested: 'candidate mean − 1.5 × control mean',
          excess: -4,
          interval: { lower: -5, upper: -3 },
          intervalMethod: 'confidence-sequence',
          pValue: 0.001,
          mixingStdDev: 1,
          alpha: 0.025,
          decision: 'pass',
        },
        decision: 'pass',
        decidedBy: 'sequential',
        why: 'clearly within the limit',
        unit: 'ms',
      },
      {
        guard: 'bound',
        metric: 'accuracy',
        stat: 'mean',
        candidate: null,
        control: null,
        limit: '≥ 0.8',
        passing: null,
        sequential: null,
        decision: 'wait',
        decidedBy: null,
        why: '0 candidate observations of 50: not judged, and does not hold the stage',
        unit: 'value',
      },
    ],
  },
  ...overrides,
});

afterEach(() => vi.unstubAllGlobals());

describe('RolloutPlans', () => {
  it('shows the guards exactly as the server judges them: fixed-horizon and sequential figures side by side, and why one fails', async () => {
    stubApi((method, path) => (method === 'GET' && path.endsWith('/rollout-plans') ? { status: 200, body: [aPlan()] } : undefined));
    renderWithClient(<RolloutPlans project="demo" flag={aFlag()} environment={environment} />);
    const table = await screen.findByRole('table', { name: 'Guard metrics' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell')[0]!.textContent)).toEqual([
      'Stage samples model.latency_ms',
      'Error rate model.latency_ms',
      'Latency p95 model.latency_ms',
      'mean bound accuracy',
    ]);
    expect(within(rows[1]!).getByText('20.00%')).toBeTruthy();
    expect(within(rows[1]!).getByText('over the limit')).toBeTruthy();
    expect(within(rows[1]!).getByText(/mSPRT confidence sequence \+7\.10 pp to \+23\.90 pp/)).toBeTruthy();
    const decision = within(rows[1]!).getAllByRole('cell')[6]!;
    expect(within(decision).getByText('fail')).toBeTruthy();
    expect(within(decision).getByText('by sequential')).toBeTruthy();
    expect(within(rows[1]!).getByText(FAILURE)).toBeTruthy();
    expect(within(rows[2]!).getByText('within')).toBeTruthy();
    expect(within(rows[2]!).getByText(/mSPRT confidence sequence -5\.0 ms to -3\.0 ms/)).toBeTruthy();
    expect(within(rows[3]!).getByText('not enough data')).toBeTruthy();
    const window = screen.getByLabelText('Stage window');
    expect(within(window).getByText(/20 of 30 min minimum, 400 of 100 candidate samples/)).toBeTruthy();
    expect(within(window).getByText('rolls back')).toBeTruthy();
    expect(screen.getByText(/Split check: 400 candidate and 39000 control observations/)).toBeTruthy();
  });

  it('shows a rolled-back plan with the failed guard, its reason and the figures that decided, as the scheduler saw them', async () => {
    const running = aPlan();
    const plan = aPlan({
      status: 'rolled-back',
      currentPercent: 0,
      reason: `guard failed at 1%: ${FAILURE}`,
      finishedAt: '2026-11-23T10:20:00.000Z',
      guardStatus: null,
      snapshot: { stage: 0, percent: 1, failures: [FAILURE], rows: running.guardStatus!.rows },
    });
    stubApi((method, path) => (method === 'GET' && path.endsWith('/rollout-plans') ? { status: 200, body: [plan] } : undefined));
    renderWithClient(<RolloutPlans project="demo" flag={aFlag()} environment={environment} />);
    expect((await screen.findByText('Guards that failed:')).parentElement!.textContent).toBe(`Guards that failed: ${FAILURE}`);
    expect(screen.queryByRole('table', { name: 'Guard metrics' })).toBeNull();
    const table = screen.getByRole('table', { name: 'Guards at the rollback' });
    expect(within(table).getByRole('columnheader', { name: 'Sequential (mSPRT)' })).toBeTruthy();
    const failed = within(table).getByRole('row', { name: /^Error rate model\.latency_ms/ });
    const decision = within(failed).getAllByRole('cell')[6]!;
    expect(within(decision).getByText('fail')).toBeTruthy();
    expect(within(decision).getByText('by sequential')).toBeTruthy();
    expect(within(failed).getByText(/mSPRT confidence sequence \+7\.10 pp to \+23\.90 pp/)).toBeTruthy();
    expect(within(failed).getByText(FAILURE)).toBeTruthy();
  });

  it('shows only the reason of a rollback whose snapshot has no guard rows', async () => {
    const plan = aPlan({ status: 'rolled-back', currentPercent: 0, guardStatus: null, snapshot: { failures: [FAILURE] } });
    stubApi((method, path) => (method === 'GET' && path.endsWith('/rollout-plans') ? { status: 200, body: [plan] } : undefined));
    renderWithClient(<RolloutPlans project="demo" flag={aFlag()} environment={environment} />);
    await screen.findByText('Guards that failed:');
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('says when a hand edit paused the plan, and flags a sample ratio mismatch', async () => {
    const plan = aPlan({
      status: 'paused',
      pause: { at: '2026-11-23T10:10:00.000Z', actor: 'rollout-scheduler', reason: 'the default rule was changed outside the plan by ana', handEdit: true },
    });
    plan.guardStatus!.sampleRatio = { chiSquare: 40, degreesOfFreedom: 1, pValue: 2e-10, observed: [4000, 4000], expected: [400, 7600], mismatch: true };
    stubApi((method, path) => (method === 'GET' && path.endsWith('/rollout-plans') ? { status: 200, body: [plan] } : undefined));
    renderWithClient(<RolloutPlans project="demo" flag={aFlag()} environment={environment} />);
    const paused = await screen.findByRole('status', { name: 'Why the plan is paused' });
    expect(paused.textContent).toContain('Paused because of a hand edit.');
    expect(paused.textContent).toContain('changed outside the plan by ana');
    expect(screen.getByText(/Sample ratio mismatch\./)).toBeTruthy();
  });

  it('offers no new plan while an experiment runs on the flag, and says why', async () => {
    stubApi((method, path) =>
      method === 'GET' && path.endsWith('/rollout-plans')
        ? { status: 200, body: [] }
        : method === 'GET' && path.startsWith('/projects/demo/experiments?')
          ? { status: 200, body: [{ key: 'ranker-test', flag: 'etl.use-new-transformer', environment: 'production', status: 'running' }] }
          : undefined,
    );
    renderWithClient(<RolloutPlans project="demo" flag={aFlag()} environment={environment} />);
    expect(await screen.findByText(/a rollout plan would replace its traffic split/)).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'New rollout plan' })).toBeNull();
  });

  it('says guards wait for the first stage when the server reports no guard status', async () => {
    stubApi((method, path) =>
      method === 'GET' && path.endsWith('/rollout-plans')
        ? { status: 200, body: [aPlan({ status: 'waiting-for-baseline', currentStage: -1, stageStartedAt: null, guardStatus: null })] }
        : undefined,
    );
    renderWithClient(<RolloutPlans project="demo" flag={aFlag()} environment={environment} />);
    expect(await screen.findByText('Guards judge once the first stage starts.')).toBeTruthy();
    expect(screen.queryByRole('table', { name: 'Guard metrics' })).toBeNull();
  });

  it('says plainly which guard metric has no data yet and what the plan waits for', async () => {
    const warning = "No data reported for step.duration_ms under this flag yet: the plan waits for 50 observations of it from control 'off'.";
    const note = { metric: 'step.duration_ms', chosenBy: 'fallback' as const, samples: 0, lastSeen: null, why: 'the default', warning };
    stubApi((method, path) =>
      method === 'GET' && path.endsWith('/rollout-plans')
        ? {
            status: 200,
            body: [
              aPlan({
                status: 'waiting-for-baseline',
                currentStage: -1,
                stageStartedAt: null,
                guardStatus: null,
                guardMetrics: [
                  { guard: 'errorMetric', ...note },
                  { guard: 'latencyMetric', ...note },
                ],
              }),
            ],
          }
        : undefined,
    );
    renderWithClient(<RolloutPlans project="demo" flag={aFlag()} environment={environment} />);
    // Both guards watch the same metric: one warning.
    expect((await screen.findAllByText(warning)).length).toBe(1);
  });
});
