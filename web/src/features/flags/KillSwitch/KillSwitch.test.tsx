import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EnvironmentView } from '../../../api/projects';
import { aConfig, aFlag, renderWithClient, stubApi } from '../../../test/render';
import { aChangeRequest } from '../../changeRequests/aChangeRequest';
import { KillSwitch } from './KillSwitch';

const production = {
  key: 'production',
  name: 'Production',
  requireChangeReason: false,
  sdkKeyPrefix: null,
  requireApproval: true,
  requiredApprovals: 1,
} as EnvironmentView;
const killed = aConfig({ killed: true, kill: { reason: 'INC-1', by: 'ops@example.com', at: '2026-12-04T10:00:00.000Z' } });

afterEach(() => vi.unstubAllGlobals());

describe('KillSwitch', () => {
  it('says a restore in an environment that requires approval became a change request', async () => {
    stubApi((method, path) =>
      method === 'POST' && path === '/projects/demo/flags/etl.use-new-transformer/environments/production/restore'
        ? { status: 202, body: { changeRequest: aChangeRequest({ number: 4, kind: 'restore', change: null, diff: null, requiredApprovals: 1 }) } }
        : undefined,
    );
    renderWithClient(<KillSwitch project="demo" flag={aFlag(killed)} environment={production} environments={[production]} canEdit />);
    await userEvent.click(screen.getByRole('button', { name: 'Restore' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Restore now' }));
    const notice = await screen.findByText(/created — needs 1 approval\./);
    expect(within(notice).getByRole('link', { name: 'Change request #4' })).toBeTruthy();
    // Still killed until the request is applied: the banner stays.
    expect(screen.getByText(/Killed in Production/)).toBeTruthy();
  });
});
