import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryRouter, RouterProvider } from 'react-router';
import type { ChangeRequest } from '../../../api/changeRequests';
import type { ProjectView } from '../../../api/projects';
import { aConfig, aFlag, stubApi } from '../../../test/render';
import { ANA, aChangeRequest, BO, meAs } from '../aChangeRequest';
import { ChangeRequestPage } from './ChangeRequestPage';

const production = { key: 'production', name: 'Production', requireChangeReason: false, sdkKeyPrefix: null, requireApproval: true, requiredApprovals: 2 };
const project = { key: 'demo', name: 'Demo', description: '', createdAt: '2026-11-01T00:00:00.000Z', environments: [production] } as ProjectView;
const REQUEST_PATH = '/projects/demo/change-requests/7';
const FLAG_PATH = '/projects/demo/flags/etl.use-new-transformer';

const renderPage = () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const router = createMemoryRouter(
    [{ path: '/:projectKey/:envKey/change-requests/:number', element: <ChangeRequestPage project={project} environment={project.environments[0]!} /> }],
    { initialEntries: ['/demo/production/change-requests/7'] },
  );
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
};

/** The API with one change request; `actions` answers the POSTs under it. */
const stub = ({
  me,
  request,
  configVersion = 3,
  actions = () => undefined,
}: {
  me: { id: string; email: string };
  request: ChangeRequest;
  configVersion?: number;
  actions?: (action: string, body: unknown) => { status: number; body?: unknown } | undefined;
}) =>
  stubApi((method, path, body) => {
    if (path === '/auth/me') return { status: 200, body: meAs(me) };
    if (method === 'GET' && path === REQUEST_PATH) return { status: 200, body: request };
    if (method === 'GET' && path === FLAG_PATH) return { status: 200, body: aFlag(aConfig({ version: configVersion, defaultRule: { variant: 'on' } })) };
    if (method === 'POST' && path.startsWith(`${REQUEST_PATH}/`)) return actions(path.slice(REQUEST_PATH.length + 1), body);
    return undefined;
  });

afterEach(() => vi.unstubAllGlobals());

describe('ChangeRequestPage', () => {
  it('shows the diff and approvals, and lets another editor approve with a comment', async () => {
    const calls = stub({
      me: BO,
      request: aChangeRequest(),
      actions: (action, body) =>
        action === 'approve'
          ? { status: 200, body: aChangeRequest({ approvals: [{ user: BO, at: '2026-12-04T11:00:00.000Z', comment: (body as { comment: string }).comment }] }) }
          : undefined,
    });
    renderPage();
    await screen.findByRole('heading', { name: /Change request #7/ });
    const change = screen.getByRole('region', { name: 'Proposed change' });
    const row = within(change).getByRole('rowheader', { name: 'defaultRule.variant' }).closest('tr')!;
    expect(row.textContent).toContain('"on"');
    expect(row.textContent).toContain('"off"');
    const reviews = screen.getByRole('region', { name: 'Reviews' });
    expect(within(reviews).getByText(/0 of 2 approvals — needs 2 more/)).toBeTruthy();

    await userEvent.type(await within(reviews).findByLabelText(/Review comment/), 'looks right');
    await userEvent.click(within(reviews).getByRole('button', { name: 'Approve' }));
    await within(reviews).findByText(/1 of 2 approvals — needs 1 more/);
    expect(within(reviews).getByText(/looks right/)).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({ path: `${REQUEST_PATH}/approve`, body: { comment: 'looks right' } });
    // Approved once by me: no second approval offered, and not yet enough to apply.
    expect(within(reviews).queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Apply/ })).toBeNull();
  });

  it('offers its author no approve or reject button, but cancel', async () => {
    const calls = stub({
      me: ANA,
      request: aChangeRequest(),
      actions: (action) => (action === 'cancel' ? { status: 200, body: aChangeRequest({ status: 'cancelled' }) } : undefined),
    });
    renderPage();
    const reviews = await screen.findByRole('region', { name: 'Reviews' });
    await within(reviews).findByText('You made this request: other people review it.');
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Reject' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel request' }));
    await screen.findByText('cancelled');
    expect(calls.some((c) => c.method === 'POST' && c.path === `${REQUEST_PATH}/cancel`)).toBe(true);
  });

  it('shows a refused self-approval as an error rather than hiding it', async () => {
    // An author the console does not recognise (another session, a token) still gets the server's answer.
    stub({
      me: BO,
      request: aChangeRequest(),
      actions: () => ({ status: 403, body: { error: 'SELF_APPROVAL', message: 'You cannot approve your own change request' } }),
    });
    renderPage();
    await userEvent.click(await screen.findByRole('button', { name: 'Approve' }));
    expect((await screen.findByRole('alert')).textContent).toContain('You cannot approve your own change request');
  });

  it('applies an approved request for someone who approved it', async () => {
    const approved = aChangeRequest({ status: 'approved', requiredApprovals: 1, approvals: [{ user: BO, at: '2026-12-04T11:00:00.000Z' }] });
    const calls = stub({
      me: BO,
      request: approved,
      actions: (action) =>
        action === 'apply' ? { status: 200, body: { ...approved, status: 'applied', appliedAt: '2026-12-04T11:05:00.000Z', appliedVersion: 4 } } : undefined,
    });
    renderPage();
    await userEvent.click(await screen.findByRole('button', { name: 'Apply to Production' }));
    await screen.findByText(/as version 4/);
    expect(calls.some((c) => c.method === 'POST' && c.path === `${REQUEST_PATH}/apply`)).toBe(true);
  });

  it('shows the conflict when applying finds the base moved, and applies nothing', async () => {
    const approved = aChangeRequest({ status: 'approved', requiredApprovals: 1, approvals: [{ user: BO, at: '2026-12-04T11:00:00.000Z' }] });
    const current = aConfig({ version: 4, offVariant: 'on' });
    stub({
      me: BO,
      request: approved,
      actions: (action) =>
        action === 'apply'
          ? { status: 409, body: { error: 'STALE_BASE', message: 'made against version 3, now 4', details: { baseVersion: 3, currentVersion: 4, current } } }
          : undefined,
    });
    renderPage();
    await userEvent.click(await screen.findByRole('button', { name: 'Apply to Production' }));
    const conflict = await screen.findByRole('alert', { name: 'Stale change request' });
    expect(conflict.textContent).toContain('Nothing was applied');
    expect(within(conflict).getByRole('table', { name: /Changed since \(v3 → v4\)/ }).textContent).toContain('offVariant');
    // Not the author: no rebase, and no second try at applying.
    expect(within(conflict).queryByRole('button', { name: /Rebase/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Apply to Production' })).toBeNull();
  });

  it('lets the author rebase a stale request onto the current version, keeping both changes', async () => {
    const calls = stub({
      me: ANA,
      request: aChangeRequest({ stale: true }),
      configVersion: 4,
      actions: (action) => (action === 'rebase' ? { status: 200, body: aChangeRequest({ baseVersion: 4 }) } : undefined),
    });
    renderPage();
    const conflict = await screen.findByRole('alert', { name: 'Stale change request' });
    await userEvent.click(await within(conflict).findByRole('button', { name: 'Rebase onto version 4' }));
    await waitFor(() => expect(calls.some((c) => c.path === `${REQUEST_PATH}/rebase`)).toBe(true));
    const body = calls.find((c) => c.path === `${REQUEST_PATH}/rebase`)?.body as { baseVersion: number; change: { defaultRule: unknown } };
    expect(body.baseVersion).toBe(4);
    expect(body.change.defaultRule).toEqual({ variant: 'off' });
  });

  it('describes a restore and an archive, which carry no config diff', async () => {
    stub({ me: BO, request: aChangeRequest({ kind: 'archive', change: null, diff: null, baseVersion: 1 }) });
    renderPage();
    const change = await screen.findByRole('region', { name: 'Proposed change' });
    expect(change.textContent).toContain('Archive etl.use-new-transformer: every SDK stops receiving it.');
    expect(screen.getByText(/^Archive:/)).toBeTruthy();
  });

  it('says when a scheduled request runs, and once applied, that it is scheduled, with a link to the flag', async () => {
    const runAt = '2026-12-05T02:00:00.000Z';
    const approved = aChangeRequest({ status: 'approved', requiredApprovals: 1, approvals: [{ user: BO, at: '2026-12-04T11:00:00.000Z' }], runAt });
    stub({
      me: BO,
      request: approved,
      actions: (action) =>
        action === 'apply'
          ? {
              status: 200,
              body: { ...approved, status: 'applied', appliedAt: '2026-12-04T11:05:00.000Z', appliedVersion: null, scheduledChangeId: 'sc-1' },
            }
          : undefined,
    });
    renderPage();
    const change = await screen.findByRole('region', { name: 'Proposed change' });
    expect(within(change).getByText(/^Runs at/).textContent).toMatch(/02:00 UTC/);
    expect(within(change).getByRole('rowheader', { name: 'defaultRule.variant' })).toBeTruthy();
    await userEvent.click(await screen.findByRole('button', { name: 'Apply to Production' }));
    const applied = await within(change).findByText(/^Applied .*scheduled for/);
    expect(applied.textContent).toMatch(/02:00 UTC/);
    expect(applied.textContent).not.toMatch(/as version/);
    expect(
      within(applied)
        .getByRole('link', { name: /scheduled changes of etl.use-new-transformer/ })
        .getAttribute('href'),
    ).toBe('/demo/production/flags/etl.use-new-transformer');
  });

  it('describes a rollout-plan request by its stages and guards', async () => {
    stub({
      me: BO,
      request: aChangeRequest({
        kind: 'rollout-plan',
        diff: null,
        change: {
          candidateVariant: 'on',
          controlVariant: 'off',
          stages: [
            { percent: 10, minDurationMinutes: 30, minSamples: 100 },
            { percent: 100, minDurationMinutes: 0, minSamples: 0 },
          ],
          guards: { errorMetric: 'etl.errors', latencyMetric: 'model.latency_ms', maxLatencyRatio: 1.2 },
        } as unknown as ChangeRequest['change'],
      }),
    });
    renderPage();
    const change = await screen.findByRole('region', { name: 'Proposed change' });
    expect(screen.getByText(/^Rollout plan:/)).toBeTruthy();
    expect(change.textContent).toContain('Roll out on in place of off');
    const stages = within(change).getByRole('list', { name: 'Stages' });
    expect(
      within(stages)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['10% for at least 30 min and 100 samples', '100%']);
    const guards = within(change).getByRole('list', { name: 'Guards' });
    expect(guards.textContent).toContain('Error rate of etl.errors at most 2 × control + 0.005');
    expect(guards.textContent).toContain('p95 of model.latency_ms at most 1.2 × control');
  });

  it("shows a segment request's before and after, named by the segment", async () => {
    const before = {
      key: 'beta',
      name: 'Beta testers',
      description: '',
      included: ['a'],
      excluded: [],
      rules: [],
      version: 4,
      updatedAt: '2026-12-01T00:00:00.000Z',
    };
    stubApi((method, path) => {
      if (path === '/auth/me') return { status: 200, body: meAs(BO) };
      if (method === 'GET' && path === REQUEST_PATH)
        return {
          status: 200,
          body: aChangeRequest({
            kind: 'segment',
            flag: null,
            segment: 'beta',
            baseVersion: 4,
            change: { included: ['a', 'b'] } as unknown as ChangeRequest['change'],
            diff: { before, after: { ...before, included: ['a', 'b'], version: 5 } } as unknown as ChangeRequest['diff'],
          }),
        };
      if (method === 'GET' && path === '/projects/demo/segments') return { status: 200, body: [before] };
      return undefined;
    });
    renderPage();
    const change = await screen.findByRole('region', { name: 'Proposed change' });
    const row = within(change).getByRole('rowheader', { name: 'included[1]' }).closest('tr')!;
    expect(row.textContent).toContain('"b"');
    // Bookkeeping is not part of the proposal.
    expect(within(change).queryByRole('rowheader', { name: 'version' })).toBeNull();
    const header = screen.getByText(/^Segment change:/);
    expect((await within(header).findByRole('link', { name: 'Beta testers (beta)' })).getAttribute('href')).toBe('/demo/production/segments/beta');
    expect(header.textContent).toContain('used in Production');
  });

  it('adds a comment to the thread', async () => {
    const calls = stub({
      me: BO,
      request: aChangeRequest(),
      actions: (action, body) =>
        action === 'comments'
          ? { status: 201, body: aChangeRequest({ comments: [{ id: 'c1', user: BO, at: '2026-12-04T11:00:00.000Z', body: (body as { body: string }).body }] }) }
          : undefined,
    });
    renderPage();
    const comments = await screen.findByRole('region', { name: 'Comments' });
    await userEvent.type(await within(comments).findByLabelText('Comment'), 'what about staging first?');
    await userEvent.click(within(comments).getByRole('button', { name: 'Add comment' }));
    await within(comments).findByText('what about staging first?');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ body: 'what about staging first?' });
  });
});
