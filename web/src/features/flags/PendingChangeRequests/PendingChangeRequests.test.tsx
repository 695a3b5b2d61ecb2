import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EnvironmentView } from '../../../api/projects';
import { renderWithClient, stubApi } from '../../../test/render';
import { aChangeRequest, BO } from '../../changeRequests/aChangeRequest';
import { PendingChangeRequests } from './PendingChangeRequests';

const production = { key: 'production', name: 'Production', requireChangeReason: false, sdkKeyPrefix: null } as EnvironmentView;
const LIST = '/projects/demo/change-requests?environment=production&flag=etl.use-new-transformer';

afterEach(() => vi.unstubAllGlobals());

describe('PendingChangeRequests', () => {
  it("links the flag's open requests in this environment, leaving finished ones out", async () => {
    stubApi((method, path) =>
      method === 'GET' && path === LIST
        ? {
            status: 200,
            body: {
              items: [
                aChangeRequest({ number: 9, status: 'approved', requiredApprovals: 1, approvals: [{ user: BO, at: '2026-12-04T11:00:00.000Z' }] }),
                aChangeRequest({ number: 8, stale: true }),
                aChangeRequest({ number: 5, status: 'applied' }),
              ],
            },
          }
        : undefined,
    );
    renderWithClient(<PendingChangeRequests project="demo" flagKey="etl.use-new-transformer" environment={production} enabled />);
    const banner = await screen.findByRole('region', { name: 'Change requests for etl.use-new-transformer in Production' });
    expect(banner.textContent).toContain('2 change requests are open for this flag in Production');
    expect(within(banner).getByRole('link', { name: '#9' }).getAttribute('href')).toBe('/demo/production/change-requests/9');
    expect(banner.textContent).toContain('#8 (pending, 0 of 2 approvals, stale)');
    expect(within(banner).queryByRole('link', { name: '#5' })).toBeNull();
  });

  it('asks nothing where no environment of the project requires approval', () => {
    const calls = stubApi(() => undefined);
    renderWithClient(<PendingChangeRequests project="demo" flagKey="etl.use-new-transformer" environment={production} enabled={false} />);
    expect(calls).toEqual([]);
  });
});
