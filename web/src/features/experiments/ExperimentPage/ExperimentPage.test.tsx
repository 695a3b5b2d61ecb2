import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExperimentResults } from '../../../api/experiments';
import type { ProjectView } from '../../../api/projects';
import { stubApi } from '../../../test/render';
import { ExperimentPage } from './ExperimentPage';

const production = { key: 'production', name: 'Production', requireChangeReason: true, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null };
const project = { key: 'demo', name: 'Demo', environments: [production] } as unknown as ProjectView;

const results = (overrides: Partial<ExperimentResults> = {}): ExperimentResults => ({
  experiment: {
    key: 'checkout-v2',
    name: 'Checkout v2',
    flag: 'checkout.model',
    environment: 'production',
    controlVariant: 'v1',
    treatmentVariants: ['v2'],
    primaryMetric: { name: 'converted', type: 'rate', better: 'increase' },
    guardrailMetrics: [],
    alpha: 0.05,
    power: 0.8,
    minimumDetectableEffect: 0.03,
    baselineRate: 0.1,
    assumedStdDev: null,
    analysis: 'sequential',
    cuped: false,
    segmentBy: null,
    maxDurationHours: null,
    autoRollback: false,
    status: 'running',
    decision: null,
    winner: null,
    startedAt: '2026-11-20T10:00:00.000Z',
    closedAt: null,
    createdBy: 'kim',
  },
  from: '2026-11-20T10:00:00.000Z',
  to: '2026-11-21T10:00:00.000Z',
  requiredSampleSize: 2000,
  sequentialSampleSize: null,
  sampleSizeBasis: 'unadjusted',
  decidedBy: 'sequential',
  comparisonAlpha: 0.05,
  variants: [
    { variant: 'v1', n: 3000, value: 0.1, stdDev: null, interval: { lower: 0.09, upper: 0.11 }, intervalMethod: 'wilson', expectedShare: 0.5 },
    { variant: 'v2', n: 2400, value: 0.14, stdDev: null, interval: { lower: 0.126, upper: 0.154 }, intervalMethod: 'wilson', expectedShare: 0.5 },
  ],
  treatments: [
    {
      variant: 'v2',
      comparison: {
        absoluteDifference: 0.04,
        absoluteInterval: { lower: 0.022, upper: 0.058 },
        absoluteIntervalMethod: 'newcombe',
        relativeDifference: 0.4,
        relativeInterval: null,
        statistic: 4.5,
        degreesOfFreedom: null,
        pValue: 0.00002,
        test: 'pooled-z',
        effectSize: 0.12,
        significant: true,
        sequential: {
          method: 'msprt',
          pValue: 0.0004,
          interval: { lower: 0.011, upper: 0.069 },
          intervalMethod: 'confidence-sequence',
          mixingStdDev: 0.03,
          significant: true,
        },
      },
      adjusted: null,
      decidedOn: 'unadjusted',
      guardrails: [],
      recommendation: 'promote',
      explanation: 'v2 is significantly better than v1 on converted.',
    },
  ],
  sampleRatio: { chiSquare: 66.7, degreesOfFreedom: 1, pValue: 0.0000001, observed: [3000, 2400], expected: [2700, 2700], mismatch: true },
  recommendation: 'promote',
  winner: 'v2',
  warnings: [],
  segments: null,
  ...overrides,
});

const renderPage = (role: 'viewer' | 'editor', answer: ExperimentResults) => {
  const calls = stubApi((method, path) => {
    if (path === '/auth/me') return { status: 200, body: { role, name: role } };
    if (method === 'GET' && path === '/projects/demo/experiments/checkout-v2/results') return { status: 200, body: answer };
    if (method === 'POST' && path === '/projects/demo/experiments/checkout-v2/promote')
      return { status: 200, body: { ...answer.experiment, status: 'closed' } };
    if (method === 'POST' && path === '/projects/demo/experiments/checkout-v2/stop')
      return { status: 200, body: { ...answer.experiment, status: 'closed', decision: 'stopped' } };
    if (method === 'PATCH' && path === '/projects/demo/experiments/checkout-v2') {
      const body = JSON.parse(JSON.stringify(answer.experiment)) as Record<string, unknown>;
      return { status: 200, body };
    }
    return undefined;
  });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={['/demo/production/experiments/checkout-v2']}>
        <Routes>
          <Route path="/demo/production/experiments/:experimentKey" element={<ExperimentPage project={project} environment={production} />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return calls;
};

afterEach(() => vi.unstubAllGlobals());

describe('ExperimentPage', () => {
  it('shows the recommendation, the p-value and a sample-ratio-mismatch warning', async () => {
    renderPage('viewer', results());
    const srm = (await screen.findByRole('alert', { name: 'Sample ratio mismatch' })).textContent;
    expect(srm).toContain('3000 : 2400');
    expect(srm).toContain('(χ² p < 0.001)');
    expect(screen.getByText('Promote: v2')).toBeTruthy();
    expect(screen.getByTestId('p-value').textContent).toBe('p < 0.001');
    expect(screen.getByLabelText('Sample size').textContent).toMatch(/2,400 of 2,000 observations per variant needed/);
  });

  it("measures a sequential experiment against the always-valid test's sample size, with the fixed-horizon one beside it", async () => {
    renderPage('viewer', results({ sequentialSampleSize: 4800 }));
    expect((await screen.findByLabelText('Sample size')).textContent).toMatch(/2,400 of 4,800 observations per variant needed/);
    expect(screen.getByTestId('sequential-sample-size').textContent).toContain('a fixed-horizon analysis would need 2,000');
  });

  it('names the interval methods the results were computed with', async () => {
    renderPage('viewer', results());
    expect((await screen.findByText(/Estimates with 95% confidence intervals/)).textContent).toContain('(Wilson score)');
    expect(screen.getByText(/Intervals of the difference/).textContent).toContain("Newcombe's hybrid score");
  });

  it('shows the always-valid figures beside the fixed-horizon ones and says which decide', async () => {
    renderPage('viewer', results());
    expect((await screen.findByTestId('sequential-p-value')).textContent).toBe('p < 0.001');
    expect(screen.getByRole('columnheader', { name: 'Always-valid p (mSPRT, decides)' })).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'Fixed-horizon p (z-test)' })).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'Confidence sequence (mSPRT)' })).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: '95% CI (Newcombe)' })).toBeTruthy();
    expect(screen.getByText('+1.10 pp to +6.90 pp')).toBeTruthy();
    expect(screen.getByText(/decides by its sequential figures/)).toBeTruthy();
  });

  it('offers no Promote or Rollback to a viewer', async () => {
    renderPage('viewer', results());
    await screen.findByText('Promote: v2');
    expect(screen.queryByRole('button', { name: 'Promote' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Rollback' })).toBeNull();
  });

  it('lets an editor promote the recommended winner with a reason, after confirming', async () => {
    const calls = renderPage('editor', results({ sampleRatio: null }));
    await userEvent.click(await screen.findByRole('button', { name: 'Promote' }));
    await userEvent.type(screen.getByLabelText('Reason (optional)'), 'converts better');
    await userEvent.click(screen.getByRole('button', { name: 'Promote v2' }));
    await vi.waitFor(() => expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ variant: 'v2', reason: 'converts better' }));
  });

  it('stops without a decision after confirming, and says the flag stays as it is', async () => {
    const calls = renderPage('editor', results({ sampleRatio: null }));
    await userEvent.click(await screen.findByRole('button', { name: 'Stop' }));
    expect(screen.getByText(/The flag keeps serving what it serves now/)).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Reason (optional)'), 'plans changed');
    await userEvent.click(screen.getByRole('button', { name: 'Stop experiment' }));
    await vi.waitFor(() => expect(calls.find((c) => c.method === 'POST' && c.path.endsWith('/stop'))?.body).toEqual({ reason: 'plans changed' }));
  });

  it('shows a stopped experiment as closed with no winner, its recommendation no longer acted on', async () => {
    const base = results({ sampleRatio: null, recommendation: 'keep-collecting', winner: null });
    renderPage(
      'editor',
      results({
        ...base,
        experiment: { ...base.experiment, status: 'closed', decision: 'stopped', winner: null, closedAt: '2026-11-21T10:00:00.000Z' },
      }),
    );
    expect((await screen.findByText(/stopped without a decision/)).textContent).toMatch(
      /: stopped without a decision: no winner, and the flag serves what it served\.$/,
    );
    expect(screen.getByText(/nothing acts on this recommendation any more/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Promote' })).toBeNull();
  });

  it('changes settings with a reason, and asks for the reason before sending anything', async () => {
    const calls = renderPage('editor', results({ sampleRatio: null }));
    await userEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    const mde = screen.getByLabelText('Minimum detectable effect');
    await userEvent.clear(mde);
    await userEvent.type(mde, '0.02');
    await userEvent.type(screen.getByLabelText('Conclude after (hours; empty: never)'), '72');
    await userEvent.click(screen.getByLabelText(/Roll back on its own/));
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('say why the settings change (kept in the audit log)')).toBeTruthy();
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
    await userEvent.type(screen.getByLabelText('Reason (kept in the audit log)'), 'smaller effect matters');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await vi.waitFor(() =>
      expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
        minimumDetectableEffect: 0.02,
        alpha: 0.05,
        power: 0.8,
        analysis: 'sequential',
        maxDurationHours: 72,
        autoRollback: true,
        reason: 'smaller effect matters',
      }),
    );
  });

  it('shows a ratio metric as Σnumerator / Σdenominator with its delta-method intervals and test named', async () => {
    const base = results({ sampleRatio: null });
    const ratio = results({
      sampleRatio: null,
      experiment: {
        ...base.experiment,
        primaryMetric: { name: 'errors per row', type: 'ratio', numerator: 'pipeline.errors', denominator: 'pipeline.rows', better: 'decrease' },
      },
      variants: base.variants.map((v) => ({ ...v, value: v.value! / 10, interval: null, intervalMethod: 'delta-method' as const })),
      treatments: base.treatments.map((t) => ({
        ...t,
        comparison: { ...t.comparison!, absoluteDifference: 0.0042, absoluteIntervalMethod: 'delta-method' as const, test: 'delta-z' as const },
      })),
    });
    renderPage('viewer', ratio);
    expect((await screen.findByText(/Estimates with 95% confidence intervals/)).textContent).toContain('(delta method)');
    expect(screen.getByText('Σpipeline.errors')).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'Ratio' })).toBeTruthy();
    expect(screen.getByText(/Intervals of the difference/).textContent).toContain('z-test with the delta-method variance');
    expect(screen.getByText('+0.0042')).toBeTruthy();
  });

  it('shows the CUPED-adjusted comparison beside the unadjusted one, labelled, with which one decides', async () => {
    const base = results({ sampleRatio: null });
    const adjusted = {
      ...base.treatments[0]!.comparison!,
      method: 'cuped' as const,
      test: 'cuped-welch-t' as const,
      absoluteIntervalMethod: 'cuped-welch-t' as const,
      absoluteDifference: 0.035,
      pValue: 0.0001,
      theta: 0.62,
      controlValue: 0.1,
      treatmentValue: 0.135,
      varianceReduction: 0.41,
      controlN: 3000,
      treatmentN: 2400,
    };
    renderPage(
      'viewer',
      results({
        sampleRatio: null,
        sampleSizeBasis: 'cuped',
        experiment: { ...base.experiment, cuped: true },
        treatments: [{ ...base.treatments[0]!, adjusted, decidedOn: 'cuped' }],
      }),
    );
    expect(await screen.findByRole('heading', { name: 'CUPED-adjusted comparison' })).toBeTruthy();
    expect(screen.getByText(/Method: CUPED/)).toBeTruthy();
    expect(screen.getByTestId('cuped-variance-reduction').textContent).toBe('41%');
    expect(screen.getByTestId('cuped-difference').textContent).toBe('+3.50 pp');
    expect(screen.getByText('CUPED decides')).toBeTruthy();
    // The unadjusted figures stay on the page, no longer marked as deciding.
    expect(screen.getByTestId('p-value').textContent).toBe('p < 0.001');
    expect(screen.getByRole('columnheader', { name: 'Always-valid p (mSPRT)' })).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'Adjusted always-valid p (decides when every unit has a covariate)' })).toBeTruthy();
  });

  it('shows results per segment with Holm-adjusted p-values and names the method', async () => {
    const base = results({ sampleRatio: null });
    const comparison = base.treatments[0]!.comparison!;
    renderPage(
      'viewer',
      results({
        sampleRatio: null,
        experiment: { ...base.experiment, segmentBy: 'region' },
        segments: {
          attribute: 'region',
          multipleComparison: 'holm',
          familySize: 2,
          alpha: 0.05,
          decidedBy: 'fixed-horizon',
          warnings: [],
          segments: [
            {
              value: 'eu',
              variants: [
                { variant: 'v1', n: 500, value: 0.2 },
                { variant: 'v2', n: 510, value: 0.4 },
              ],
              treatments: [
                { variant: 'v2', comparison: { ...comparison, pValue: 0.0004 }, adjustedPValue: 0.0008, adjustedSequentialPValue: 0.002, significant: true },
              ],
            },
            {
              value: 'us',
              variants: [
                { variant: 'v1', n: 490, value: 0.2 },
                { variant: 'v2', n: 505, value: 0.21 },
              ],
              treatments: [{ variant: 'v2', comparison: { ...comparison, pValue: 0.6 }, adjustedPValue: 0.6, adjustedSequentialPValue: 1, significant: false }],
            },
          ],
        },
      }),
    );
    expect(await screen.findByText(/Holm's method over 2 comparisons/)).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'Holm-adjusted p' })).toBeTruthy();
    const rows = screen.getAllByTestId('segment-row');
    expect(rows.map((r) => r.firstElementChild?.textContent)).toEqual(['eu', 'us']);
    expect(rows[0]!.textContent).toContain('40.00%');
    expect(screen.getAllByTestId('segment-adjusted-p').map((e) => e.textContent)).toEqual(['p < 0.001', 'p = 0.600']);
  });

  it('turns CUPED on in the settings, sending it only because it changed', async () => {
    const calls = renderPage('editor', results({ sampleRatio: null }));
    await userEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    await userEvent.click(screen.getByLabelText(/CUPED: also report figures adjusted/));
    await userEvent.type(screen.getByLabelText('Reason (kept in the audit log)'), 'covariates arrive now');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await vi.waitFor(() => expect(calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({ cuped: true, reason: 'covariates arrive now' }));
  }, 30_000);

  it('adds a guardrail in the settings, sending the whole list only because it changed', async () => {
    const base = results({ sampleRatio: null });
    const withGuardrail = results({
      sampleRatio: null,
      experiment: { ...base.experiment, guardrailMetrics: [{ name: 'refunded', type: 'rate', better: 'decrease' }] },
    });
    const calls = renderPage('editor', withGuardrail);
    await userEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    expect((screen.getByLabelText('Guardrail 1 metric') as HTMLInputElement).value).toBe('refunded');
    await userEvent.click(screen.getByRole('button', { name: 'Add a guardrail' }));
    await userEvent.type(screen.getByLabelText('Guardrail 2 metric'), 'checkout.latency_ms');
    await userEvent.type(screen.getByLabelText('Reason (kept in the audit log)'), 'latency matters too');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await vi.waitFor(() =>
      expect(calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({
        guardrailMetrics: [
          { name: 'refunded', type: 'rate', better: 'decrease' },
          { name: 'checkout.latency_ms', type: 'mean', better: 'decrease' },
        ],
      }),
    );
  }, 30_000);

  it('leaves the guardrails out of the settings it sends when they did not change', async () => {
    const calls = renderPage('editor', results({ sampleRatio: null }));
    await userEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    // An empty row added and left empty changes nothing.
    await userEvent.click(screen.getByRole('button', { name: 'Add a guardrail' }));
    await userEvent.type(screen.getByLabelText('Reason (kept in the audit log)'), 'nothing but a note');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await vi.waitFor(() => expect(calls.find((c) => c.method === 'PATCH')?.body).toBeDefined());
    expect(calls.find((c) => c.method === 'PATCH')?.body).not.toHaveProperty('guardrailMetrics');
  }, 30_000);

  it('says a guardrail without observations has no data yet rather than calling it ok', async () => {
    const base = results({ sampleRatio: null });
    renderPage(
      'viewer',
      results({
        sampleRatio: null,
        treatments: [{ ...base.treatments[0]!, guardrails: [{ metric: 'checkout.latency_ms', comparison: null, harmed: false }] }],
      }),
    );
    expect(await screen.findByText('no data yet')).toBeTruthy();
    expect(screen.queryByText('ok', { exact: true })).toBeNull();
  });

  it('offers no Settings or Stop to a viewer', async () => {
    renderPage('viewer', results());
    await screen.findByText('Promote: v2');
    expect(screen.queryByRole('button', { name: 'Settings' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
  });
});
