import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Experiment } from '../../../api/experiments';
import type { EnvironmentView, ProjectView } from '../../../api/projects';
import { renderWithClient, stubApi } from '../../../test/render';
import { ExperimentsPage } from './ExperimentsPage';

const production = { key: 'production', name: 'Production', requireChangeReason: true } as EnvironmentView;
const project = { key: 'demo', name: 'Demo', environments: [production] } as unknown as ProjectView;

const anExperiment = (key: string, overrides: Partial<Experiment> = {}): Experiment => ({
  key,
  name: key,
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
  ...overrides,
});

afterEach(() => vi.unstubAllGlobals());

describe('ExperimentsPage', () => {
  it("shows every running experiment's recommendation from one request, and closed ones' decisions", async () => {
    const calls = stubApi((method, path) => {
      if (method === 'GET' && /^\/projects\/demo\/experiments(\?|$)/.test(path))
        return {
          status: 200,
          body: [anExperiment('checkout-v2'), anExperiment('ranker-v3'), anExperiment('old', { status: 'closed', decision: 'promoted', winner: 'v2' })],
        };
      if (method === 'GET' && path === '/projects/demo/experiment-recommendations')
        return {
          status: 200,
          body: [
            { experiment: 'checkout-v2', recommendation: 'promote', winner: 'v2' },
            { experiment: 'ranker-v3', recommendation: 'keep-collecting', winner: null },
          ],
        };
      return undefined;
    });
    renderWithClient(<ExperimentsPage project={project} environment={production} />);
    expect(await screen.findByText('Promote: v2')).toBeTruthy();
    expect(screen.getByText('Keep collecting')).toBeTruthy();
    expect(screen.getByText('promoted v2')).toBeTruthy();
    expect(calls.filter((c) => c.path.endsWith('/results'))).toEqual([]);
    expect(calls.filter((c) => c.path === '/projects/demo/experiment-recommendations')).toHaveLength(1);
  });
});
