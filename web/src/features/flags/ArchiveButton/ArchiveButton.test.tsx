import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithClient, stubApi } from '../../../test/render';
import { aChangeRequest } from '../../changeRequests/aChangeRequest';
import { ArchiveButton } from './ArchiveButton';

afterEach(() => vi.unstubAllGlobals());

describe('ArchiveButton', () => {
  it('says archiving became a change request where an environment requires approval', async () => {
    const calls = stubApi((method, path) =>
      method === 'POST' && path === '/projects/demo/flags/etl.use-new-transformer/archive'
        ? { status: 202, body: { changeRequest: aChangeRequest({ number: 5, kind: 'archive', change: null, diff: null, requiredApprovals: 1 }) } }
        : undefined,
    );
    renderWithClient(<ArchiveButton project="demo" flagKey="etl.use-new-transformer" />);
    await userEvent.click(screen.getByRole('button', { name: 'Archive' }));
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Archive flag' }));
    const notice = await screen.findByText(/created — needs 1 approval\./);
    expect(within(notice).getByRole('link', { name: 'Change request #5' })).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });
});
