import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { ProjectView } from '../../../api/projects';
import { stubApi } from '../../../test/render';
import { EvaluatePage } from './EvaluatePage';

const production = { key: 'production', name: 'Production', requireChangeReason: false, requireApproval: false, requiredApprovals: 1, sdkKeyPrefix: null };
const project: ProjectView = { key: 'demo', name: 'Demo', description: '', environments: [production], createdAt: '2026-11-01T00:00:00.000Z' };
const EVALUATE = '/projects/demo/environments/production/evaluate';

const answer = {
  environment: 'production',
  sequence: 12,
  flags: [
    { flagKey: 'etl.validate', kind: 'boolean', value: false, variant: 'off', reason: 'DEFAULT', rule: null, version: 2 },
    {
      flagKey: 'model.sentiment',
      kind: 'string',
      value: 'model-v2',
      variant: 'v2',
      reason: 'TARGETING_MATCH',
      rule: { index: 0, description: 'enterprise' },
      version: 4,
    },
  ],
};

const renderPage = (evaluate: (body: unknown) => { status: number; body?: unknown }, entry = '/demo/production/evaluate') => {
  const calls = stubApi((method, path, body) => (method === 'POST' && path === EVALUATE ? evaluate(body) : undefined));
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[entry]}>
        <Routes>
          <Route path="/demo/production/evaluate" element={<EvaluatePage project={project} environment={production} />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return calls;
};

const typeContext = (text: string) => fireEvent.change(screen.getByLabelText(/Context \(JSON\)/), { target: { value: text } });

describe('EvaluatePage', () => {
  it('evaluates every flag for the context typed, with links to each flag and a filter', async () => {
    const calls = renderPage(() => ({ status: 200, body: answer }));
    expect(calls).toEqual([]);
    typeContext('{"targetingKey": "run-7", "plan": "enterprise"}');
    await userEvent.click(screen.getByRole('button', { name: 'Evaluate in Production' }));

    const results = await screen.findByRole('region', { name: 'Results' });
    expect(calls).toEqual([{ method: 'POST', path: EVALUATE, body: { context: { targetingKey: 'run-7', plan: 'enterprise' } } }]);
    const row = within(results).getByRole('row', { name: /model\.sentiment/ });
    expect(
      within(row)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['"model-v2"', 'v2', 'TARGETING_MATCHrule 1: enterprise']);
    expect(within(row).getByRole('link', { name: 'model.sentiment' }).getAttribute('href')).toBe('/demo/production/flags/model.sentiment?tab=test');

    await userEvent.type(within(results).getByRole('searchbox'), 'default');
    expect(within(results).queryByRole('row', { name: /model\.sentiment/ })).toBeNull();
    expect(within(results).getByRole('row', { name: /etl\.validate/ })).toBeTruthy();
    expect(within(results).getByText('1 of 2 flags')).toBeTruthy();
  });

  it('evaluates the context a link carries as soon as the page opens', async () => {
    const calls = renderPage(() => ({ status: 200, body: answer }), `/demo/production/evaluate?context=${encodeURIComponent('{"runId":"r-1"}')}`);
    expect(await screen.findByRole('region', { name: 'Results' })).toBeTruthy();
    expect(calls[0]!.body).toEqual({ context: { runId: 'r-1' } });
    expect((screen.getByLabelText(/Context \(JSON\)/) as HTMLTextAreaElement).value).toBe('{\n  "runId": "r-1"\n}');
  });

  it('refuses text that is not a JSON object without asking the server', async () => {
    const calls = renderPage(() => ({ status: 200, body: answer }));
    typeContext('["run-7"]');
    await userEvent.click(screen.getByRole('button', { name: 'Evaluate in Production' }));
    expect(screen.getByText('The context is a JSON object, e.g. {"targetingKey": "run-42"}')).toBeTruthy();
    expect(calls).toEqual([]);
  });

  it("shows the server's refusal with the field it names", async () => {
    renderPage(() => ({
      status: 400,
      body: {
        error: 'VALIDATION_FAILED',
        message: 'Invalid request',
        details: [{ field: 'context.tags', reason: 'is an array of more than 100000 elements' }],
      },
    }));
    await userEvent.click(screen.getByRole('button', { name: 'Evaluate in Production' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Invalid request');
    expect(screen.getByText('context.tags: is an array of more than 100000 elements')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Results' })).toBeNull();
  });
});
