import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProjectView } from '../../../api/projects';
import { renderWithClient, SEGMENTS, stubApi } from '../../../test/render';
import { aChangeRequest, BO, meAs } from '../../changeRequests/aChangeRequest';
import { SegmentsPage } from './SegmentsPage';

const production = { key: 'production', name: 'Production', requireChangeReason: false, sdkKeyPrefix: null, requireApproval: true, requiredApprovals: 2 };
const project = { key: 'demo', name: 'Demo', description: '', createdAt: '2026-11-01T00:00:00.000Z', environments: [production] } as ProjectView;
const SEGMENT_PATH = '/projects/demo/segments/beta-testers';

/** A segment request as the server makes it from a save of beta-testers, used in gated production. */
const segmentRequest = (number: number) => ({
  changeRequest: aChangeRequest({ number, kind: 'segment', flag: null, segment: 'beta-testers', change: null, diff: null, requiredApprovals: 2 }),
});

afterEach(() => vi.unstubAllGlobals());

describe('SegmentsPage', () => {
  it('says which change request saving a segment used in an environment that requires approval made, with a link, and closes the editor', async () => {
    const calls = stubApi((method, path) => {
      if (path === '/auth/me') return { status: 200, body: meAs(BO) };
      if (method === 'GET' && path === '/projects/demo/segments') return { status: 200, body: SEGMENTS };
      if (method === 'PATCH' && path === SEGMENT_PATH) return { status: 202, body: segmentRequest(16) };
      return undefined;
    });
    renderWithClient(<SegmentsPage project={project} />);
    const row = (await screen.findByText('Beta testers')).closest('tr')!;
    await userEvent.click(await within(row).findByRole('button', { name: 'Edit' }));
    const editor = screen.getByRole('form', { name: 'Segment beta-testers' });
    await userEvent.type(within(editor).getByLabelText('Always in (targetingKeys)'), 'qa-1');
    await userEvent.click(within(editor).getByRole('button', { name: 'Save segment' }));

    const link = await screen.findByRole('link', { name: 'Change request #16' });
    expect(link.getAttribute('href')).toBe('/demo/production/change-requests/16');
    expect(link.closest('[role="status"]')?.textContent).toContain('Change request #16 created — needs 2 approvals');
    expect(screen.queryByRole('form', { name: 'Segment beta-testers' })).toBeNull();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({ version: 1, included: ['qa-1'] });
  });

  it('opens the segment an address names (where a change request links)', async () => {
    stubApi((method, path) => {
      if (path === '/auth/me') return { status: 200, body: meAs(BO) };
      if (method === 'GET' && path === '/projects/demo/segments') return { status: 200, body: SEGMENTS };
      return undefined;
    });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const router = createMemoryRouter([{ path: '/:projectKey/:envKey/segments/:segmentKey', element: <SegmentsPage project={project} /> }], {
      initialEntries: ['/demo/production/segments/prod-pipelines'],
    });
    render(
      <QueryClientProvider client={client}>
        <RouterProvider router={router} />
      </QueryClientProvider>,
    );
    const editor = await screen.findByRole('form', { name: 'Segment prod-pipelines' });
    expect((within(editor).getByLabelText('Name') as HTMLInputElement).value).toBe('Production pipelines');
  });
});
