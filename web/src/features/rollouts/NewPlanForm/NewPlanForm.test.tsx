import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { aFlag, renderWithClient, rolloutDefaults, stubApi } from '../../../test/render';
import { NewPlanForm } from './NewPlanForm';

afterEach(() => vi.unstubAllGlobals());

/** Enabled once the server's defaults, which customizing starts from, are here. */
const customizeBox = async () => {
  const box = screen.getByRole('checkbox', { name: 'Customize stages and guards' }) as HTMLInputElement;
  await vi.waitFor(() => expect(box.disabled).toBe(false));
  return box;
};

describe('NewPlanForm', () => {
  it('starts a plan with the default stages by sending only the variants', async () => {
    const calls = stubApi((method, path) =>
      method === 'GET' && path === '/rollout-plans/defaults'
        ? { status: 200, body: rolloutDefaults() }
        : method === 'POST'
          ? { status: 201, body: {} }
          : undefined,
    );
    renderWithClient(<NewPlanForm project="demo" flag={aFlag()} environment="production" />);
    await userEvent.click(screen.getByRole('button', { name: 'Start rollout plan' }));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({
      path: '/projects/demo/flags/etl.use-new-transformer/environments/production/rollout-plans',
      body: { candidateVariant: 'on', controlVariant: 'off' },
    });
  });

  it("sends custom stages, and shows the API's message next to the stage it names", async () => {
    const calls = stubApi((method, path) =>
      method === 'GET' && path === '/rollout-plans/defaults'
        ? { status: 200, body: rolloutDefaults() }
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
    const calls = stubApi((method, path) => (method === 'GET' && path === '/rollout-plans/defaults' ? { status: 200, body: rolloutDefaults() } : undefined));
    renderWithClient(<NewPlanForm project="demo" flag={aFlag()} environment="production" />);
    await userEvent.click(await customizeBox());
    await userEvent.clear(await screen.findByLabelText('p95 at most × control'));
    await userEvent.type(screen.getByLabelText('p95 at most × control'), 'twice');
    await userEvent.click(screen.getByRole('button', { name: 'Start rollout plan' }));
    expect(await screen.findByText('a number')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });
});
