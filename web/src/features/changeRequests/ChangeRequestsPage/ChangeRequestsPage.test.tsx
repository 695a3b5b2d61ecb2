import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProjectView } from '../../../api/projects';
import { renderWithClient, stubApi } from '../../../test/render';
import { ANA, aChangeRequest, BO, meAs } from '../aChangeRequest';
import { ChangeRequestsPage } from './ChangeRequestsPage';

const production = { key: 'production', name: 'Production', requireChangeReason: false, sdkKeyPrefix: null, requireApproval: false, requiredApprovals: 1 };
const project = { key: 'demo', name: 'Demo', description: '', createdAt: '2026-11-01T00:00:00.000Z', environments: [production] } as ProjectView;
const LIST = '/projects/demo/change-requests';

afterEach(() => vi.unstubAllGlobals());

describe('ChangeRequestsPage', () => {
  it('lists pending requests with flag, environment, author, approvals and a stale marker, then all of them', async () => {
    const calls = stubApi((method, path) => {
      if (path === '/auth/me') return { status: 200, body: meAs(BO) };
      if (method === 'GET' && path === `${LIST}?status=pending`)
        return { status: 200, body: { items: [aChangeRequest({ approvals: [{ user: BO, at: '2026-12-04T11:00:00.000Z' }], stale: true })] } };
      if (method === 'GET' && path === LIST) return { status: 200, body: { items: [aChangeRequest({ number: 8, status: 'applied' }), aChangeRequest()] } };
      return undefined;
    });
    renderWithClient(<ChangeRequestsPage project={project} environment={production} />);
    const table = await screen.findByRole('table', { name: 'Change requests' });
    const [, row] = within(table).getAllByRole('row');
    expect(within(row!).getByRole('link', { name: '#7' }).getAttribute('href')).toBe('/demo/production/change-requests/7');
    expect(row!.textContent).toContain('etl.use-new-transformer');
    expect(row!.textContent).toContain('Production');
    expect(row!.textContent).toContain(ANA.email);
    expect(row!.textContent).toContain('1 of 2 approvals');
    expect(within(row!).getByText('stale')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'All' }));
    await screen.findByRole('link', { name: '#8' });
    expect(calls.some((c) => c.path === LIST)).toBe(true);
    // Viewers and editors do not see the environment rules.
    expect(screen.queryByRole('form', { name: 'Rules of Production' })).toBeNull();
  });

  it('loads older requests a page at a time, and offers no more after the last page', async () => {
    const calls = stubApi((method, path) => {
      if (path === '/auth/me') return { status: 200, body: meAs(BO) };
      if (method === 'GET' && path === `${LIST}?status=pending`)
        return { status: 200, body: { items: [aChangeRequest({ number: 12 }), aChangeRequest({ number: 11 })], nextCursor: '11' } };
      if (method === 'GET' && path === `${LIST}?status=pending&cursor=11`)
        return { status: 200, body: { items: [aChangeRequest({ number: 3 })], nextCursor: null } };
      return undefined;
    });
    renderWithClient(<ChangeRequestsPage project={project} environment={production} />);
    await screen.findByRole('link', { name: '#12' });
    expect(screen.queryByRole('link', { name: '#3' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Load older requests' }));
    await screen.findByRole('link', { name: '#3' });
    const table = screen.getByRole('table', { name: 'Change requests' });
    expect(
      within(table)
        .getAllByRole('link')
        .map((a) => a.textContent),
    ).toEqual(['#12', '#11', '#3']);
    expect(screen.queryByRole('button', { name: 'Load older requests' })).toBeNull();
    expect(calls.filter((c) => c.path.startsWith(LIST)).map((c) => c.path)).toEqual([`${LIST}?status=pending`, `${LIST}?status=pending&cursor=11`]);
  });

  it("lists a segment request by the segment's name, linked to the segment, instead of a flag", async () => {
    stubApi((method, path) => {
      if (path === '/auth/me') return { status: 200, body: meAs(BO) };
      if (method === 'GET' && path === `${LIST}?status=pending`)
        return { status: 200, body: { items: [aChangeRequest({ number: 9, kind: 'segment', flag: null, segment: 'beta', change: null, diff: null })] } };
      if (method === 'GET' && path === '/projects/demo/segments')
        return {
          status: 200,
          body: [
            { key: 'beta', name: 'Beta testers', description: '', included: [], excluded: [], rules: [], version: 4, updatedAt: '2026-12-01T00:00:00.000Z' },
          ],
        };
      return undefined;
    });
    renderWithClient(<ChangeRequestsPage project={project} environment={production} />);
    const table = await screen.findByRole('table', { name: 'Change requests' });
    const [, row] = within(table).getAllByRole('row');
    expect(row!.textContent).toContain('Segment change');
    expect((await within(row!).findByRole('link', { name: 'Beta testers' })).getAttribute('href')).toBe('/demo/production/segments/beta');
    expect(row!.textContent).toContain('beta');
  });

  it('says so when nothing is pending', async () => {
    stubApi((method, path) => (path === '/auth/me' ? { status: 200, body: meAs(BO) } : method === 'GET' ? { status: 200, body: { items: [] } } : undefined));
    renderWithClient(<ChangeRequestsPage project={project} environment={production} />);
    expect(await screen.findByText('No pending change requests.')).toBeTruthy();
  });

  it('lets an admin require two approvals in an environment', async () => {
    const calls = stubApi((method, path) => {
      if (path === '/auth/me') return { status: 200, body: meAs(BO, 'admin') };
      if (method === 'GET') return { status: 200, body: { items: [] } };
      if (method === 'PATCH' && path === '/projects/demo/environments/production')
        return { status: 200, body: { ...production, requireApproval: true, requiredApprovals: 2 } };
      return undefined;
    });
    renderWithClient(<ChangeRequestsPage project={project} environment={production} />);
    const rules = await screen.findByRole('form', { name: 'Rules of Production' });
    const approvals = within(rules).getByLabelText('Approvals needed');
    expect((approvals as HTMLInputElement).disabled).toBe(true);
    await userEvent.click(within(rules).getByLabelText('Require approval'));
    await userEvent.clear(approvals);
    await userEvent.type(approvals, '11');
    await userEvent.click(within(rules).getByRole('button', { name: 'Save Production' }));
    expect(await within(rules).findByText('a whole number from 1 to 10')).toBeTruthy();
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
    // Another field leaves the message; editing this one clears it.
    await userEvent.click(within(rules).getByLabelText(/reason/i));
    expect(within(rules).queryByText('a whole number from 1 to 10')).toBeTruthy();

    await userEvent.clear(approvals);
    expect(within(rules).queryByText('a whole number from 1 to 10')).toBeNull();
    await userEvent.type(approvals, '2');
    await userEvent.click(within(rules).getByRole('button', { name: 'Save Production' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ requireChangeReason: true, requireApproval: true, requiredApprovals: 2 }),
    );
  });
});
