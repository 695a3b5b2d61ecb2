import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { renderWithClient } from '../../../test/render';
import { CreateEnvironmentDialog } from './CreateEnvironmentDialog';

describe('CreateEnvironmentDialog', () => {
  it('closes at once on Escape while untouched, and asks once a choice is made', async () => {
    const onClose = vi.fn();
    const { unmount } = renderWithClient(<CreateEnvironmentDialog project={{ key: 'demo', name: 'Demo' }} onCreated={() => {}} onClose={onClose} />);
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
    unmount();

    renderWithClient(<CreateEnvironmentDialog project={{ key: 'demo', name: 'Demo' }} onCreated={() => {}} onClose={onClose} />);
    await userEvent.click(screen.getByRole('checkbox', { name: 'Every change here must give a reason' }));
    await userEvent.keyboard('{Escape}');
    expect(screen.getByRole('alert', { name: 'Discard changes?' })).toBeTruthy();
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
