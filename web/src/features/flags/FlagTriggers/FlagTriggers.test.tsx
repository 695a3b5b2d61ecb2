import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Trigger } from '../../../api/triggers';
import { renderWithClient, stubApi } from '../../../test/render';
import { FlagTriggers } from './FlagTriggers';

const staging = { key: 'staging', name: 'Staging', requireChangeReason: false, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null };
const BASE = '/projects/demo/flags/checkout/environments/staging/triggers';

const aTrigger = (overrides: Partial<Trigger> = {}): Trigger => ({
  id: 't1',
  name: 'pagerduty',
  description: '',
  flag: 'checkout',
  environment: 'staging',
  effect: { type: 'kill' },
  restoreOnResolve: false,
  enabled: true,
  secretPrefix: 'sbx_abcd',
  createdBy: 'admin',
  createdAt: '2026-01-01T00:00:00.000Z',
  lastFiredAt: null,
  lastAction: null,
  fireCount: 0,
  ...overrides,
});

describe('FlagTriggers', () => {
  it('asks for a name, then shows the new URL once and lists the trigger by its prefix', async () => {
    let triggers: Trigger[] = [];
    const calls = stubApi((method, path, body) => {
      if (method === 'GET' && path === BASE) return { status: 200, body: triggers };
      if (method === 'POST' && path === BASE) {
        triggers = [aTrigger({ name: (body as { name: string }).name, restoreOnResolve: true })];
        return { status: 201, body: { trigger: triggers[0], secret: 'sbx_abcdSECRET', url: 'http://sb.test/api/v1/triggers/sbx_abcdSECRET' } };
      }
      return undefined;
    });
    renderWithClient(<FlagTriggers project="demo" flag="checkout" environment={staging} />);
    await screen.findByText('No trigger URLs for checkout in Staging.');

    await userEvent.click(screen.getByRole('button', { name: 'Create trigger URL' }));
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    await userEvent.type(screen.getByLabelText('Name'), 'pagerduty');
    await userEvent.click(screen.getByLabelText('Restore when the alert resolves'));
    await userEvent.click(screen.getByRole('button', { name: 'Create trigger URL' }));
    expect((await screen.findByLabelText('Trigger URL for pagerduty')).textContent).toBe('http://sb.test/api/v1/triggers/sbx_abcdSECRET');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'pagerduty', effect: { type: 'kill' }, restoreOnResolve: true });

    const row = await screen.findByRole('row', { name: /pagerduty/ });
    expect(row.textContent).toContain('sbx_abcd…');
    expect(row.textContent).not.toContain('SECRET');
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByLabelText('Trigger URL for pagerduty')).toBeNull();
  });

  it('creates a rollout trigger with its variant and percentage, and offers no undo for it', async () => {
    const calls = stubApi((method, path, body) => {
      if (method === 'GET' && path === BASE) return { status: 200, body: [] };
      if (method === 'POST' && path === BASE) {
        const trigger = aTrigger({ name: 'canary', effect: (body as { effect: Trigger['effect'] }).effect });
        return { status: 201, body: { trigger, secret: 's', url: 'http://sb.test/api/v1/triggers/s' } };
      }
      return undefined;
    });
    renderWithClient(<FlagTriggers project="demo" flag="checkout" environment={staging} variants={['v1', 'v2']} />);
    await screen.findByText('No trigger URLs for checkout in Staging.');
    await userEvent.type(screen.getByLabelText('Name'), 'canary');
    await userEvent.selectOptions(screen.getByLabelText('When an alert fires'), 'set-rollout');
    expect(screen.queryByLabelText(/when the alert resolves/)).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Create trigger URL' }));
    expect(screen.getByLabelText('Roll out variant').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Percentage').getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    await userEvent.selectOptions(screen.getByLabelText('Roll out variant'), 'v2');
    await userEvent.type(screen.getByLabelText('Percentage'), '25');
    await userEvent.selectOptions(screen.getByLabelText('The rest gets'), 'v1');
    await userEvent.click(screen.getByRole('button', { name: 'Create trigger URL' }));
    await screen.findByLabelText('Trigger URL for canary');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      name: 'canary',
      effect: { type: 'set-rollout', variant: 'v2', percentage: 25, restVariant: 'v1' },
      restoreOnResolve: false,
    });
  });

  it("clears the API's message from the field the user fixes, and keeps the other fields' messages", async () => {
    stubApi((method, path) => {
      if (method === 'GET' && path === BASE) return { status: 200, body: [] };
      if (method === 'POST' && path === BASE)
        return {
          status: 400,
          body: {
            error: 'VALIDATION_FAILED',
            message: 'invalid',
            details: [
              { field: 'name', reason: 'a trigger named canary already exists for this flag' },
              { field: 'effect.percentage', reason: 'percentage must be a whole number' },
              { field: 'description', reason: 'description must be at most 500 characters' },
            ],
          },
        };
      return undefined;
    });
    renderWithClient(<FlagTriggers project="demo" flag="checkout" environment={staging} variants={['v1', 'v2']} />);
    await screen.findByText('No trigger URLs for checkout in Staging.');
    await userEvent.type(screen.getByLabelText('Name'), 'canary');
    await userEvent.type(screen.getByLabelText('Description (optional)'), 'from alertmanager');
    await userEvent.selectOptions(screen.getByLabelText('When an alert fires'), 'set-rollout');
    await userEvent.selectOptions(screen.getByLabelText('Roll out variant'), 'v2');
    await userEvent.type(screen.getByLabelText('Percentage'), '25');
    await userEvent.click(screen.getByRole('button', { name: 'Create trigger URL' }));
    await screen.findByText('a trigger named canary already exists for this flag');
    expect(screen.getByText('percentage must be a whole number')).toBeTruthy();
    expect(screen.getByText('description must be at most 500 characters')).toBeTruthy();

    await userEvent.type(screen.getByLabelText('Name'), '-2');
    expect(screen.queryByText('a trigger named canary already exists for this flag')).toBeNull();
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).not.toBe('true');
    expect(screen.getByText('percentage must be a whole number')).toBeTruthy();
    expect(screen.getByText('description must be at most 500 characters')).toBeTruthy();

    await userEvent.clear(screen.getByLabelText('Percentage'));
    await userEvent.type(screen.getByLabelText('Percentage'), '30');
    expect(screen.queryByText('percentage must be a whole number')).toBeNull();
    expect(screen.getByText('description must be at most 500 characters')).toBeTruthy();
  });

  it('rotates after confirmation and disables', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    const calls = stubApi((method, path) => {
      if (method === 'GET' && path === BASE) return { status: 200, body: [aTrigger()] };
      if (method === 'POST' && path === `${BASE}/t1/rotate`)
        return { status: 200, body: { trigger: aTrigger(), secret: 's2', url: 'http://sb.test/api/v1/triggers/s2' } };
      if (method === 'POST' && path === `${BASE}/t1/disable`) return { status: 200, body: aTrigger({ enabled: false }) };
      return undefined;
    });
    renderWithClient(<FlagTriggers project="demo" flag="checkout" environment={staging} />);
    const row = await screen.findByRole('row', { name: /pagerduty/ });
    await userEvent.click(within(row).getByRole('button', { name: 'Rotate URL of pagerduty' }));
    expect((await screen.findByLabelText('New trigger URL for pagerduty')).textContent).toBe('http://sb.test/api/v1/triggers/s2');
    await userEvent.click(within(row).getByRole('button', { name: 'Disable pagerduty' }));
    await waitFor(() => expect(calls.some((c) => c.path === `${BASE}/t1/disable`)).toBe(true));
  });
});
