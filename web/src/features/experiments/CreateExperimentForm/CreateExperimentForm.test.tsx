import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FlagView } from '../../../api/flags';
import type { ProjectView } from '../../../api/projects';
import { aFlag, renderWithClient, stubApi } from '../../../test/render';
import { CreateExperimentForm } from './CreateExperimentForm';

const project = {
  key: 'demo',
  name: 'Demo',
  environments: [
    { key: 'development', name: 'Development', requireChangeReason: false },
    { key: 'production', name: 'Production', requireChangeReason: true },
  ],
} as unknown as ProjectView;

const modelFlag: FlagView = {
  ...aFlag(),
  key: 'checkout.model',
  kind: 'string',
  variants: [
    { key: 'v1', value: 'model-v1' },
    { key: 'v2', value: 'model-v2' },
  ],
};

afterEach(() => vi.unstubAllGlobals());

describe('CreateExperimentForm', () => {
  const fill = async () => {
    await userEvent.type(screen.getByLabelText('Key'), 'checkout-v2');
    await userEvent.selectOptions(await screen.findByLabelText('Flag'), await screen.findByRole('option', { name: 'checkout.model' }));
    await userEvent.type(screen.getByLabelText('Primary metric'), 'converted');
    await userEvent.type(screen.getByLabelText(/Minimum detectable effect/), '0.02');
  };

  it('sends the flag, variants, metric and settings, defaulting control to the first variant', async () => {
    const calls = stubApi((method, path) => {
      if (method === 'GET' && path.startsWith('/projects/demo/flags')) return { status: 200, body: [modelFlag] };
      if (method === 'POST' && path === '/projects/demo/experiments') return { status: 201, body: { key: 'checkout-v2' } };
      return undefined;
    });
    const onCreated = vi.fn();
    renderWithClient(<CreateExperimentForm project={project} environment="production" onCreated={onCreated} onCancel={() => {}} />);
    await fill();
    await userEvent.click(screen.getByRole('button', { name: 'Start experiment' }));
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      key: 'checkout-v2',
      flag: 'checkout.model',
      environment: 'production',
      controlVariant: 'v1',
      treatmentVariants: ['v2'],
      primaryMetric: { name: 'converted', type: 'rate', better: 'increase' },
      alpha: 0.05,
      power: 0.8,
      minimumDetectableEffect: 0.02,
      analysis: 'sequential',
    });
  });

  it('sends a ratio metric with its numerator and denominator, and CUPED and a segment attribute for a mean', async () => {
    const calls = stubApi((method, path) => {
      if (method === 'GET' && path.startsWith('/projects/demo/flags')) return { status: 200, body: [modelFlag] };
      if (method === 'POST' && path === '/projects/demo/experiments') return { status: 201, body: { key: 'checkout-v2' } };
      return undefined;
    });
    const onCreated = vi.fn();
    renderWithClient(<CreateExperimentForm project={project} environment="production" onCreated={onCreated} onCancel={() => {}} />);
    await fill();
    await userEvent.selectOptions(screen.getByLabelText('Metric type'), 'ratio');
    await userEvent.click(screen.getByRole('button', { name: 'Start experiment' }));
    expect(await screen.findByText('the metric summed above the line, e.g. pipeline.errors')).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Numerator metric (trackRatio)'), 'pipeline.errors');
    await userEvent.type(screen.getByLabelText('Denominator metric (trackRatio)'), 'pipeline.rows');
    await userEvent.click(screen.getByRole('button', { name: 'Start experiment' }));
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    expect(calls.filter((c) => c.method === 'POST')[0]?.body).toMatchObject({
      primaryMetric: { name: 'converted', type: 'ratio', better: 'increase', numerator: 'pipeline.errors', denominator: 'pipeline.rows' },
    });

    await userEvent.selectOptions(screen.getByLabelText('Metric type'), 'mean');
    await userEvent.click(screen.getByLabelText(/CUPED: adjust with the pre-exposure covariate/));
    await userEvent.type(screen.getByLabelText(/Results by attribute/), 'region');
    await userEvent.click(screen.getByRole('button', { name: 'Start experiment' }));
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalledTimes(2));
    const mean = calls.filter((c) => c.method === 'POST')[1]?.body as Record<string, unknown>;
    expect(mean).toMatchObject({ primaryMetric: { name: 'converted', type: 'mean', better: 'increase' }, cuped: true, segmentBy: 'region' });
    expect(mean.primaryMetric).not.toHaveProperty('numerator');
    // Typing field by field on a shared two-core machine takes longer than the default 5 s.
  }, 30_000);

  it('sends fixed-horizon analysis, a maximum duration and auto-rollback when chosen', async () => {
    const calls = stubApi((method, path) => {
      if (method === 'GET' && path.startsWith('/projects/demo/flags')) return { status: 200, body: [modelFlag] };
      if (method === 'POST' && path === '/projects/demo/experiments') return { status: 201, body: { key: 'checkout-v2' } };
      return undefined;
    });
    const onCreated = vi.fn();
    renderWithClient(<CreateExperimentForm project={project} environment="production" onCreated={onCreated} onCancel={() => {}} />);
    await fill();
    await userEvent.selectOptions(screen.getByLabelText(/^Decide by/), 'fixed-horizon');
    await userEvent.type(screen.getByLabelText('Conclude after (hours, optional)'), '168');
    await userEvent.click(screen.getByLabelText(/Roll back on its own/));
    await userEvent.click(screen.getByRole('button', { name: 'Start experiment' }));
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ analysis: 'fixed-horizon', maxDurationHours: 168, autoRollback: true });
  });

  it('shows the API validation message next to the field it names', async () => {
    stubApi((method, path) => {
      if (method === 'GET' && path.startsWith('/projects/demo/flags')) return { status: 200, body: [modelFlag] };
      if (method === 'POST')
        return { status: 400, body: { error: 'VALIDATION', message: 'invalid', details: [{ field: 'alpha', reason: 'alpha must not be greater than 0.2' }] } };
      return undefined;
    });
    renderWithClient(<CreateExperimentForm project={project} environment="production" onCreated={() => {}} onCancel={() => {}} />);
    await fill();
    await userEvent.clear(screen.getByLabelText('Alpha'));
    await userEvent.type(screen.getByLabelText('Alpha'), '2');
    await userEvent.click(screen.getByRole('button', { name: 'Start experiment' }));
    const alpha = screen.getByLabelText('Alpha');
    await vi.waitFor(() => expect(alpha.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(alpha.getAttribute('aria-describedby')!)?.textContent).toBe('alpha must not be greater than 0.2');
  });

  it('asks for a metric and an effect size before calling the API', async () => {
    const calls = stubApi((method, path) => (method === 'GET' && path.startsWith('/projects/demo/flags') ? { status: 200, body: [modelFlag] } : undefined));
    renderWithClient(<CreateExperimentForm project={project} environment="production" onCreated={() => {}} onCancel={() => {}} />);
    await userEvent.click(screen.getByRole('button', { name: 'Start experiment' }));
    expect(screen.getByLabelText('Primary metric').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText(/Minimum detectable effect/).getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
  });
});
