import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ApiToken } from '../../../api/access';
import { formatTime } from '../../../components/common/format';
import { renderWithClient, stubApi } from '../../../test/render';
import { TokenList } from './TokenList';

const aToken = (overrides: Partial<ApiToken>): ApiToken => ({
  id: 't1',
  name: 'pagerduty',
  prefix: 'sbt_abcd',
  access: 'kill-switch',
  projects: null,
  environments: null,
  createdBy: 'admin',
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: null,
  lastUsedAt: null,
  ...overrides,
});

const tokensApi = () => {
  let tokens = [aToken({ projects: ['demo', 'ops'], environments: null }), aToken({ id: 't2', name: 'ci', prefix: 'sbt_wxyz', access: 'editor' })];
  const calls = stubApi((method, path) => {
    if (method === 'GET' && path === '/tokens') return { status: 200, body: tokens };
    if (method === 'DELETE' && path === '/tokens/t1') {
      tokens = tokens.filter((t) => t.id !== 't1');
      return { status: 204 };
    }
    return undefined;
  });
  return () => calls.filter((c) => c.method === 'DELETE');
};

describe('TokenList', () => {
  it("shows each token's scope: a kill-switch token's projects and environments, a role token's none", async () => {
    tokensApi();
    renderWithClient(<TokenList />);
    const pagerduty = await screen.findByRole('row', { name: /pagerduty/ });
    expect(pagerduty.textContent).toContain('Projects: demo, ops');
    expect(pagerduty.textContent).toContain('Environments: all environments');
    expect(screen.getByRole('row', { name: /ci/ }).textContent).toContain('everywhere its role allows');
  });

  it('shows when each token expires and was last used, marking expired tokens', async () => {
    const day = 86_400_000;
    stubApi((method, path) =>
      method === 'GET' && path === '/tokens'
        ? {
            status: 200,
            body: [
              aToken({ id: 'a', name: 'forever', expiresAt: null, lastUsedAt: null }),
              aToken({ id: 'b', name: 'later', expiresAt: new Date(Date.now() + 30 * day).toISOString(), lastUsedAt: '2026-03-01T10:00:00.000Z' }),
              aToken({ id: 'c', name: 'lapsed', expiresAt: new Date(Date.now() - day).toISOString(), lastUsedAt: '2026-02-01T10:00:00.000Z' }),
            ],
          }
        : undefined,
    );
    renderWithClient(<TokenList />);
    const headers = (await screen.findAllByRole('columnheader')).map((h) => h.textContent);
    expect(headers).toEqual(expect.arrayContaining(['Expires', 'Last used']));
    const cell = (row: string, column: string) => {
      const index = headers.indexOf(column);
      return within(screen.getByRole('row', { name: new RegExp(row) })).getAllByRole('cell')[index]!.textContent;
    };
    expect(cell('forever', 'Expires')).toBe('never');
    expect(cell('forever', 'Last used')).toBe('never');
    expect(cell('later', 'Expires')).not.toMatch(/expired|never/);
    expect(cell('later', 'Last used')).toBe(formatTime('2026-03-01T10:00:00.000Z'));
    expect(cell('lapsed', 'Expires')).toMatch(/^expired /);
    expect(cell('lapsed', 'Last used')).toBe(formatTime('2026-02-01T10:00:00.000Z'));
  });

  it('asks before revoking; Cancel keeps the token', async () => {
    const deletes = tokensApi();
    renderWithClient(<TokenList />);
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke pagerduty' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke pagerduty?' });
    expect(dialog.textContent).toContain('stops working at once');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('row', { name: /pagerduty/ })).toBeTruthy();
    expect(deletes()).toHaveLength(0);
  });

  it('revokes once confirmed and drops the token from the list', async () => {
    const deletes = tokensApi();
    renderWithClient(<TokenList />);
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke pagerduty' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke token' }));
    await waitFor(() => expect(screen.queryByRole('row', { name: /pagerduty/ })).toBeNull());
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(deletes().map((c) => c.path)).toEqual(['/tokens/t1']);
  });
});
