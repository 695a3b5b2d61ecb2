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

  it("clears a field's message once that field is edited, and keeps the others'", async () => {
    stubApi((method, path) => (method === 'GET' && path.startsWith('/projects/demo/flags') ? { status: 200, body: [modelFlag] } : undefined));
    renderWithClient(<CreateExperimentForm project={project} environment="production" onCreated={() => {}} onCancel={() => {}} />);
    await userEvent.click(screen.getByRole('button', { name: 'Start experiment' }));
    const key = screen.getByLabelText('Key');
    const mde = screen.getByLabelText(/Minimum detectable effect/);
    expect(key.getAttribute('aria-invalid')).toBe('true');
    expect(mde.getAttribute('aria-invalid')).toBe('true');
    await userEvent.type(key, 'c');
    expect(key.getAttribute('aria-invalid')).not.toBe('true');
    expect(mde.getAttribute('aria-invalid')).toBe('true');
    await userEvent.type(mde, '0.02');
    expect(mde.getAttribute('aria-invalid')).not.toBe('true');
  });

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

  it("drops the guardrails' messages when a row is removed, so none stands beside the row that moved up", async () => {
    stubApi((method, path) => {
      if (method === 'GET' && path.startsWith('/projects/demo/flags')) return { status: 200, body: [modelFlag] };
      if (method === 'POST')
        return { status: 400, body: { error: 'VALIDATION', message: 'invalid', details: [{ field: 'guardrailMetrics[1].name', reason: 'name is required' }] } };
      return undefined;
    });
    renderWithClient(<CreateExperimentForm project={project} environment="production" onCreated={() => {}} onCancel={() => {}} />);
    await fill();
    for (let i = 0; i < 3; i++) await userEvent.click(screen.getByRole('button', { name: 'Add a guardrail' }));
    await userEvent.type(screen.getByLabelText('Guardrail 1 metric'), 'model.latency_ms');
    await userEvent.type(screen.getByLabelText('Guardrail 3 metric'), 'rows.failed');
    await userEvent.click(screen.getByRole('button', { name: 'Start experiment' }));
    await vi.waitFor(() => expect(screen.getByLabelText('Guardrail 2 metric').getAttribute('aria-invalid')).toBe('true'));
    // Row 3 (rows.failed) becomes row 2: the message about the old row 2 must not follow the position.
    await userEvent.click(screen.getByRole('button', { name: 'Remove guardrail 1' }));
    expect((screen.getByLabelText('Guardrail 2 metric') as HTMLInputElement).value).toBe('rows.failed');
    expect(screen.getByLabelText('Guardrail 2 metric').getAttribute('aria-invalid')).not.toBe('true');
    expect(screen.queryByText('name is required')).toBeNull();
  });

  it('asks for a metric and an effect size before calling the API', async () => {
    const calls = stubApi((method, path) => (method === 'GET' && path.startsWith('/projects/demo/flags') ? { status: 200, body: [modelFlag] } : undefined));
    renderWithClient(<CreateExperimentForm project={project} environment="production" onCreated={() => {}} onCancel={() => {}} />);
    await userEvent.click(screen.getByRole('button', { name: 'Start experiment' }));
    expect(screen.getByLabelText('Primary metric').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText(/Minimum detectable effect/).getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  describe('metric names from the catalogue', () => {
    const reported = (metric: string, carriesValues: boolean) => ({ metric, lastSeen: '2026-12-04T12:00:00.000Z', samples: 40, errors: 0, carriesValues });
    const catalogue = {
      flag: 'checkout.model',
      windowFrom: '2026-12-04T11:00:00.000Z',
      to: '2026-12-04T12:00:00.000Z',
      nextAfter: null,
      metrics: [
        reported('converted', false),
        reported('converted@region=eu', false),
        reported('converted@region=us', false),
        reported('model.latency_ms', true),
        reported('ratio:pipeline.errors/pipeline.rows#x', true),
        reported('ratio:pipeline.errors/pipeline.rows#xy', true),
        reported('ratio:pipeline.errors/pipeline.rows#y', true),
      ],
    };
    const stub = () =>
      stubApi((method, path) => {
        if (method === 'GET' && path.startsWith('/projects/demo/flags')) return { status: 200, body: [modelFlag] };
        if (method === 'GET' && path.startsWith('/projects/demo/environments/production/metrics') && path.includes('flag=checkout.model'))
          return { status: 200, body: catalogue };
        if (method === 'POST' && path === '/projects/demo/experiments') return { status: 201, body: { key: 'checkout-v2' } };
        return undefined;
      });
    const options = (listId: string) => [...screen.getByTestId(listId).querySelectorAll('option')].map((o) => o.getAttribute('value'));

    it('offers the names the flag reported for the primary metric, guardrails and segment attribute, and warns without refusing a name never reported', async () => {
      const calls = stub();
      const onCreated = vi.fn();
      renderWithClient(<CreateExperimentForm project={project} environment="production" onCreated={onCreated} onCancel={() => {}} />);
      await userEvent.type(screen.getByLabelText('Key'), 'checkout-v2');
      await userEvent.selectOptions(await screen.findByLabelText('Flag'), await screen.findByRole('option', { name: 'checkout.model' }));
      await vi.waitFor(() => expect(options('reported-metrics-primary')).toEqual(['converted', 'model.latency_ms']));
      expect(screen.getByLabelText('Primary metric').getAttribute('list')).toBe('reported-metrics-primary');

      await userEvent.type(screen.getByLabelText('Primary metric'), 'convertd');
      const warning = await screen.findByText(/No SDK has reported convertd for checkout\.model in the last 7 days/);
      expect(screen.getByLabelText('Primary metric').getAttribute('aria-describedby')).toContain(warning.id);
      await userEvent.clear(screen.getByLabelText('Primary metric'));
      await userEvent.type(screen.getByLabelText('Primary metric'), 'converted');
      expect(screen.queryByText(/No SDK has reported/)).toBeNull();

      await userEvent.selectOptions(screen.getByLabelText('Metric type'), 'mean');
      expect(options('reported-segment-attributes')).toEqual(['region']);
      await userEvent.type(screen.getByLabelText(/Results by attribute/), 'country');
      expect(await screen.findByText(/No SDK has reported converted by country \(segmentBy\) for checkout\.model/)).toBeTruthy();

      await userEvent.click(screen.getByRole('button', { name: 'Add a guardrail' }));
      expect(options('reported-metrics-guardrail-0')).toEqual(['converted', 'model.latency_ms']);
      await userEvent.selectOptions(screen.getByLabelText('Guardrail 1 type'), 'rate');
      // A reported name brings its kind: model.latency_ms carries values, so it is a mean.
      await userEvent.type(screen.getByLabelText('Guardrail 1 metric'), 'model.latency_ms');
      expect((screen.getByLabelText('Guardrail 1 type') as HTMLSelectElement).value).toBe('mean');

      await userEvent.type(screen.getByLabelText(/Minimum detectable effect/), '0.02');
      await userEvent.click(screen.getByRole('button', { name: 'Start experiment' }));
      // Warned, not refused: the never-reported attribute is sent as typed.
      await vi.waitFor(() => expect(onCreated).toHaveBeenCalled());
      expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
        primaryMetric: { name: 'converted', type: 'mean' },
        segmentBy: 'country',
        guardrailMetrics: [{ name: 'model.latency_ms', type: 'mean', better: 'decrease' }],
      });
    }, 30_000);

    it('offers the numerators and denominators of reported ratios, and warns of a pair never reported', async () => {
      stub();
      renderWithClient(<CreateExperimentForm project={project} environment="production" onCreated={() => {}} onCancel={() => {}} />);
      await userEvent.selectOptions(await screen.findByLabelText('Flag'), await screen.findByRole('option', { name: 'checkout.model' }));
      await userEvent.selectOptions(screen.getByLabelText('Metric type'), 'ratio');
      await vi.waitFor(() => expect(options('reported-metrics-numerator')[0]).toBe('pipeline.errors'));
      expect(options('reported-metrics-denominator')[0]).toBe('pipeline.rows');
      await userEvent.type(screen.getByLabelText('Numerator metric (trackRatio)'), 'pipeline.errors');
      await userEvent.type(screen.getByLabelText('Denominator metric (trackRatio)'), 'pipeline.rows');
      expect(screen.queryByText(/No SDK has reported/)).toBeNull();
      await userEvent.type(screen.getByLabelText('Denominator metric (trackRatio)'), '_total');
      expect(await screen.findByText(/No SDK has reported the ratio pipeline\.errors\/pipeline\.rows_total \(trackRatio\)/)).toBeTruthy();
    }, 30_000);
  });
});
