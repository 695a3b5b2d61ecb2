import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FlagVersion } from '../../../../api/versions';
import { aConfig, aFlag, renderWithClient, stubApi } from '../../../../test/render';
import { aChangeRequest, meAs, BO } from '../../../changeRequests/aChangeRequest';
import { FlagVersions } from './FlagVersions';

const FLAG = '/projects/demo/flags/etl.use-new-transformer';
const version = (n: number, variant: string): FlagVersion => ({
  version: n,
  at: '2026-12-01T09:00:00.000Z',
  actor: { type: 'user', name: 'ana@example.com' },
  action: 'flag.config.updated',
  reason: null,
  revertedTo: null,
  config: aConfig({ version: n, defaultRule: { variant } }),
});

afterEach(() => vi.unstubAllGlobals());

describe('FlagVersions', () => {
  it('says a revert in an environment that requires approval became a change request', async () => {
    stubApi((method, path) => {
      if (path === '/auth/me') return { status: 200, body: meAs(BO) };
      if (method === 'GET' && path === FLAG) return { status: 200, body: aFlag(aConfig({ version: 2, defaultRule: { variant: 'off' } })) };
      if (method === 'GET' && path === '/projects') return { status: 200, body: [] };
      if (method === 'GET' && path.startsWith(`${FLAG}/environments/production/versions?`))
        return { status: 200, body: { items: [version(2, 'off'), version(1, 'on')], nextCursor: null, earlierVersionsMissing: false } };
      if (method === 'POST' && path === `${FLAG}/environments/production/revert`)
        return { status: 202, body: { changeRequest: aChangeRequest({ number: 6, baseVersion: 2, requiredApprovals: 1 }) } };
      return undefined;
    });
    renderWithClient(<FlagVersions project="demo" flagKey="etl.use-new-transformer" environment="production" />);
    const v1 = await screen.findByRole('listitem', { name: 'Version 1' });
    await userEvent.click(await within(v1).findByRole('button', { name: 'Revert to this version' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revert to version 1' }));
    const notice = await screen.findByText(/created — needs 1 approval\./);
    expect(within(notice).getByRole('link', { name: 'Change request #6' })).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
