import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { FlagConfigView, FlagView } from '../../../api/flags';
import { aConfig, aFlag, stubApi } from '../../../test/render';
import { CompareEnvironments } from './CompareEnvironments';

const staging = { key: 'staging', name: 'Staging', requireChangeReason: false, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null };
const production = { key: 'production', name: 'Production', requireChangeReason: true, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null };
const KEY = 'etl.use-new-transformer';
const PUT_PRODUCTION = `/projects/demo/flags/${KEY}/environments/production`;

const canary = { description: 'canary', clauses: [{ attribute: 'pipeline', op: 'in' as const, values: ['canary'] }], serve: { variant: 'on' } };
const stagingConfig = aConfig({ environment: 'staging', rules: [canary], version: 5 });
const productionConfig = aConfig({
  environment: 'production',
  on: false,
  killed: true,
  kill: { reason: 'bad batch', by: 'ana', at: '2026-11-20T00:00:00.000Z' },
  version: 3,
});
const twoEnvironments = (prod: FlagConfigView = productionConfig): FlagView => ({ ...aFlag(), environments: { staging: stagingConfig, production: prod } });

const renderCompare = (flag: FlagView, put: (body: unknown) => { status: number; body?: unknown }, canCopy = true) => {
  const calls = stubApi((method, path, body) => (method === 'PUT' && path === PUT_PRODUCTION ? put(body) : undefined));
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const view = (f: FlagView) => (
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <CompareEnvironments project="demo" flag={f} environments={[staging, production]} canCopy={canCopy} />
      </MemoryRouter>
    </QueryClientProvider>
  );
  const { rerender } = render(view(flag));
  return { calls, rerender: (f: FlagView) => rerender(view(f)) };
};

const openCopy = async () => {
  await userEvent.click(screen.getByRole('button', { name: 'Copy to… from Staging' }));
  return screen.getByRole('dialog', { name: `Copy ${KEY} between environments` });
};

describe('CompareEnvironments', () => {
  it('shows every environment side by side and marks the aspects that differ', () => {
    renderCompare(twoEnvironments(), () => ({ status: 500 }));
    expect(screen.getByText('The environments differ in: on, killed, rules.')).toBeTruthy();
    const rules = screen.getByRole('row', { name: /Rules/ });
    expect(
      within(rules)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['1 rule', '0 rules']);
    expect(within(rules).getByText('differs')).toBeTruthy();
    expect(within(screen.getByRole('row', { name: /Off variant/ })).queryByText('differs')).toBeNull();
    expect(
      within(screen.getByRole('row', { name: /Version/ }))
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['v5', 'v3']);
  });

  it('offers no copy to viewers', () => {
    renderCompare(twoEnvironments(), () => ({ status: 500 }), false);
    expect(screen.queryByRole('button', { name: /Copy/ })).toBeNull();
  });

  it('shows the diff first, then writes the source config to the target in one request carrying the target version, kill untouched', async () => {
    const { calls } = renderCompare(twoEnvironments(), (body) => ({
      status: 200,
      body: { ...productionConfig, ...(body as object), version: 4 },
    }));
    const dialog = await openCopy();
    expect(within(dialog).getByText(/The kill switch is not copied/)).toBeTruthy();
    expect(within(dialog).getByText(/Production is killed and stays killed/)).toBeTruthy();
    const diff = within(dialog).getByRole('table');
    expect(within(diff).getByText('on').closest('tr')!.textContent).toBe('onfalsetrue');
    expect(within(diff).getByText('rules[0]')).toBeTruthy();

    // Production asks for a reason.
    await userEvent.click(within(dialog).getByRole('button', { name: 'Copy to Production' }));
    expect(within(dialog).getByText('Production requires a reason for every change')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PUT')).toEqual([]);

    await userEvent.type(within(dialog).getByLabelText('Reason (required in Production)'), 'promote canary');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Copy to Production' }));
    expect(await screen.findByText("Copied Staging's config to Production (now version 4).")).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([
      {
        method: 'PUT',
        path: PUT_PRODUCTION,
        body: {
          on: true,
          offVariant: 'off',
          targets: [],
          rules: [canary],
          defaultRule: { variant: 'on' },
          prerequisites: [],
          version: 3,
          reason: 'promote canary',
        },
      },
    ]);
  });

  it('answers a stale target version with the conflict view, and copies only after a new review against the new version', async () => {
    const newer = { ...productionConfig, offVariant: 'on', version: 4, updatedAt: '2026-11-21T08:00:00.000Z' };
    let answer: { status: number; body?: unknown } = {
      status: 409,
      body: { error: 'VERSION_CONFLICT', message: 'The config changed', details: { currentVersion: 4, current: newer } },
    };
    const { calls } = renderCompare(twoEnvironments(), () => answer);
    const dialog = await openCopy();
    await userEvent.type(within(dialog).getByLabelText('Reason (required in Production)'), 'promote');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Copy to Production' }));

    const conflict = await within(dialog).findByRole('alert', { name: 'Version conflict' });
    expect(conflict.textContent).toContain('You started from version 3; it is now at version 4');
    expect(within(dialog).getByRole('button', { name: 'Copy to Production' }).hasAttribute('disabled')).toBe(true);

    answer = { status: 200, body: { ...newer, ...stagingConfig, environment: 'production', killed: true, version: 5 } };
    await userEvent.click(within(conflict).getByRole('button', { name: 'Reapply my changes on top' }));
    // The diff is now against version 4, which changed the off variant.
    expect(within(dialog).getByText(/What changes in Production \(v4/)).toBeTruthy();
    expect(within(within(dialog).getByRole('table')).getByText('offVariant')).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Copy to Production' }));
    expect(await screen.findByText(/now version 5/)).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PUT').map((c) => (c.body as { version: number }).version)).toEqual([3, 4]);
  });

  it('says when a side changed after the review was opened, and reviews again on request', async () => {
    const { rerender } = renderCompare(twoEnvironments(), () => ({ status: 500 }));
    const dialog = await openCopy();
    rerender(twoEnvironments({ ...productionConfig, rules: [canary], version: 4 }));
    expect(within(dialog).getByRole('status').textContent).toContain('Production changed since you opened this review.');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Review again' }));
    expect(within(dialog).getByText(/What changes in Production \(v4/)).toBeTruthy();
    expect(within(dialog).queryByText('rules[0]')).toBeNull();
  });

  it('refuses a pair of the same environment', async () => {
    renderCompare(twoEnvironments(), () => ({ status: 500 }));
    const dialog = await openCopy();
    await userEvent.selectOptions(within(dialog).getByLabelText('Copy to'), 'staging');
    expect(within(dialog).getByText('Choose two different environments.')).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Copy to Staging' }).hasAttribute('disabled')).toBe(true);
  });
});
