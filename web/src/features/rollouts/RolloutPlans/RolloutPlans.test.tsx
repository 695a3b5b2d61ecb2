import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RolloutPlan } from '../../../api/rollouts';
import type { EnvironmentView } from '../../../api/projects';
import { aFlag, renderWithClient, stubApi } from '../../../test/render';
import { RolloutPlans } from './RolloutPlans';

const environment = { key: 'production', name: 'Production' } as EnvironmentView;

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
  guardStatus: {
    from: '2026-11-23T10:00:00.000Z',
    to: '2026-11-23T10:20:00.000Z',
    rows: [
      { guard: 'stage samples', metric: 'model.latency_ms', candidate: 40, control: 900, limit: '≥ 100 to advance', passing: null, unit: 'count' },
      {
        guard: 'error rate',
        metric: 'model.latency_ms',
        candidate: 0.1,
        control: 0.02,
        limit: '≤ 2× control + 0.005 = 0.0450',
        passing: false,
        failure: 'error rate 0.1000 on model.latency_ms exceeds 2× control (0.0200) + 0.005 = 0.0450',
        unit: 'rate',
      },
      { guard: 'latency p95', metric: 'model.latency_ms', candidate: 12, control: 10, limit: '≤ 1.5× control = 15.00 ms', passing: true, unit: 'ms' },
      { guard: 'bound', metric: 'accuracy', stat: 'mean', candidate: null, control: null, limit: '≥ 0.8', passing: null, unit: 'value' },
    ],
  },
  ...overrides,
});

afterEach(() => vi.unstubAllGlobals());

describe('RolloutPlans', () => {
  it('shows the guards exactly as the server judges them, with why one fails', async () => {
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
    expect(within(rows[0]!).getByText('collecting')).toBeTruthy();
    expect(within(rows[1]!).getByText('10.00%')).toBeTruthy();
    expect(within(rows[1]!).getByText('fail')).toBeTruthy();
    expect(within(rows[1]!).getByText(/exceeds 2× control/)).toBeTruthy();
    expect(within(rows[2]!).getByText('pass')).toBeTruthy();
    expect(within(rows[3]!).getByText('not enough data')).toBeTruthy();
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
