import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CatalogueMetric } from '../../../api/metrics';
import type { FlagRolloutDefaults, GuardMetricNote } from '../../../api/rollouts';
import { aFlag, renderWithClient, rolloutDefaults, stubApi } from '../../../test/render';
import { aChangeRequest } from '../../changeRequests/aChangeRequest';
import { NewPlanForm } from './NewPlanForm';

afterEach(() => vi.unstubAllGlobals());

const DEFAULTS_PATH = '/projects/demo/flags/etl.use-new-transformer/environments/production/rollout-plans/defaults';

const note = (guard: 'errorMetric' | 'latencyMetric', metric: string, warning: string | null = null): GuardMetricNote => ({
  guard,
  metric,
  chosenBy: warning ? 'fallback' : 'reported',
  samples: warning ? 0 : 120,
  lastSeen: warning ? null : '2026-12-04T10:00:00.000Z',
  why: warning ? 'no fitting metric reported under the flag yet' : "reported by the flag's SDKs (step() records it)",
  warning,
});

/** What GET …/flags/:key/environments/:env/rollout-plans/defaults answers: guards chosen for the flag. */
const flagDefaults = (metric = 'step.duration_ms', warning: string | null = null): FlagRolloutDefaults => {
  const base = rolloutDefaults();
  const source = warning ? ('fallback' as const) : ('reported' as const);
  return {
    ...base,
    guards: { ...base.guards, errorMetric: metric, latencyMetric: metric, metricSource: { errorMetric: source, latencyMetric: source } },
    guardMetrics: [note('errorMetric', metric, warning), note('latencyMetric', metric, warning)],
  };
};

const catalogue = (metrics: CatalogueMetric[]) => ({
  status: 200,
  body: { flag: 'etl.use-new-transformer', windowFrom: '2026-12-04T09:00:00.000Z', to: '2026-12-04T10:00:00.000Z', metrics, nextAfter: null },
});
const reported = (metric: string, samples: number, carriesValues = true): CatalogueMetric => ({
  metric,
  samples,
  errors: 1,
  carriesValues,
  lastSeen: '2026-12-04T09:59:00.000Z',
});

const optionsOf = (guard: 'errorMetric' | 'latencyMetric') =>
  [...document.querySelectorAll(`#reported-metrics-${guard} option`)].map((o) => (o as HTMLOptionElement).value);

/** Enabled once the server's defaults, which customizing starts from, are here. */
const customizeBox = async () => {
  const box = screen.getByRole('checkbox', { name: 'Customize stages and guards' }) as HTMLInputElement;
  await vi.waitFor(() => expect(box.disabled).toBe(false));
  return box;
};

describe('NewPlanForm', () => {
  it('starts a plan with the default stages by sending only the variants', async () => {
    const calls = stubApi((method, path) =>
      method === 'GET' && path.endsWith(DEFAULTS_PATH) ? { status: 200, body: flagDefaults() } : method === 'POST' ? { status: 201, body: {} } : undefined,
    );
    renderWithClient(<NewPlanForm project="demo" flag={aFlag()} environment="production" />);
    await userEvent.click(screen.getByRole('button', { name: 'Start rollout plan' }));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({
      path: '/projects/demo/flags/etl.use-new-transformer/environments/production/rollout-plans',
      body: { candidateVariant: 'on', controlVariant: 'off' },
    });
  });

  it('in an environment that requires approval, says which change request starting the plan made, with a link', async () => {
    const calls = stubApi((method, path, body) =>
      method === 'GET' && path.endsWith(DEFAULTS_PATH)
        ? { status: 200, body: flagDefaults() }
        : method === 'POST'
          ? {
              status: 202,
              body: { changeRequest: aChangeRequest({ number: 15, kind: 'rollout-plan', requiredApprovals: 2, diff: null, change: body as never }) },
            }
          : undefined,
    );
    renderWithClient(<NewPlanForm project="demo" flag={aFlag()} environment="production" approval={{ environmentName: 'Production', requiredApprovals: 2 }} />);
    expect(screen.getByText(/Production requires approval: starting the plan creates a change request that needs 2 approvals/)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Request rollout plan' }));
    const link = await screen.findByRole('link', { name: 'Change request #15' });
    expect(link.getAttribute('href')).toBe('/demo/production/change-requests/15');
    expect(link.closest('[role="status"]')?.textContent).toContain('Change request #15 created — needs 2 approvals');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ candidateVariant: 'on', controlVariant: 'off' });
  });

  it("sends custom stages, and shows the API's message next to the stage it names", async () => {
    const calls = stubApi((method, path) =>
      method === 'GET' && path.endsWith(DEFAULTS_PATH)
        ? { status: 200, body: flagDefaults() }
        : method === 'POST'
          ? {
              status: 400,
              body: {
                error: 'VALIDATION_FAILED',
                message: 'Invalid plan',
                details: [{ field: 'stages[1].percent', reason: 'must be greater than the previous stage' }],
              },
            }
          : undefined,
    );
    renderWithClient(<NewPlanForm project="demo" flag={aFlag()} environment="production" />);
    await userEvent.click(await customizeBox());
    // The server's defaults, as the form's starting point.
    const stages = await screen.findByRole('table', { name: 'Stages' });
    expect(within(stages).getAllByRole('row')).toHaveLength(4);
    await userEvent.click(screen.getByRole('button', { name: 'Remove stage 3' }));
    await userEvent.clear(screen.getByLabelText('Stage 2 percent'));
    await userEvent.type(screen.getByLabelText('Stage 2 percent'), '1');
    await userEvent.click(screen.getByRole('button', { name: 'Start rollout plan' }));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect((calls.find((c) => c.method === 'POST')!.body as { stages: unknown[] }).stages).toEqual([
      { percent: 1, minDurationMinutes: 30, minSamples: 100 },
      { percent: 1, minDurationMinutes: 60, minSamples: 100 },
    ]);
    expect(await screen.findByText('must be greater than the previous stage')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('Invalid plan');
  });

  it('refuses to send what is not a number, naming the field', async () => {
    const calls = stubApi((method, path) => (method === 'GET' && path.endsWith(DEFAULTS_PATH) ? { status: 200, body: flagDefaults() } : undefined));
    renderWithClient(<NewPlanForm project="demo" flag={aFlag()} environment="production" />);
    await userEvent.click(await customizeBox());
    await userEvent.clear(await screen.findByLabelText('p95 at most × control'));
    await userEvent.type(screen.getByLabelText('p95 at most × control'), 'twice');
    await userEvent.click(screen.getByRole('button', { name: 'Start rollout plan' }));
    expect(await screen.findByText('a number')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it("offers the flag's reported metric names, pre-selects the server's choice, and warns about a name with no data", async () => {
    const calls = stubApi((method, path) =>
      method === 'GET' && path.endsWith(DEFAULTS_PATH)
        ? { status: 200, body: flagDefaults() }
        : method === 'GET' && path.startsWith('/projects/demo/environments/production/metrics?')
          ? catalogue([reported('rows.written', 300, false), reported('step.duration_ms', 120)])
          : method === 'POST'
            ? { status: 201, body: {} }
            : undefined,
    );
    renderWithClient(<NewPlanForm project="demo" flag={aFlag()} environment="production" />);
    await userEvent.click(await customizeBox());
    const errorMetric = (await screen.findByRole('combobox', { name: 'Error metric (its counts are the samples)' })) as HTMLInputElement;
    expect(errorMetric.value).toBe('step.duration_ms');
    // Offered from the catalogue of this flag: most samples first; for latency, names with values before 0/1 ones.
    await vi.waitFor(() => expect(optionsOf('errorMetric')).toEqual(['rows.written', 'step.duration_ms']));
    expect(optionsOf('latencyMetric')).toEqual(['step.duration_ms', 'rows.written']);
    expect(calls.find((c) => c.path.includes('/metrics?'))!.path).toContain('flag=etl.use-new-transformer');
    expect(screen.queryByText('no data reported for this metric yet')).toBeNull();

    // Free text is still allowed, and a name nothing reported says so.
    const latency = screen.getByRole('combobox', { name: 'Latency metric' });
    await userEvent.clear(latency);
    await userEvent.type(latency, 'model.latency_ms');
    expect(await screen.findByText('no data reported for this metric yet')).toBeTruthy();
    expect(latency.getAttribute('aria-describedby')).toBe('reported-metrics-latencyMetric-warning');

    await userEvent.click(screen.getByRole('button', { name: 'Start rollout plan' }));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    // The untouched choice is left to the server; the typed name is sent.
    const guards = (calls.find((c) => c.method === 'POST')!.body as { guards: Record<string, unknown> }).guards;
    expect(guards).not.toHaveProperty('errorMetric');
    expect(guards).toMatchObject({ latencyMetric: 'model.latency_ms', maxLatencyRatio: 1.5 });
  });

  it('says which metrics the default guards watch, and plainly when the flag has reported no data for them', async () => {
    const warning = 'No data reported for step.duration_ms under this flag yet: the plan waits for 50 observations of it from control in 60 minutes.';
    stubApi((method, path) =>
      method === 'GET' && path.endsWith(DEFAULTS_PATH)
        ? { status: 200, body: flagDefaults('step.duration_ms', warning) }
        : method === 'GET' && path.includes('/metrics?')
          ? catalogue([])
          : undefined,
    );
    renderWithClient(<NewPlanForm project="demo" flag={aFlag()} environment="production" />);
    expect((await screen.findByRole('status')).textContent).toBe(warning);
    expect(screen.getByLabelText('Guard metrics').textContent).toContain('Guards count samples and errors of step.duration_ms');
    await userEvent.click(await customizeBox());
    await vi.waitFor(() => expect(screen.getAllByText('no data reported for this metric yet')).toHaveLength(2));
  });

  it("clears the API's message from the field the user fixes, and keeps the other fields' messages", async () => {
    stubApi((method, path) =>
      method === 'GET' && path.endsWith(DEFAULTS_PATH)
        ? { status: 200, body: flagDefaults() }
        : method === 'POST'
          ? {
              status: 400,
              body: {
                error: 'VALIDATION_FAILED',
                message: 'Invalid plan',
                details: [
                  { field: 'stages[1].percent', reason: 'must be greater than the previous stage' },
                  { field: 'guards.maxErrorRateRatio', reason: 'maxErrorRateRatio must not be less than 1' },
                  { field: 'controlVariant', reason: 'controlVariant must differ from candidateVariant' },
                ],
              },
            }
          : undefined,
    );
    renderWithClient(<NewPlanForm project="demo" flag={aFlag()} environment="production" />);
    await userEvent.click(await customizeBox());
    await screen.findByRole('table', { name: 'Stages' });
    await userEvent.click(screen.getByRole('button', { name: 'Start rollout plan' }));
    await screen.findByText('must be greater than the previous stage');
    expect(screen.getByText('maxErrorRateRatio must not be less than 1')).toBeTruthy();
    expect(screen.getByText('controlVariant must differ from candidateVariant')).toBeTruthy();

    await userEvent.type(screen.getByLabelText('Stage 2 percent'), '5');
    expect(screen.queryByText('must be greater than the previous stage')).toBeNull();
    expect(screen.getByText('maxErrorRateRatio must not be less than 1')).toBeTruthy();
    expect(screen.getByText('controlVariant must differ from candidateVariant')).toBeTruthy();

    await userEvent.type(screen.getByLabelText('Error rate at most × control'), '2');
    expect(screen.queryByText('maxErrorRateRatio must not be less than 1')).toBeNull();
    expect(screen.getByText('controlVariant must differ from candidateVariant')).toBeTruthy();

    await userEvent.selectOptions(screen.getByLabelText('replacing'), 'on');
    expect(screen.queryByText('controlVariant must differ from candidateVariant')).toBeNull();
  });
});
